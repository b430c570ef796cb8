// Package phone turns the many ways Vietnamese citizens write a phone number
// into one canonical E.164 string, so that "0912 345 678", "+84 912345678"
// and "(+84) 912.345.678" are recognised as the same caller when tickets are
// grouped, rate limited or looked up by phone.
//
// Scope: only Vietnamese subscriber numbers (mobile and fixed line) are
// accepted. Foreign numbers, short codes and service numbers are rejected,
// because every caller of Normalize stores or texts the result as a personal
// contact number.
//
// # Old mobile prefixes (2018)
//
// Eleven-digit mobile numbers (0 + 1xx + 7 digits) were converted to ten
// digits by the Ministry of Information and Communications (Bộ Thông tin và
// Truyền thông) under the plan attached to Quyết định 798/QĐ-BTTTT of
// 25 May 2018. The conversion ran from 15 September 2018 to 30 June 2019,
// with parallel dialling until 14 November 2018; the last seven digits were
// kept and only the network code changed:
//
//	MobiFone     0120→070 0121→079 0122→077 0126→076 0128→078
//	VinaPhone    0123→083 0124→084 0125→085 0127→081 0129→082
//	Viettel      0162→032 0163→033 0164→034 0165→035
//	             0166→036 0167→037 0168→038 0169→039
//	Vietnamobile 0186→056 0188→058
//	Gmobile      0199→059
//
// Citizens still type their old number from memory or from old paperwork,
// so Normalize maps these 21 codes to today's number; an 11-digit number
// starting 01 with any other code is rejected.
//
// # Fixed lines (2017)
//
// Under Quyết định 2036/QĐ-BTTTT (2016) landline area codes were moved, in
// three phases between 11 February and 17 June 2017, to the 2xx range: Hà
// Nội 024 and TP. Hồ Chí Minh 028 (followed by 8 digits), every other
// province 02xx (followed by 7 digits), so every landline is 11 digits
// including the leading 0. Normalize accepts only these current area codes
// (the 63 codes in areaCodes).
//
// Pre-2017 area codes (04 Hà Nội, 08 TP. HCM, 0511 Đà Nẵng, 031 Hải Phòng,
// ...) are deliberately NOT mapped. They collide with today's mobile ranges:
// the old Sài Gòn number "08 3823 4567" is, digit for digit, the valid
// VinaPhone mobile 083 823 4567, and old 03x provincial codes overlap
// Viettel's 03x. Guessing would silently merge two different people, which
// is worse for a ticketing system than asking the citizen to re-enter the
// number. Old numbers that cannot be mistaken for a mobile fail with
// ErrInvalid; the colliding ones are read as the mobile they now are.
//
// # Service numbers
//
// 1800 (toll free) and 1900 (premium rate) numbers, 8 or 10 digits, are
// agency and business hotlines, not subscribers: they cannot receive an SMS
// and have no E.164 form reachable from abroad. Normalize reports them with
// ErrServiceNumber (which wraps ErrInvalid) so callers can tell the user
// "that is a hotline, please give your own number" instead of a generic
// error.
package phone

import (
	"errors"
	"fmt"
)

// MaxInputLen is the longest input, in bytes, that Normalize examines. The
// most decorated legitimate form, "(+84) (0) 1629 123 456" and the like, is
// well under it; anything longer is rejected before any other work so that
// hostile form fields cannot make us scan megabytes.
const MaxInputLen = 32

// ErrInvalid is wrapped by every error Normalize returns. The wrapping error
// says what was wrong (bad character, wrong length, unknown prefix) but
// never repeats the whole input, so that it can be logged without copying
// the citizen's number into the logs.
var ErrInvalid = errors.New("phone: invalid Vietnamese phone number")

// ErrServiceNumber is returned (wrapped) for 1800/1900 service numbers. It
// wraps ErrInvalid, so errors.Is(err, ErrInvalid) holds for it too.
var ErrServiceNumber = fmt.Errorf("%w: 1800/1900 service numbers are hotlines, not personal numbers", ErrInvalid)

