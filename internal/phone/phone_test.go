package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeSameCaller(t *testing.T) {
	// Every way the brief (and our call centre) sees one mobile written.
	inputs := []string{
		"0912 345 678",
		"0912345678",
		"+84 912345678",
		"+84912345678",
		"84912345678",
		"(+84) 912.345.678",
		"0084912345678",
		"00 84 912 345 678",
		"+84 (0) 912 345 678",
		"+840912345678",
		"0912-345-678",
		"091.234.5678",
		"\t0912 345 678 ",
		"0912\u00a0345\u00a0678", // no-break spaces pasted from Word
		"912345678",              // leading 0 eaten by a spreadsheet
	}
	for _, in := range inputs {
		got, err := Normalize(in)
		if err != nil {
			t.Errorf("Normalize(%q) error: %v", in, err)
			continue
		}
		if got != "+84912345678" {
			t.Errorf("Normalize(%q) = %q, want +84912345678", in, got)
		}
	}
}

func TestNormalizeOldMobilePrefixes(t *testing.T) {
	// The full 798/QĐ-BTTTT table, written out again independently of the
	// oldMobile map so that a typo in one is caught by the other.
	table := []struct{ old, new string }{
		{"0120", "070"}, {"0121", "079"}, {"0122", "077"}, {"0126", "076"}, {"0128", "078"},
		{"0123", "083"}, {"0124", "084"}, {"0125", "085"}, {"0127", "081"}, {"0129", "082"},
		{"0162", "032"}, {"0163", "033"}, {"0164", "034"}, {"0165", "035"},
		{"0166", "036"}, {"0167", "037"}, {"0168", "038"}, {"0169", "039"},
		{"0186", "056"}, {"0188", "058"},
		{"0199", "059"},
	}
	if len(table) != len(oldMobile) {
		t.Fatalf("test table has %d codes, oldMobile has %d", len(table), len(oldMobile))
	}
	const sub = "5678945" // the seven digits that survive the conversion
	for _, tc := range table {
		want := "+84" + tc.new[1:] + sub
		forms := []string{
			tc.old + sub,
			tc.old + " " + sub[:3] + " " + sub[3:],
			"+84" + tc.old[1:] + sub,
			"84" + tc.old[1:] + sub,
			"0084" + tc.old[1:] + sub,
			tc.old[1:] + sub, // leading 0 lost
		}
		for _, in := range forms {
			got, err := Normalize(in)
			if err != nil || got != want {
				t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
		// And the new number is accepted as itself.
		if got, err := Normalize(tc.new + sub); err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.new+sub, got, err, want)
		}
	}
	// The example published with the decision.
	if got, _ := Normalize("01695678945"); got != "+84395678945" {
		t.Errorf("01695678945 -> %q, want +84395678945", got)
	}
}

func TestNormalizeCurrentMobiles(t *testing.T) {
	for _, in := range []string{
		"0321234567", "0561234567", "0591234567", "0701234567", "0791234567",
		"0811234567", "0861234567", "0871234567", "0881234567", "0891234567",
		"0901234567", "0921234567", "0961234567", "0991234567", "0521234567",
	} {
		got, err := Normalize(in)
		if err != nil || got != "+84"+in[1:] {
			t.Errorf("Normalize(%q) = %q, %v", in, got, err)
		}
	}
}

func TestNormalizeLandlines(t *testing.T) {
	cases := []struct{ in, want, display string }{
		{"024 3823 4567", "+842438234567", "024 3823 4567"},
		{"(024) 38234567", "+842438234567", "024 3823 4567"},
		{"+84 24 3823 4567", "+842438234567", "024 3823 4567"},
		{"028 3829 1234", "+842838291234", "028 3829 1234"},
		{"0236 3822 123", "+842363822123", "0236 3822 123"},
		{"0236.382.2123", "+842363822123", "0236 3822 123"},
		{"0225 3842 111", "+842253842111", "0225 3842 111"},
		{"0292 3820 000", "+842923820000", "0292 3820 000"},
		{"0211 3862 222", "+842113862222", "0211 3862 222"}, // Vĩnh Phúc kept its code
	}
	for _, tc := range cases {
		got, err := Normalize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			continue
		}
		if d := Display(got); d != tc.display {
			t.Errorf("Display(%q) = %q, want %q", got, d, tc.display)
		}
	}
	// Every area code in force must be accepted and formatted with the
	// code as its first group.
	if len(areaCodes) != 63 {
		t.Errorf("areaCodes has %d entries, want 63 (one per pre-2025 province)", len(areaCodes))
	}
	for code := range areaCodes {
		subLen := 10 - len(code)
		in := "0" + code + strings.Repeat("3", subLen)
		got, err := Normalize(in)
		if err != nil || got != "+84"+in[1:] {
			t.Errorf("area code 0%s: Normalize(%q) = %q, %v", code, in, got, err)
			continue
		}
		if d := Display(got); !strings.HasPrefix(d, "0"+code+" ") {
			t.Errorf("area code 0%s: Display = %q", code, d)
		}
	}
}

