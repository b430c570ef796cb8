// Package province recognises the province or centrally-run city a citizen
// names, however it is written, and maps the 63 provincial-level units in
// force until 30 June 2025 to the 34 that replaced them.
//
// Resolution 202/2025/QH15 of the National Assembly (12 June 2025, in
// force 1 July 2025) reorganised the provinces: 11 kept their territory
// (Hà Nội, Huế, Lai Châu, Điện Biên, Sơn La, Lạng Sơn, Quảng Ninh, Thanh
// Hóa, Nghệ An, Hà Tĩnh, Cao Bằng) and the other 52 were merged into 23
// units, each named after one of its members (Merged). Citizens keep
// writing the old names for years — on letters, in addresses, from memory
// — so an old name is not an error: it names the unit it is now part of.
//
// Names are compared on a key: folded with vnfold.Canonical (no diacritics,
// any case, i/y spellings as one), punctuation dropped, a leading "thành
// phố", "TP" or "tỉnh" ignored and spaces removed, so "Thanh Hoá", "thanh
// hóa", "TP.HCM", "Thành phố Hồ Chí Minh", "Ha Noi" and "ĐắkLắk" all
// resolve. Common abbreviations (HCM, TPHCM, HN, Sài Gòn, BR-VT, TT-Huế …)
// are in aliases.
package province

import (
	"strings"
	"sync"
	"unicode"

	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// Merged maps each current unit that absorbed others to the former units
// it was formed from (itself included), per Resolution 202/2025/QH15.
// Names are spelled as in the seed catalog.
var Merged = map[string][]string{
	"Tuyên Quang":     {"Hà Giang", "Tuyên Quang"},
	"Lào Cai":         {"Yên Bái", "Lào Cai"},
	"Thái Nguyên":     {"Bắc Kạn", "Thái Nguyên"},
	"Phú Thọ":         {"Vĩnh Phúc", "Hòa Bình", "Phú Thọ"},
	"Bắc Ninh":        {"Bắc Giang", "Bắc Ninh"},
	"Hưng Yên":        {"Thái Bình", "Hưng Yên"},
	"Hải Phòng":       {"Hải Dương", "Hải Phòng"},
	"Ninh Bình":       {"Hà Nam", "Nam Định", "Ninh Bình"},
	"Quảng Trị":       {"Quảng Bình", "Quảng Trị"},
	"Đà Nẵng":         {"Quảng Nam", "Đà Nẵng"},
	"Quảng Ngãi":      {"Kon Tum", "Quảng Ngãi"},
	"Gia Lai":         {"Bình Định", "Gia Lai"},
	"Khánh Hòa":       {"Ninh Thuận", "Khánh Hòa"},
	"Lâm Đồng":        {"Đắk Nông", "Bình Thuận", "Lâm Đồng"},
	"Đắk Lắk":         {"Phú Yên", "Đắk Lắk"},
	"TP. Hồ Chí Minh": {"Bình Dương", "Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh"},
	"Đồng Nai":        {"Bình Phước", "Đồng Nai"},
	"Tây Ninh":        {"Long An", "Tây Ninh"},
	"Cần Thơ":         {"Sóc Trăng", "Hậu Giang", "Cần Thơ"},
	"Vĩnh Long":       {"Bến Tre", "Trà Vinh", "Vĩnh Long"},
	"Đồng Tháp":       {"Tiền Giang", "Đồng Tháp"},
	"Cà Mau":          {"Bạc Liêu", "Cà Mau"},
	"An Giang":        {"Kiên Giang", "An Giang"},
	// Renamed, same territory: Thừa Thiên Huế became the city of Huế.
	"Huế": {"Thừa Thiên Huế"},
}

// Unchanged are the former units whose territory and name were kept.
var Unchanged = []string{
	"Hà Nội", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
	"Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng",
}

// aliases maps keys of abbreviations and other common spellings to the
// current unit.
var aliases = map[string]string{
	"hcm": "TP. Hồ Chí Minh", "tphcm": "TP. Hồ Chí Minh", "saigon": "TP. Hồ Chí Minh",
	"sg": "TP. Hồ Chí Minh", "hochiminhcity": "TP. Hồ Chí Minh", "hcmc": "TP. Hồ Chí Minh",
	"hn": "Hà Nội", "tphn": "Hà Nội", "hanoicity": "Hà Nội",
	"hp": "Hải Phòng", "tphp": "Hải Phòng",
	"tpdn": "Đà Nẵng",
	"tpct": "Cần Thơ",
	"brvt": "TP. Hồ Chí Minh", "vungtau": "TP. Hồ Chí Minh", "bariavungtau": "TP. Hồ Chí Minh",
	"tthue": "Huế", "tth": "Huế", "thuathienhue": "Huế",
	"daclac": "Đắk Lắk", "daklac": "Đắk Lắk", "daclak": "Đắk Lắk",
	"dacnong": "Lâm Đồng", "daknong": "Lâm Đồng",
	"baccan": "Thái Nguyên", "backan": "Thái Nguyên",
	"kontum": "Quảng Ngãi",
}

// Key is the form names are compared in (see the package comment).
func Key(s string) string {
	f := vnfold.Canonical(s)
	f = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, f)
	words := strings.Fields(f)
	switch {
	case len(words) > 2 && words[0] == "thanh" && words[1] == "pho":
		words = words[2:]
	case len(words) > 1 && (words[0] == "tp" || words[0] == "tinh"):
		words = words[1:]
	}
	return strings.Join(words, "")
}

// Table resolves written names against a list of current units.
type Table struct {
	current map[string]string // key -> current unit as spelled in the list
	former  map[string]string // key of a former unit -> current unit
}

// NewTable builds the table for current, the units as the catalog spells
// them. Former units and aliases whose current unit is not in the list are
// left out, so a catalog that differs from the 34 never resolves to a name
// it does not hold.
func NewTable(current []string) *Table {
	t := &Table{current: map[string]string{}, former: map[string]string{}}
	for _, c := range current {
		t.current[Key(c)] = c
	}
	add := func(key, unit string) {
		if c, ok := t.current[Key(unit)]; ok {
			if _, taken := t.current[key]; !taken {
				t.former[key] = c
			}
		}
	}
	for unit, formers := range Merged {
		for _, f := range formers {
			add(Key(f), unit)
		}
	}
	for k, unit := range aliases {
		add(k, unit)
	}
	return t
}

// Resolve returns the current unit that written names, and whether it
// names one. A current unit's own name in any spelling resolves to itself;
// a former unit's name to the unit it merged into.
func (t *Table) Resolve(written string) (string, bool) {
	k := Key(written)
	if k == "" {
		return "", false
	}
	if c, ok := t.current[k]; ok {
		return c, true
	}
	c, ok := t.former[k]
	return c, ok
}

// Former reports whether written names one of the 63 units in force before
// 1 July 2025 that is no longer a unit of its own (Bình Dương, Hà Giang,
// Thừa Thiên Huế …).
func (t *Table) Former(written string) bool {
	k := Key(written)
	_, cur := t.current[k]
	_, old := t.former[k]
	return old && !cur
}

var (
	lastMu    sync.Mutex
	lastKey   string
	lastTable *Table
)

// For returns the table for current, reusing the last one built while the
// list is unchanged (the catalog changes only when it is reseeded).
func For(current []string) *Table {
	k := strings.Join(current, "\x00")
	lastMu.Lock()
	defer lastMu.Unlock()
	if lastTable == nil || k != lastKey {
		lastKey, lastTable = k, NewTable(current)
	}
	return lastTable
}
