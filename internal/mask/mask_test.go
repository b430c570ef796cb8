package mask

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/vnfold"
	"golang.org/x/text/unicode/norm"
)

type maskCase struct {
	name, in, want string
}

func runCases(t *testing.T, opt Options, cases []maskCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Mask(tc.in, opt)
			if got != tc.want {
				t.Errorf("Mask(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
			if again := Mask(got, opt); again != got {
				t.Errorf("not idempotent:\n once  %q\n twice %q", got, again)
			}
		})
	}
}

func TestMaskPhones(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"spaced mobile", "SĐT của tôi là 0912 345 678.", "SĐT của tôi là xxxx xxx 678."},
		{"plain mobile", "gọi 0912345678 giúp tôi", "gọi xxxxxxx678 giúp tôi"},
		{"dotted mobile", "ĐT: 0912.345.678", "ĐT: xxxx.xxx.678"},
		{"dotted 3-3-4", "ĐT: 091.234.5678", "ĐT: xxx.xxx.x678"},
		{"hyphens", "liên hệ 0912-345-678", "liên hệ xxxx-xxx-678"},
		{"pairs", "số 0912 34 56 78 nhé", "số xxxx xx x6 78 nhé"},
		{"plus84", "Số điện thoại +84 912 345 678", "Số điện thoại +xx xxx xxx 678"},
		{"plus84 glued", "+84912345678", "+xxxxxxxx678"},
		{"paren plus84", "(+84) 912.345.678", "(+xx) xxx.xxx.678"},
		{"84 no plus", "84912345678 là số của em", "xxxxxxxx678 là số của em"},
		{"0084", "0084 912 345 678", "xxxx xxx xxx 678"},
		{"trunk after +84", "+84 (0) 912 345 678", "+xx (x) xxx xxx 678"},
		{"old 11-digit", "số cũ 01629 123 456", "số cũ xxxxx xxx 456"},
		{"landline Hà Nội", "(024) 3823 4567", "(xxx) xxxx x567"},
		{"landline Đà Nẵng", "0236 3822 123", "xxxx xxxx 123"},
		{"pre-2017 landline", "máy bàn (04) 3823 4567", "máy bàn (xx) xxxx x567"},
		{"two phones slash", "0912345678/0987654321", "xxxxxxx678/xxxxxxx321"},
		{"two phones", "0912 345 678 hoặc 0987 654 321", "xxxx xxx 678 hoặc xxxx xxx 321"},
		{"foreign", "con tôi ở Mỹ: +1 415 555 0100", "con tôi ở Mỹ: +x xxx xxx x100"},
		{"nbsp", "0912\u00a0345\u00a0678", "xxxx\u00a0xxx\u00a0678"},
		{"after date", "ngày 12-05-2024 0912345678", "ngày 12-05-2024 xxxxxxx678"},
		{"phone then more digits", "0912 345 678 901 234", "xxxx xxx 678 901 234"},
		{"phone then đồng thời", "Tôi gọi 0912345678 đồng thời gửi thư", "Tôi gọi xxxxxxx678 đồng thời gửi thư"},
		{"phone at end of sentence", "Số của tôi: 0912345678.", "Số của tôi: xxxxxxx678."},
	})
}

func TestMaskIDs(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"CCCD", "CCCD số 001203004567 cấp ngày 01/02/2021", "CCCD số xxxxxxxxxxxx cấp ngày 01/02/2021"},
		{"CCCD spaced", "căn cước 001 203 004 567", "căn cước xxx xxx xxx xxx"},
		{"CCCD 4-4-4", "CCCD: 0012 0300 4567", "CCCD: xxxx xxxx xxxx"},
		{"CMND", "CMND 123456789 do CA Hà Nội cấp", "CMND xxxxxxxxx do CA Hà Nội cấp"},
		{"CMND spaced", "CMND: 123 456 789", "CMND: xxx xxx xxx"},
		{"CMND leading zero", "số CMND 012345678", "số CMND xxxxxxxxx"},
		{"CMND dotted with keyword", "CMND: 123.456.789", "CMND: xxx.xxx.xxx"},
		{"bank account", "STK 0011004123456 tại Vietcombank", "STK xxxxxxxxxxxxx tại Vietcombank"},
		{"long number", "mã số thuế cá nhân 8012345678", "mã số thuế cá nhân xxxxxxxxxx"},
		{"ID and phone adjacent", "CCCD 001203004567 0912345678", "CCCD xxxxxxxxxxxx xxxxxxx678"},
		{"not money before đồng nghiệp", "CMND 123456789 đồng nghiệp tôi", "CMND xxxxxxxxx đồng nghiệp tôi"},
		{"amount after account", "STK 0011004123456, nộp 150.000.000", "STK xxxxxxxxxxxxx, nộp 150.000.000"},
		{"spaced bank account", "Số tài khoản: 1903 1234 5678 90 Techcombank", "Số tài khoản: xxxx xxxx xxxx xx Techcombank"},
		{"spaced digits without keyword kept", "mã 1903 1234 5678 90", "mã 1903 1234 5678 90"},
	})
}

