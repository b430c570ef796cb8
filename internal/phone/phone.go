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
// Under Quyết định 2036/QĐ-BTTTT (2016) landline area codes of 59 provinces
// were moved, in three phases between 11 February and 17 June 2017, to the
// 2xx range: Hà Nội 024 and TP. Hồ Chí Minh 028 (followed by 8 digits),
// every other province 02xx (followed by 7 digits), so every landline is 11
// digits including the leading 0. Vĩnh Phúc (0211), Phú Thọ (0210), Hòa
// Bình (0218) and Hà Giang (0219) kept theirs. Today's codes are areaCodes;
// the old ones, with the province and the new code, are oldAreaCodes (the
// tables published with the decision, phase by phase).
//
// A number written with an old code is mapped to today's number when the
// old form cannot be read as any current number: "04 3823 4567" (no mobile
// starts 04) is Hà Nội's "024 3823 4567", "0511 3822 123" (11 digits
// starting 05) is Đà Nẵng's "0236 3822 123", and "031 3842 123" (no
// operator was allocated 031) is Hải Phòng's "0225 3842 123". Where the old
// landline form is also a valid current mobile number — "08 3823 4567" is
// both an old Sài Gòn landline and the VinaPhone mobile 083 823 4567, old
// 037 (Thanh Hóa) is Viettel's 037 — it is read as the mobile it now is,
// and Parse reports the landline reading in Number.OldLandline so that the
// caller can say that the number is ambiguous.
//
// # Mobile prefixes
//
// Mobile numbers are 0 + a two-digit network code + 7 digits. Only network
// codes allocated to an operator under the numbering plan (Thông tư
// 22/2014/TT-BTTTT, quy hoạch kho số viễn thông, and the allocations since)
// are accepted: mobilePrefixes lists them with their operator. Numbers such
// as 030, 031, 050, 071–075 or 080 were never allocated to a mobile
// operator; a citizen typing one has mistyped (or used an old area code,
// see above).
//
// # Extensions and full-width digits
//
// "024 3823 4567 máy lẻ 12", "... ext. 12", "... ext 12", "... x12" and
// RFC 3966's ";ext=12" carry an extension, which Parse returns apart from
// the number (Number.Ext); Normalize drops it. Full-width digits and
// punctuation (from East Asian input methods) are read as ASCII (NFKC).
//
// # Service numbers
//
// 1800 (toll free) and 1900 (premium rate) numbers, 8 or 10 digits, are
// agency and business hotlines, not subscribers: they cannot receive an SMS
// and have no E.164 form reachable from abroad. Normalize reports them with
// ErrServiceNumber (which wraps ErrInvalid) so callers can tell the user
// "that is a hotline, please give your own number" instead of a generic
// error.
//
// # Errors
//
// Every error is an *Error carrying the reason in Vietnamese and English;
// Message turns any error of this package into the sentence shown to users.
package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxInputLen is the longest input, in bytes, that Normalize examines. The
// most decorated legitimate forms, "(+84) (0) 1629 123 456", a number in
// full-width digits (three bytes each) or one with "máy lẻ 1234", are under
// it; anything longer is rejected before any other work so that hostile
// form fields cannot make us scan megabytes.
const MaxInputLen = 64

// ErrInvalid is wrapped by every error Normalize returns. The wrapping error
// says what was wrong (bad character, wrong length, unknown prefix) but
// never repeats the whole input, so that it can be logged without copying
// the citizen's number into the logs.
var ErrInvalid = errors.New("phone: invalid Vietnamese phone number")

// Error is a rejected number: the reason in Vietnamese (VI) and English
// (EN). It wraps ErrInvalid.
type Error struct {
	VI, EN string
}

func (e *Error) Error() string { return ErrInvalid.Error() + ": " + e.EN }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *Error) Unwrap() error { return ErrInvalid }

// ErrServiceNumber is returned for 1800/1900 service numbers. It wraps
// ErrInvalid, so errors.Is(err, ErrInvalid) holds for it too.
var ErrServiceNumber error = &Error{
	VI: "đây là số tổng đài 1800/1900, không phải số cá nhân; vui lòng cho số điện thoại của chính bạn",
	EN: "1800/1900 service numbers are hotlines, not personal numbers; please give your own number",
}