// oldMobile maps the three-digit network code of an 11-digit mobile number
// (without the leading 0) to its two-digit replacement, per 798/QĐ-BTTTT.
var oldMobile = map[string]string{
	// MobiFone
	"120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
	// VinaPhone
	"123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
	// Viettel
	"162": "32", "163": "33", "164": "34", "165": "35",
	"166": "36", "167": "37", "168": "38", "169": "39",
	// Vietnamobile
	"186": "56", "188": "58",
	// Gmobile
	"199": "59",
}

// areaCodes holds every fixed-line area code in force since 2017, without
// the leading 0. Hà Nội and TP. HCM have two-digit codes (8-digit
// subscriber numbers); the others have three (7-digit subscriber numbers).
var areaCodes = map[string]string{
	"24": "Hà Nội", "28": "TP. Hồ Chí Minh",
	"203": "Quảng Ninh", "204": "Bắc Giang", "205": "Lạng Sơn", "206": "Cao Bằng",
	"207": "Tuyên Quang", "208": "Thái Nguyên", "209": "Bắc Kạn", "210": "Phú Thọ",
	"211": "Vĩnh Phúc", "212": "Sơn La", "213": "Lai Châu", "214": "Lào Cai",
	"215": "Điện Biên", "216": "Yên Bái", "218": "Hòa Bình", "219": "Hà Giang",
	"220": "Hải Dương", "221": "Hưng Yên", "222": "Bắc Ninh", "225": "Hải Phòng",
	"226": "Hà Nam", "227": "Thái Bình", "228": "Nam Định", "229": "Ninh Bình",
	"232": "Quảng Bình", "233": "Quảng Trị", "234": "Thừa Thiên Huế", "235": "Quảng Nam",
	"236": "Đà Nẵng", "237": "Thanh Hóa", "238": "Nghệ An", "239": "Hà Tĩnh",
	"251": "Đồng Nai", "252": "Bình Thuận", "254": "Bà Rịa - Vũng Tàu", "255": "Quảng Ngãi",
	"256": "Bình Định", "257": "Phú Yên", "258": "Khánh Hòa", "259": "Ninh Thuận",
	"260": "Kon Tum", "261": "Đắk Nông", "262": "Đắk Lắk", "263": "Lâm Đồng",
	"269": "Gia Lai", "270": "Vĩnh Long", "271": "Bình Phước", "272": "Long An",
	"273": "Tiền Giang", "274": "Bình Dương", "275": "Bến Tre", "276": "Tây Ninh",
	"277": "Đồng Tháp", "290": "Cà Mau", "291": "Bạc Liêu", "292": "Cần Thơ",
	"293": "Hậu Giang", "294": "Trà Vinh", "296": "An Giang", "297": "Kiên Giang",
	"299": "Sóc Trăng",
}

// invalid builds an error wrapping ErrInvalid with a human-readable reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Normalize returns the E.164 form ("+84912345678") of a Vietnamese phone
// number written in any of the usual ways:
//
//	0912 345 678    +84 912345678    84912345678
//	(+84) 912.345.678    0084912345678    +84 (0) 912 345 678
//	01629 123 456 (pre-2018, becomes +84329123456)
//	024 3823 4567 (landline, becomes +842438234567)
//	912345678 (leading 0 lost, as spreadsheets do)
//
// Spaces, tabs, no-break spaces, dots, hyphens and parentheses are ignored;
// a single '+' may appear only before the first digit. Letters, other
// symbols, foreign country codes, unknown prefixes and wrong lengths are
// reported as errors wrapping ErrInvalid. Normalize is idempotent: feeding
// its output back in returns the same string.
func Normalize(s string) (string, error) {
	if len(s) > MaxInputLen {
		return "", invalid("input longer than %d bytes", MaxInputLen)
	}
	var buf [MaxInputLen]byte
	n := 0
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			buf[n] = byte(r)
			n++
		case r == ' ' || r == '\t' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0':
			// Visual grouping only.
		case r == '+':
			if plus || n > 0 {
				return "", invalid("'+' allowed only once, before the first digit")
			}
			plus = true
		default:
			return "", invalid("unexpected character %q at byte %d", r, i)
		}
	}
	d := string(buf[:n])
	if n == 0 {
		return "", invalid("no digits")
	}

	var nsn string // national significant number: no trunk 0, no country code
	switch {
	case plus:
		if len(d) < 2 || d[:2] != "84" {
			return "", invalid("only Vietnamese (+84) numbers are accepted")
		}
		nsn = stripTrunk(d[2:])
	case len(d) >= 4 && d[:4] == "0084":
		nsn = stripTrunk(d[4:])
	case d[0] == '0':
		nsn = d[1:]
	case isService(d):
		return "", ErrServiceNumber
	case len(d) >= 11 && d[:2] == "84":
		// Country code typed without '+'. National numbers without their
		// trunk 0 are at most 10 digits, so 11+ digits starting 84 cannot
		// be one of those.
		nsn = stripTrunk(d[2:])
	default:
		// A national number whose leading 0 was lost, typically by a
		// spreadsheet treating the column as a number.
		nsn = d
	}
	if isService(nsn) {
		return "", ErrServiceNumber
	}
	return classify(nsn)
}

