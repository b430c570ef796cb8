package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// An Idempotency-Key belongs to the client that chose it: another citizen
// using the same key gets a submission of their own (not the first one's
// tracking code), and the same client reusing a key for a different body
// is told so with 422 instead of having the new submission dropped.
func TestIdempotencyKeyScopedToClientAndBody(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly})
	ctx := context.Background()
	first := apptest.Submission()
	a := e.Submit(first, "Idempotency-Key", "shared-key-1")

	other := apptest.Submission()
	other["name"], other["phone"], other["email"] = "Lê Thị Hoa", "0987654321", "hoa@example.vn"
	other["body"] = "Tôi chưa nhận được trợ cấp thất nghiệp tháng này dù đã nộp đủ hồ sơ."
	b := e.Submit(other, "Idempotency-Key", "shared-key-1")
	if a == b {
		t.Fatalf("another citizen with the same key got the first one's tracking code %s", a)
	}

	changed := apptest.Submission()
	changed["body"] = "Một phản ánh khác hẳn, về lương hưu chưa được chi trả."
	r := e.Do("POST", "/api/v1/submissions", changed, "Idempotency-Key", "shared-key-1")
	var p struct{ Code, Detail string }
	r.JSON(t, &p)
	if r.Status != http.StatusUnprocessableEntity || p.Code != "idempotency_key_reused" || !strings.Contains(p.Detail, "Idempotency-Key") || !strings.Contains(p.Detail, "khác") {
		t.Fatalf("same key, different body: %d %s", r.Status, r.Body)
	}
	if again := e.Submit(first, "Idempotency-Key", "shared-key-1"); again != a {
		t.Fatalf("a true retry got %s, want %s", again, a)
	}
	if n, _ := e.App.Store.CountSubmissions(ctx, desk.SubmissionReceived); n != 2 {
		t.Fatalf("%d submissions stored, want 2", n)
	}

	// The portal's hidden key: a resent form is one submission; the same
	// key with other text is refused with the text kept.
	pt := newPortal(t, e.URL)
	v := pt.form()
	for k, val := range map[string]string{"name": "Nguyễn Văn An", "phone": "0912345678", "category": "gia-han-thue", "title": "Hỏi về gia hạn thuế", "body": "Tôi đã nộp hồ sơ gia hạn thuế nhưng chưa có kết quả."} {
		v.Set(k, val)
	}
	st, h, _ := pt.post(v)
	st2, h2, _ := pt.post(v)
	if st != http.StatusSeeOther || st2 != http.StatusSeeOther || h.Get("Location") != h2.Get("Location") {
		t.Fatalf("resent form: %d %s, %d %s", st, h.Get("Location"), st2, h2.Get("Location"))
	}
	v.Set("body", "Nội dung mới mà tôi không muốn mất khi gửi lại.")
	st, _, page := pt.post(v)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "không muốn mất") || !strings.Contains(page, "đã được dùng") {
		t.Fatalf("form resent with other text: %d", st)
	}
	if n, _ := e.App.Store.CountSubmissions(ctx, desk.SubmissionReceived); n != 3 {
		t.Fatalf("%d submissions stored, want 3", n)
	}
}
