package routing

import (
	"testing"

	"github.com/civicdesk/civicdesk/internal/desk"
)

func catalog() *desk.Catalog {
	return desk.NewCatalog([]desk.Agency{
		{Code: "VPCP", Coordinator: true}, {Code: "BTC"}, {Code: "BTC-TCT", Parent: "BTC"}, {Code: "BHXH"}, {Code: "BLDTBXH"},
	}, []desk.Category{
		{Code: "gia-han-thue", Agency: "BTC-TCT"}, {Code: "tam-dung-bhxh", Agency: "BHXH"}, {Code: "khac"},
	})
}

func TestDecide(t *testing.T) {
	rules := []desk.RoutingRule{
		{ID: "r3", Order: 30, Name: "late", Enabled: true, Category: "gia-han-thue", Agency: "BLDTBXH"},
		{ID: "r1", Order: 10, Name: "bhxh words", Enabled: true, Keywords: []string{"bảo hiểm xã hội", "BHXH"}, Agency: "BHXH", Priority: desk.PriorityHigh},
		{ID: "r0", Order: 5, Name: "off", Enabled: false, Keywords: []string{"thuế"}, Agency: "BLDTBXH"},
		{ID: "r2", Order: 20, Name: "hanoi hotline", Enabled: true, Province: "Hà Nội", Channel: desk.ChannelHotline, Agency: "BTC", Unit: "BTC-TCT"},
	}
	Sort(rules)
	cases := []struct {
		name string
		in   Input
		want Decision
	}{
		{"keyword without diacritics beats the category default",
			Input{Category: "gia-han-thue", Title: "Hoi ve bao hiem xa hoi", Body: "..."},
			Decision{Agency: "BHXH", Priority: desk.PriorityHigh, By: ByRule, RuleID: "r1", RuleName: "bhxh words"}},
		{"keyword in the body, upper case, with diacritics",
			Input{Category: "khac", Body: "Tôi chưa nhận được tiền từ BẢO HIỂM XÃ HỘI."},
			Decision{Agency: "BHXH", Priority: desk.PriorityHigh, By: ByRule, RuleID: "r1", RuleName: "bhxh words"}},
		{"keyword only as part of a word does not match",
			Input{Category: "khac", Body: "mã số bhxhabc"},
			Decision{By: ByTriage}},
		{"province and channel together; unit wins over agency",
			Input{Category: "khac", Province: "ha noi", Channel: desk.ChannelHotline},
			Decision{Agency: "BTC-TCT", By: ByRule, RuleID: "r2", RuleName: "hanoi hotline"}},
		{"province without the channel does not match",
			Input{Category: "khac", Province: "Hà Nội", Channel: desk.ChannelWeb},
			Decision{By: ByTriage}},
		{"a later rule by category",
			Input{Category: "gia-han-thue", Title: "thuế"},
			Decision{Agency: "BLDTBXH", By: ByRule, RuleID: "r3", RuleName: "late"}},
		{"the channel's agency before the category default",
			Input{Category: "tam-dung-bhxh", Agency: "BTC"},
			Decision{Agency: "BTC", By: ByChannel}},
		{"category default",
			Input{Category: "tam-dung-bhxh"},
			Decision{Agency: "BHXH", By: ByCategory}},
		{"no rule, no default: triage",
			Input{Category: "khac", Title: "x"},
			Decision{By: ByTriage}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Decide(catalog(), rules, c.in); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestDecideSkipsRuleToDeletedAgency(t *testing.T) {
	rules := []desk.RoutingRule{{ID: "x", Enabled: true, Category: "tam-dung-bhxh", Agency: "GONE"}}
	if got := Decide(catalog(), rules, Input{Category: "tam-dung-bhxh"}); got.Agency != "BHXH" || got.By != ByCategory {
		t.Errorf("got %+v", got)
	}
}

func TestValidate(t *testing.T) {
	provinces := []string{"Hà Nội", "Đà Nẵng"}
	ok := desk.RoutingRule{Name: " r ", Keywords: []string{" thuế ", ""}, Agency: "BTC"}
	if err := Validate(&ok, catalog(), provinces); err != nil {
		t.Fatalf("valid rule refused: %v", err)
	}
	if ok.Name != "r" || len(ok.Keywords) != 1 || ok.Keywords[0] != "thuế" {
		t.Errorf("not normalised: %+v", ok)
	}
	p := desk.RoutingRule{Name: "p", Province: "da nang", Agency: "BTC"}
	if err := Validate(&p, catalog(), provinces); err != nil || p.Province != "Đà Nẵng" {
		t.Errorf("province: %v %q", err, p.Province)
	}
	for written, want := range map[string]string{"Quảng Nam": "Đà Nẵng", "TP Đà Nẵng": "Đà Nẵng", "HN": "Hà Nội", "Thành phố Hà Nội": "Hà Nội"} {
		p := desk.RoutingRule{Name: "p", Province: written, Agency: "BTC"}
		if err := Validate(&p, catalog(), provinces); err != nil || p.Province != want {
			t.Errorf("province %q: %v %q, want %q", written, err, p.Province, want)
		}
	}
	bad := []struct {
		field string
		r     desk.RoutingRule
	}{
		{"agency", desk.RoutingRule{Name: "a", Category: "khac", Agency: "NOPE"}},
		{"agency", desk.RoutingRule{Name: "a", Category: "khac"}},
		{"unit", desk.RoutingRule{Name: "a", Category: "khac", Agency: "BHXH", Unit: "BTC-TCT"}},
		{"category", desk.RoutingRule{Name: "a", Category: "nope", Agency: "BTC"}},
		{"channel", desk.RoutingRule{Name: "a", Channel: "fax", Agency: "BTC"}},
		{"province", desk.RoutingRule{Name: "a", Province: "Paris", Agency: "BTC"}},
		{"priority", desk.RoutingRule{Name: "a", Category: "khac", Agency: "BTC", Priority: "asap"}},
		{"conditions", desk.RoutingRule{Name: "a", Agency: "BTC"}},
		{"name", desk.RoutingRule{Category: "khac", Agency: "BTC"}},
	}
	for _, b := range bad {
		err := Validate(&b.r, catalog(), provinces)
		var de *desk.Error
		if e, isDesk := err.(*desk.Error); isDesk {
			de = e
		}
		if de == nil || de.Code != desk.EINVALID || de.Fields[b.field] == "" {
			t.Errorf("%s: got %v (%+v)", b.field, err, de)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("bảo hiểm", "Tôi hỏi về Bảo Hiểm xã hội")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, kw, text string) {
		rules := []desk.RoutingRule{{ID: "a", Enabled: true, Keywords: []string{kw}, Agency: "BTC"}}
		_ = Match(rules, Input{Title: text, Body: text})
	})
}
