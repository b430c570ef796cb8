package intake

import "testing"

// BenchmarkBodyHash is the spam-related cost intake adds to the accept
// path: normalising the body and hashing it, for the identical-body count.
func BenchmarkBodyHash(b *testing.B) {
	body := "Tôi đã nộp hồ sơ đề nghị gia hạn nộp thuế từ tháng 4 nhưng đến nay chưa nhận được phản hồi."
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = BodyHash(body)
	}
}

func TestBodyHashIgnoresCaseAccentsAndPunctuation(t *testing.T) {
	a := BodyHash("Đề nghị xem xét   giải quyết sớm!")
	if b := BodyHash("DE NGHI xem xet, giai quyet som"); a != b {
		t.Errorf("%s != %s", a, b)
	}
	if c := BodyHash("Đề nghị xem xét giải quyết muộn"); a == c {
		t.Error("different bodies hash alike")
	}
}
