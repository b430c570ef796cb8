package mask

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Addresses are found from the number outwards: every digit group that
// can be a house number (12, 12A, 12/3, 12B/4/1, 12-14, and A12 after a
// keyword) is checked for a keyword just before it. Numbers are far rarer
// than the keywords ("số", "ở", "nhà" are everyday words), so this is much
// cheaper than searching for the keywords.

// unitKeywords are always followed by a number worth masking. Longer
// entries come first so that "số nhà" wins over "nhà", "tổ dân phố" over
// "phố".
var unitKeywords = []string{
	"tổ dân phố", "số nhà", "nhà số", "căn hộ", "ngách", "ngõ", "hẻm", "kiệt", "xóm", "tổ", "lô", "sn",
}

// placeIntros introduce where someone lives; a number after them is a
// house number only if a street follows it.
var placeIntros = []string{"địa chỉ", "ở", "tại", "nhà", "trú", "sống"}

// pronouns may stand between a place intro and the number ("nhà tôi ở").
var pronouns = []string{"chúng tôi", "gia đình tôi", "tôi", "em", "mình", "cháu", "con"}

// streetWords, in lower case, follow a house number in an address.
var streetWords = map[string]bool{
	"ngõ": true, "ngách": true, "hẻm": true, "kiệt": true, "đường": true, "phố": true,
	"tổ": true, "thôn": true, "xóm": true, "ấp": true, "khu": true, "phường": true,
	"xã": true, "quận": true, "huyện": true, "thị": true, "tp": true, "lô": true,
}

// notStreets are capitalised words that follow numbers in text about
// agencies and law ("ở 2 Bộ", "số 5 Điều") and never start a street name.
var notStreets = map[string]bool{
	"bộ": true, "sở": true, "phòng": true, "ban": true, "ủy": true, "uỷ": true, "viện": true,
	"cục": true, "chi": true, "tổng": true, "quận": true, "huyện": true, "phường": true,
	"xã": true, "tỉnh": true, "điều": true, "khoản": true, "chương": true, "năm": true,
	"tháng": true, "ngày": true, "lần": true, "người": true, "hộ": true, "cơ": true,
}

// docWords before "số" make it a document or ordinal number ("công văn số
// 12 Bộ ..."), not an address.
var docWords = []string{
	"nghị định", "quyết định", "thông tư", "công văn", "luật", "văn bản", "tờ trình",
	"báo cáo", "kế hoạch", "chỉ thị", "nghị quyết", "thông báo", "hồ sơ", "điều",
	"khoản", "biên bản", "giấy", "mục", "phụ lục", "chương", "hợp đồng", "hóa đơn",
	"hoá đơn", "biên lai", "phiếu", "đơn", "bản án", "ký hiệu", "lần", "trang",
}

// maxHouseDigits bounds each digit run of a house number.
const maxHouseDigits = 6

// maskAddresses replaces house, alley and small-unit numbers with "***".
func (m *masker) maskAddresses() {
	for i := 0; i < len(m.text); {
		if !isDigit(m.text[i]) {
			i++
			continue
		}
		start, end, letters := m.houseNumber(i)
		if end > start && m.free(start, end) && m.houseContext(start, end, letters) {
			m.claim(start, end, "***", false)
		}
		for i < len(m.text) && isDigit(m.text[i]) {
			i++
		}
		i = max(i, end)
	}
}

