package mask

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestMaskKnownPhoneInEveryNotation(t *testing.T) {
	opt := Options{Phones: []string{"+84987654329"}}
	runCases(t, opt, []maskCase{
		{"glued to sđt", "Liên hệ sđt0987654329 nhé", "Liên hệ sđtxxxxxxx329 nhé"},
		{"slashes", "gọi 0987/654/329", "gọi xxxx/xxx/329"},
		{"commas", "gọi 0987,654,329.", "gọi xxxx,xxx,329."},
		{"full-width", "số ０９８７６５４３２９", "số xxxxxxx329"},
		{"+84 with trunk", "+84 (0) 987 654 329", "+xx (x) xxx xxx 329"},
		{"no leading zero", "số 987654329 của tôi", "số xxxxxx329 của tôi"},
		{"other numbers kept", "nộp 1.500.000 đồng ngày 12/05/2024", "nộp 1.500.000 đồng ngày 12/05/2024"},
	})
	// An old eleven-digit mobile is the same number as its new form.
	runCases(t, Options{Phones: []string{"0329123456"}}, []maskCase{
		{"pre-2018 prefix", "số cũ 01629123456", "số cũ xxxxxxxx456"},
	})
}

func TestMaskKnownIDsAndEmails(t *testing.T) {
	opt := Options{IDs: []string{"001203004567", "B7654321"}, Emails: []string{"Lan.Nguyen@Example.vn"}}
	runCases(t, opt, []maskCase{
		{"regrouped", "số 0012 0300 4567 và 001.203.004.567", "số xxxx xxxx xxxx và xxx.xxx.xxx.xxx"},
		{"glued", "CCCD001203004567", "CCCDxxxxxxxxxxxx"},
		{"passport lower case", "hộ chiếu b7654321", "hộ chiếu xxxxxxxx"},
		{"email any case", "thư LAN.NGUYEN@EXAMPLE.VN", "thư L***@EXAMPLE.VN"},
	})
}

func TestMaskIdentifierPatterns(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"CMT dotted", "CMT số 123.456.789 cấp năm 2010", "CMT số xxx.xxx.xxx cấp năm 2010"},
		{"long label", "Số chứng minh nhân dân của tôi là 123.456.789", "Số chứng minh nhân dân của tôi là xxx.xxx.xxx"},
		{"BHYT card", "thẻ BHYT DN4010123456789 hết hạn", "thẻ BHYT xxxxxxxxxxxxxxx hết hạn"},
		{"BHXH spaced", "mã số BHXH 0101 234 567", "mã số BHXH xxxx xxx xxx"},
		{"passport", "hộ chiếu B7654321.", "hộ chiếu xxxxxxxx."},
		{"glued account", "STK0011004123456 Vietcombank", "STKxxxxxxxxxxxxx Vietcombank"},
		{"glued phone", "sđt0912345678", "sđtxxxxxxx678"},
		{"slashed mobile", "gọi 0912/345/677 hoặc 0912,345,682", "gọi xxxx/xxx/677 hoặc xxxx,xxx,682"},
		{"document numbers kept", "Nghị quyết 42/NQ-CP, Nghị định 28/2015/NĐ-CP", "Nghị quyết 42/NQ-CP, Nghị định 28/2015/NĐ-CP"},
		{"codes kept", "mã hồ sơ HS-20240512 và PA-7KQ2M-XH4RT", "mã hồ sơ HS-20240512 và PA-7KQ2M-XH4RT"},
	})
}

func TestMaskBirthDates(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"sinh ngày", "sinh ngày 12/03/1985 tại Hà Nội", "sinh ngày xx/xx/xxxx tại Hà Nội"},
		{"label ISO", "Ngày sinh: 1985-03-12.", "Ngày sinh: xxxx-xx-xx."},
		{"words", "sinh ngày 12 tháng 3 năm 1985", "sinh ngày xx tháng x năm xxxx"},
		{"year kept", "sinh năm 1985", "sinh năm 1985"},
		{"event kept", "khoản nợ phát sinh ngày 12/03/2024", "khoản nợ phát sinh ngày 12/03/2024"},
		{"other dates kept", "nộp hồ sơ ngày 12/03/2024", "nộp hồ sơ ngày 12/03/2024"},
	})
}

func TestMaskRelativesContactsEmployers(t *testing.T) {
	runCases(t, Options{}, []maskCase{
		{"husband", "Chồng tôi là Trần Văn Hùng.", "Chồng tôi là T.V.H."},
		{"wife with comma", "Vợ tôi, Lê Thị Mai, cũng bị sót.", "Vợ tôi, L.T.M., cũng bị sót."},
		{"contact label", "Người liên hệ: Lê Thị Hoa", "Người liên hệ: L.T.H."},
		{"name label", "con trai cụ, tên Trịnh Văn Phúc.", "con trai cụ, tên T.V.P."},
		{"full name alone", "Tôi là Phùng Thị Vân, chị gái.", "Tôi là P.T.V., chị gái."},
		{"employer and zone", "làm ở Công ty TNHH Pouyuen Việt Nam, KCN Tân Tạo.", "làm ở Công ty TNHH ***, KCN ***."},
		{"utility kept", "Công ty Điện lực không trừ tiền", "Công ty Điện lực không trừ tiền"},
		{"street kept", "đường Nguyễn Văn Cừ, kiệt 45 Phan Đình Phùng", "đường Nguyễn Văn Cừ, kiệt *** Phan Đình Phùng"},
		{"city kept", "TP. Hồ Chí Minh", "TP. Hồ Chí Minh"},
	})
}

func TestIDsIn(t *testing.T) {
	got := IDsIn("Số CCCD: 001 203 004 567, hộ chiếu số B7654321, STK 1903 1234 5678 90; nộp 1.500.000 đồng ngày 12/05/2024", "Mã số thuế 8012345678")
	want := []string{"001203004567", "B7654321", "19031234567890", "8012345678"}
	if !slices.Equal(got, want) {
		t.Errorf("IDsIn = %q, want %q", got, want)
	}
}

// personalVocabulary adds what the rules for the ticket's own data,
// identifiers, birth dates, relatives and employers react to.
var personalVocabulary = append(slices.Clone(vocabulary),
	"sđt", "CMT", "BHYT", "BHXH", "DN", "B", "4010123456789", "7654321", "sinh", "ngày", "Ngày sinh:", "phát",
	"1985-03-12", "12/03/1985", "tháng", "năm", "Chồng", "tôi", "là", "tên", "Người liên hệ:", "Công ty", "TNHH",
	"KCN", "Tân", "Tạo", "Pouyuen", "Thị", "0987", "654", "329", "0987654329", "０９８７", "lan@example.vn",
	"STK", "0011004123456", "hộ chiếu", ",", "/", "Phùng", "Vân")

func TestMaskIdempotentWithKnownData(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	opt := Options{Names: []string{"Nguyễn Thị Lan"}, Phones: []string{"0987654329"}, Emails: []string{"lan@example.vn"},
		IDs: []string{"001203004567", "B7654321", "DN4010123456789"}}
	buf := make([]byte, 40)
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(len(buf)) {
			b.WriteString(personalVocabulary[rng.IntN(len(personalVocabulary))])
		}
		text := b.String()
		once := Mask(text, opt)
		if twice := Mask(once, opt); twice != once {
			t.Fatalf("not idempotent for %q:\n once  %q\n twice %q", text, once, twice)
		}
	}
}
