package smtpin

import "testing"

func TestParseAddresses(t *testing.T) {
	got, err := ParseAddresses(" PhanAnh@localhost, tct@gdt.gov.vn=BTC-TCT ,")
	if err != nil || len(got) != 2 || got["phananh@localhost"] != "" || got["tct@gdt.gov.vn"] != "BTC-TCT" {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", " , ", "not-an-address", "a@b.vn, Name <x@y.vn>"} {
		if _, err := ParseAddresses(bad); err == nil {
			t.Errorf("ParseAddresses(%q) accepted", bad)
		}
	}
}
