// Package routing decides which agency a new ticket goes to. It is pure:
// the rules, the catalog and the submission come in, a Decision comes out.
//
// The order of precedence is: the admin's routing rules, tried in order,
// first match wins; then the agency the channel already knew (mail sent to
// a ministry's own address); then the category's default agency; and when
// none of these names a known agency, the coordinators' triage queue.
package routing

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/province"
	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// Input is what routing looks at.
type Input struct {
	Category string
	Title    string
	Body     string
	Province string
	Channel  desk.Channel
	// Agency is the agency the channel already knows, if any.
	Agency string
}

// How a decision was reached.
const (
	ByRule     = "rule"
	ByChannel  = "channel"
	ByCategory = "category"
	ByTriage   = "triage"
)

// Decision is where a ticket goes. Agency is empty for triage.
type Decision struct {
	Agency   string
	Priority desk.Priority
	By       string // ByRule, ByChannel, ByCategory or ByTriage
	RuleID   string
	RuleName string
}

// Note describes the decision for the routed event.
func (d Decision) Note() string {
	switch d.By {
	case ByRule:
		return fmt.Sprintf("rule %s (%s)", d.RuleID, d.RuleName)
	case ByChannel:
		return "channel"
	case ByCategory:
		return "category default"
	}
	return "no rule and no default agency"
}

// Sort orders rules by Order, then id, the order Match tries them in.
func Sort(rules []desk.RoutingRule) {
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Order != rules[j].Order {
			return rules[i].Order < rules[j].Order
		}
		return rules[i].ID < rules[j].ID
	})
}

// Match returns the first enabled rule, in the order given, whose every
// set condition holds, or nil. Rules are expected sorted (see Sort).
func Match(rules []desk.RoutingRule, in Input) *desk.RoutingRule {
	var text *keywordText // prepared lazily: most rules never look at it
	for i := range rules {
		r := &rules[i]
		if !r.Enabled {
			continue
		}
		if r.Category != "" && r.Category != in.Category {
			continue
		}
		if r.Channel != "" && r.Channel != in.Channel {
			continue
		}
		if r.Province != "" && vnfold.Fold(r.Province) != vnfold.Fold(in.Province) {
			continue
		}
		if len(r.Keywords) > 0 {
			if text == nil {
				text = newKeywordText(in.Title + "\n" + in.Body)
			}
			if !anyKeyword(text, r.Keywords) {
				continue
			}
		}
		return r
	}
	return nil
}

// keywordText is a submission prepared for keyword matching: its words,
// each in the two forms keywords are compared in.
type keywordText []kwWord

type kwWord struct {
	folded  string // vnfold.Canonical: no diacritics, i/y spellings as one
	toned   string // vnfold.ToneKey: every diacritic, tone placement as one
	accents bool   // the word was written with diacritics
}

func kwWords(s string) keywordText {
	var out keywordText
	for _, w := range strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool { return !isWordRune(r) && !unicode.Is(unicode.M, r) }) {
		out = append(out, kwWord{folded: vnfold.Canonical(w), toned: vnfold.ToneKey(w), accents: vnfold.HasDiacritics(w)})
	}
	return out
}

func newKeywordText(s string) *keywordText {
	t := kwWords(s)
	return &t
}

// anyKeyword reports whether any keyword occurs in the text as whole words.
//
// A keyword typed without diacritics matches any diacritics: "thue" matches
// "thuế", "thuê" and "thuệ" but not "thuệt", and "bao hiem" matches "Bảo
// hiểm". A keyword typed with diacritics matches those diacritics only,
// because they carry meaning: "thuế" (tax) does not match "cho thuê phòng"
// (renting a room). Where the tone mark sits does not matter ("hoà" is
// "hòa"), nor does the i/y spelling ("kỹ" is "kĩ"). The rule applies word
// by word: a word the citizen wrote without any diacritics (SMS, old
// phones: "bao hiem xa hoi") says nothing about them and matches folded,
// and so does a word of the keyword typed without them.
func anyKeyword(text *keywordText, keywords []string) bool {
	for _, k := range keywords {
		kw := kwWords(k)
		if len(kw) > 0 && containsWords(*text, kw) {
			return true
		}
	}
	return false
}

