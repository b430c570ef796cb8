package province

import (
	"encoding/json"
	"os"
	"testing"
)

func catalog(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../seed/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Provinces []string `json:"provinces"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Provinces) != 34 {
		t.Fatalf("catalog has %d provinces, want 34", len(c.Provinces))
	}
	return c.Provinces
}

func TestResolve(t *testing.T) {
	tb := NewTable(catalog(t))
	cases := []struct{ written, want string }{
		// From the report.
		{"Thanh Hoá", "Thanh Hóa"},
		{"thanh hóa", "Thanh Hóa"},
		{"TP Hồ Chí Minh", "TP. Hồ Chí Minh"},
		{"TP.HCM", "TP. Hồ Chí Minh"},
		{"Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh"},
		{"Huế", "Huế"},
		{"Thừa Thiên Huế", "Huế"},
		{"Ha Noi", "Hà Nội"},
		{"Bình Dương", "TP. Hồ Chí Minh"},
		{"Hà Giang", "Tuyên Quang"},
		{"Quảng Nam", "Đà Nẵng"},
		// More spellings and abbreviations.
		{"HÀ NỘI", "Hà Nội"},
		{"  hà   nội ", "Hà Nội"},
		{"Thành phố Hà Nội", "Hà Nội"},
		{"HN", "Hà Nội"},
		{"tp. hcm", "TP. Hồ Chí Minh"},
		{"TPHCM", "TP. Hồ Chí Minh"},
		{"HCM", "TP. Hồ Chí Minh"},
		{"Sài Gòn", "TP. Hồ Chí Minh"},
		{"Hồ Chí Minh", "TP. Hồ Chí Minh"},
		{"ho chi minh", "TP. Hồ Chí Minh"},
		{"Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh"},
		{"Bà Rịa–Vũng Tàu", "TP. Hồ Chí Minh"},
		{"BR-VT", "TP. Hồ Chí Minh"},
		{"TT-Huế", "Huế"},
		{"Thừa Thiên - Huế", "Huế"},
		{"Thành phố Huế", "Huế"},
		{"tỉnh Thừa Thiên Huế", "Huế"},
		{"Khánh Hoà", "Khánh Hòa"},
		{"Hoà Bình", "Phú Thọ"},
		{"Đắc Lắc", "Đắk Lắk"},
		{"Daklak", "Đắk Lắk"},
		{"Đăk Nông", "Lâm Đồng"},
		{"Bắc Cạn", "Thái Nguyên"},
		{"Kon Tum", "Quảng Ngãi"},
		{"Kontum", "Quảng Ngãi"},
		{"Yên Bái", "Lào Cai"},
		{"Vĩnh Phúc", "Phú Thọ"},
		{"Bắc Giang", "Bắc Ninh"},
		{"Thái Bình", "Hưng Yên"},
		{"Hải Dương", "Hải Phòng"},
		{"Nam Định", "Ninh Bình"},
		{"Hà Nam", "Ninh Bình"},
		{"Quảng Bình", "Quảng Trị"},
		{"Bình Định", "Gia Lai"},
		{"Ninh Thuận", "Khánh Hòa"},
		{"Bình Thuận", "Lâm Đồng"},
		{"Phú Yên", "Đắk Lắk"},
		{"Bình Phước", "Đồng Nai"},
		{"Long An", "Tây Ninh"},
		{"Sóc Trăng", "Cần Thơ"},
		{"Hậu Giang", "Cần Thơ"},
		{"Bến Tre", "Vĩnh Long"},
		{"Trà Vinh", "Vĩnh Long"},
		{"Tiền Giang", "Đồng Tháp"},
		{"Bạc Liêu", "Cà Mau"},
		{"Kiên Giang", "An Giang"},
		{"tỉnh Kiên Giang", "An Giang"},
		{"Đà Nẵng", "Đà Nẵng"},
		{"da nang", "Đà Nẵng"},
		{"Cần Thơ", "Cần Thơ"},
		{"Lai Chau", "Lai Châu"},
	}
	for _, c := range cases {
		got, ok := tb.Resolve(c.written)
		if !ok || got != c.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.written, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "  ", "Hà", "Paris", "Hà Nội 2", "Bình", "Thành phố", "tỉnh"} {
		if got, ok := tb.Resolve(bad); ok {
			t.Errorf("Resolve(%q) = %q, want no match", bad, got)
		}
	}
	if !tb.Former("Bình Dương") || !tb.Former("Thừa Thiên Huế") || tb.Former("Hà Nội") || tb.Former("Huế") {
		t.Error("Former")
	}
}

// TestSixtyThree: every unit in force before 1 July 2025 resolves, and the
// current units are exactly the 34 of the catalog.
func TestSixtyThree(t *testing.T) {
	cur := catalog(t)
	tb := NewTable(cur)
	seen := map[string]bool{}
	former := append([]string{}, Unchanged...)
	for unit, fs := range Merged {
		if _, ok := tb.Resolve(unit); !ok {
			t.Errorf("merged unit %q is not in the catalog", unit)
		}
		former = append(former, fs...)
	}
	for _, f := range former {
		if seen[f] {
			t.Errorf("%q listed twice", f)
		}
		seen[f] = true
		if _, ok := tb.Resolve(f); !ok {
			t.Errorf("former unit %q does not resolve", f)
		}
	}
	if len(former) != 63 {
		t.Errorf("%d former units, want 63", len(former))
	}
	for _, c := range cur {
		if got, ok := tb.Resolve(c); !ok || got != c {
			t.Errorf("current unit %q resolves to %q", c, got)
		}
	}
}