func TestMaskEmails(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"gmail", "email an.nguyen@gmail.com nhé", "email a***@gmail.com nhé"},
		{"gov", "gửi tới tiepdan@hanoi.gov.vn", "gửi tới t***@hanoi.gov.vn"},
		{"digits first", "0912345678@gmail.com", "***@gmail.com"},
		{"vietnamese local part", "nguyễnvănan@yahoo.com.vn", "n***@yahoo.com.vn"},
		{"plus tag", "Mail: An+phananh@Example.org.", "Mail: A***@Example.org."},
	})
}

func TestMaskAddresses(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"số ngõ phố", "số 12 ngõ 34 phố Huế, Hai Bà Trưng, Hà Nội", "số *** ngõ *** phố Huế, Hai Bà Trưng, Hà Nội"},
		{"bare house number", "Tôi ở 123 Nguyễn Trãi, Thanh Xuân", "Tôi ở *** Nguyễn Trãi, Thanh Xuân"},
		{"địa chỉ label", "Địa chỉ: 45 Lê Lợi, phường Bến Nghé, Quận 1, TP. HCM", "Địa chỉ: *** Lê Lợi, phường Bến Nghé, Quận 1, TP. HCM"},
		{"nhà tôi ở", "nhà tôi ở 12 Hàng Bạc", "nhà tôi ở *** Hàng Bạc"},
		{"số nhà hẻm", "Số nhà 5, hẻm 12/3 đường Trần Hưng Đạo", "Số nhà ***, hẻm *** đường Trần Hưng Đạo"},
		{"tổ phường", "tổ 5, phường Quang Trung, TP Thái Nguyên", "tổ ***, phường Quang Trung, TP Thái Nguyên"},
		{"tổ dân phố", "Tổ dân phố 7, thị trấn Đông Anh", "Tổ dân phố ***, thị trấn Đông Anh"},
		{"ngách", "ngách 15/2 ngõ 68 Cầu Giấy", "ngách *** ngõ *** Cầu Giấy"},
		{"kiệt Huế", "kiệt 45 Phan Đình Phùng, TP Huế", "kiệt *** Phan Đình Phùng, TP Huế"},
		{"xóm thôn", "xóm 3, thôn Đông, xã Hòa Bình", "xóm ***, thôn Đông, xã Hòa Bình"},
		{"căn hộ", "căn hộ 1205 tòa B", "căn hộ *** tòa B"},
		{"lô", "lô A12 khu đô thị mới", "lô *** khu đô thị mới"},
		{"house with letter", "ở 12A Lý Thường Kiệt", "ở *** Lý Thường Kiệt"},
		{"số with comma then street", "số 8, đường 3/2, Quận 10", "số ***, đường 3/2, Quận 10"},
	})
}

