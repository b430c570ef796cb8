package parse

import (
	"net/textproto"
	"regexp"
	"strings"
)

// detectAuto decides whether the message was sent by software. The flag
// means "do not answer this automatically" (acknowledgements to an
// auto-responder or a bounce start mail loops); it does not mean "discard".
// The first matching rule gives the reason.
func detectAuto(h textproto.MIMEHeader, from Address, bounce *Bounce, reportType string) AutoInfo {
	get := func(k string) string { return cleanLine(strings.ToValidUTF8(h.Get(k), "")) }
	if bounce != nil {
		return AutoInfo{true, "delivery status notification"}
	}
	if v := get("Auto-Submitted"); v != "" && !strings.EqualFold(firstToken(v), "no") {
		return AutoInfo{true, "Auto-Submitted: " + clipPlain(v)}
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if vals, ok := h[k]; ok && len(vals) > 0 {
			v := cleanLine(vals[0])
			if !strings.EqualFold(v, "no") && !strings.EqualFold(v, "false") {
				return AutoInfo{true, k + ": " + clipPlain(v)}
			}
		}
	}
	if reportType != "" {
		return AutoInfo{true, "multipart/report; report-type=" + clipPlain(reportType)}
	}
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.Trim(cleanLine(rp[0]), "<> ") == "" {
		return AutoInfo{true, "null sender (Return-Path: <>)"}
	}
	if isDaemon(from.Email) {
		return AutoInfo{true, "sender " + from.Email}
	}
	switch p := strings.ToLower(get("Precedence")); p {
	case "bulk", "junk", "list", "auto_reply":
		return AutoInfo{true, "Precedence: " + p}
	}
	if v := get("List-Id"); v != "" {
		return AutoInfo{true, "List-Id: " + clipPlain(v)}
	}
	// Exchange puts X-Auto-Response-Suppress on its own automatic mail
	// (OOF replies, system notices) to ask that nobody answer it. Honouring
	// the request is exactly what Auto is for, so "All", "OOF" and
	// "AutoReply" count; "DR"/"RN"/"NRN" only concern receipts.
	if v := get("X-Auto-Response-Suppress"); v != "" {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			switch strings.ToLower(f) {
			case "all", "oof", "autoreply":
				return AutoInfo{true, "X-Auto-Response-Suppress: " + clipPlain(v)}
			}
		}
	}
	return AutoInfo{}
}

func firstToken(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, " ;\t("); i >= 0 {
		return v[:i]
	}
	return v
}

func clipPlain(s string) string {
	if len(s) <= 120 {
		return s
	}
	cut := 120
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// isDaemon recognises the sender addresses bounces and system mail come from.
func isDaemon(addr string) bool {
	local, _, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok {
		local = strings.ToLower(addr)
	}
	return local == "mailer-daemon" || local == "postmaster"
}

// bounceSubjectRe matches the subjects of bounces that do not follow
// RFC 3464 (or whose report part was lost): Postfix, Gmail, Exim (cPanel
// hosting is common for .vn domains), sendmail, qmail, Exchange.
var bounceSubjectRe = regexp.MustCompile(`(?i)^\s*(undelivered mail returned to sender|delivery status notification \((failure|delay)\)|mail delivery failed|returned mail|undeliverable|undelivered mail|delivery failure|failure notice|mail delivery failure|message not delivered|delivery has failed|thư không gửi được|không gửi được thư)`)

var (
	// Postfix / qmail: "<user@example.com>: host ... said: 550 ..."
	angleRcptRe = regexp.MustCompile(`^\s*<([^<>\s@]+@[^<>\s]+)>:?\s*(.*)$`)
	// Gmail, Exchange: "wasn't delivered to x@y", "Your message to x@y couldn't be delivered".
	proseRcptRe = regexp.MustCompile(`(?i)(?:(?:wasn't|was not|couldn't be|could not be) delivered to|your message to|delivery to the following recipients? failed[^:]*:|địa chỉ)\s+<?([^\s<>@]+@[^\s<>]+)`)
	// Exim: "The following address(es) failed:" then indented addresses.
	eximFailedRe = regexp.MustCompile(`(?i)following address(\(es\)|es)? failed:?\s*$`)
	statusRe     = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)
	smtpLineRe   = regexp.MustCompile(`\b[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b`)
	msgIDLineRe  = regexp.MustCompile(`(?im)^\s*Message-I[Dd]:\s*<([^<>\s]+)>`)
)

// buildBounce returns bounce details for an RFC 3464 report (ds holds the
// message/delivery-status body) or for a recognisable non-standard bounce.
// orig holds the headers of the returned message when one was attached.
func buildBounce(ds, orig []byte, subject string, from Address, text string) *Bounce {
	var b *Bounce
	switch {
	case ds != nil:
		b = parseDeliveryStatus(ds)
	case bounceSubjectRe.MatchString(subject) || isDaemon(from.Email) && orig != nil:
		b = parseProseBounce(text, subject)
	default:
		return nil
	}
	if orig != nil {
		if id := headerMsgID(orig); id != "" {
			b.OriginalMessageID = id
		}
	}
	if b.OriginalMessageID == "" {
		if m := msgIDLineRe.FindStringSubmatch(text); m != nil {
			b.OriginalMessageID = m[1]
		}
	}
	if b.Status == "" {
		if m := statusRe.FindStringSubmatch(b.Diagnostic); m != nil {
			b.Status = m[1]
		}
	}
	return b
}

