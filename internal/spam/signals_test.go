package spam

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/vnfold"
	"golang.org/x/text/unicode/norm"
)

// find returns the signal for rule in r.
func find(r Result, rule string) (Signal, bool) {
	for _, s := range r.Signals {
		if s.Rule == rule {
			return s, true
		}
	}
	return Signal{}, false
}

// signalCase says that scoring in gives rule the weight want (0: absent).
type signalCase struct {
	name string
	in   Input
	rule string
	want float64
}

func runSignalCases(t *testing.T, cases []signalCase) {
	t.Helper()
	s := DefaultScorer()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Score(tc.in)
			got, ok := find(r, tc.rule)
			switch {
			case tc.want == 0 && ok:
				t.Errorf("%s fired with %+v; want absent\n%s", tc.rule, got, explain(r))
			case tc.want != 0 && !ok:
				t.Errorf("%s absent; want weight %v\n%s", tc.rule, tc.want, explain(r))
			case ok && got.Weight != tc.want:
				t.Errorf("%s weight %v; want %v (%s)", tc.rule, got.Weight, tc.want, got.Detail)
			}
		})
	}
}

func body(s string) Input { return Input{Channel: ChannelWeb, Body: s} }

func TestTermSignals(t *testing.T) {
	const g, gw, brand, weak = "term:gambling", "term:gambling-words", "term:gambling-brand", "term:weak"
	runSignalCases(t, []signalCase{
		{"with diacritics", body("Chơi cá cược ở đâu"), g, 2},
		{"without diacritics", body("choi ca cuoc o dau"), g, 2},
		{"capitals", body("CÁ CƯỢC BÓNG ĐÁ"), g, 2},
		{"decomposed input", body(norm.NFD.String("cá cược bóng đá")), g, 2},
		{"partial diacritics", body("cá cuoc bóng đá"), g, 2},
		{"dotted letters", body("c.a c.u.o.c bong da"), g, 2},
		{"spaced letters", body("n h a c a i so mot"), g, 2},
		{"spaced with dotted syllable", body("cá c.ư.ợ.c"), g, 2},
		{"words run together", body("vao nhacai ngay"), g, 2},
		{"glued inside a long token", body("nhacaiuytin hom nay"), g, 2},
		{"leetspeak", body("choi c4sino"), g, 2},
		{"leetspeak one as l", body("choi game s1ots"), gw, 2},
		{"full-width", body("ｃａｓｉｎｏ online"), g, 2},
		{"mathematical bold with marks", body("𝐍𝐇𝐀̀ 𝐂𝐀́𝐈"), g, 2},
		{"Cyrillic look-alikes", body("саsinо"), g, 2},
		{"zero-width space inside word", body("ca\u200bsino"), g, 2},
		{"dotted words with spaces between", body("N.H.A C.A.I hôm nay"), g, 2},
		{"brand spelt with spaces inside a dotted run", body("N.H.A C.A.I 1 2 B E T"), brand, 2.5},
		{"spaced leetspeak", body("c 4 s i n o"), g, 2},
		{"spaced leetspeak with one as l", body("s 1 o t s"), gw, 2},
		{"initials are not a word", body("T.P H.C.M, Q.1"), g, 0},
		{"three terms, capped group", body("nhà cái, cá cược, tài xỉu, nổ hũ"), g, 6},
		{"bet as a word", body("BET now"), gw, 2},
		{"bet inside better", body("a better alphabet"), gw, 0},
		{"bet glued to a brand", body("vào 188bet"), brand, 2.5},
		{"brand glued to filler", body("w88vn uy tín"), brand, 2.5},
		{"brand inside a plain syllable-length word", body("awe88"), brand, 0},
		{"slot alone is an appointment", body("Tôi không đặt được slot làm hồ sơ"), gw, 0},
		{"bán cá is selling fish", body("Tôi bán cá ở chợ"), gw, 0},
		{"bắn cá is the game", body("chơi bắn cá đổi thưởng"), gw, 2},
		{"ban ca without diacritics is ambiguous", body("toi ban ca o cho"), gw, 2},
		{"lottery is weak", body("Công ty Xổ số kiến thiết"), weak, 0.5},
		{"refund is weak", body("đề nghị hoàn trả tiền thuế"), weak, 0.5},
		{"news slug in a link path", body("xem https://vnexpress.net/bat-nhom-ca-cuoc-123.html"), g, 0},
		{"term in a trusted link", body("https://chinhphu.vn/nha-cai"), g, 0},
		{"term in an untrusted host", body("vào nhacai-uytin.net nhé"), g, 2},
		{"TLD is not a term", body("xem abc.bet"), gw, 0},
	})
}