func TestMaskNames(t *testing.T) {
	opt := Options{Names: []string{"Nguyễn Văn An", "Trần Thị Bích Ngọc", "Hùng", "Trần Hai"}}
	runCases(t, opt, []maskCase{
		{"full known name", "Tôi là Nguyễn Văn An, trú tại Hà Nội.", "Tôi là N.V.A., trú tại Hà Nội."},
		{"no diacritics", "nguoi gui: Nguyen Van An", "nguoi gui: N.V.A."},
		{"upper case", "NGUYỄN VĂN AN kính gửi", "N.V.A. kính gửi"},
		{"given name after anh", "anh An đã nộp hồ sơ", "anh A. đã nộp hồ sơ"},
		{"staff name", "cán bộ Trần Thị Bích Ngọc tiếp nhận", "cán bộ T.T.B.N. tiếp nhận"},
		{"staff given name", "chị Ngọc hướng dẫn", "chị N. hướng dẫn"},
		{"single-word name only after address form", "chú Hùng ở Long An", "chú H. ở Long An"},
		{"given name not in place name", "Tỉnh Long An và Nghệ An", "Tỉnh Long An và Nghệ An"},
		{"honorific + full name", "ông Nguyễn Văn Bình phản ánh", "ông N.V.B. phản ánh"},
		{"sentence start", "Bà Lê Thị Hoa hỏi: ...", "Bà L.T.H. hỏi: ..."},
		{"chị Lan", "chị Lan cho biết", "chị L. cho biết"},
		{"end of sentence", "Trả lời chị Lan.", "Trả lời chị L."},
		{"em", "em Phạm Minh Tuấn, sinh viên", "em P.M.T., sinh viên"},
		{"bạn đọc", "Bạn đọc Vũ Thu Hà hỏi", "Bạn đọc V.T.H. hỏi"},
		{"công dân", "Công dân Đặng Văn Ánh kiến nghị", "Công dân Đ.V.Á. kiến nghị"},
		{"form label caps", "Họ và tên: ĐỖ THỊ MAI\nĐịa chỉ: Hà Nội", "Họ và tên: Đ.T.M.\nĐịa chỉ: Hà Nội"},
		{"lower-case ông bà", "ông bà Trần Văn Nam", "ông bà T.V.N."},
		{"double given name", "chị Lan Anh và anh Tuấn", "chị L.A. và anh T."},
		{"not a name after honorific", "Em Xin cảm ơn", "Em Xin cảm ơn"},
		{"official title kept", "ông Chủ tịch UBND xã trả lời", "ông Chủ tịch UBND xã trả lời"},
		{"place context lost", "Trần Hai Bà Lan", "T.H. Bà L."},
		{"family", "chồng tôi, anh Lê Văn Tám, và vợ Hoàng Thị Thu", "chồng tôi, anh L.V.T., và vợ H.T.T."},
		{"honorary title", "Bà mẹ Việt Nam anh hùng", "Bà mẹ Việt Nam anh hùng"},
	})
}

func TestMaskKeepsPublicInformation(t *testing.T) {
	keep := []string{
		"Mã phản ánh PA-7KQ2M-XH4RT đã được tiếp nhận.",
		"Hạn xử lý: 12/05/2024, gia hạn đến 12-06-2024 hoặc 12.07.2024.",
		"Mức hỗ trợ 1.500.000 đồng/tháng, tổng 150.000.000 đồng.",
		"Số tiền 150000000 đồng đã chuyển; phí 2.500.000đ; lãi 1,5 triệu; 35%.",
		"Khoản vay 1 500 000 000 VNĐ.",
		"Theo Nghị định 20/2008/NĐ-CP và Quyết định 15/2020/QĐ-TTg.",
		"Căn cứ Luật số 59/2020/QH14, Công văn 1234/UBND-VP.",
		"Công văn số 12 Bộ Tài chính gửi Sở.",
		"Điều 12 Luật Đất đai, khoản 3 Điều 5.",
		"Gọi tổng đài 1900 1234 hoặc 1800 599 920, hoặc 19001234.",
		"Đường dây nóng 1022, cấp cứu 115.",
		"phường 12, Quận 3, TP. Hồ Chí Minh",
		"Tỉnh Bà Rịa - Vũng Tàu, đường Bà Triệu, chợ Bà Chiểu, quận Hai Bà Trưng.",
		"Bà Rịa là thành phố. Bác Hồ kính yêu. Cầu Ông Lãnh.",
		"Học tiếng Anh Văn ở nước Anh Quốc.",
		"Năm 2020 Bộ Tài chính ban hành; giai đoạn 2021-2025.",
		"Dân số 98.506.193 người.",
		"Nộp 150.000.000 đồng vào tài khoản, rồi nộp thêm 250.000.000.",
		"Tôi sinh năm 1985, có 2 con.",
		"nhà 5 tầng, ở 2 Bộ",
		"Hồ sơ nộp tại phòng 205, UBND quận.",
		"Tài liệu https://dichvucong.gov.vn/p/home/dvc-trang-chu.html",
		"",
	}
	for _, in := range keep {
		want := norm.NFC.String(in)
		if got := Mask(in, Options{Names: []string{"Nguyễn Văn An"}}); got != want {
			t.Errorf("Mask changed public text:\n in   %q\n got  %q", in, got)
		}
	}
}

