package phone

import (
	"errors"
	"strings"
	"testing"
)

// TestOldAreaCodes: pre-2017 landline numbers that cannot be read as any
// current number become today's number; the two forms are one caller.
func TestOldAreaCodes(t *testing.T) {
	cases := []struct{ old, now string }{
		{"04 3823 4567", "024 3823 4567"},     // Hà Nội
		{"(04) 38.23.45.67", "024 3823 4567"}, // Hà Nội, dotted
		{"+84 4 3823 4567", "024 3823 4567"},  // Hà Nội, international
		{"0511 3822 123", "0236 3822 123"},    // Đà Nẵng
		{"0510 3852 123", "0235 3852 123"},    // Quảng Nam
		{"031 3842 123", "0225 3842 123"},     // Hải Phòng
		{"030 3871 234", "0229 3871 234"},     // Ninh Bình
		{"054 3822 123", "0234 3822 123"},     // Thừa Thiên Huế
		{"053 3852 123", "0233 3852 123"},     // Quảng Trị
		{"057 3822 123", "0257 3822 123"},     // Phú Yên
		{"061 3822 123", "0251 3822 123"},     // Đồng Nai
		{"064 3852 123", "0254 3852 123"},     // Bà Rịa – Vũng Tàu
		{"0650 3822 123", "0274 3822 123"},    // Bình Dương
		{"0651 3879 123", "0271 3879 123"},    // Bình Phước
		{"0710 3822 123", "0292 3822 123"},    // Cần Thơ
		{"0711 3876 123", "0293 3876 123"},    // Hậu Giang
		{"072 3822 123", "0272 3822 123"},     // Long An
		{"073 3872 123", "0273 3872 123"},     // Tiền Giang
		{"074 3862 123", "0294 3862 123"},     // Trà Vinh
		{"075 3822 123", "0275 3822 123"},     // Bến Tre
		{"0780 3832 123", "0290 3832 123"},    // Cà Mau
		{"0240 3854 123", "0204 3854 123"},    // Bắc Giang, not Hà Nội 024 0…
		{"0241 3822 123", "0222 3822 123"},    // Bắc Ninh
		{"0280 3855 123", "0208 3855 123"},    // Thái Nguyên, not TP. HCM 028 0…
		{"0320 3852 123", "0220 3852 123"},    // Hải Dương
		{"0350 3649 123", "0228 3649 123"},    // Nam Định
		{"0500 3852 123", "0262 3852 123"},    // Đắk Lắk
		{"022 3852 123", "0212 3852 123"},     // Sơn La (9 digits starting 2: not a current landline)
		{"020 3840 123", "0214 3840 123"},     // Lào Cai
		{"0230 3825 123", "0215 3825 123"},    // Điện Biên
		{"0211 3862 123", "0211 3862 123"},    // Vĩnh Phúc kept its code
		{"０５１１ ３８２２ １２３", "0236 3822 123"},    // full-width
	}
	for _, c := range cases {
		n, err := Parse(c.old)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.old, err)
			continue
		}
		want, err := Normalize(c.now)
		if err != nil {
			t.Fatalf("Normalize(%q): %v", c.now, err)
		}
		if n.E164 != want || n.Kind != Landline {
			t.Errorf("Parse(%q) = %+v, want %s (%s)", c.old, n, want, c.now)
		}
		if again, _ := Normalize(n.E164); again != n.E164 {
			t.Errorf("not idempotent: %s -> %s", n.E164, again)
		}
	}
	if len(oldAreaCodes) != 59 {
		t.Errorf("%d old area codes, the 2017 plan changed 59", len(oldAreaCodes))
	}
	for old, now := range oldAreaCodes {
		if _, ok := areaCodes[now]; !ok {
			t.Errorf("old code 0%s maps to 0%s, which is not a current code", old, now)
		}
	}
}