func TestComplaintContextIgnoresLinks(t *testing.T) {
	r := DefaultScorer().Score(body("xem tại https://baohiemxahoi-vn.top/bhxh"))
	if s, ok := find(r, "term:complaint-context"); ok {
		t.Errorf("complaint vocabulary counted from a link host: %+v", s)
	}
	r = DefaultScorer().Score(body("Tôi khiếu nại về BHXH"))
	if s, ok := find(r, "term:complaint-context"); !ok || s.Weight != -2 {
		t.Errorf("complaint vocabulary in prose: got %+v", s)
	}
}

func TestLinkSignals(t *testing.T) {
	prose := "Tôi muốn phản ánh việc chậm chi trả tiền trợ cấp cho người lao động ở địa phương tôi trong nhiều tháng qua. "
	runSignalCases(t, []signalCase{
		{"one link is free", body(prose + "https://vnexpress.net/a"), "link:count", 0},
		{"three links", body(prose + "https://a.com/x http://b.net www.c.org"), "link:count", 1.5},
		{"link count cap", body(prose + strings.Repeat("https://a.com/x ", 9)), "link:count", 3},
		{"gov links are free", body(prose + "https://dichvucong.gov.vn/a https://baohiemxahoi.gov.vn/b https://www.mof.gov.vn/c http://chinhphu.vn"), "link:count", 0},
		{"gov links add no density", body("https://dichvucong.gov.vn/a https://baohiemxahoi.gov.vn/b"), "link:density", 0},
		{"gov link only is not a short body", body("https://dichvucong.gov.vn/a"), "link:short-body", 0},
		{"dense links", body("xem a.com b.com c.com"), "link:density", 1.5},
		{"sparse links", body(prose + prose + "https://a.com https://b.com"), "link:density", 0},
		{"blocked domain", body("vào https://w88.com/km"), "link:blocked-domain", 3},
		{"blocked subdomain", body("vào https://vn.w88.com"), "link:blocked-domain", 3},
		{"lookalike is not blocked", body("vào https://notw88.com"), "link:blocked-domain", 0},
		{"blocked bare domain", body("vào W88.COM ngay"), "link:blocked-domain", 3},
		{"shortener", body(prose + "bit.ly/abc"), "link:shortener", 1.5},
		{"suspicious TLD", body(prose + "https://abc.top"), "link:suspicious-tld", 1},
		{"userinfo trick", body(prose + "https://dichvucong.gov.vn@evil.top/login"), "link:suspicious-tld", 1},
		{"gov name as subdomain is untrusted", body(prose + "https://dichvucong.gov.vn.evil.top/x https://b.com"), "link:count", 0.75},
		{"short body of links", body("https://abc.com"), "link:short-body", 3},
		{"short body with words", body("xem bài này https://abc.com"), "link:short-body", 3},
		{"long body with a link", body(prose + "https://abc.com"), "link:short-body", 0},
		{"link in title does not make the body short", Input{Title: "https://abc.com", Body: prose}, "link:short-body", 0},
		{"blocked e-mail domain", Input{Email: "promo@fb88.com", Body: prose}, "sender:blocked-domain", 3},
		{"ordinary e-mail domain", Input{Email: "a@gmail.com", Body: prose}, "sender:blocked-domain", 0},
	})
}

