package mask

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/phone"
)

// group is one maximal run of ASCII digits, [s, e).
type group struct{ s, e int }

func (g group) len() int { return g.e - g.s }

// maxCandidateDigits is the longest digit string considered as one phone
// or ID number: E.164 allows 15 digits.
const maxCandidateDigits = 15

// maskNumbers finds digit runs, possibly split into groups by single
// separators ("0912 345 678", "001.203.004.567"), and masks phones, ID
// numbers and other long numbers, after protecting money amounts and
// hotlines.
func (m *masker) maskNumbers() {
	var gs []group
	for i := 0; i < len(m.text); {
		if !isDigit(m.text[i]) {
			i++
			continue
		}
		j := i
		for j < len(m.text) && isDigit(m.text[j]) {
			j++
		}
		gs = append(gs, group{i, j})
		i = j
	}
	m.protectDatesAndDocs(gs)
	for i := 0; i < len(gs); {
		if !m.free(gs[i].s, gs[i].e) {
			i++
			continue
		}
		if n := m.money(gs, i); n > 0 {
			i += n
			continue
		}
		if n := m.phoneOrID(gs, i); n > 0 {
			i += n
			continue
		}
		m.longNumber(gs[i])
		i++
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// between returns the text separating groups a and b.
func (m *masker) between(a, b group) string { return m.text[a.e:b.s] }

// money protects an amount starting at gs[i]: a number followed by a
// currency or unit word ("150000000 đồng", "1 500 000đ", "2,5 triệu"), or
// a number grouped in thousands with dots or commas ("1.500.000"), which
// in Vietnamese text is an amount or a count, unless an ID or phone
// keyword just before it says otherwise. It returns how many groups it
// consumed, or 0 if gs[i] does not start an amount.
func (m *masker) money(gs []group, i int) int {
	g := gs[i]
	if isWordRune(m.runeBefore(g.s)) {
		return 0
	}
	// Amounts are never written with a leading zero; phones and CCCD
	// numbers are. This keeps "gọi 0912345678 đồng chí Nam" (comrade Nam)
	// from passing as an amount of đồng.
	if m.text[g.s] == '0' && g.len() > 1 {
		return 0
	}
	// Thousands: a first group of 1-3 digits not starting with 0, then
	// groups of exactly three behind one consistent separator.
	last := i
	sep := ""
	if g.len() <= 3 && m.text[g.s] != '0' {
		for last+1 < len(gs) {
			b := m.between(gs[last], gs[last+1])
			if b != "." && b != "," && b != " " && b != "\u00a0" {
				break
			}
			if sep != "" && b != sep {
				break
			}
			if gs[last+1].len() != 3 {
				break
			}
			sep = b
			last++
		}
	}
	// An optional decimal part, with the separator not used for thousands.
	if last+1 < len(gs) {
		if b := m.between(gs[last], gs[last+1]); (b == "." || b == ",") && b != sep {
			last++
		}
	}
	end := gs[last].e
	grouped := sep == "." || sep == ","
	if m.unitAfter(end) || (grouped && !m.idKeywordBefore(g.s)) {
		m.claim(g.s, end, "", true)
		return last - i + 1
	}
	return 0
}

// units that make the preceding number an amount or a quantity. Checked
// lower-cased; each must be followed by a non-letter.
var units = []string{"đồng", "đ", "vnđ", "vnd", "triệu", "tỷ", "tỉ", "nghìn", "ngàn", "usd", "%", "trđ"}

// notUnits are common words that begin with a unit word but are not
// one: "đồng thời" (at the same time), "đồng ý" (agree), "tỉ lệ" (ratio).
var notUnits = []string{
	"đồng thời", "đồng ý", "đồng chí", "đồng bào", "đồng nghiệp", "đồng hồ", "đồng đội",
	"đồng bằng", "đồng ruộng", "tỉ lệ", "tỷ lệ", "triệu chứng", "triệu tập",
}

// unitAfter reports whether a currency or unit word follows position i,
// directly or after one space.
func (m *masker) unitAfter(i int) bool {
	rest := m.text[i:]
	if r := m.runeAfter(i); isSpace(r) {
		rest = rest[len(string(r)):]
	}
	if len(rest) > 24 {
		rest = rest[:24] // enough for the longest notUnits entry
	}
	lower := strings.ToLower(strings.ToValidUTF8(rest, ""))
	for _, w := range notUnits {
		if strings.HasPrefix(lower, w) {
			return false
		}
	}
	for _, u := range units {
		if strings.HasPrefix(lower, u) {
			after := lower[len(u):]
			r := []rune(after + " ")[0]
			if !isWordRune(r) {
				return true
			}
		}
	}
	return false
}

// idKeywords, found just before a number, mark it as an identifier even if
// it is written like an amount ("SĐT: 912.345.678").
var idKeywords = []string{
	"sđt", "sdt", "đt", "điện thoại", "di động", "cmnd", "cmt", "cccd", "chứng minh", "căn cước",
	"định danh", "hộ chiếu", "passport", "tài khoản", "stk", "số tk", "bhxh", "bhyt", "bảo hiểm",
	"mã số thuế", "mst", "zalo",
}

// idOnlyKeywords name an identifier that is never a phone number: a
// number after them is masked whole even when it is shaped like a phone
// ("mã số BHXH 0101 234 567").
var idOnlyKeywords = []string{
	"cmnd", "cmt", "cccd", "chứng minh", "căn cước", "định danh", "hộ chiếu", "passport",
	"tài khoản", "stk", "số tk", "bhxh", "bhyt", "mã số thuế", "mst",
}

// idOnlyKeywordBefore reports whether the keyword nearest before
// position i (within idKeywordBefore's reach) is one of idOnlyKeywords.
func (m *masker) idOnlyKeywordBefore(i int) bool {
	if !m.idKeywordBefore(i) {
		return false
	}
	lower := strings.ToLower(strings.ToValidUTF8(m.text[max(0, i-48):i], ""))
	nearest, end := "", -1
	for _, k := range idKeywords {
		if p := strings.LastIndex(lower, k); p >= 0 && (p+len(k) > end || p+len(k) == end && len(k) > len(nearest)) {
			nearest, end = k, p+len(k)
		}
	}
	return slices.Contains(idOnlyKeywords, nearest)
}

// idKeywordBefore reports whether one of idKeywords occurs in the few
// words before position i, in the same clause and with no other number
// (or masked number) in between: in "STK 0011004123456, nộp 150.000.000"
// the keyword belongs to the account, not to the amount.
func (m *masker) idKeywordBefore(i int) bool {
	start := i
	for start > 0 && i-start < 48 {
		c := m.text[start-1]
		if isDigit(c) || c == ',' || c == ';' || c == '\n' || (c == 'x' && start >= 2 && m.text[start-2] == 'x') {
			break
		}
		start--
	}
	lower := strings.ToLower(strings.ToValidUTF8(m.text[start:i], ""))
	for _, k := range idKeywords {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// joiners are the separators allowed between the digit groups of one
// phone or ID number.
func isJoiner(s string) bool {
	switch s {
	case " ", ".", "-", "\u00a0", ")", ") ", " (":
		return true
	}
	return false
}

// numberClass is what a candidate digit string was recognised as.
type numberClass int

const (
	classNone    numberClass = iota
	classPhone               // mask all but the last three digits
	classID                  // mask every digit
	classHotline             // 1800/1900: keep
)

// phoneOrID looks for the longest phone, ID or hotline number starting at
// gs[i] and masks (or protects) it. It returns the number of groups
// consumed, or 0 if none starts there.
func (m *masker) phoneOrID(gs []group, i int) int {
	g := gs[i]
	start := g.s
	plus := false
	if m.runeBefore(start) == '+' {
		start--
		plus = true
	}
	if m.runeBefore(start) == '(' {
		start--
	}
	before := m.runeBefore(start)
	if isWordRune(before) {
		return 0
	}
	// The three digits a phone mask leaves visible ("xxxx xxx 678") must
	// not start a new number on a second pass.
	if m.afterMaskedDigits(start) {
		return 0
	}
	slashy := m.runeBefore(g.s) == '/' || m.runeAfter(g.e) == '/'
	keyword := m.idKeywordBefore(start)

	var digits strings.Builder
	best, bestClass := -1, classNone
	for j := i; j < len(gs); j++ {
		if j > i {
			if slashy || !isJoiner(m.between(gs[j-1], gs[j])) || !m.free(gs[j].s, gs[j].e) ||
				m.runeBefore(gs[j].s) == '/' || m.runeAfter(gs[j].e) == '/' {
				break
			}
		}
		if isWordRune(m.runeAfter(gs[j].e)) {
			break // glued to a word: part of a code, not a number
		}
		digits.WriteString(m.text[gs[j].s:gs[j].e])
		if digits.Len() > maxCandidateDigits {
			break
		}
		if c := classify(digits.String(), plus, gs[i:j+1], keyword); c != classNone {
			best, bestClass = j, c
		}
	}
	if best < 0 {
		return 0
	}
	end := gs[best].e
	switch bestClass {
	case classHotline:
		m.claim(start, end, "", true)
	case classPhone:
		keep := 3
		if m.idOnlyKeywordBefore(start) {
			keep = 0
		}
		m.claim(start, end, xDigits(m.text[start:end], keep), false)
	case classID:
		m.claim(start, end, xDigits(m.text[start:end], 0), false)
	}
	return best - i + 1
}

// afterMaskedDigits reports whether position i follows an 'x' and one
// group separator, the shape phone masking leaves behind.
func (m *masker) afterMaskedDigits(i int) bool {
	r, size := utf8.DecodeLastRuneInString(m.text[:i])
	if size == 0 || !(r == ' ' || r == '.' || r == '-' || r == ')' || r == '\u00a0') {
		return false
	}
	return m.runeBefore(i-size) == 'x'
}

// classify decides what the digits of groups gs form. keyword reports an
// ID or phone keyword just before them ("STK", "CCCD", "SĐT").
func classify(d string, plus bool, gs []group, keyword bool) numberClass {
	n := len(d)
	if (n == 8 || n == 10) && (strings.HasPrefix(d, "1800") || strings.HasPrefix(d, "1900")) {
		return classHotline
	}
	minGroup, restMin := gs[0].len(), 99
	for _, g := range gs[1:] {
		minGroup = min(minGroup, g.len())
		restMin = min(restMin, g.len())
	}
	if plus {
		if n >= 8 && n <= maxCandidateDigits {
			return classPhone // any country: a "+" number is always a phone
		}
		return classNone
	}
	national := d[0] == '0' || (strings.HasPrefix(d, "84") && (n == 11 || n == 12) && d[2] != '0')
	if national && minGroup >= 2 {
		if _, err := phone.Normalize(d); err == nil {
			return classPhone
		} else if errors.Is(err, phone.ErrServiceNumber) {
			return classHotline
		}
	}
	// Not a number in today's plan, but written like one (old landlines
	// such as "(04) 3823 4567"): still someone's phone.
	if d[0] == '0' && (n == 10 || n == 11) && gs[0].len() >= 2 && (len(gs) == 1 || restMin >= 3) {
		return classPhone
	}
	switch {
	case n == 12 && d[0] == '0': // CCCD: starts with a 0xx province code
		if len(gs) == 1 || minGroup >= 3 {
			return classID
		}
	case n == 9: // CMND
		if len(gs) == 1 || (minGroup >= 3 && !isYear(d[:gs[0].len()])) {
			return classID
		}
	}
	// After "STK", "CCCD" and the like, any spaced run of 9 or more digits
	// is the number the keyword announces ("STK: 1903 1234 5678 90").
	if keyword && n >= 9 && minGroup >= 2 {
		return classID
	}
	return classNone
}

// isYear reports whether s is a four-digit year 1900-2099, so that "2020
// 12345" is not read as a spaced ID number.
func isYear(s string) bool {
	return len(s) == 4 && (s[:2] == "19" || s[:2] == "20")
}

// longNumber masks a lone unbroken run of 9 or more digits that nothing
// else claimed (bank accounts, tax codes), unless it is part of a decimal
// or dotted number.
func (m *masker) longNumber(g group) {
	if g.len() < 9 || isWordRune(m.runeBefore(g.s)) || isWordRune(m.runeAfter(g.e)) {
		return
	}
	if g.s >= 2 && strings.ContainsRune(".,", rune(m.text[g.s-1])) && isDigit(m.text[g.s-2]) {
		return
	}
	if g.e+1 < len(m.text) && strings.ContainsRune(".,", rune(m.text[g.e])) && isDigit(m.text[g.e+1]) {
		return
	}
	m.claim(g.s, g.e, strings.Repeat("x", g.len()), false)
}

// xDigits replaces every ASCII digit of s with 'x' except the last keep.
func xDigits(s string, keep int) string {
	total := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			total++
		}
	}
	b := []byte(s)
	seen := 0
	for i, c := range b {
		if isDigit(c) {
			if seen < total-keep {
				b[i] = 'x'
			}
			seen++
		}
	}
	return string(b)
}
