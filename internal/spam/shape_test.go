package spam

import (
	"strings"
	"testing"
)

// signal returns the signal named rule in r, if any.
func signal(r Result, rule string) (Signal, bool) {
	for _, s := range r.Signals {
		if s.Rule == rule {
			return s, true
		}
	}
	return Signal{}, false
}

// The text-shape signals of rules version 2 fire on the shapes they
// describe and stay silent on the look-alike shapes citizens write.
func TestShapeSignals(t *testing.T) {
	s := DefaultScorer()
	cases := []struct {
		body string
		rule string
		want bool
	}{
		{"V1AGRA ch1nh h4ng g14o t4n n01", "leetspeak", true},
		{"Cả nhà F0, con F1, mạng 4G yếu, thuốc 100mg, hộ chiếu C1234567", "leetspeak", false},
		{"Lo dịch cúm H5N1 ở chợ gia cầm", "leetspeak", false}, // one word is a code, not leetspeak
		{"✅ Nạp rút nhanh ✅ Hỗ trợ 24/7 👉 đăng ký", "promo-symbols", true},
		{"Mất nước 3 ngày 😡😡😡 không ai trả lời 🙏", "promo-symbols", false},
		{"Liên hệ Telegram @tuyenctv để nhận việc", "contact:handle", true},
		{"Email của tôi là nguyen.van.a@gmail.com, gửi @gmail.com cũng được", "contact:handle", false},
		{"Vào nhóm tại t.me/kiemtien247 nhé", "link:chat-invite", true},
		{"Cập nhật tại https://bhxh-capnhat.online ngay", "link:lookalike", true},
		{"Tra cứu tại https://baohiemxahoi.gov.vn và www.vssid-bhxh.gov.vn", "link:lookalike", false},
		{"Trang bhxhvn.com có thông tin", "link:lookalike", false}, // substrings are not brands
	}
	for _, c := range cases {
		r := s.Score(Input{Channel: ChannelWeb, Body: c.body})
		if _, ok := signal(r, c.rule); ok != c.want {
			t.Errorf("%q: %s fired=%v, want %v\n%s", c.body, c.rule, ok, c.want, explain(r))
		}
	}
}

// A message that reads as a complaint and reaches spam_at only through
// vocabulary is tagged, not quarantined; with a bot trap it is quarantined.
func TestComplaintGuard(t *testing.T) {
	s := DefaultScorer()
	report := "Trang web của phường bị chèn quảng cáo 'nhà cái uy tín, cá cược bóng đá, link vào fb88, tài xỉu'. Đề nghị gỡ ngay."
	r := s.Score(Input{Channel: ChannelWeb, Body: report})
	if _, ok := signal(r, "guard:complaint"); r.Verdict != Suspect || !ok {
		t.Errorf("report quoting betting spam: %s", explain(r))
	}
	r = s.Score(Input{Channel: ChannelWeb, Body: report, Honeypot: "x", FormAge: 500e6})
	if r.Verdict != Spam {
		t.Errorf("same text from a bot: %s", explain(r))
	}
	// Without complaint vocabulary the same spam words are quarantined.
	r = s.Score(Input{Channel: ChannelWeb, Body: "nhà cái uy tín, cá cược bóng đá, link vào fb88, tài xỉu"})
	if r.Verdict != Spam {
		t.Errorf("plain betting ad: %s", explain(r))
	}
}

// A rules document written for version 1 (without the version-2 fields)
// still parses, and the version-2 signals are simply off.
func TestVersion1DocumentStillParses(t *testing.T) {
	doc := string(DefaultRulesJSON())
	i := strings.Index(doc, `"chat_invite_weight"`)
	if i < 0 {
		t.Fatal("default rules lack chat_invite_weight")
	}
	v1 := strings.TrimRight(doc[:i], " \n,") + "\n}"
	for _, f := range []string{"chat_invite_domains", "lookalike_brands"} {
		v1 = removeArray(t, v1, f)
	}
	r, err := ParseRules([]byte(v1))
	if err != nil {
		t.Fatalf("a document without the version-2 fields: %v", err)
	}
	sc, err := NewScorer(r)
	if err != nil {
		t.Fatal(err)
	}
	res := sc.Score(Input{Channel: ChannelWeb, Body: "V1AGRA ch1nh h4ng ✅✅ t.me/abc @handle https://bhxh-x.online"})
	for _, rule := range []string{"leetspeak", "promo-symbols", "link:chat-invite", "contact:handle", "link:lookalike"} {
		if _, ok := signal(res, rule); ok {
			t.Errorf("%s fired with version-1 rules", rule)
		}
	}
}