// Message is the sentence shown to a user for an error of Normalize or
// Parse: Vietnamese first, English in parentheses, the specific reason in
// both. Other errors get the generic sentence.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return "Số điện thoại không hợp lệ: " + e.VI + " (invalid phone number: " + e.EN + ")."
	}
	return "Số điện thoại không hợp lệ (invalid phone number)."
}

func invalid(vi, en string, args ...any) error {
	return &Error{VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)}
}

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

// mobilePrefixes are the two-digit mobile network codes (without the
// leading 0) allocated to an operator, with the operator. 095 (S-Fone,
// closed 2012) is no longer in service.
var mobilePrefixes = map[string]string{
	"32": "Viettel", "33": "Viettel", "34": "Viettel", "35": "Viettel", "36": "Viettel",
	"37": "Viettel", "38": "Viettel", "39": "Viettel", "86": "Viettel", "96": "Viettel",
	"97": "Viettel", "98": "Viettel",
	"81": "VinaPhone", "82": "VinaPhone", "83": "VinaPhone", "84": "VinaPhone", "85": "VinaPhone",
	"88": "VinaPhone", "91": "VinaPhone", "94": "VinaPhone",
	"70": "MobiFone", "76": "MobiFone", "77": "MobiFone", "78": "MobiFone", "79": "MobiFone",
	"89": "MobiFone", "90": "MobiFone", "93": "MobiFone",
	"52": "Vietnamobile", "56": "Vietnamobile", "58": "Vietnamobile", "92": "Vietnamobile",
	"59": "Gmobile", "99": "Gmobile",
	"87": "Itelecom",
	"55": "Reddi",
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

// oldAreaCodes maps each area code withdrawn in 2017 (without the leading
// 0) to its replacement, per Quyết định 2036/QĐ-BTTTT: phase 1 (11 Feb
// 2017), phase 2 (15 Apr) and phase 3 (17 Jun). The subscriber number was
// kept; only the code changed.
var oldAreaCodes = map[string]string{
	// Phase 1
	"22": "212", "231": "213", "20": "214", "230": "215", "29": "216", "52": "232",
	"53": "233", "54": "234", "510": "235", "511": "236", "37": "237", "38": "238", "39": "239",
	// Phase 2
	"33": "203", "240": "204", "25": "205", "26": "206", "27": "207", "280": "208",
	"281": "209", "320": "220", "321": "221", "241": "222", "31": "225", "351": "226",
	"36": "227", "350": "228", "30": "229", "780": "290", "781": "291", "710": "292",
	"711": "293", "74": "294", "76": "296", "77": "297", "79": "299",
	// Phase 3
	"4": "24", "8": "28", "61": "251", "62": "252", "64": "254", "55": "255", "56": "256",
	"57": "257", "58": "258", "68": "259", "60": "260", "501": "261", "500": "262",
	"63": "263", "59": "269", "70": "270", "651": "271", "72": "272", "73": "273",
	"650": "274", "75": "275", "66": "276", "67": "277",
}

// Kind tells a mobile number from a fixed line.
type Kind int

// Kinds of number.
const (
	Mobile Kind = iota + 1
	Landline
)

// Number is a parsed Vietnamese phone number.
type Number struct {
	// E164 is the canonical form, "+84912345678".
	E164 string
	Kind Kind
	// Ext is the extension (máy lẻ), digits only, "" when none was given.
	Ext string
	// Converted is set when the number was written in a pre-2017 landline
	// or pre-2018 mobile form and E164 is its current equivalent.
	Converted bool
	// OldLandline is set when the number as written is also a landline
	// with a pre-2017 area code ("08 3823 4567", old Sài Gòn): E164 is the
	// mobile reading and OldLandline the landline one (E.164). Callers
	// should ask which was meant.
	OldLandline string
}

// Normalize returns the E.164 form ("+84912345678") of a Vietnamese phone
// number written in any of the usual ways:
//
//	0912 345 678    +84 912345678    84912345678
//	(+84) 912.345.678    0084912345678    +84 (0) 912 345 678
//	01629 123 456 (pre-2018, becomes +84329123456)
//	024 3823 4567 (landline, becomes +842438234567)
//	04 3823 4567, 0511 3822 123 (pre-2017 area codes, become today's)
//	912345678 (leading 0 lost, as spreadsheets do)
//	０９１２ ３４５ ６７８, 024 3823 4567 máy lẻ 12 (extension dropped)
//
// Spaces, tabs, no-break spaces, dots, hyphens and parentheses are ignored;
// a single '+' may appear only before the first digit. Letters, other
// symbols, foreign country codes, unallocated prefixes and wrong lengths
// are reported as *Error (wrapping ErrInvalid). Normalize is idempotent:
// feeding its output back in returns the same string.
func Normalize(s string) (string, error) {
	n, err := Parse(s)
	if err != nil {
		return "", err
	}
	return n.E164, nil
}

// Parse is Normalize with the details: the kind of number, the extension,
// and whether an old form was converted or is ambiguous.
func Parse(s string) (Number, error) {
	if len(s) > MaxInputLen {
		return Number{}, invalid("dài quá %d ký tự", "input longer than %d bytes", MaxInputLen)
	}
	s = norm.NFKC.String(s) // full-width digits, '＋', '（' ...
	s, ext, err := splitExt(s)
	if err != nil {
		return Number{}, err
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
				return Number{}, invalid("dấu '+' chỉ được đặt một lần, trước chữ số đầu tiên", "'+' allowed only once, before the first digit")
			}
			plus = true
		default:
			return Number{}, invalid("có ký tự không phải chữ số %q ở vị trí %d", "unexpected character %q at byte %d", r, i)
		}
	}
	d := string(buf[:n])
	if n == 0 {
		return Number{}, invalid("không có chữ số nào", "no digits")
	}

	var nsn string // national significant number: no trunk 0, no country code
	switch {
	case plus:
		if len(d) < 2 || d[:2] != "84" {
			return Number{}, invalid("chỉ nhận số điện thoại Việt Nam (+84)", "only Vietnamese (+84) numbers are accepted")
		}
		nsn = stripTrunk(d[2:])
	case len(d) >= 4 && d[:4] == "0084":
		nsn = stripTrunk(d[4:])
	case d[0] == '0':
		nsn = d[1:]
	case isService(d):
		return Number{}, ErrServiceNumber
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
		return Number{}, ErrServiceNumber
	}
	num, err := classify(nsn)
	num.Ext = ext
	return num, err
}

