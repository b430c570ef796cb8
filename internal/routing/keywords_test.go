package routing

import (
	"testing"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// TestKeywordSpellingAndAccents: keywords match across i/y spellings and
// tone placement; a keyword typed with diacritics keeps their meaning, one
// typed without matches any.
func TestKeywordSpellingAndAccents(t *testing.T) {
	cases := []struct {
		keyword, text string
		want          bool
	}{
		// i/y spellings are one word.
		{"liệt sĩ", "Chế độ cho thân nhân liệt sỹ", true},
		{"liệt sỹ", "Chế độ cho thân nhân liệt sĩ", true},
		{"liet si", "chế độ liệt sỹ", true},
		{"kỹ thuật", "hạ tầng kĩ thuật xuống cấp", true},
		{"quy định", "trái qui định", true},
		{"lý lịch", "xác nhận lí lịch", true},
		{"bác sĩ", "bác sỹ trực thái độ kém", true},
		{"tỷ lệ", "tỉ lệ hộ nghèo", true},
		{"kỹ", "không kĩ càng", true},
		// Diacritics typed in the keyword mean what they say.
		{"thuế", "cho thuê phòng trọ không có hợp đồng", false},
		{"thuế", "nộp thuế thu nhập cá nhân", true},
		{"thuê", "cho thuê phòng trọ", true},
		{"thuê", "nộp thuế thu nhập", false},
		{"thue", "cho thuê phòng", true},
		{"thue", "nộp thuế", true},
		{"Thuế", "NỘP THUẾ", true},
		{"đất", "tranh chấp đất đai", true},
		{"đất", "đắt quá", false},
		{"bảo hiểm", "bao hiem", true}, // written without diacritics: nothing to go by
		{"thuế", "cho thue phong", true},
		{"bảo hiểm xã hội", "Hỏi về bao hiem xa hoi khi gia hạn thuế", true}, // unaccented words in accented text
		{"thuế", "Cho thuê phòng trọ, hỏi về bao hiem", false},
		{"bảo hiểm xã hội", "bảo hiểm xa hoi", true},
		{"bảo hiểm", "bảo-hiểm", true},
		// Tone placement is not meaning.
		{"hoà giải", "hòa giải ở cơ sở", true},
		{"hòa giải", "hoà giải ở cơ sở", true},
		{"khoẻ", "sức khỏe", true},
		{"thuý", "chị Thúy", true},
		// Whole words only, in both modes.
		{"thuế", "thuếx", false},
		{"thue", "thuet", false},
		// ai/ay and ui/uy stay apart.
		{"tay", "đau tai", false},
		{"tuy", "cái tui", false},
	}
	for _, c := range cases {
		rules := []desk.RoutingRule{{ID: "r", Name: "k", Enabled: true, Keywords: []string{c.keyword}, Agency: "BTC"}}
		got := Match(rules, Input{Body: c.text}) != nil
		if got != c.want {
			t.Errorf("keyword %q on %q: match %v, want %v", c.keyword, c.text, got, c.want)
		}
	}
}
