package vnfold

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Đà Nẵng": "da nang",
		"ĐÀ NẴNG": "da nang",
		"Phản ánh về trợ cấp thất nghiệp": "phan anh ve tro cap that nghiep",
		norm.NFD.String("Hồ Chí Minh"):    "ho chi minh",
		"cá cược":                         "ca cuoc",
		"plain ASCII 123":                 "plain ascii 123",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if !Contains("Chưa nhận được TIỀN HỖ TRỢ", "tien ho tro") {
		t.Error("Contains should match across case and diacritics")
	}
}

func FuzzFold(f *testing.F) {
	f.Add("Đà Nẵng")
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Fatalf("Fold is not idempotent on %q", s)
		}
	})
}