// containsWords reports whether the word sequence kw occurs in text. Each
// word is compared folded, and also with its diacritics when both the
// keyword's word and the text's word carry some.
func containsWords(text, kw keywordText) bool {
	for i := 0; i+len(kw) <= len(text); i++ {
		ok := true
		for j, k := range kw {
			w := text[i+j]
			if w.folded != k.folded || (k.accents && w.accents && w.toned != k.toned) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Decide routes in against the rules (sorted) and the catalog.
func Decide(cat *desk.Catalog, rules []desk.RoutingRule, in Input) Decision {
	if r := Match(rules, in); r != nil {
		target := r.Agency
		if r.Unit != "" {
			target = r.Unit
		}
		// A rule saved against an agency deleted since is skipped rather
		// than sending the ticket nowhere.
		if cat.Agency(target) != nil {
			return Decision{Agency: target, Priority: r.Priority, By: ByRule, RuleID: r.ID, RuleName: r.Name}
		}
	}
	if in.Agency != "" && cat.Agency(in.Agency) != nil {
		return Decision{Agency: in.Agency, By: ByChannel}
	}
	if c := cat.Category(in.Category); c != nil && c.Agency != "" && cat.Agency(c.Agency) != nil {
		return Decision{Agency: c.Agency, By: ByCategory}
	}
	return Decision{By: ByTriage}
}

// Limits on a rule, so that one rule cannot make matching expensive.
const (
	MaxKeywords   = 50
	MaxKeywordLen = 100
	MaxNameLen    = 200
)

// Validate checks a rule against the catalog and the province list and
// returns EINVALID with a message per bad field. It normalises the rule in
// place: trimmed strings, empty keywords dropped.
func Validate(r *desk.RoutingRule, cat *desk.Catalog, provinces []string) error {
	fields := map[string]string{}
	r.Name = strings.TrimSpace(r.Name)
	r.Category = strings.TrimSpace(r.Category)
	r.Province = strings.TrimSpace(r.Province)
	r.Agency = strings.TrimSpace(r.Agency)
	r.Unit = strings.TrimSpace(r.Unit)
	var kws []string
	for _, k := range r.Keywords {
		if k = strings.TrimSpace(k); k != "" {
			kws = append(kws, k)
		}
	}
	r.Keywords = kws
	switch {
	case r.Name == "":
		fields["name"] = "Cần đặt tên cho quy tắc (name required)."
	case utf8.RuneCountInString(r.Name) > MaxNameLen:
		fields["name"] = fmt.Sprintf("Tên tối đa %d ký tự (name too long).", MaxNameLen)
	}
	if r.Category != "" && cat.Category(r.Category) == nil {
		fields["category"] = fmt.Sprintf("Lĩnh vực không tồn tại: %q (unknown category).", r.Category)
	}
	if r.Channel != "" && !r.Channel.Valid() {
		fields["channel"] = fmt.Sprintf("Kênh không hợp lệ: %q (unknown channel).", r.Channel)
	}
	if r.Province != "" {
		// Any spelling or former (pre-2025) name names its current unit,
		// which is what tickets carry.
		cur, ok := province.For(provinces).Resolve(r.Province)
		if ok {
			r.Province = cur
		} else {
			fields["province"] = fmt.Sprintf("Tỉnh/thành phố không tồn tại: %q (unknown province).", r.Province)
		}
	}
	if len(r.Keywords) > MaxKeywords {
		fields["keywords"] = fmt.Sprintf("Tối đa %d từ khóa (too many keywords).", MaxKeywords)
	}
	for _, k := range r.Keywords {
		if utf8.RuneCountInString(k) > MaxKeywordLen {
			fields["keywords"] = fmt.Sprintf("Mỗi từ khóa tối đa %d ký tự (keyword too long).", MaxKeywordLen)
		}
	}
	if r.Category == "" && r.Channel == "" && r.Province == "" && len(r.Keywords) == 0 {
		fields["conditions"] = "Quy tắc cần ít nhất một điều kiện: lĩnh vực, từ khóa, tỉnh hoặc kênh (a rule needs at least one condition)."
	}
	switch {
	case r.Agency == "":
		fields["agency"] = "Cần chọn cơ quan xử lý (agency required)."
	case cat.Agency(r.Agency) == nil:
		fields["agency"] = fmt.Sprintf("Cơ quan không tồn tại: %q (unknown agency).", r.Agency)
	case r.Unit != "":
		path := cat.Path(r.Unit)
		if cat.Agency(r.Unit) == nil || r.Unit == r.Agency || !contains(path, r.Agency) {
			fields["unit"] = fmt.Sprintf("Đơn vị %q không thuộc cơ quan %q (unit is not part of the agency).", r.Unit, r.Agency)
		}
	}
	if !r.Priority.Valid() {
		fields["priority"] = fmt.Sprintf("Mức ưu tiên không hợp lệ: %q (use low, normal, high or urgent).", r.Priority)
	}
	if len(fields) > 0 {
		e := desk.Errorf(desk.EINVALID, "Quy tắc định tuyến không hợp lệ (invalid routing rule).")
		e.Fields = fields
		return e
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
