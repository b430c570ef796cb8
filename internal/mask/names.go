package mask

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/vnfold"
	"golang.org/x/text/unicode/norm"
)

// word is one run of letters in the text.
type word struct {
	s, e  int
	lower string // lower-cased, for keyword comparison (keeps diacritics)
	fold  string // vnfold.Fold, for name comparison (drops them)
	cap   bool   // capitalised like a name: "Bình", not "B" or "UBND"
	upper bool   // all capitals, two letters or more: "BÌNH"
}

// A trigger is a form of address or a label that is followed by a
// person's name. Words are lower case.
type trigger struct {
	words []string
	// label triggers come from forms ("Họ và tên: NGUYỄN VĂN AN"): a colon
	// may follow and the name may be in capitals.
	label bool
	// kin triggers name a relative or a contact, and may be followed by
	// a few linking words before the name ("Chồng tôi là Nguyễn Văn
	// Hùng", "vợ tôi, Lê Thị Mai").
	kin bool
}

// kinFillers may stand between a kin trigger and the name.
var kinFillers = map[string]bool{
	"tôi": true, "em": true, "mình": true, "cháu": true, "của": true, "là": true, "tên": true,
	"chúng": true, "con": true, "nhà": true, "ruột": true,
}

// maxKinFillers bounds the linking words after a kin trigger.
const maxKinFillers = 3

// triggers, longest first so that "bạn đọc" is tried before "bạn".
var triggers = []trigger{
	{words: []string{"họ", "và", "tên"}, label: true},
	{words: []string{"họ", "tên"}, label: true},
	{words: []string{"người", "gửi"}, label: true},
	{words: []string{"người", "phản", "ánh"}, label: true},
	{words: []string{"người", "kiến", "nghị"}, label: true},
	{words: []string{"người", "hỏi"}, label: true},
	{words: []string{"người", "liên", "hệ"}, label: true, kin: true},
	{words: []string{"người", "thân"}, label: true, kin: true},
	{words: []string{"người", "giám", "hộ"}, label: true, kin: true},
	{words: []string{"người", "đại", "diện"}, label: true, kin: true},
	{words: []string{"người", "được", "ủy", "quyền"}, label: true, kin: true},
	{words: []string{"người", "được", "uỷ", "quyền"}, label: true, kin: true},
	{words: []string{"người", "nhận"}, label: true, kin: true},
	{words: []string{"chủ", "tài", "khoản"}, label: true, kin: true},
	{words: []string{"liên", "hệ"}, label: true},
	{words: []string{"tên", "là"}, label: true},
	{words: []string{"tên"}, label: true, kin: true},
	{words: []string{"bố", "chồng"}, kin: true},
	{words: []string{"mẹ", "chồng"}, kin: true},
	{words: []string{"bố", "vợ"}, kin: true},
	{words: []string{"mẹ", "vợ"}, kin: true},
	{words: []string{"công", "dân"}},
	{words: []string{"người", "dân"}},
	{words: []string{"cử", "tri"}},
	{words: []string{"bạn", "đọc"}},
	{words: []string{"đồng", "chí"}},
	{words: []string{"bác", "sĩ"}},
	{words: []string{"luật", "sư"}},
	{words: []string{"cô", "giáo"}},
	{words: []string{"thầy", "giáo"}},
	{words: []string{"em", "trai"}, kin: true},
	{words: []string{"em", "gái"}, kin: true},
	{words: []string{"anh", "trai"}, kin: true},
	{words: []string{"chị", "gái"}, kin: true},
	{words: []string{"con", "trai"}, kin: true},
	{words: []string{"con", "gái"}, kin: true},
	{words: []string{"anh"}}, {words: []string{"chị"}}, {words: []string{"ông"}},
	{words: []string{"bà"}}, {words: []string{"em"}}, {words: []string{"cô"}},
	{words: []string{"chú"}}, {words: []string{"bác"}}, {words: []string{"bạn"}},
	{words: []string{"cháu"}}, {words: []string{"cụ"}}, {words: []string{"dì"}},
	{words: []string{"thầy"}}, {words: []string{"vợ"}, kin: true}, {words: []string{"chồng"}, kin: true},
	{words: []string{"bố"}, kin: true}, {words: []string{"mẹ"}, kin: true}, {words: []string{"cha"}, kin: true},
	{words: []string{"con"}, kin: true},
}

