package mask

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/phone"
)

// The rules in this file mask what the ticket itself tells us about the
// citizen (Options.Phones, Emails, IDs), wherever and however it is
// written. Pattern rules must guess; these need not: the ticket's own
// phone number is masked even as "sđt0987654329", "0912/345/677" or
// "0912,345,682", spellings no pattern can tell from a date or a list.

// knownSeps may stand between the digits of a known number, at most
// maxKnownGap of them in a row.
const knownSeps = " .-/,()+_*:\t"

const maxKnownGap = 3

// sepLen returns the length in bytes of the separator at byte j, or 0.
func (m *masker) sepLen(j int) int {
	c := m.text[j]
	if strings.IndexByte(knownSeps, c) >= 0 {
		return 1
	}
	if c == 0xc2 && j+1 < len(m.text) && m.text[j+1] == 0xa0 {
		return 2 // no-break space
	}
	return 0
}

// knownDigits collects up to max digits starting at byte i, skipping
// separators, and returns the byte offset just after each digit.
func (m *masker) knownDigits(i, max int) (digits []byte, ends []int) {
	gap := 0
	for j := i; j < len(m.text) && len(digits) < max; {
		c := m.text[j]
		switch {
		case isDigit(c):
			digits = append(digits, c)
			ends = append(ends, j+1)
			gap = 0
			j++
		case m.sepLen(j) > 0:
			gap++
			if gap > maxKnownGap {
				return digits, ends
			}
			j += m.sepLen(j)
		default:
			return digits, ends
		}
	}
	return digits, ends
}

// maskKnownPhones masks every spelling of the given phone numbers that
// internal/phone reads as the same number: with or without +84, 0084 or
// the trunk 0, the pre-2018 eleven-digit mobile prefixes, any grouping,
// and digits glued to the word before ("sđt0987654329"). Every digit but
// the last three becomes "x", as for any phone.
func (m *masker) maskKnownPhones(phones []string) {
	known := map[string]bool{}
	for _, p := range phones {
		if e, err := phone.Normalize(strings.TrimSpace(p)); err == nil {
			known[e] = true
		}
	}
	if len(known) == 0 {
		return
	}
	for i := 0; i < len(m.text); i++ {
		if !isDigit(m.text[i]) || (i > 0 && isDigit(m.text[i-1])) {
			continue
		}
		start := i
		plus := i > 0 && m.text[i-1] == '+'
		if plus {
			start--
		}
		digits, ends := m.knownDigits(i, maxCandidateDigits)
		for k := len(digits); k >= 8; k-- {
			d := string(digits[:k])
			if plus {
				d = "+" + d
			}
			e, err := phone.Normalize(d)
			if err != nil || !known[e] {
				continue
			}
			end := ends[k-1]
			if m.claim(start, end, xDigits(m.text[start:end], 3), false) {
				i = end - 1
			}
			break
		}
	}
}

// foldID is an identifier as compared: letters and digits only, upper
// case.
func foldID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && (isDigit(byte(r)) || isASCIILetter(byte(r))) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// maskKnownIDs masks every occurrence of the given identifiers (ID card,
// passport, health-insurance card, bank account numbers), ignoring case
// and the separators people put between groups, also glued to a word
// ("CCCD001203004567"). Every letter and digit of the match becomes "x".
func (m *masker) maskKnownIDs(ids []string) {
	var want []string
	for _, id := range ids {
		if f := foldID(id); len(f) >= 6 && strings.ContainsAny(f, "0123456789") {
			want = append(want, f)
		}
	}
	if len(want) == 0 {
		return
	}
	for i := 0; i < len(m.text); i++ {
		c := m.text[i]
		if !isDigit(c) && !isASCIILetter(c) {
			continue
		}
		for _, id := range want {
			// An identifier starting with a letter must start a word; one
			// of digits may be glued to a keyword, but not to more digits.
			if isASCIILetter(id[0]) && isWordRune(m.runeBefore(i)) || isDigit(id[0]) && i > 0 && isDigit(m.text[i-1]) {
				continue
			}
			if end, ok := m.matchID(i, id); ok && !unicode.IsDigit(m.runeAfter(end)) {
				if m.claim(i, end, xAlnum(m.text[i:end]), false) {
					i = end - 1
				}
				break
			}
		}
	}
}

// matchID reports whether id (folded) is written from byte i, with
// separators between its characters, and where the match ends.
func (m *masker) matchID(i int, id string) (int, bool) {
	j, gap := i, 0
	for k := 0; k < len(id); {
		if j >= len(m.text) {
			return 0, false
		}
		c := m.text[j]
		switch {
		case isDigit(c) || isASCIILetter(c):
			if c&^0x20 != id[k]&^0x20 || isDigit(c) != isDigit(id[k]) {
				return 0, false
			}
			k++
			gap = 0
			j++
		case k > 0 && m.sepLen(j) > 0:
			gap++
			if gap > maxKnownGap {
				return 0, false
			}
			j += m.sepLen(j)
		default:
			return 0, false
		}
	}
	return j, true
}

// xAlnum replaces every ASCII letter and digit of s with 'x'.
func xAlnum(s string) string {
	b := []byte(s)
	for i, c := range b {
		if isDigit(c) || isASCIILetter(c) {
			b[i] = 'x'
		}
	}
	return string(b)
}

// maskKnownEmails masks the given addresses written in full, in any case,
// as maskEmails would. It runs first, so that an address that the generic
// rule misses (glued to a word, say) is still caught.
func (m *masker) maskKnownEmails(emails []string) {
	lower := strings.ToLower(m.text)
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		at := strings.IndexByte(e, '@')
		if at <= 0 || len(lower) != len(m.text) {
			continue
		}
		for from := 0; ; {
			k := strings.Index(lower[from:], e)
			if k < 0 {
				break
			}
			s := from + k
			keep := ""
			if r, size := utf8.DecodeRuneInString(m.text[s:]); unicode.IsLetter(r) && size < at {
				keep = m.text[s : s+size]
			}
			m.claim(s, s+len(e), keep+"***"+m.text[s+at:s+len(e)], false)
			from = s + len(e)
		}
	}
}

// labelledID finds an identifier after its label in a letter: the ID
// card, passport, insurance, tax and bank account numbers people give
// ("Số CCCD: 001 203 004 567", "Hộ chiếu số B7654321", "STK 1903…").
var labelledID = regexp.MustCompile(`(?i)(?:cmnd|cmt|cccd|căn cước|chứng minh|định danh|hộ chiếu|passport|bhyt|bhxh|bảo hiểm|mã số thuế|mst|tài khoản|stk|mã khách hàng)` +
	`[^0-9\n]{0,30}?\b([A-Z]{1,2}[ .\-]?\d[\d .\-]{5,22}\d|\d[\d .\-]{5,22}\d)`)

// IDsIn returns the identifiers texts give after a label, for
// Options.IDs: once the citizen has written their ID card number next to
// "CCCD", it is masked wherever it appears again, in any grouping and
// also without a label.
func IDsIn(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		t = norm.NFC.String(foldCompat(t))
		for _, sm := range labelledID.FindAllStringSubmatch(t, -1) {
			id := foldID(sm[1])
			digits := 0
			for i := 0; i < len(id); i++ {
				if isDigit(id[i]) {
					digits++
				}
			}
			if digits >= 6 && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
