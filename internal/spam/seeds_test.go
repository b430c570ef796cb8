package spam

import (
	"strings"
	"testing"
)

// seoInjection is the shape of a real SEO injection found on a government
// news page: an ordinary paragraph about public services with betting-site
// keywords glued in with underscores and one brand repeated three times.
const seoInjection = "Thực hiện chỉ đạo của UBND tỉnh, Sở Nội vụ đã triển khai dịch vụ công trực tuyến toàn trình cho người dân " +
	"và doanh nghiệp. Người dân có thể nộp hồ sơ hưởng trợ cấp, đăng ký khai sinh và cấp đổi giấy phép lái xe " +
	"ngay tại nhà thông qua cổng dịch vụ công quốc gia, giảm thời gian đi lại tructiep_bongda_ko66 và chi phí. " +
	"Trong quý III tructiep_bongda_ko66, tỷ lệ hồ sơ được giải quyết đúng hạn đạt 98,6%, cao hơn cùng kỳ năm trước tructiep_bongda_ko66."

// ticketReply is an ordinary mail reply that carries its ticket reference
// three times; the glued-token rule quarantined it.
var ticketReply = Input{Channel: ChannelEmail, Name: "Nguyễn Văn Bình", Email: "binh.nv@gmail.com",
	Title: "Re: [Ticket#11392] Chậm chi trả trợ cấp thất nghiệp",
	Body: "Chào anh chị,\nTôi xin phản hồi về Ticket#11392. Tôi đã nộp bổ sung giấy tờ theo yêu cầu trong thư Ticket#11392 " +
		"nhưng đến nay chưa nhận được tiền. Mong anh chị xem lại Ticket#11392.\nTrân trọng,\nBình"}

// ordinaryMails were tagged suspect by the glued-token rule: numbered lines
// of Chinese text, a tracking URL's query string, another ticket reference.
var ordinaryMails = map[string]Input{
	"numbered Chinese lines": {Channel: ChannelEmail, Name: "Lâm Quốc Cường", Email: "cuong.lq@gmail.com",
		Title: "Hỏi về lương hưu của mẹ tôi",
		Body: "Mẹ tôi là người Hoa, nhờ tôi gửi mấy dòng:\n1.我的养老金三个月没有发放。\n2.我已经去了社会保险局两次。\n3.请尽快处理，谢谢。\n" +
			"Xin cơ quan kiểm tra giúp."},
	"tracking URL query string": {Channel: ChannelEmail, Name: "Hoàng Thu Trang", Email: "trang.ht@yahoo.com",
		Title: "Hồ sơ gửi bưu điện",
		Body: "Tôi đã gửi hồ sơ hưởng trợ cấp qua bưu điện, tra cứu tại https://www.vnpost.vn/tra-cuu?key=EB987654321VN&utm_source=zalo_oa&utm_medium=message_link&utm_campaign=tra_cuu_buu_pham " +
			"thì thấy đã phát nhưng phường báo chưa nhận được."},
	"another ticket reference": {Channel: ChannelEmail, Name: "Đỗ Minh Tâm", Email: "tam.dm@gmail.com",
		Title: "RE: [Phiếu#TK-2025_004512] Hoàn thuế TNCN",
		Body:  "Tôi gửi bổ sung chứng từ cho phiếu TK-2025_004512 như hướng dẫn. Xin xác nhận giúp."},
}

func TestSEOInjectionIsQuarantined(t *testing.T) {
	r := DefaultScorer().Score(Input{Channel: ChannelWeb, Body: seoInjection, FormAge: 0})
	if r.Verdict != Spam {
		t.Errorf("verdict %s, want spam\n%s", r.Verdict, explain(r))
	}
}

func TestTicketReferencesAreClean(t *testing.T) {
	s := DefaultScorer()
	if r := s.Score(ticketReply); r.Verdict != Clean || r.Score > 0 {
		t.Errorf("ticket reply: verdict %s, want clean\n%s", r.Verdict, explain(r))
	}
	for name, in := range ordinaryMails {
		r := s.Score(in)
		if _, ok := find(r, "glued-token"); ok || r.Verdict != Clean {
			t.Errorf("%s: verdict %s, want clean without glued-token\n%s", name, r.Verdict, explain(r))
		}
	}
}

// An upstream X-Spam-Flag is a strong signal: it tags on its own and, with
// any evidence of the message's own, quarantines.
func TestUpstreamSpamFlag(t *testing.T) {
	s := DefaultScorer()
	in := Input{Channel: ChannelEmail, Name: "Khuyến mãi", Email: "promo@example.com", Title: "Xả kho", Body: "Xả kho cuối năm, giảm đến 70%. Số lượng có hạn."}
	if r := s.Score(in); r.Verdict != Clean {
		t.Fatalf("without the flag: %s", explain(r))
	}
	in.UpstreamSpam = true
	r := s.Score(in)
	if sig, ok := find(r, "upstream:spam-flag"); !ok || sig.Weight != 4.5 || r.Verdict != Suspect {
		t.Errorf("with the flag: %s", explain(r))
	}
	in.Body += " Liên hệ ngay: t.me/xakho"
	if r := s.Score(in); r.Verdict != Spam {
		t.Errorf("flag and a chat invitation: %s", explain(r))
	}
}