// removeArray deletes `"field": [ ... ],` from a JSON document.
func removeArray(t *testing.T, doc, field string) string {
	t.Helper()
	i := strings.Index(doc, `"`+field+`"`)
	if i < 0 {
		t.Fatalf("no %s", field)
	}
	j := strings.Index(doc[i:], "],")
	return doc[:i] + doc[i+j+2:]
}

func TestPromoSymbolsValidation(t *testing.T) {
	if _, err := ParseRules(edit(t, "promo_symbols", "✅a")); err == nil || !strings.Contains(err.Error(), "promo_symbols") {
		t.Errorf("a letter in promo_symbols: %v", err)
	}
	if _, err := ParseRules(edit(t, "lookalike_brands", []string{"bh"})); err == nil || !strings.Contains(err.Error(), "lookalike_brands") {
		t.Errorf("a two-letter brand: %v", err)
	}
	if _, err := ParseRules(edit(t, "chat_invite_domains", []string{"https://t.me"})); err == nil {
		t.Error("a URL in chat_invite_domains was accepted")
	}
}

// The impersonal-contact signal: a way to reach someone in a text with no
// first-person word. Citizens' own phone numbers, next to "tôi", do not
// trigger it; neither does a word that only looks like "mình" without its
// diacritics in a text typed with them; hotline summaries are exempt.
func TestImpersonalContact(t *testing.T) {
	s := DefaultScorer()
	cases := []struct {
		channel, body string
		want          bool
	}{
		{ChannelWeb, "Nhận sửa nhà trọn gói, bảo hành 5 năm. Gọi anh Hải: 0977.123.345", true},
		{ChannelWeb, "Tôi chưa nhận được tiền hỗ trợ, số điện thoại của tôi 0977.123.345", false},
		{ChannelWeb, "toi chua nhan duoc tien, sdt 0987654321", false}, // typed without diacritics
		{ChannelWeb, "Để nhận, quý vị đóng phí xác minh 350.000đ qua Zalo 0372 xxx 456.", true},
		{ChannelWeb, "Công ty chúng tôi nhận gia công, liên hệ www.example-factory.com", true}, // "chúng tôi" is "we"
		{ChannelWeb, "Grow your followers fast, order at https://boost.example.com", true},
		{ChannelWeb, "Đề nghị xem hồ sơ mã 000.00.22.H56-240611-0012 và tổng đài 1900 9068", false}, // no phone, no link
		{ChannelHotline, "Ông Tư phản ánh chậm trợ cấp, SĐT 0905 123 456.", false},
	}
	for _, c := range cases {
		r := s.Score(Input{Channel: c.channel, Body: c.body})
		if _, ok := signal(r, "voice:impersonal-contact"); ok != c.want {
			t.Errorf("%q: fired=%v, want %v\n%s", c.body, ok, c.want, explain(r))
		}
	}
}

func TestHasPhoneNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"gọi 0912 345 678":        true,
		"0912.345.678.":           true,
		"+84 912 345 678":         true,
		"Zalo 0909xxx999":         true,
		"MST 0312345678-001":      false, // glued to more digits
		"tổng đài 1900 9068":      false,
		"mã 000.00.22.H56":        false,
		"CCCD 079185012345":       false, // 12 digits: an ID card number
		"CMND 025123456":          false, // 9 digits
		"ĐT: 028 3822 1234":       true,  // landline, 11 digits
		"số tiền 45.678.000 đồng": false,
	} {
		if got := hasPhoneNumber(s); got != want {
			t.Errorf("hasPhoneNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