// houseNumber reads a house number whose first digit run starts at i. It
// returns its extent, with up to two lot letters before the digits
// counted in letters, or an empty extent if the digits do not form one.
func (m *masker) houseNumber(i int) (start, end, letters int) {
	start = i
	for letters < 2 && start > 0 && isASCIILetter(m.text[start-1]) {
		start--
		letters++
	}
	if isWordRune(m.runeBefore(start)) {
		return i, i, 0 // digits glued to a longer word or number
	}
	end = i
	for part := 0; part < 5; part++ {
		if part > 0 {
			if end+1 >= len(m.text) || (m.text[end] != '/' && m.text[end] != '-') || !isDigit(m.text[end+1]) {
				break
			}
			end++
		}
		d := end
		for end < len(m.text) && isDigit(m.text[end]) {
			end++
		}
		if end-d > maxHouseDigits {
			return i, i, 0
		}
		if end < len(m.text) && isASCIILetter(m.text[end]) && !isWordRune(m.runeAfter(end+1)) {
			end++ // 12A
		}
	}
	if !m.numberEnds(end) {
		return i, i, 0
	}
	return start, end, letters
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// numberEnds reports whether a house number ending at i really ends there:
// not followed by more of a word, a number, a code or masked text.
func (m *masker) numberEnds(i int) bool {
	r := m.runeAfter(i)
	if isWordRune(r) || r == '/' || r == '*' || r == '@' {
		return false
	}
	// "12.5", "12,5", "12-5b": a decimal or a range, not a house number.
	if (r == '.' || r == ',' || r == '-') && i+1 < len(m.text) && isDigit(m.text[i+1]) {
		return false
	}
	return true
}

// houseContext decides from the words around a house number [start, end)
// whether it is part of an address.
func (m *masker) houseContext(start, end, letters int) bool {
	kwEnd, ok := m.keywordGap(start)
	if !ok {
		return false
	}
	before := m.lowerBefore(kwEnd, 24)
	for _, kw := range unitKeywords {
		if endsWithWord(before, kw) {
			return true
		}
	}
	if endsWithWord(before, "số") {
		return !m.docWordBefore(kwEnd-len("số")) && m.streetAfter(end, true)
	}
	if letters > 0 {
		return false // a lot letter ("A12") needs a unit keyword
	}
	// Drop one pronoun, then look for a place intro.
	for _, p := range pronouns {
		if endsWithWord(before, p) {
			before = strings.TrimRight(before[:len(before)-len(p)], " \t\u00a0")
			break
		}
	}
	for _, in := range placeIntros {
		if endsWithWord(before, in) {
			return m.streetAfter(end, false)
		}
	}
	return false
}

// keywordGap walks back from a house number over the gap that separates
// it from its keyword: one to three spaces, or a colon or dot with up to
// three spaces on either side. It returns where the keyword must end.
func (m *masker) keywordGap(start int) (int, bool) {
	i := start
	spaces := func() int {
		n := 0
		for n < 3 && i > 0 {
			r, size := utf8.DecodeLastRuneInString(m.text[:i])
			if !isSpace(r) {
				break
			}
			i -= size
			n++
		}
		return n
	}
	n := spaces()
	if i > 0 && (m.text[i-1] == ':' || m.text[i-1] == '.') {
		i--
		spaces()
		return i, true
	}
	return i, n > 0
}

// lowerBefore returns up to n bytes of text before i, lower-cased.
func (m *masker) lowerBefore(i, n int) string {
	return strings.ToLower(strings.ToValidUTF8(m.text[max(0, i-n):i], ""))
}

// endsWithWord reports whether s ends with the whole word (or phrase) w.
func endsWithWord(s, w string) bool {
	if !strings.HasSuffix(s, w) {
		return false
	}
	k := len(s) - len(w)
	return k == 0 || !isWordRune(lastRune(s[:k]))
}

// streetAfter reports whether the text after a house number ending at i
// continues like an address: a street or unit keyword, or a capitalised
// street name. With comma set, one comma may come first ("số 5, hẻm 3").
func (m *masker) streetAfter(i int, comma bool) bool {
	j := i
	for j < len(m.text) {
		r, size := utf8.DecodeRuneInString(m.text[j:])
		if r == ',' && comma {
			comma = false
		} else if !isSpace(r) {
			break
		}
		j += size
	}
	if j == i {
		return false
	}
	w := m.wordAt(j)
	if w == "" {
		return false
	}
	lw := strings.ToLower(w)
	if streetWords[lw] {
		return true
	}
	return isCapitalised(w) && !notStreets[lw]
}

// wordAt returns the run of letters starting at byte i.
func (m *masker) wordAt(i int) string {
	j := i
	for j < len(m.text) {
		r, size := utf8.DecodeRuneInString(m.text[j:])
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			break
		}
		j += size
	}
	return m.text[i:j]
}

// isCapitalised reports whether w looks like a word of a proper name: an
// upper-case letter followed by a lower-case one. Initials ("N") and
// acronyms ("UBND") do not qualify.
func isCapitalised(w string) bool {
	r1, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r1) || size >= len(w) {
		return false
	}
	r2, _ := utf8.DecodeRuneInString(w[size:])
	return unicode.IsLower(r2)
}

// docWordBefore reports whether the words just before position i name a
// document or an ordinal, making the "số" at i a document number.
func (m *masker) docWordBefore(i int) bool {
	before := strings.TrimRight(m.lowerBefore(i, 24), " \t\u00a0")
	for _, w := range docWords {
		if endsWithWord(before, w) {
			return true
		}
	}
	return false
}

// lastRune returns the last rune of s, or 0 if s is empty.
func lastRune(s string) rune {
	if s == "" {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