// A document stored before rules version 3 has none of the version-3
// fields; it keeps loading and gets their built-in defaults.
func TestVersion2DocumentGetsVersion3Defaults(t *testing.T) {
	doc := string(DefaultRulesJSON())
	i := strings.Index(doc, `"upstream_spam_weight"`)
	if i < 0 {
		t.Fatal("default rules lack upstream_spam_weight")
	}
	v2 := strings.Replace(strings.TrimRight(doc[:i], " \n,")+"\n}", `"version": 3`, `"version": 2`, 1)
	r, err := ParseRules([]byte(v2))
	if err != nil {
		t.Fatalf("a version-2 document: %v", err)
	}
	if r.UpstreamSpamWeight != 4.5 || r.InjectionWeight != 2.5 || r.BrandShapeWeight != 2 || r.BayesWeight != 2 {
		t.Errorf("defaults not applied: %+v", r)
	}
	// Written explicitly, 0 turns a signal off.
	off, err := ParseRules([]byte(strings.Replace(v2, `"version": 2,`, `"version": 2, "upstream_spam_weight": 0,`, 1)))
	if err != nil || off.UpstreamSpamWeight != 0 {
		t.Errorf("explicit 0: %v %v", err, off)
	}
	if DefaultRules().Version != 3 {
		t.Errorf("built-in rules version %d, want 3", DefaultRules().Version)
	}
}

func TestBrandShape(t *testing.T) {
	const rule = "brand-shape"
	runSignalCases(t, []signalCase{
		{"repeated unknown brand", body("Đăng ký KO66 hôm nay, KO66 nạp rút nhanh"), rule, 2},
		{"digits first, repeated", body("99ok uy tín, tải 99ok"), rule, 2},
		{"glued once", body("xem ngay tructiep_sin88 nhé"), rule, 2},
		{"once in passing", body("Tôi thấy quảng cáo KO66 trên mạng"), rule, 0},
		{"road number repeated", body("Quốc lộ QL22 hỏng, đoạn QL22 qua xã"), rule, 0},
		{"ward and district codes", body("P11 Q11 P11 Q11 KP11 KP11"), rule, 0},
		{"ticket number", body("Ticket#11392 Ticket#11392"), rule, 0},
		{"virus and licence codes", body("H5N1 H5N1 B2 B2 Covid19 Covid19"), rule, 0},
		{"inside a Vietnamese word", body("Đường88 Đường88"), rule, 0},
	})
}

func TestGluedInjection(t *testing.T) {
	const rule = "glued-injection"
	prose := "Người dân phản ánh việc cấp đổi giấy phép lái xe tại trung tâm hành chính công còn chậm, nhiều hồ sơ phải chờ hơn một tháng mới có kết quả "
	runSignalCases(t, []signalCase{
		{"slug in prose with diacritics", body(prose + "xem_bong_da_hom_nay."), rule, 2.5},
		{"slug in prose without diacritics", body("Nguoi dan phan anh viec cap doi giay phep lai xe tai trung tam hanh chinh cong con cham, nhieu ho so phai cho hon mot thang xem_bong_da_hom_nay."), rule, 0},
		{"slug in a short text", body("Tôi thấy xem_bong_da_hom_nay trên web"), rule, 0},
		{"attachment name", body(prose + "don_de_nghi_tro_cap.pdf"), rule, 0},
		{"reference code", body(prose + "HS_2025_0099871"), rule, 0},
	})
}

func TestUpstreamSpamFlagHeaders(t *testing.T) {
	for _, c := range []struct {
		h    map[string][]string
		want bool
	}{
		{map[string][]string{"X-Spam-Flag": {"YES"}}, true},
		{map[string][]string{"X-Spam-Flag": {" yes "}}, true},
		{map[string][]string{"X-Spam-Flag": {"NO"}}, false},
		{map[string][]string{"X-Spam-Status": {"Yes, score=7.1 required=5.0 tests=BAYES_99"}}, true},
		{map[string][]string{"X-Spam-Status": {"No, score=0.2 required=5.0"}}, false},
		{map[string][]string{"X-Spam-Status": {"Yesterday"}}, false},
		{map[string][]string{"X-Spam-Status": {"No, score=1", "Yes, score=9"}}, true},
		{map[string][]string{}, false},
	} {
		if got := UpstreamSpamFlag(func(k string) []string { return c.h[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.h, got, c.want)
		}
	}
}

// Complaint vocabulary counts for someone writing about themself (or
// "chúng tôi"), not for a message addressed to the reader in the name of
// the institution.
func TestComplaintVocabularyNeedsAWriter(t *testing.T) {
	const rule = "term:complaint-context"
	runSignalCases(t, []signalCase{
		{"citizen", body("Tôi chưa nhận được tiền BHXH một lần"), rule, -2},
		{"workers together", body("Chúng tôi chưa nhận được tiền BHXH một lần"), rule, -2},
		{"hotline summary in the third person", Input{Channel: ChannelHotline, Body: "Công dân phản ánh chưa nhận được tiền BHXH một lần"}, rule, -2},
	})
	r := DefaultScorer().Score(body("Bảo hiểm xã hội thông báo quý vị có khoản tiền BHXH một lần chưa nhận, điền số tài khoản tại bhxh-nhantien.com"))
	if sig, ok := find(r, rule); !ok || sig.Weight != 0 || r.Verdict != Suspect {
		t.Errorf("phishing in the name of BHXH: %s", explain(r))
	}
}