type dsnField struct{ name, value string }

// parseFieldBlocks reads header-like blocks separated by blank lines,
// tolerating garbage lines, which real DSNs contain.
func parseFieldBlocks(data []byte) [][]dsnField {
	var blocks [][]dsnField
	var cur []dsnField
	text := strings.ReplaceAll(strings.ToValidUTF8(string(data), "?"), "\r\n", "\n")
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(cur) > 0 {
				cur[len(cur)-1].value += " " + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		cur = append(cur, dsnField{strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)})
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

func fieldValue(block []dsnField, name string) string {
	for _, f := range block {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

// typedValue strips the "rfc822;" / "smtp;" address-type prefix.
func typedValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return cleanLine(v)
}

func parseDeliveryStatus(ds []byte) *Bounce {
	b := &Bounce{}
	var primary []dsnField
	for _, blk := range parseFieldBlocks(ds) {
		rcpt := fieldValue(blk, "final-recipient")
		if rcpt == "" {
			rcpt = fieldValue(blk, "original-recipient")
		}
		if rcpt == "" {
			continue // per-message block
		}
		if len(b.Recipients) < 100 {
			b.Recipients = append(b.Recipients, strings.Trim(typedValue(rcpt), "<>"))
		}
		if primary == nil || strings.EqualFold(fieldValue(blk, "action"), "failed") && !strings.EqualFold(fieldValue(primary, "action"), "failed") {
			primary = blk
		}
	}
	if primary != nil {
		b.Action = strings.ToLower(cleanLine(fieldValue(primary, "action")))
		b.Status = firstToken(cleanLine(fieldValue(primary, "status")))
		b.Diagnostic = clipPlain500(typedValue(fieldValue(primary, "diagnostic-code")))
	}
	return b
}

func clipPlain500(s string) string {
	if len(s) <= 500 {
		return s
	}
	cut := 500
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// parseProseBounce reads recipients and the SMTP reason out of the
// human-readable text of a non-RFC 3464 bounce.
func parseProseBounce(text, subject string) *Bounce {
	b := &Bounce{Action: "failed"}
	if strings.Contains(strings.ToLower(subject), "delay") {
		b.Action = "delayed"
	}
	lines := strings.Split(text, "\n")
	seen := map[string]bool{}
	add := func(addr string) {
		addr = strings.Trim(addr, "<>.,;: ")
		if addr == "" || seen[strings.ToLower(addr)] || len(b.Recipients) >= 100 {
			return
		}
		seen[strings.ToLower(addr)] = true
		b.Recipients = append(b.Recipients, addr)
	}
	inExim := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "Message-ID:") || strings.HasPrefix(strings.TrimSpace(l), "Received:") {
			break // the returned message's headers start here
		}
		if eximFailedRe.MatchString(l) {
			inExim = true
			continue
		}
		if inExim {
			t := strings.TrimSpace(l)
			if t == "" {
				if len(b.Recipients) > 0 {
					inExim = false
				}
				continue
			}
			if strings.Contains(t, "@") && !strings.ContainsAny(t, " \t") {
				add(t)
				if b.Diagnostic == "" {
					b.Diagnostic = continuation(lines, i+1)
				}
				continue
			}
		}
		if m := angleRcptRe.FindStringSubmatch(l); m != nil {
			add(m[1])
			if b.Diagnostic == "" {
				d := m[2]
				if c := continuation(lines, i+1); c != "" {
					d = strings.TrimSpace(d + " " + c)
				}
				b.Diagnostic = clipPlain500(cleanLine(d))
			}
			continue
		}
		for _, m := range proseRcptRe.FindAllStringSubmatch(l, -1) {
			add(m[1])
		}
	}
	if b.Diagnostic == "" {
		for _, l := range lines {
			if smtpLineRe.MatchString(l) {
				b.Diagnostic = clipPlain500(cleanLine(l))
				break
			}
		}
	}
	return b
}

// continuation joins the indented lines that follow line i-1.
func continuation(lines []string, i int) string {
	var parts []string
	for ; i < len(lines) && len(parts) < 10; i++ {
		l := lines[i]
		if l == "" || (l[0] != ' ' && l[0] != '\t') {
			break
		}
		parts = append(parts, strings.TrimSpace(l))
	}
	return cleanLine(strings.Join(parts, " "))
}

// headerMsgID finds Message-ID in a block of returned headers.
func headerMsgID(hdr []byte) string {
	text := strings.ToValidUTF8(string(hdr), "?")
	// Only the header section of a returned message is relevant.
	if i := strings.Index(text, "\n\n"); i >= 0 {
		text = text[:i]
	}
	if i := strings.Index(text, "\r\n\r\n"); i >= 0 {
		text = text[:i]
	}
	if m := msgIDLineRe.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}