// placeWords before a form of address mean it is part of a place name:
// "tỉnh Bà Rịa", "đường Bà Triệu", "chợ Bà Chiểu", "tiếng Anh".
var placeWords = map[string]bool{
	"tỉnh": true, "phố": true, "huyện": true, "quận": true, "phường": true, "xã": true,
	"đường": true, "chợ": true, "cầu": true, "núi": true, "sông": true, "hồ": true,
	"chùa": true, "đền": true, "miếu": true, "tiếng": true, "nước": true, "trấn": true,
	"ấp": true, "thôn": true, "bản": true, "làng": true, "bến": true, "phà": true,
	"trường": true, "hẻm": true, "ngõ": true, "kiệt": true, "khu": true, "đảo": true,
}

// notNames are words that, capitalised after a capitalised form of
// address, make a well-known place, street or figure rather than a
// private person: "Bà Rịa", "Bà Triệu", "Bác Hồ", "Anh Sơn" (a district).
// Lower-case forms ("bà Triệu") are still read as people.
var notNames = map[string]map[string]bool{
	"bà":  {"rịa": true, "triệu": true, "chiểu": true, "điểm": true, "đen": true, "huyện": true, "hạt": true, "nà": true},
	"ông": {"ích": true, "lãnh": true},
	"cô":  {"giang": true, "bắc": true, "tô": true},
	"anh": {"sơn": true},
	"bác": {"hồ": true},
	"bạn": {"đọc": true},
}

// titleNames are like notNames but apply in any case: "bà mẹ Việt Nam anh
// hùng" is an honorary title, not a mother named Việt.
var titleNames = map[string]map[string]bool{
	"mẹ": {"việt": true},
}

// notFirstNames are words that follow a form of address capitalised but
// are not given names: words citizens capitalise mid-sentence ("Em Xin
// hỏi"), and the first words of official titles ("ông Chủ tịch", "bà Giám
// đốc", "ông Bí thư"), which must stay readable in an answer.
var notFirstNames = map[string]bool{
	"chủ": true, "giám": true, "phó": true, "trưởng": true, "bí": true, "tổng": true,
	"cán": true, "đại": true, "chánh": true, "thanh": true, "thủ": true, "hiệu": true,
	"bộ": true, "cục": true, "viện": true,
	"xin": true, "chào": true, "cảm": true, "là": true, "có": true, "đã": true,
	"được": true, "không": true, "muốn": true, "hỏi": true, "và": true, "thì": true,
	"ở": true, "tại": true, "của": true, "cho": true, "đang": true, "sẽ": true,
	"rất": true, "bị": true, "kính": true, "thưa": true, "gửi": true, "đề": true,
}

// maxNameWords bounds how many capitalised words after a form of address
// are taken as the name; Vietnamese names have two to five.
const maxNameWords = 5