// TestAmbiguousOldLandlines: an old landline form that is also a valid
// mobile number today is read as the mobile, with the landline reading
// reported so that staff can ask.
func TestAmbiguousOldLandlines(t *testing.T) {
	cases := []struct{ in, mobile, landline string }{
		{"08 3823 4567", "+84838234567", "+842838234567"}, // Sài Gòn / VinaPhone
		{"037 3852 123", "+84373852123", "+842373852123"}, // Thanh Hóa / Viettel
		{"038 3844 123", "+84383844123", "+842383844123"}, // Nghệ An / Viettel
		{"058 3822 123", "+84583822123", "+842583822123"}, // Khánh Hòa / Vietnamobile
		{"079 3822 123", "+84793822123", "+842993822123"}, // Sóc Trăng / MobiFone
	}
	for _, c := range cases {
		n, err := Parse(c.in)
		if err != nil || n.E164 != c.mobile || n.Kind != Mobile || n.OldLandline != c.landline {
			t.Errorf("Parse(%q) = %+v, %v; want mobile %s, old landline %s", c.in, n, err, c.mobile, c.landline)
		}
	}
	n, err := Parse("0912 345 678")
	if err != nil || n.OldLandline != "" || n.Converted {
		t.Errorf("an ordinary mobile is neither ambiguous nor converted: %+v %v", n, err)
	}
}

// TestMobilePrefixesAllocated: mobiles are accepted on allocated network
// codes only.
func TestMobilePrefixesAllocated(t *testing.T) {
	ok := []string{"032", "039", "052", "055", "056", "058", "059", "070", "076", "079", "081", "086", "087", "088", "089", "090", "092", "094", "096", "099"}
	for _, p := range ok {
		if _, err := Normalize(p + "2345678"); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	// 031 with a subscriber number starting 1 cannot be old Hải Phòng.
	bad := []string{"030", "031", "050", "051", "071", "072", "073", "074", "075", "080", "095"}
	for _, p := range bad {
		_, err := Normalize(p + "1234567")
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(pe.EN, "not allocated") || !strings.Contains(pe.VI, "chưa được cấp") {
			t.Errorf("%s1234567: %v, want 'not allocated' in both languages", p, err)
		}
	}
}

// TestExtensionsAndFullWidth: extensions are kept apart from the number.
func TestExtensionsAndFullWidth(t *testing.T) {
	cases := []struct{ in, e164, ext string }{
		{"024 3823 4567 máy lẻ 12", "+842438234567", "12"},
		{"024 3823 4567 MÁY LẺ 12", "+842438234567", "12"},
		{"024 3823 4567 may le 12", "+842438234567", "12"},
		{"024 3823 4567 ext. 12", "+842438234567", "12"},
		{"024 3823 4567 ext 12", "+842438234567", "12"},
		{"024 3823 4567 x12", "+842438234567", "12"},
		{"+84-24-3823-4567;ext=305", "+842438234567", "305"},
		{"0236 3822 123 ml 5", "+842363822123", "5"},
		{"０９１２ ３４５ ６７８", "+84912345678", ""},
		{"＋８４ ９１２ ３４５ ６７８", "+84912345678", ""},
		{"（024）3823 4567", "+842438234567", ""},
	}
	for _, c := range cases {
		n, err := Parse(c.in)
		if err != nil || n.E164 != c.e164 || n.Ext != c.ext {
			t.Errorf("Parse(%q) = %+v, %v; want %s ext %q", c.in, n, err, c.e164, c.ext)
		}
		if got, err := Normalize(c.in); err != nil || got != c.e164 {
			t.Errorf("Normalize(%q) = %q, %v; want %s (extension dropped)", c.in, got, err, c.e164)
		}
	}
}

// TestMessageIsSpecific: the reason reaches the user in both languages.
func TestMessageIsSpecific(t *testing.T) {
	_, err := Normalize("1900 1234")
	m := Message(err)
	if !strings.Contains(m, "tổng đài") || !strings.Contains(m, "hotline") || !strings.HasPrefix(m, "Số điện thoại không hợp lệ") {
		t.Errorf("service number message: %q", m)
	}
	_, err = Normalize("0301234567")
	if m := Message(err); !strings.Contains(m, "030") || !strings.Contains(m, "not allocated") {
		t.Errorf("unallocated prefix message: %q", m)
	}
	if m := Message(errors.New("x")); m != "Số điện thoại không hợp lệ (invalid phone number)." {
		t.Errorf("generic message: %q", m)
	}
}