// extMarkers introduce an extension, matched case-insensitively on the
// input after NFKC. Longer markers come first so that "ext." is not read
// as "ext" followed by a stray dot.
var extMarkers = []string{";ext=", "máy lẻ", "may le", "máy nhánh", "extension", "ext.", "ext", "ml", "x", "#"}

// splitExt separates an extension written after the number.
func splitExt(s string) (number, ext string, err error) {
	for _, m := range extMarkers {
		i, n := indexFold(s, m)
		if i <= 0 {
			continue
		}
		rest := strings.Trim(s[i+n:], " .:\t\u00a0")
		if rest == "" {
			return "", "", invalid("thiếu số máy lẻ sau %q", "extension marker %q without digits", m)
		}
		for _, r := range rest {
			if r < '0' || r > '9' {
				return "", "", invalid("số máy lẻ chỉ gồm chữ số", "an extension has digits only")
			}
		}
		if len(rest) > 6 {
			return "", "", invalid("số máy lẻ dài quá 6 chữ số", "extension longer than 6 digits")
		}
		return s[:i], rest, nil
	}
	return s, "", nil
}

// indexFold returns the byte offset of the first case-insensitive match of
// the lower-case marker m in s and the match's length in s, or -1. It
// compares rune by rune so that offsets stay offsets into s even where
// upper and lower case differ in byte length or s is not valid UTF-8.
func indexFold(s, m string) (int, int) {
	for i := range s {
		j := i
		matched := true
		for _, mr := range m {
			if j >= len(s) {
				matched = false
				break
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if r != mr && unicode.ToLower(r) != mr {
				matched = false
				break
			}
			j += size
		}
		if matched {
			return i, j - i
		}
	}
	return -1, 0
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

// classify validates a national significant number and returns it,
// converting pre-2018 mobile codes and pre-2017 area codes on the way.
func classify(nsn string) (Number, error) {
	old, oldErr := oldLandline(nsn)
	switch len(nsn) {
	case 0:
		return Number{}, invalid("không có chữ số sau đầu số", "no digits after the prefix")
	case 9:
		if _, ok := mobilePrefixes[nsn[:2]]; ok {
			n := Number{E164: "+84" + nsn, Kind: Mobile}
			if oldErr == nil {
				n.OldLandline = old
			}
			return n, nil
		}
		if oldErr == nil {
			return Number{E164: old, Kind: Landline, Converted: true}, nil
		}
		if nsn[0] == '2' || nsn[0] == '1' {
			return Number{}, invalid("thiếu chữ số: số cố định gồm 11 chữ số kể cả số 0 đầu (ví dụ 024 3823 4567)",
				"a digit is missing: landlines have 11 digits including the leading 0 (e.g. 024 3823 4567)")
		}
		return Number{}, invalid("đầu số 0%s chưa được cấp cho nhà mạng di động nào", "prefix 0%s is not allocated to any mobile operator", nsn[:2])
	case 10:
		switch nsn[0] {
		case '1':
			newCode, ok := oldMobile[nsn[:3]]
			if !ok {
				return Number{}, invalid("đầu số di động cũ 0%s không tồn tại", "unknown pre-2018 mobile prefix 0%s", nsn[:3])
			}
			return Number{E164: "+84" + newCode + nsn[3:], Kind: Mobile, Converted: true}, nil
		case '2':
			if code := areaCode(nsn); code != "" && !oldTakesPrecedence(nsn) {
				return Number{E164: "+84" + nsn, Kind: Landline}, nil
			}
		}
		if oldErr == nil {
			return Number{E164: old, Kind: Landline, Converted: true}, nil
		}
		if nsn[0] == '2' {
			return Number{}, invalid("mã vùng 0%s không tồn tại", "unknown landline area code 0%s", nsn[:3])
		}
		return Number{}, invalid("số 11 chữ số phải là số cố định (02x) hoặc số di động cũ (01xx)",
			"an 11-digit number must be a landline (02x) or a pre-2018 mobile (01xx)")
	}
	if len(nsn) < 9 {
		return Number{}, invalid("thiếu chữ số (%d chữ số sau số 0 đầu, cần 9 hoặc 10)", "too short: %d significant digits", len(nsn))
	}
	return Number{}, invalid("thừa chữ số (%d chữ số sau số 0 đầu, cần 9 hoặc 10)", "too long: %d significant digits", len(nsn))
}

// oldTakesPrecedence: a 10-digit number starting with the pre-2017 codes
// 240, 241 (Bắc Giang, Bắc Ninh), 280 or 281 (Thái Nguyên, Bắc Kạn) could
// also be read as Hà Nội (24) or TP. HCM (28) followed by a subscriber
// number starting 0 or 1. Subscriber numbers never start with 0 or 1
// (those digits begin trunk and service codes), so the old provincial
// reading is the only real one.
func oldTakesPrecedence(nsn string) bool {
	if len(nsn) == 10 && (nsn[:2] == "24" || nsn[:2] == "28") && (nsn[2] == '0' || nsn[2] == '1') {
		_, ok := oldAreaCodes[nsn[:3]]
		return ok
	}
	return false
}

// oldLandline reads nsn as a landline with a pre-2017 area code and
// returns today's number in E.164. Old numbers had 8 subscriber digits in
// Hà Nội and TP. HCM and 7 elsewhere; each code is tried at the length
// that leaves the right number of subscriber digits.
func oldLandline(nsn string) (string, error) {
	for l := 1; l <= 3 && l < len(nsn); l++ {
		newCode, ok := oldAreaCodes[nsn[:l]]
		if !ok {
			continue
		}
		sub := nsn[l:]
		want := 7
		if newCode == "24" || newCode == "28" {
			want = 8
		}
		if len(sub) == want && sub[0] != '0' && sub[0] != '1' {
			return "+84" + newCode + sub, nil
		}
	}
	return "", ErrInvalid
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