func TestMaskRealisticLetter(t *testing.T) {
	in := `Kính gửi UBND phường Thượng Đình,
Tôi tên là Nguyễn Văn An, sinh năm 1980, CCCD số 001080012345, hiện trú tại số 12 ngõ 34 phố Nguyễn Trãi, phường Thượng Đình, quận Thanh Xuân, Hà Nội. SĐT: 0912.345.678, email: an.nguyenvan@gmail.com.
Ngày 12/05/2024 tôi đã nộp 1.500.000 đồng theo Quyết định 15/2020/QĐ-TTg nhưng chưa nhận được phản hồi. Cán bộ tiếp nhận là chị Trần Thị Bích Ngọc (ĐT 024 3858 1234).
Mã hồ sơ: PA-7KQ2M-XH4RT.`
	want := `Kính gửi UBND phường Thượng Đình,
Tôi tên là N.V.A., sinh năm 1980, CCCD số xxxxxxxxxxxx, hiện trú tại số *** ngõ *** phố Nguyễn Trãi, phường Thượng Đình, quận Thanh Xuân, Hà Nội. SĐT: xxxx.xxx.678, email: a***@gmail.com.
Ngày 12/05/2024 tôi đã nộp 1.500.000 đồng theo Quyết định 15/2020/QĐ-TTg nhưng chưa nhận được phản hồi. Cán bộ tiếp nhận là chị T.T.B.N. (ĐT xxx xxxx x234).
Mã hồ sơ: PA-7KQ2M-XH4RT.`
	got := Mask(in, Options{Names: []string{"Nguyễn Văn An"}})
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestMaskNormalisesInput(t *testing.T) {
	// Decomposed input (as some Mac and mobile keyboards produce) is
	// masked like composed input, and comes back composed.
	nfd := norm.NFD.String("ông Nguyễn Văn Bình, Hà Nội")
	if got := Mask(nfd, Options{}); got != "ông N.V.B., Hà Nội" {
		t.Errorf("NFD input: got %q", got)
	}
	if got := Mask(norm.NFD.String("anh Đức"), Options{Names: []string{"Đặng Đức"}}); got != "anh Đ." {
		t.Errorf("NFD given name: got %q", got)
	}
	// Invalid UTF-8 is replaced, never passed through.
	if got := Mask("SĐT \xff0912345678", Options{}); !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8 in output: %q", got)
	}
}

func TestMaskLeavesNoPhoneDigits(t *testing.T) {
	// Whatever the notation, at most three digits of a phone survive.
	for _, p := range []string{
		"0912 345 678", "0912345678", "+84 912 345 678", "(+84) 912.345.678",
		"84912345678", "0084912345678", "01629123456", "024 3823 4567", "0236.3822.123",
	} {
		got := Mask("liên hệ "+p+" nhé", Options{})
		digits := 0
		for _, r := range got {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits > 3 {
			t.Errorf("Mask left %d digits of %q: %q", digits, p, got)
		}
	}
}

func TestFoldMatchesVnfold(t *testing.T) {
	for _, w := range []string{
		"Nguyễn", "ĐẶNG", "đức", "Hồ Chí Minh", "Ánh", "Quỳnh", "Ưng", "Ơn", "plain", "Ÿ", "ǅ", "ﬁ", "İstanbul",
	} {
		nfc := norm.NFC.String(w)
		if got, want := fold(nfc), vnfold.Fold(nfc); got != want {
			t.Errorf("fold(%q) = %q, vnfold.Fold = %q", w, got, want)
		}
	}
}

// vocabulary is what compose builds texts from: the words, numbers and
// punctuation the rules react to, so that random combinations hit the
// interactions between rules far more often than random bytes do.
var vocabulary = []string{
	"ông", "Ông", "bà", "Bà", "anh", "Anh", "chị", "em", "cô", "bạn đọc", "Họ và tên:",
	"Nguyễn", "Văn", "An", "Bình", "Lan", "Trần", "Hai", "Rịa", "Triệu", "Hồ", "NGUYỄN", "VĂN",
	"số", "Số", "nhà", "ngõ", "hẻm", "tổ", "ở", "tại", "Địa chỉ:", "đường", "phố", "phường",
	"Quận", "Lê", "Lợi", "lô", "căn hộ", "CMND", "SĐT", "Nghị định", "đồng thời",
	"0912", "345", "678", "0912345678", "+84", "84", "1900", "1234", "2024", "12", "3", "A12",
	"001203004567", "123456789", "1.500.000", "12/05/2024", "20/2008/NĐ-CP", "PA-7KQ2M-XH4RT",
	"đồng", "triệu", "an", "@", "gmail.com", "x", "xx", "***", "N.",
	"(", ")", "/", ".", ",", "-", ":", " ", " ", " ", " ", "\n", "\u00a0",
}

// compose turns each byte of s into a vocabulary entry.
func compose(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString(vocabulary[int(s[i])%len(vocabulary)])
	}
	return b.String()
}

