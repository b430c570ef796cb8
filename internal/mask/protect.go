package mask

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The scanners in this file are written by hand rather than as regular
// expressions: Go's regexp runs an NFA over the whole text for every
// pattern, which made Mask cost milliseconds per page. Each scanner here
// starts only at its anchor character ('@', '-', '/') or digit group.

// protectCodes keeps upper-case reference codes such as civicdesk
// tracking codes (PA-7KQ2M-XH4RT) and file codes (HS-20240512): two to
// four capitals, then one to three hyphenated segments of four to eight
// capitals or digits.
func (m *masker) protectCodes() {
	for i := 0; i < len(m.text); i++ {
		if !isUpperASCII(m.text[i]) || isWordRune(m.runeBefore(i)) {
			continue
		}
		j := i
		for j < len(m.text) && isUpperASCII(m.text[j]) {
			j++
		}
		if n := j - i; n < 2 || n > 4 {
			i = j
			continue
		}
		end := -1
		for seg := 0; seg < 3 && j < len(m.text) && m.text[j] == '-'; seg++ {
			k := j + 1
			for k < len(m.text) && (isUpperASCII(m.text[k]) || isDigit(m.text[k])) {
				k++
			}
			if n := k - j - 1; n < 4 || n > 8 || isWordRune(m.runeAfter(k)) {
				break
			}
			end, j = k, k
		}
		if end > 0 {
			m.claim(i, end, "", true)
			i = end
		}
	}
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }

// protectDatesAndDocs keeps full dates (12/05/2024, 12-05-2024,
// 12.05.2024) and document numbers (20/2008/NĐ-CP, 15/2020/QĐ-TTg,
// 59/2020/QH14, 1234/UBND-VP) found among the digit groups gs.
func (m *masker) protectDatesAndDocs(gs []group) {
	for i := 0; i < len(gs); i++ {
		g := gs[i]
		if i+2 < len(gs) {
			sep := m.between(g, gs[i+1])
			y := gs[i+2]
			if (sep == "/" || sep == "." || sep == "-") && m.between(gs[i+1], y) == sep &&
				g.len() <= 2 && gs[i+1].len() <= 2 && y.len() == 4 &&
				(m.text[y.s:y.s+2] == "19" || m.text[y.s:y.s+2] == "20") &&
				!isWordRune(m.runeBefore(g.s)) && !isWordRune(m.runeAfter(y.e)) {
				m.claim(g.s, y.e, "", true)
				i += 2
				continue
			}
		}
		// Document number: digits, optional "/digits" parts, then "/" and
		// an issuer code starting with a capital.
		j := g.e
		for j+1 < len(m.text) && m.text[j] == '/' && isDigit(m.text[j+1]) {
			j++
			for j < len(m.text) && isDigit(m.text[j]) {
				j++
			}
		}
		if j < len(m.text) && m.text[j] == '/' && unicode.IsUpper(m.runeAfter(j+1)) {
			j = m.issuerEnd(j + 1)
			m.claim(g.s, j, "", true)
		}
		// The groups of this slash chain end the same way, so deciding for
		// the first decides for all; skipping them keeps this linear.
		for i+1 < len(gs) && gs[i+1].s < j {
			i++
		}
	}
}

// issuerEnd returns the end of an issuer code such as "NĐ-CP", "QĐ-TTg"
// or "UBND-VP" starting at i: words of letters and digits joined by
// hyphens or en dashes.
func (m *masker) issuerEnd(i int) int {
	j := m.codeWordEnd(i)
	for {
		r := m.runeAfter(j)
		if r != '-' && r != '–' {
			return j
		}
		next := j + utf8.RuneLen(r)
		end := m.codeWordEnd(next)
		if end == next {
			return j
		}
		j = end
	}
}

// codeWordEnd returns the end of the run of letters and digits at i.
func (m *masker) codeWordEnd(i int) int {
	for i < len(m.text) {
		r, size := utf8.DecodeRuneInString(m.text[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			break
		}
		i += size
	}
	return i
}

// maskEmails masks every e-mail address, keeping the first letter of the
// local part and the domain: "an.nguyen@gmail.com" → "a***@gmail.com".
// Letters with diacritics are accepted in both parts since people type
// them.
func (m *masker) maskEmails() {
	for at := strings.IndexByte(m.text, '@'); at >= 0; {
		start := at
		for start > 0 {
			r, size := utf8.DecodeLastRuneInString(m.text[:start])
			if !isLocalRune(r) {
				break
			}
			start -= size
		}
		end := m.domainEnd(at + 1)
		if start < at && end > at+1 {
			local := m.text[start:at]
			first, size := utf8.DecodeRuneInString(local)
			keep := ""
			// Keep the first character only if it is a letter: a kept
			// digit would be a stray number for the next rules.
			if unicode.IsLetter(first) && size < len(local) {
				keep = local[:size]
			}
			m.claim(start, end, keep+"***"+m.text[at:end], false)
		}
		next := strings.IndexByte(m.text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
}

// isLocalRune reports whether r may appear in the local part of an
// address as people write them.
func isLocalRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || strings.ContainsRune("._%+-", r)
}

// domainEnd returns where a domain starting at i ends, or i if there is
// none. A domain is two or more dot-separated labels of letters, digits
// and hyphens whose last label is two or more letters; trailing labels
// that break that rule (a sentence-ending "." included) are left out.
func (m *masker) domainEnd(i int) int {
	var labelEnds []int
	lastAlpha := []bool{}
	j := i
	for {
		k, alpha := j, true
		for k < len(m.text) {
			r, size := utf8.DecodeRuneInString(m.text[k:])
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != '-' {
				break
			}
			if !unicode.IsLetter(r) && !unicode.IsMark(r) {
				alpha = false
			}
			k += size
		}
		if k == j {
			break
		}
		labelEnds = append(labelEnds, k)
		lastAlpha = append(lastAlpha, alpha && utf8.RuneCountInString(m.text[j:k]) >= 2)
		if k >= len(m.text) || m.text[k] != '.' {
			break
		}
		j = k + 1
	}
	for n := len(labelEnds); n >= 2; n-- {
		if lastAlpha[n-1] {
			return labelEnds[n-1]
		}
	}
	return i
}