func TestNotLinks(t *testing.T) {
	c := DefaultScorer().c
	for _, s := range []string{
		"TP.HCM", "v.v.", "Q.1", "hoso.pdf", "1.500.000đ", "nguyenvana@gmail.com", "ngày 12.5.2024",
		"G22.98-240412-0031", "ông.bà", "0903.112.233", "Th.S", "Mr.Bean",
	} {
		if links := c.findLinks(s, nil); len(links) != 0 {
			t.Errorf("%q: found links %+v", s, links)
		}
	}
	for s, host := range map[string]string{
		"(xem abc.vn)":                           "abc.vn",
		"https://Abc.COM:8080/x?y=1":             "abc.com",
		"tại:https://a.vip.":                     "a.vip",
		"www.anphufood.com.vn|":                  "www.anphufood.com.vn",
		"http://[::1]:80/":                       "::1",
		"<a href=\"https://x.bet\">":             "x.bet",
		"https://a.com\\@b.top":                  "a.com",
		"https://dichvucong.gov.vn@evil.top/x":   "evil.top",
		"bit.ly/abc,":                            "bit.ly",
		"https://dichvucong.gov.vn.evil.top/a.b": "dichvucong.gov.vn.evil.top",
	} {
		links := c.findLinks(s, nil)
		if len(links) != 1 || links[0].host != host {
			t.Errorf("%q: links %+v; want one with host %q", s, links, host)
		}
	}
	if links := c.findLinks("https://a.comhttps://b.com", nil); len(links) != 2 {
		t.Errorf("two URLs pasted together: %+v", links)
	}
}