// maskNames replaces names with their initials: first the names the
// caller gave, then given names after a form of address, then any
// capitalised name after a form of address or label.
func (m *masker) maskNames(names []string) {
	ws := m.words()
	given := map[string]bool{}
	for _, name := range names {
		parts := strings.Fields(norm.NFC.String(name))
		if len(parts) == 0 {
			continue
		}
		folded := make([]string, len(parts))
		for i, p := range parts {
			folded[i] = fold(p)
		}
		given[folded[len(folded)-1]] = true
		if len(parts) >= 2 {
			m.maskSequence(ws, folded)
		}
	}
	for k := 0; k < len(ws); k++ {
		t, end := m.triggerAt(ws, k)
		if t == nil || end+1 >= len(ws) || !m.free(ws[k].s, ws[end].e) {
			continue
		}
		next := end + 1
		gap := m.text[ws[end].e:ws[next].s]
		if t.kin {
			// "Chồng tôi là …": step over the linking words.
			for n := 0; n < maxKinFillers && next+1 < len(ws) && kinFillers[ws[next].lower] && !ws[next].cap &&
				(spaceGap(gap) || colonGap(gap)); n++ {
				next++
				gap = m.text[ws[next-1].e:ws[next].s]
			}
			if commaGap(gap) {
				gap = " "
			}
		}
		if !spaceGap(gap) && !((t.label || t.kin) && colonGap(gap)) {
			continue
		}
		// A known given name after any form of address is masked even
		// where the generic rule below would hesitate ("Anh Sơn").
		if !t.label && ws[next].cap && given[ws[next].fold] && m.wordFree(ws[next]) {
			m.claim(ws[next].s, ws[next].e, m.initials(ws[next:next+1]), false)
			continue
		}
		if m.placeBefore(ws, k) {
			continue
		}
		run := m.nameRun(ws, next, t.label)
		if len(run) == 0 {
			continue
		}
		first := run[0].lower
		if notFirstNames[first] {
			continue
		}
		if len(t.words) == 1 {
			tw := t.words[0]
			if titleNames[tw][first] || (isCapitalised(m.text[ws[k].s:ws[k].e]) && notNames[tw][first]) {
				continue
			}
		}
		m.claim(run[0].s, run[len(run)-1].e, m.initials(run), false)
	}
}

// words splits the text into runs of letters.
func (m *masker) words() []word {
	var ws []word
	for i := 0; i < len(m.text); {
		r, size := utf8.DecodeRuneInString(m.text[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		j := i
		letters, uppers := 0, 0
		for j < len(m.text) {
			r, size := utf8.DecodeRuneInString(m.text[j:])
			if !unicode.IsLetter(r) && !unicode.IsMark(r) {
				break
			}
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					uppers++
				}
			}
			j += size
		}
		w := m.text[i:j]
		ws = append(ws, word{
			s: i, e: j,
			lower: strings.ToLower(w),
			fold:  fold(w),
			cap:   isCapitalised(w),
			upper: letters >= 2 && uppers == letters,
		})
		i = j
	}
	return ws
}

// wordFree reports whether w is unclaimed and stands on its own: not glued
// to digits or to masked text ("An***@...").
func (m *masker) wordFree(w word) bool {
	glued := func(r rune) bool { return isWordRune(r) || r == '*' || r == '@' }
	return m.free(w.s, w.e) && !glued(m.runeBefore(w.s)) && !glued(m.runeAfter(w.e))
}

// spaceGap reports whether gap is non-empty horizontal white space, so
// the words on either side belong to one phrase.
func spaceGap(gap string) bool {
	if gap == "" {
		return false
	}
	for _, r := range gap {
		if !isSpace(r) {
			return false
		}
	}
	return true
}

// colonGap reports whether gap is white space with one colon, as after a
// form label ("Họ và tên: ").
func colonGap(gap string) bool {
	before, after, ok := strings.Cut(gap, ":")
	return ok && (before == "" || spaceGap(before)) && (after == "" || spaceGap(after))
}

// commaGap reports whether gap is a comma with optional spaces, as in
// "vợ tôi, Lê Thị Mai".
func commaGap(gap string) bool {
	before, after, ok := strings.Cut(gap, ",")
	return ok && (before == "" || spaceGap(before)) && (after == "" || spaceGap(after))
}

