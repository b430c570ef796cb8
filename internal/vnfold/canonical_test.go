package vnfold

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestCanonicalIY(t *testing.T) {
	same := [][2]string{
		{"kĩ thuật", "kỹ thuật"},
		{"lí lịch", "lý lịch"},
		{"lí do", "lý do"},
		{"qui định", "quy định"},
		{"liệt sỹ", "liệt sĩ"},
		{"bác sỹ", "bác sĩ"},
		{"tỉ lệ", "tỷ lệ"},
		{"Tỉ lệ", "TỶ LỆ"},
		{"Hoa Kì", "Hoa Kỳ"},
		{"nước Mĩ", "nước Mỹ"},
		{"hi sinh", "hy sinh"},
		{"hi vọng", "hy vọng"},
		{"công ti", "công ty"},
		{"kỉ niệm", "kỷ niệm"},
		{"kỉ luật", "kỷ luật"},
		{"thuỷ lợi", "thủy lợi"},
		{"Quí", "Quý"},
		{"quí khách", "quý khách"},
		{"vật lí", "vật lý"},
		{"địa lí", "địa lý"},
		{"quản lí", "quản lý"},
		{"xử lí", "xử lý"},
		{"chỉ thị", "chỉ thỵ"},
		{"phí", "phý"},
		{"trị", "trỵ"},
		{"nghĩ", "nghỹ"},
		{norm.NFD.String("kỹ sư"), "kĩ sư"},
		{"Mỹ Tho", "Mĩ Tho"},
		{"ký tên", "kí tên"},
		{"thị xã", "thỵ xã"},
	}
	for _, c := range same {
		if a, b := Canonical(c[0]), Canonical(c[1]); a != b {
			t.Errorf("Canonical(%q) = %q, Canonical(%q) = %q; want equal", c[0], a, c[1], b)
		}
	}
	apart := [][2]string{
		{"tai", "tay"},     // ear, hand
		{"tui", "tuy"},     // bag, although
		{"mai", "may"},     // tomorrow, sew
		{"hai", "hay"},     // two, or
		{"Thúy", "Thúi"},   // a name, a smell
		{"y tế", "i tế"},   // y alone is a word
		{"quyết", "quiết"}, // only a final qui is quy
		{"khuya", "khuia"}, // not final
		{"duy nhất", "dui nhất"},
		{"nguy hiểm", "ngui hiểm"},
	}
	for _, c := range apart {
		if a, b := Canonical(c[0]), Canonical(c[1]); a == b {
			t.Errorf("Canonical(%q) = Canonical(%q) = %q; want different", c[0], c[1], a)
		}
	}
	exact := map[string]string{
		"Kỹ thuật":   "ki thuat",
		"quy định":   "quy dinh",
		"qui định":   "quy dinh",
		"y tế":       "y te",
		"sky":        "sky",
		"Bác sỹ, 12": "bac si, 12",
		"":           "",
	}
	for in, want := range exact {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToneKey(t *testing.T) {
	same := [][2]string{
		{"hoà", "hòa"},
		{"Thanh Hoá", "thanh hóa"},
		{"thuý", "thúy"},
		{"kĩ", "kỹ"},
		{"Khoẻ", "khỏe"},
		{norm.NFD.String("thuế"), "thuế"},
	}
	for _, c := range same {
		if a, b := ToneKey(c[0]), ToneKey(c[1]); a != b {
			t.Errorf("ToneKey(%q) = %q, ToneKey(%q) = %q; want equal", c[0], a, c[1], b)
		}
	}
	apart := [][2]string{{"thuế", "thuê"}, {"thuế", "thuề"}, {"hoà", "hoa"}, {"đá", "da"}, {"kỹ", "ký"}}
	for _, c := range apart {
		if a, b := ToneKey(c[0]), ToneKey(c[1]); a == b {
			t.Errorf("ToneKey(%q) = ToneKey(%q) = %q; want different", c[0], c[1], a)
		}
	}
	if HasDiacritics("cho thue phong") || !HasDiacritics("thuê") || !HasDiacritics("đi") {
		t.Error("HasDiacritics")
	}
}

func FuzzCanonical(f *testing.F) {
	f.Add("kĩ thuật qui định")
	f.Fuzz(func(t *testing.T, s string) {
		once := Canonical(s)
		if Canonical(once) != once {
			t.Fatalf("Canonical is not idempotent on %q", s)
		}
		if ToneKey(ToneKey(s)) != ToneKey(s) {
			t.Fatalf("ToneKey is not idempotent on %q", s)
		}
	})
}