func TestGluedTokens(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"nhacai_uytin_top1", true},
		{"W88_link_vao", true},
		{"fb88•com", true},
		{"#nhacai#uytin#top", true},
		{"Best_SEO|Rank", true},
		{"cá_cược_online", true},
		{"0912-345-678", false},
		{"0912_345_678", false},
		{"TP.HCM", false},
		{"12/05/2024", false},
		{"G22.98-240412-0031", false},
		{"nguyen_van_a@gmail.com", false},
		{"don_de_nghi.pdf", false},
		{"(xem", false},
		{"cảm_ơn", false},
		{"ok👍", false},
		{"Nguyễn,Văn,An", false},
	} {
		if got := isGlued(tc.s); got != tc.want {
			t.Errorf("isGlued(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
	runSignalCases(t, []signalCase{
		{"one glued token", body("xem nhacai_uytin_top1"), "glued-token", 1.5},
		{"capped", body("a_b_c d_e_f g_h_i j_k_l m_n_o"), "glued-token", 4.5},
		{"underscores inside a URL", body("https://dichvucong.gov.vn/a_b_c?ma_thu_tuc=1"), "glued-token", 0},
		{"glued token next to a URL", body("W88_link_vao:https://x.com"), "glued-token", 1.5},
	})
}

func TestBotSignals(t *testing.T) {
	runSignalCases(t, []signalCase{
		{"honeypot", Input{Body: "xin chào", Honeypot: "John"}, "honeypot", 5},
		{"honeypot spaces only", Input{Body: "xin chào", Honeypot: "  "}, "honeypot", 0},
		{"honeypot empty", Input{Body: "xin chào"}, "honeypot", 0},
		{"fast form", Input{Body: "xin chào", FormAge: time.Second}, "fast-form", 3},
		{"form at the minimum", Input{Body: "xin chào", FormAge: 3 * time.Second}, "fast-form", 0},
		{"form age unknown", Input{Body: "xin chào"}, "fast-form", 0},
		{"negative form age", Input{Body: "xin chào", FormAge: -time.Second}, "fast-form", 0},
	})
}

func TestContextSignals(t *testing.T) {
	const b = "Tôi chưa nhận được tiền trợ cấp thất nghiệp tháng này"
	runSignalCases(t, []signalCase{
		{"repeated body", Input{Channel: ChannelWeb, Body: b, SameBodyCount: 3}, "repeated-body", 2.5},
		{"seen twice only", Input{Channel: ChannelWeb, Body: b, SameBodyCount: 2}, "repeated-body", 0},
		{"hotline template", Input{Channel: ChannelHotline, Body: b, SameBodyCount: 50}, "repeated-body", 0},
		{"short common body", Input{Channel: ChannelWeb, Body: "chưa nhận được tiền", SameBodyCount: 50}, "repeated-body", 0},
		{"spam history", Input{Body: b, SenderSpamCount: 1}, "sender:spam-history", 1.5},
		{"spam history capped", Input{Body: b, SenderSpamCount: 40}, "sender:spam-history", 4.5},
		{"ham history", Input{Body: b, SenderHamCount: 2}, "sender:ham-history", -2},
		{"ham history capped", Input{Body: b, SenderHamCount: 9}, "sender:ham-history", -3},
	})
}

func TestContextAloneNeverQuarantines(t *testing.T) {
	in := Input{
		Channel:         ChannelWeb,
		Body:            "Chúng tôi là công nhân, công ty nợ lương ba tháng nay",
		SameBodyCount:   100,
		SenderSpamCount: 10,
	}
	r := DefaultScorer().Score(in)
	if r.Score < 6 {
		t.Fatalf("test needs a score of at least spam_at; got %v", r.Score)
	}
	if r.Verdict != Suspect {
		t.Errorf("verdict %s; want suspect\n%s", r.Verdict, explain(r))
	}
	if _, ok := find(r, "guard:context-only"); !ok {
		t.Errorf("no explanation for the held verdict\n%s", explain(r))
	}
	// With a bot trap as well, the message itself is suspect: quarantine.
	in.FormAge = 500 * time.Millisecond
	if r := DefaultScorer().Score(in); r.Verdict != Spam {
		t.Errorf("verdict %s; want spam\n%s", r.Verdict, explain(r))
	}
}

func TestShoutingCountsLittle(t *testing.T) {
	in := body("TÔI ĐÃ CHỜ BA THÁNG MÀ CHƯA NHẬN ĐƯỢC ĐỒNG NÀO!!! CÁC ANH CHỊ LÀM ĂN KIỂU GÌ VẬY???")
	r := DefaultScorer().Score(in)
	s, ok := find(r, "shouting")
	if !ok || s.Weight != 0.25 {
		t.Errorf("shouting: %+v", s)
	}
	if r.Verdict != Clean {
		t.Errorf("an angry citizen in capitals: %s\n%s", r.Verdict, explain(r))
	}
	if _, ok := find(DefaultScorer().Score(body("OK")), "shouting"); ok {
		t.Error("two capitals are not shouting")
	}
}

func TestNumbersAndGovLinksAreNeutral(t *testing.T) {
	in := Input{
		Channel: ChannelWeb,
		Phone:   "0912345678",
		Title:   "Hồ sơ 000.00.22.H56-240611-0012",
		Body: "CCCD 079185012345, CMND 025123456, MST 0312345678-001, SĐT 0912.345.678 / (+84) 912 345 678, " +
			"tổng đài 1900 9068, số tiền 1.650.000đ, ngày 12/04/2024. " +
			"https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma_ho_so=G22.98-240412-0031 " +
			"https://baohiemxahoi.gov.vn/tracuu/Pages/tra-cuu.aspx https://thuvienphapluat.vn/van-ban/a-b-c-123.aspx",
	}
	// In a citizen's own words (any first-person word) they are neutral.
	in.Body = "Tôi gửi thông tin: " + in.Body
	r := DefaultScorer().Score(in)
	if len(r.Signals) != 0 {
		t.Errorf("numbers and government links produced signals:\n%s", explain(r))
	}
	// Without any first-person word, a phone number counts only as the
	// "way to reach someone" of the impersonal-contact signal (rules
	// version 2), which stays token-sized: the voice is the evidence, and
	// the number alone can never tag a submission.
	in.Body = strings.TrimPrefix(in.Body, "Tôi gửi thông tin: ")
	r = DefaultScorer().Score(in)
	if len(r.Signals) != 1 || r.Signals[0].Rule != "voice:impersonal-contact" || r.Verdict != Clean {
		t.Errorf("numbers without a first-person word:\n%s", explain(r))
	}
}

func TestVerdictAndOrdering(t *testing.T) {
	s := DefaultScorer()
	for _, tc := range []struct {
		in   Input
		want Verdict
	}{
		{body("Tôi cần hỏi về lương hưu"), Clean},
		{Input{Body: "xin chào", FormAge: time.Second}, Suspect}, // exactly suspect_at
		{body("nhà cái uy tín, cá cược, tài xỉu https://w88.com"), Spam},
	} {
		r := s.Score(tc.in)
		if r.Verdict != tc.want {
			t.Errorf("%q: %s, want %s\n%s", tc.in.Body, r.Verdict, tc.want, explain(r))
		}
		if r.RulesVersion != DefaultRules().Version {
			t.Errorf("RulesVersion %d", r.RulesVersion)
		}
		checkResult(t, r)
	}
}

// checkResult verifies the invariants every Result must satisfy.
func checkResult(t *testing.T, r Result) {
	t.Helper()
	sum := 0.0
	for _, s := range r.Signals {
		sum += s.Weight
		if s.Rule == "" || s.Detail == "" {
			t.Errorf("signal without rule or detail: %+v", s)
		}
	}
	if round(sum) != r.Score {
		t.Errorf("score %v is not the sum of the signals %v", r.Score, sum)
	}
	if !slices.IsSortedFunc(r.Signals, func(a, b Signal) int {
		switch {
		case a.Weight > b.Weight:
			return -1
		case a.Weight < b.Weight:
			return 1
		}
		return strings.Compare(a.Rule, b.Rule)
	}) {
		t.Errorf("signals not sorted by weight: %+v", r.Signals)
	}
	if r.Verdict != Clean && r.Verdict != Suspect && r.Verdict != Spam {
		t.Errorf("verdict %q", r.Verdict)
	}
	if r.Verdict == Clean && r.Score >= 3 || r.Verdict == Spam && r.Score < 6 {
		t.Errorf("verdict %s for score %v", r.Verdict, r.Score)
	}
}

func TestNormalizeBody(t *testing.T) {
	for in, want := range map[string]string{
		"Chưa  nhận được\n\nTIỀN hỗ trợ!!!": "chua nhan duoc tien ho tro",
		norm.NFD.String("Đà Nẵng"):          "da nang",
		"  ...  ":                           "",
		"ｃａｓｉｎｏ – саsinо":                   "casino casino",
		"ca\u200bsino, 0912-345-678":        "casino 0912 345 678",
		"ϰ":                                 "k",
	} {
		if got := NormalizeBody(in); got != want {
			t.Errorf("NormalizeBody(%q) = %q, want %q", in, got, want)
		}
	}
	if NormalizeBody("Tôi CHƯA nhận được tiền.") != NormalizeBody("toi chua nhan duoc tien") {
		t.Error("case, diacritics and punctuation should not matter")
	}
}

func TestLongInputIsClipped(t *testing.T) {
	long := strings.Repeat("chưa nhận được tiền ", 20000) + " nhà cái cá cược casino"
	r := DefaultScorer().Score(body(long))
	if _, ok := find(r, "term:gambling"); ok {
		t.Error("text past the field limit was scored")
	}
	if got := len(NormalizeBody(long)); got > maxFieldBytes {
		t.Errorf("NormalizeBody of a huge body is %d bytes", got)
	}
}

func TestScoreIsSafeForConcurrentUse(t *testing.T) {
	items := loadCorpus(t)
	s := DefaultScorer()
	want := make([]Result, len(items))
	for i, it := range items {
		want[i] = s.Score(it.input(t))
	}
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func(w int) {
			for k := 0; k < 20; k++ {
				for i := range items {
					j := (i + w*7 + k) % len(items)
					if got := s.Score(items[j].input(t)); fmt.Sprint(got) != fmt.Sprint(want[j]) {
						done <- fmt.Errorf("%s: concurrent result differs", items[j].ID)
						return
					}
				}
			}
			done <- nil
		}(w)
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestSpaceAtMatchesUnicode(t *testing.T) {
	for r := rune(0); r <= 0x3100; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r) + "x"
		want := 0
		if unicode.IsSpace(r) {
			want = utf8.RuneLen(r)
		}
		if got := spaceAt(s, 0); got != want {
			t.Errorf("spaceAt(%U) = %d, want %d", r, got, want)
		}
	}
	if spaceAt("\xe2\x80", 0) != 0 || spaceAt("\xc2", 0) != 0 {
		t.Error("truncated sequences are not spaces")
	}
}

// TestFoldAgreesWithVnfold guards the promise that Vietnamese text folds
// here exactly as in routing and search.
func TestFoldAgreesWithVnfold(t *testing.T) {
	const letters = "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
	for _, s := range []string{letters, strings.ToLower(letters), norm.NFD.String(letters),
		"Phản ánh về trợ cấp thất nghiệp", "ĐÀ NẴNG"} {
		if got, want := NormalizeBody(s), vnfold.Fold(s); got != want {
			t.Errorf("NormalizeBody(%q) = %q, vnfold.Fold = %q", s, got, want)
		}
	}
}
