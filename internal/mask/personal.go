package mask

import (
	"regexp"
	"strings"

	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/phone"
)

// birthDate matches what may follow the word "sinh" (born) up to a date:
// a few linking words, then a date in any usual notation or a year. It
// is tried only at each "sinh", so the regular expression never runs
// over the whole text.
var birthDate = regexp.MustCompile(`^(?i:[\s:,]*(?:ngày|năm|vào|tháng|ngày\s+tháng\s+năm|là|:)?[\s:,]*)` +
	`(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|\d{4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{1,2}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})`)

// notBirth are words before "sinh" that make it something else: "phát
// sinh" (arise), "học sinh" (pupil), "nảy sinh" (emerge).
var notBirth = []string{"phát", "học", "nảy"}

// maskBirthDates masks a date that follows "sinh": "sinh ngày
// 12/03/1985", "Ngày sinh: 1985-03-12". A year alone ("sinh năm 1985") is
// kept: it narrows little and answers often turn on age. A date of birth
// with a name or a commune identifies a person; the dates of events
// (when a payment was due, when a decision was signed) are kept.
func (m *masker) maskBirthDates() {
	lower := strings.ToLower(m.text)
	if len(lower) != len(m.text) {
		return // lower-casing changed lengths (rare scripts); offsets would not line up
	}
	for from := 0; ; {
		k := strings.Index(lower[from:], "sinh")
		if k < 0 {
			return
		}
		s := from + k
		e := s + len("sinh")
		from = e
		if isWordRune(m.runeBefore(s)) || isWordRune(m.runeAfter(e)) {
			continue
		}
		prev := strings.Fields(lower[max(0, s-12):s])
		if len(prev) > 0 && contains(notBirth, prev[len(prev)-1]) {
			continue
		}
		window := m.text[e:min(len(m.text), e+48)]
		loc := birthDate.FindStringSubmatchIndex(window)
		if loc == nil {
			continue
		}
		ds, de := e+loc[2], e+loc[3]
		if isWordRune(m.runeAfter(de)) {
			continue
		}
		m.claim(ds, de, xAlnumDigits(m.text[ds:de]), false)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// xAlnumDigits replaces the ASCII digits of s with 'x', keeping words.
func xAlnumDigits(s string) string { return xDigits(s, 0) }

// gluedKeywords are labels people type straight against the number:
// "sđt0987654329", "CCCD001203004567", "STK0011004123456".
var gluedKeywords = map[string]bool{
	"sđt": true, "sdt": true, "đt": true, "dt": true, "đth": true, "tel": true, "phone": true,
	"cmnd": true, "cmt": true, "cccd": true, "stk": true, "tk": true, "bhxh": true, "bhyt": true,
	"mst": true, "hc": true, "số": true, "so": true, "zalo": true,
}

// maskCards masks identifiers with letters in them or glued to a label,
// which the digit-group rules (numbers.go) leave alone as codes:
//   - health-insurance card numbers: two letters and 13 digits
//     ("DN4010123456789", "DN 4 01 0123456789");
//   - passport numbers: one or two capitals and 7 or 8 digits ("B7654321");
//   - any run of 8 or more digits glued to a label in gluedKeywords;
//   - mobile numbers grouped with "/" or "," ("0912/345/677").
func (m *masker) maskCards() {
	for i := 0; i < len(m.text); i++ {
		c := m.text[i]
		if isASCIILetter(c) || c >= 0x80 {
			if isWordRune(m.runeBefore(i)) {
				continue
			}
			if end := m.cardAt(i); end > i {
				i = end - 1
			}
			continue
		}
		if c == '0' && !isWordRune(m.runeBefore(i)) {
			if end := m.slashedPhone(i); end > i {
				i = end - 1
			}
		}
	}
}

// cardAt masks an identifier starting with the word at i and returns its
// end, or i.
func (m *masker) cardAt(i int) int {
	j := i
	for j < len(m.text) && !isDigit(m.text[j]) && isWordRune(m.runeAfter(j)) {
		_, size := decodeRune(m.text[j:])
		j += size
	}
	word := m.text[i:j]
	if j == i || j >= len(m.text) || !isDigit(m.text[j]) {
		return i
	}
	letters := len(word)
	upper := isASCIIUpper(word)
	switch {
	case letters == 2 && upper:
		// Health-insurance card: 13 digits, possibly grouped.
		digits, ends := m.knownDigits(j, 14)
		if len(digits) == 13 && !isDigit(m.byteAt(ends[12])) {
			m.claim(i, ends[12], xAlnum(m.text[i:ends[12]]), false)
			return ends[12]
		}
	}
	k := j
	for k < len(m.text) && isDigit(m.text[k]) {
		k++
	}
	n := k - j
	switch {
	case (letters == 1 || letters == 2) && upper && (n == 7 || n == 8) && !isWordRune(m.runeAfter(k)) && m.runeAfter(k) != '-' && m.runeBefore(i) != '-':
		m.claim(i, k, xAlnum(m.text[i:k]), false)
		return k
	case gluedKeywords[strings.ToLower(word)]:
		digits, ends := m.knownDigits(j, maxCandidateDigits)
		if len(digits) < 8 || isDigit(m.byteAt(ends[len(ends)-1])) {
			return i
		}
		end := ends[len(ends)-1]
		keep := 0
		if _, err := phone.Normalize(string(digits)); err == nil {
			keep = 3
		}
		m.claim(j, end, xDigits(m.text[j:end], keep), false)
		return end
	}
	return i
}

// slashedPhone masks a Vietnamese mobile number whose groups are split
// by "/" or "," ("0912/345/677", "0912,345,682") and returns its end, or
// i. Dates and amounts never start with a 0 and have ten digits.
func (m *masker) slashedPhone(i int) int {
	var digits []byte
	j, odd := i, false
	for j < len(m.text) && len(digits) < 11 {
		c := m.text[j]
		if isDigit(c) {
			digits = append(digits, c)
			j++
			continue
		}
		if (c == '/' || c == ',' || c == ' ' || c == '.' || c == '-') && j+1 < len(m.text) && isDigit(m.text[j+1]) && len(digits) > 0 {
			odd = odd || c == '/' || c == ','
			j++
			continue
		}
		break
	}
	if !odd || len(digits) != 10 || isDigit(m.byteAt(j)) || isWordRune(m.runeAfter(j)) {
		return i
	}
	if !strings.ContainsRune("35789", rune(digits[1])) {
		return i
	}
	if _, err := phone.Normalize(string(digits)); err != nil {
		return i
	}
	if m.claim(i, j, xDigits(m.text[i:j], 3), false) {
		return j
	}
	return i
}

func (m *masker) byteAt(i int) byte {
	if i < len(m.text) {
		return m.text[i]
	}
	return 0
}

func isASCIIUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// employerWords introduce the name of a workplace: with the name, an
// employer and its industrial zone narrow a worker down to a few
// hundred people, or to one.
var employerWords = [][]string{
	{"công", "ty"}, {"cty"}, {"doanh", "nghiệp"}, {"xí", "nghiệp"}, {"nhà", "máy"},
	{"hợp", "tác", "xã"}, {"khu", "công", "nghiệp"}, {"kcn"}, {"cụm", "công", "nghiệp"}, {"ccn"},
}

// legalForms are the words of a company's legal form, kept: "Công ty
// TNHH MTV ***".
var legalForms = map[string]bool{
	"tnhh": true, "cp": true, "cổ": true, "phần": true, "mtv": true, "một": true, "thành": true,
	"viên": true, "hai": true, "trách": true, "nhiệm": true, "hữu": true, "hạn": true, "jsc": true,
	"co": true, "ltd": true, "dntn": true, "tư": true, "nhân": true,
}

// maxEmployerWords bounds the name masked after an employer word.
const maxEmployerWords = 6

// maskEmployers replaces the capitalised name after "công ty TNHH" (or
// another legal form), "nhà máy", "KCN" and the like with "***", keeping
// the legal form.
func (m *masker) maskEmployers() {
	ws := m.words()
	for k := 0; k < len(ws); k++ {
		n := 0
		for _, ew := range employerWords {
			if k+len(ew) > len(ws) {
				continue
			}
			ok := true
			for j, w := range ew {
				if ws[k+j].lower != w || (j > 0 && !spaceGap(m.text[ws[k+j-1].e:ws[k+j].s])) {
					ok = false
					break
				}
			}
			if ok {
				n = len(ew)
				break
			}
		}
		if n == 0 {
			continue
		}
		next := k + n
		for next < len(ws) && legalForms[ws[next].lower] && spaceGap(m.text[ws[next-1].e:ws[next].s]) {
			next++
		}
		// A company is a private employer when it names its legal form
		// ("Công ty TNHH …", "Công ty Cổ phần …"); "Công ty Điện lực" and
		// other public utilities, which answers name, are kept.
		if (ws[k].lower == "công" || ws[k].lower == "cty") && next == k+n {
			continue
		}
		if next >= len(ws) || !spaceGap(m.text[ws[next-1].e:ws[next].s]) {
			continue
		}
		var run []word
		for i := next; i < len(ws) && len(run) < maxEmployerWords; i++ {
			w := ws[i]
			if !(w.cap || w.upper) || !m.free(w.s, w.e) || (i > next && !spaceGap(m.text[ws[i-1].e:w.s])) {
				break
			}
			run = append(run, w)
		}
		if len(run) == 0 {
			continue
		}
		end := run[len(run)-1].e
		// A name may go on in digits or Latin letters glued by hyphens
		// ("Pouyuen-2"); take them with it.
		for end < len(m.text) && (isWordRune(m.runeAfter(end)) || m.runeAfter(end) == '-' && isWordRune(m.runeAfter(end+1))) {
			end += len(string(m.runeAfter(end)))
		}
		m.claim(run[0].s, end, "***", false)
		k = next + len(run) - 1
	}
}

// surnames are the commonest Vietnamese family names, lower case; with a
// middle name from middleNames after them they start a full name.
var surnames = map[string]bool{
	"nguyễn": true, "trần": true, "lê": true, "phạm": true, "hoàng": true, "huỳnh": true, "phan": true,
	"vũ": true, "võ": true, "đặng": true, "bùi": true, "đỗ": true, "hồ": true, "ngô": true, "dương": true,
	"lý": true, "đoàn": true, "đinh": true, "lâm": true, "mai": true, "trịnh": true, "cao": true,
	"lương": true, "tạ": true, "hà": true, "quách": true, "phùng": true, "vương": true, "nông": true,
	"lò": true, "chu": true, "thái": true, "tô": true, "khúc": true, "kiều": true, "tống": true,
	"triệu": true, "đàm": true, "lưu": true, "kim": true, "châu": true, "la": true, "giang": true,
	"hứa": true, "tăng": true, "thân": true, "mạc": true, "lại": true, "ninh": true, "bạch": true,
	"âu": true, "khổng": true, "đồng": true, "ưng": true, "yên": true, "mông": true, "bế": true,
	"từ": true, "quan": true,
}

// middleNames are the commonest middle names. "Văn" and "Thị" alone mark
// most names; the others are common enough to be worth it, and none of
// them starts the famous names streets carry that are not preceded by
// "đường" ("Hồ Chí Minh", "Trần Hưng Đạo").
var middleNames = map[string]bool{
	"văn": true, "thị": true, "hữu": true, "đức": true, "quang": true, "ngọc": true, "gia": true,
	"quốc": true, "thành": true, "xuân": true, "mạnh": true, "công": true, "đình": true, "bá": true,
	"trọng": true, "duy": true, "thanh": true, "minh": true, "thu": true, "kim": true, "hải": true,
}

// maskFullNames masks a Vietnamese full name wherever it stands, without
// a form of address: a capitalised run of three to five words, starting
// with a common family name and a common middle name ("Đoàn Thị Hà"),
// not part of a place or street name (placeBefore) and not after another
// capitalised word.
func (m *masker) maskFullNames() {
	ws := m.words()
	for k := 0; k+2 < len(ws); k++ {
		if !ws[k].cap || !surnames[ws[k].lower] || !ws[k+1].cap || !middleNames[ws[k+1].lower] {
			continue
		}
		if k > 0 && spaceGap(m.text[ws[k-1].e:ws[k].s]) && (ws[k-1].cap || placeWords[ws[k-1].lower]) {
			continue
		}
		// After a house number it is the street: "kiệt 45 Phan Đình Phùng".
		b := strings.TrimRight(m.text[:ws[k].s], " \u00a0")
		if r, _ := utf8.DecodeLastRuneInString(b); isDigit(byte(r)) && r < utf8.RuneSelf || r == '*' {
			continue
		}
		run := m.nameRun(ws, k, false)
		if len(run) < 3 {
			continue
		}
		if m.claim(run[0].s, run[len(run)-1].e, m.initials(run), false) {
			k += len(run) - 1
		}
	}
}