// stripTrunk removes one national trunk 0 written after the country code,
// as in "+84 (0) 912 345 678", a common way of showing both forms at once.
func stripTrunk(nsn string) string {
	if len(nsn) > 0 && nsn[0] == '0' {
		return nsn[1:]
	}
	return nsn
}

// isService reports whether d is a 1800/1900 number of 8 or 10 digits.
func isService(d string) bool {
	if len(d) != 8 && len(d) != 10 {
		return false
	}
	p := d[:4]
	return p == "1800" || p == "1900"
}

// classify validates a national significant number and returns its E.164
// form, converting pre-2018 mobile codes on the way.
func classify(nsn string) (string, error) {
	switch len(nsn) {
	case 0:
		return "", invalid("no digits after the prefix")
	case 9:
		switch nsn[0] {
		case '3', '5', '7', '8', '9':
			return "+84" + nsn, nil
		}
		return "", invalid("9-digit number must be a mobile starting 03, 05, 07, 08 or 09")
	case 10:
		switch nsn[0] {
		case '1':
			newCode, ok := oldMobile[nsn[:3]]
			if !ok {
				return "", invalid("unknown pre-2018 mobile prefix 0%s", nsn[:3])
			}
			return "+84" + newCode + nsn[3:], nil
		case '2':
			if areaCode(nsn) == "" {
				return "", invalid("unknown landline area code 0%s", nsn[:3])
			}
			return "+84" + nsn, nil
		}
		return "", invalid("10-digit national number must be a landline (02x) or a pre-2018 mobile (01xx)")
	}
	if len(nsn) < 9 {
		return "", invalid("too short: %d significant digits", len(nsn))
	}
	return "", invalid("too long: %d significant digits", len(nsn))
}

// areaCode returns the area code at the start of a 10-digit landline NSN,
// or "" if it starts with no code in force.
func areaCode(nsn string) string {
	if len(nsn) >= 2 {
		if _, ok := areaCodes[nsn[:2]]; ok {
			return nsn[:2]
		}
	}
	if len(nsn) >= 3 {
		if _, ok := areaCodes[nsn[:3]]; ok {
			return nsn[:3]
		}
	}
	return ""
}

// Last4 returns the last four digits of a phone number, for "the number
// ending in 5678" in confirmations and staff lists where showing the full
// number is not needed. It returns "" when there are fewer than four digits.
// Any non-digit characters are ignored, so it also works on display forms.
func Last4(e164 string) string {
	var out [4]byte
	n := 0
	for i := len(e164) - 1; i >= 0 && n < 4; i-- {
		if c := e164[i]; c >= '0' && c <= '9' {
			n++
			out[4-n] = c
		}
	}
	if n < 4 {
		return ""
	}
	return string(out[:])
}

// Display formats a number the way Vietnamese staff read it aloud, in
// national form: mobiles "0912 345 678", Hà Nội and TP. HCM landlines
// "024 3823 4567", other landlines "0236 3822 123". It accepts anything
// Normalize accepts; input that does not normalize is returned unchanged,
// because a staff page must show what the citizen typed rather than
// nothing.
func Display(e164 string) string {
	n, err := Normalize(e164)
	if err != nil {
		return e164
	}
	nsn := n[3:]
	if len(nsn) == 9 {
		return "0" + nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]
	}
	code := areaCode(nsn)
	sub := nsn[len(code):]
	return "0" + code + " " + sub[:4] + " " + sub[4:]
}