func TestNormalizeInvalid(t *testing.T) {
	cases := []struct {
		in, wantMsg string
	}{
		{"", "no digits"},
		{"   ", "no digits"},
		{"abc", "unexpected character 'a'"},
		{"0912 345 67a", "unexpected character 'a'"},
		{"0912345678 ext 12a", "an extension has digits only"},
		{"0912345678 máy lẻ", "without digits"},
		{"0912345678 ext 1234567", "extension longer than 6 digits"},
		{"0912/345/678", "unexpected character '/'"},
		{"+1 415 555 0100", "only Vietnamese"},
		{"+4930123456", "only Vietnamese"},
		{"0912+345678", "'+' allowed only once"},
		{"++84912345678", "'+' allowed only once"},
		{"091234567", "too short"},
		{"09123456789", "11-digit number must be a landline"},
		{"091234567890", "too long"},
		{"113", "too short"},
		{"1022", "too short"},
		{"+84", "no digits after the prefix"},
		{"0", "no digits after the prefix"},
		{"01301234567", "unknown pre-2018 mobile prefix 0130"},
		{"0201234567", "landlines have 11 digits"},
		{"0301234567", "not allocated to any mobile operator"}, // old Ninh Bình 030, subscriber cannot start 1
		{"0501234567", "not allocated"},
		{"0711234567", "not allocated"},
		{"0751234567", "not allocated"},
		{"0801234567", "not allocated"},
		{"0951234567", "not allocated"},
		{"02001234567", "unknown landline area code 0200"},
		{"02301234567", "unknown landline area code 0230"},
		{"05111234567", "11-digit number must be"}, // pre-2017 Đà Nẵng, but a subscriber number never starts with 1
		{strings.Repeat("0", 65), "longer than 64 bytes"},
		{strings.Repeat(" ", 60) + "0912345678", "longer than 64 bytes"},
		{"0912\x80345678", "unexpected character"},
	}
	for _, tc := range cases {
		got, err := Normalize(tc.in)
		if err == nil {
			t.Errorf("Normalize(%q) = %q, want error", tc.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%q) error %v does not wrap ErrInvalid", tc.in, err)
		}
		if !strings.Contains(err.Error(), tc.wantMsg) {
			t.Errorf("Normalize(%q) error %q, want it to mention %q", tc.in, err, tc.wantMsg)
		}
	}
}

func TestNormalizeErrorDoesNotEchoNumber(t *testing.T) {
	// Error strings end up in logs; they must not carry the citizen's number.
	_, err := Normalize("0912345678x")
	if err == nil || strings.Contains(err.Error(), "0912345678") {
		t.Fatalf("error %v should not contain the input number", err)
	}
}

func TestNormalizeServiceNumbers(t *testing.T) {
	for _, in := range []string{
		"1900 1234", "19001234", "1800 1234", "1800 599 920", "1900 54 54 36",
		"0 1900 1234", "+84 1900 1234", "84 1800 599 920",
	} {
		_, err := Normalize(in)
		if !errors.Is(err, ErrServiceNumber) {
			t.Errorf("Normalize(%q) error = %v, want ErrServiceNumber", in, err)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Normalize(%q) error = %v, want it to wrap ErrInvalid", in, err)
		}
	}
	// Nine digits starting 1900 are neither a service number nor anything
	// else we accept.
	if _, err := Normalize("190012345"); err == nil || errors.Is(err, ErrServiceNumber) {
		t.Errorf("190012345: got %v, want a plain ErrInvalid", err)
	}
}

func TestLast4(t *testing.T) {
	cases := map[string]string{
		"+84912345678":  "5678",
		"0912 345 678":  "5678",
		"+842438234567": "4567",
		"123":           "",
		"":              "",
		"+84 12-34":     "1234",
	}
	for in, want := range cases {
		if got := Last4(in); got != want {
			t.Errorf("Last4(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDisplay(t *testing.T) {
	cases := map[string]string{
		"+84912345678":  "0912 345 678",
		"+84329123456":  "0329 123 456",
		"01629123456":   "0329 123 456",
		"+842438234567": "024 3823 4567",
		"+842363822123": "0236 3822 123",
		"not a number":  "not a number",
		"19001234":      "19001234",
	}
	for in, want := range cases {
		if got := Display(in); got != want {
			t.Errorf("Display(%q) = %q, want %q", in, got, want)
		}
	}
	// Display output must normalize back to the same number, so staff can
	// copy it from the page into the search box.
	for _, e := range []string{"+84912345678", "+842438234567", "+842363822123"} {
		if back, err := Normalize(Display(e)); err != nil || back != e {
			t.Errorf("Normalize(Display(%q)) = %q, %v", e, back, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"0912 345 678", "+84 912345678", "84912345678", "(+84) 912.345.678",
		"0084912345678", "01629123456", "024 3823 4567", "0236 3822 123",
		"19001234", "+84 (0) 912 345 678", "912345678", "abc", "", "+", "0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Normalize(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Normalize(%q) error %v does not wrap ErrInvalid", s, err)
			}
			if Display(s) != s {
				t.Fatalf("Display(%q) changed input that does not normalize", s)
			}
			return
		}
		if !strings.HasPrefix(out, "+84") {
			t.Fatalf("Normalize(%q) = %q, not +84", s, out)
		}
		for _, c := range out[1:] {
			if c < '0' || c > '9' {
				t.Fatalf("Normalize(%q) = %q has non-digit", s, out)
			}
		}
		if n := len(out); n != 12 && n != 13 {
			t.Fatalf("Normalize(%q) = %q has unexpected length %d", s, out, n)
		}
		again, err := Normalize(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: Normalize(%q) = %q, then %q, %v", s, out, again, err)
		}
		if back, err := Normalize(Display(out)); err != nil || back != out {
			t.Fatalf("Display(%q) = %q does not round-trip: %q, %v", out, Display(out), back, err)
		}
		if Last4(out) != out[len(out)-4:] {
			t.Fatalf("Last4(%q) = %q", out, Last4(out))
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	inputs := []string{"(+84) 912.345.678", "01629 123 456", "024 3823 4567", "0912 345 67a"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _ = Normalize(inputs[i%len(inputs)])
	}
}