func TestMaskIdempotentOnComposedTexts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	opt := Options{Names: []string{"Nguyễn Văn An", "Trần Hai", "Hùng"}}
	buf := make([]byte, 40)
	for range 3000 {
		for i := range buf {
			buf[i] = byte(rng.UintN(256))
		}
		text := compose(string(buf[:1+rng.IntN(len(buf))]))
		once := Mask(text, opt)
		if twice := Mask(once, opt); twice != once {
			t.Fatalf("not idempotent for %q:\n once  %q\n twice %q", text, once, twice)
		}
	}
}

func FuzzMask(f *testing.F) {
	seeds := []string{
		"Tôi là Nguyễn Văn An, SĐT 0912 345 678, email an.nguyen@gmail.com.",
		"số 12 ngõ 34 phố Huế; Số nhà 5, hẻm 12/3; tổ 5, phường Bến Nghé",
		"ông Nguyễn Văn Bình nộp 1.500.000 đồng ngày 12/05/2024 theo Nghị định 20/2008/NĐ-CP",
		"PA-7KQ2M-XH4RT (+84) 912.345.678 CCCD 001 203 004 567 1900 1234",
		"Trần Hai Bà Lan 0912 345 678 901 234",
		"Họ và tên: NGUYỄN VĂN AN",
		"anh An0912345678 chị Lan. Bà Rịa",
	}
	for _, s := range seeds {
		f.Add(s, "Nguyễn Văn An")
	}
	f.Fuzz(func(t *testing.T, s, name string) {
		opt := Options{Names: []string{name, "Trần Hai"}}
		once := Mask(s, opt)
		if !utf8.ValidString(once) {
			t.Fatalf("invalid UTF-8 output for %q: %q", s, once)
		}
		if nfc := norm.NFC.String(s); fold(nfc) != vnfold.Fold(nfc) {
			t.Fatalf("fold(%q) = %q, vnfold.Fold = %q", nfc, fold(nfc), vnfold.Fold(nfc))
		}
		if twice := Mask(once, opt); twice != once {
			t.Fatalf("not idempotent for %q (name %q):\n once  %q\n twice %q", s, name, once, twice)
		}
		// The same bytes read as a sequence of meaningful tokens.
		text := compose(s)
		once = Mask(text, opt)
		if twice := Mask(once, opt); twice != once {
			t.Fatalf("not idempotent for composed %q (name %q):\n once  %q\n twice %q", text, name, once, twice)
		}
	})
}

func BenchmarkMask(b *testing.B) {
	text := strings.Repeat(`Tôi tên là Nguyễn Văn An, CCCD số 001080012345, trú tại số 12 ngõ 34 phố Nguyễn Trãi. `+
		`SĐT: 0912.345.678, email an.nguyenvan@gmail.com. Ngày 12/05/2024 tôi nộp 1.500.000 đồng theo `+
		`Quyết định 15/2020/QĐ-TTg; cán bộ là chị Trần Thị Bích Ngọc. Mã PA-7KQ2M-XH4RT.`+"\n", 10)
	opt := Options{Names: []string{"Nguyễn Văn An"}}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Mask(text, opt)
	}
}
