package parse

import (
	"regexp"
	"strings"
)

// Reply extraction. A ticket needs what the citizen wrote this time, not the
// whole thread they kept quoting, but losing their words is worse than
// keeping some history. The rules therefore only cut at markers mail
// clients really produce, and a forwarded message is never cut: a citizen
// who forwards a letter from the agency wants us to read that letter.

var (
	// "-----Original Message-----" (Outlook before 2010, many mobile clients).
	origMsgRe = regexp.MustCompile(`(?i)^-{2,}\s*(original message|thư gốc|tin nhắn gốc)\s*-{2,}$`)
	// Forward banners from Gmail, Thunderbird and Apple Mail, English and Vietnamese.
	fwdRe = regexp.MustCompile(`(?i)^(-{2,}\s*(forwarded message|thư đã chuyển tiếp|thư được chuyển tiếp|thư chuyển tiếp)\s*-{2,}|begin forwarded message:|bắt đầu thư được chuyển tiếp:)$`)
	// Outlook's reply header block, English and Vietnamese Outlook.
	hdrFromRe = regexp.MustCompile(`(?i)^(from|từ|người gửi)\s*:\s*\S`)
	hdrSentRe = regexp.MustCompile(`(?i)^(sent|date|đã gửi|ngày gửi|ngày|thời gian)\s*:`)
	hdrToRe   = regexp.MustCompile(`(?i)^(to|cc|subject|đến|tới|chủ đề|tiêu đề)\s*:`)
	// A line of underscores or dashes that Outlook puts above the header block.
	sepRe = regexp.MustCompile(`^(_{8,}|-{8,})$`)
	// Subject prefixes: reply (Re, TL = "Trả lời", AW, SV …) and forward
	// (Fw, Fwd, Chuyển tiếp and its Outlook abbreviation CT, German WG,
	// French TR), possibly numbered.
	subjPrefixRe = regexp.MustCompile(`(?i)^\s*(re|aw|sv|vs|antw|tl|trả lời|fwd?|wg|tr|ct|chuyển tiếp)\s*(\[\d+\]|\(\d+\))?\s*:\s*`)
)

// isForwardSubject reports whether the outermost subject prefix marks a
// forward ("Fwd: Re: x" is a forward, "Re: Fwd: x" a reply).
func isForwardSubject(subject string) bool {
	m := subjPrefixRe.FindStringSubmatch(subject)
	if m == nil {
		return false
	}
	switch strings.ToLower(m[1]) {
	case "fw", "fwd", "wg", "tr", "ct", "chuyển tiếp":
		return true
	}
	return false
}

// normLine prepares a line for marker matching: surrounding space and the
// "*bold*" asterisks left by HTML-to-text conversion in Outlook's plain
// alternative are removed.
func normLine(l string) string {
	l = strings.TrimSpace(l)
	l = strings.TrimLeft(l, "*")
	l = strings.Replace(l, ":*", ":", 1)
	return strings.TrimSpace(l)
}

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// isAttribution recognises "On <date>, <name> wrote:" and Vietnamese
// "Vào <date>, <name> đã viết:" (Gmail, Thunderbird, Apple Mail), and the
// bare "<name> <addr> wrote:" some clients use.
func isAttribution(s string) bool {
	if len(s) > 400 || !strings.HasSuffix(s, ":") {
		return false
	}
	ls := strings.ToLower(s)
	if !(strings.HasSuffix(ls, "wrote:") || strings.HasSuffix(ls, "viết:") || strings.HasSuffix(ls, "writes:")) {
		return false
	}
	// A real attribution carries a date or an address; "On reflection, I
	// wrote:" does not.
	if strings.HasPrefix(ls, "on ") || strings.HasPrefix(ls, "vào ") {
		return strings.ContainsAny(ls, "0123456789@")
	}
	return strings.Contains(ls, "@")
}

// attributionLen returns how many lines (1–3, Gmail wraps long ones) form
// an attribution starting at line i, or 0.
func attributionLen(lines []string, i int) int {
	joined := ""
	for n := 1; n <= 3 && i+n-1 < len(lines); n++ {
		l := strings.TrimSpace(lines[i+n-1])
		if l == "" || isQuoted(l) {
			return 0
		}
		if n == 1 {
			joined = l
		} else {
			joined += " " + l
		}
		if isAttribution(joined) {
			return n
		}
	}
	return 0
}

func isHeaderBlock(lines []string, i int) bool {
	if !hdrFromRe.MatchString(normLine(lines[i])) {
		return false
	}
	sent, other := false, false
	for j := i + 1; j < len(lines) && j <= i+8; j++ {
		l := normLine(lines[j])
		if hdrSentRe.MatchString(l) {
			sent = true
		}
		if hdrToRe.MatchString(l) {
			other = true
		}
	}
	return sent && other
}

// extractReply returns text without quoted history. quoteAt is an HTML
// quote marker offset from htmlToText (or -1); forward disables cutting.
func extractReply(text string, quoteAt int, forward bool) string {
	if forward {
		return tidyText(text)
	}
	if quoteAt >= 0 && quoteAt <= len(text) {
		rest := strings.TrimSpace(text[quoteAt:])
		firstLine, _, _ := strings.Cut(rest, "\n")
		if !fwdRe.MatchString(normLine(firstLine)) {
			text = text[:quoteAt]
		}
	}
	lines := strings.Split(text, "\n")
	keep := make([]bool, len(lines))
	for i := range keep {
		keep[i] = true
	}
	end := len(lines)
	fwdFrom := len(lines)
scan:
	for i := 0; i < len(lines); i++ {
		l := normLine(lines[i])
		switch {
		case l == "":
			continue
		case fwdRe.MatchString(l):
			fwdFrom = i
			break scan
		case origMsgRe.MatchString(l):
			end = i
			break scan
		case isHeaderBlock(lines, i):
			end = i
			for k := i - 1; k >= 0; k-- {
				p := strings.TrimSpace(lines[k])
				if p == "" {
					continue
				}
				if sepRe.MatchString(p) {
					end = k
				}
				break
			}
			break scan
		case isQuoted(lines[i]):
			keep[i] = false
		default:
			n := attributionLen(lines, i)
			if n == 0 {
				continue
			}
			// What follows the attribution: quoted lines (drop the
			// attribution, keep scanning for bottom-posted text) or
			// unquoted history (cut here).
			k := i + n
			for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
				k++
			}
			if k < len(lines) && !isQuoted(lines[k]) {
				end = i
				break scan
			}
			for j := i; j < i+n; j++ {
				keep[j] = false
			}
			i += n - 1
		}
	}
	var b strings.Builder
	for i := 0; i < end; i++ {
		if i < fwdFrom && !keep[i] {
			continue
		}
		b.WriteString(lines[i])
		b.WriteByte('\n')
	}
	return tidyText(b.String())
}

// tidyText trims trailing spaces on each line, collapses runs of blank
// lines to one and trims the whole text.
func tidyText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.WriteString(l)
	}
	return b.String()
}