// maskSequence masks every occurrence of the folded name words as
// consecutive words of the text.
func (m *masker) maskSequence(ws []word, name []string) {
	for k := 0; k+len(name) <= len(ws); k++ {
		ok := true
		for i, n := range name {
			w := ws[k+i]
			if w.fold != n || !m.wordFree(w) || (i > 0 && !spaceGap(m.text[ws[k+i-1].e:w.s])) {
				ok = false
				break
			}
		}
		if ok {
			m.claim(ws[k].s, ws[k+len(name)-1].e, m.initials(ws[k:k+len(name)]), false)
			k += len(name) - 1
		}
	}
}

// triggerAt returns the trigger whose words start at ws[k], and the index
// of its last word.
func (m *masker) triggerAt(ws []word, k int) (*trigger, int) {
	for i := range triggers {
		t := &triggers[i]
		if k+len(t.words) > len(ws) {
			continue
		}
		ok := true
		for j, tw := range t.words {
			if ws[k+j].lower != tw || (j > 0 && !spaceGap(m.text[ws[k+j-1].e:ws[k+j].s])) {
				ok = false
				break
			}
		}
		if ok {
			return t, k + len(t.words) - 1
		}
	}
	return nil, 0
}

// placeBefore reports whether the trigger at ws[k] is part of a place
// name: right after a place word ("tỉnh Bà Rịa"), or capitalised right
// after another capitalised word ("Hai Bà Trưng", "Cầu Ông Lãnh").
func (m *masker) placeBefore(ws []word, k int) bool {
	if k == 0 || !spaceGap(m.text[ws[k-1].e:ws[k].s]) {
		return false
	}
	prev := ws[k-1]
	if placeWords[prev.lower] {
		return true
	}
	return isCapitalised(m.text[ws[k].s:ws[k].e]) && prev.cap
}

// nameRun collects the capitalised words (also all-capital ones after a
// label) that follow from ws[k], separated by single spaces.
func (m *masker) nameRun(ws []word, k int, label bool) []word {
	var run []word
	for i := k; i < len(ws) && len(run) < maxNameWords; i++ {
		w := ws[i]
		if !(w.cap || (label && w.upper)) || !m.wordFree(w) {
			break
		}
		if i > k && !spaceGap(m.text[ws[i-1].e:w.s]) {
			break
		}
		run = append(run, w)
	}
	return run
}

// initials returns "N.V.B." for the words of "Nguyễn Văn Bình", without the
// final dot when the text already has one there (end of a sentence).
func (m *masker) initials(run []word) string {
	var b strings.Builder
	for i, w := range run {
		r, _ := utf8.DecodeRuneInString(m.text[w.s:w.e])
		b.WriteRune(unicode.ToUpper(r))
		if i < len(run)-1 || m.runeAfter(run[len(run)-1].e) != '.' {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// foldTable caches vnfold.Fold of single runes below foldTableSize, which
// covers every Latin letter used in Vietnamese: folding each word of a
// long text through vnfold.Fold (an NFD pass and a builder per word) was
// the largest cost of Mask. Entries are the folded rune, foldDrop for
// runes that fold to nothing (combining marks), or foldSlow for runes that
// fold to more than one rune.
var foldTable = sync.OnceValue(func() *[foldTableSize]rune {
	var t [foldTableSize]rune
	for r := range rune(foldTableSize) {
		f := []rune(vnfold.Fold(string(r)))
		switch len(f) {
		case 0:
			t[r] = foldDrop
		case 1:
			t[r] = f[0]
		default:
			t[r] = foldSlow
		}
	}
	return &t
})

const (
	foldDrop = -1
	foldSlow = -2
)

const foldTableSize = 0x2000

// fold returns vnfold.Fold(w) for NFC text, quickly. Folding rune by rune
// gives the same result as folding the word because the fold only drops
// combining marks and maps each base letter on its own.
func fold(w string) string {
	t := foldTable()
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		if r >= foldTableSize || t[r] == foldSlow {
			return vnfold.Fold(w)
		}
		if t[r] != foldDrop {
			b.WriteRune(t[r])
		}
	}
	return b.String()
}
