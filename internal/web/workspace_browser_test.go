package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Issue 6, acceptance 2, end to end in a real browser:
//   - a citizen submits on the portal;
//   - staff sign in, see the ticket in the "new" view, open it, claim it
//     and ask the citizen for information;
//   - the citizen proves ownership on the tracking page and replies with
//     a document;
//   - staff answer;
//   - the citizen sees the answer and rates it 5;
//   - staff propose publication; the lead sees the masked preview and
//     approves;
//   - the public Q&A shows the answer with the phone number masked.
//
// Between people the browser's cookies are cleared, so each acts with
// their own session only. At the end every action has its audit entry
// (acceptance 5).
func TestBrowserWorkspaceEndToEnd(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	e.CreateUser("lanhdao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	ctx := apptest.Browser(t)

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	signIn := func(email string) {
		t.Helper()
		run("sign in as "+email,
			clearCookies,
			signIn(e.URL, email, "user-password-123"),
		)
	}
	// submitForm posts a form on the staff ticket page and waits for the
	// page it redirects to.
	// forget removes a notice of the page shown now, so that waiting for it
	// afterwards waits for the next page rather than matching this one.
	forget := func(id string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('`+id+`')?.remove(), true)`)); err != nil {
			t.Fatal(err)
		}
	}
	submitForm := func(what, form string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		forget("done")
		acts := append(fill, chromedp.Click(css(form+` button[type="submit"]`)), chromedp.WaitVisible(css("#done")))
		run(what, acts...)
	}

	// 1. The citizen submits on the portal.
	run("portal form",
		chromedp.Navigate(e.URL+"/submit"),
		chromedp.WaitVisible(css("#submit-form")),
		chromedp.SendKeys(css("#name"), "Trần Thị Bích"),
		chromedp.SendKeys(css("#phone"), "0912 345 678"),
		chromedp.SetValue(css("#province"), "Hà Nội"),
		chromedp.SetValue(css("#category"), "gia-han-thue"),
		chromedp.SendKeys(css("#title"), "Chưa được gia hạn nộp thuế thu nhập cá nhân"),
		chromedp.SendKeys(css("#body"), "Tôi nộp hồ sơ gia hạn từ tháng 4, gọi số 0912 345 678 nếu cần thêm thông tin."),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css("#tracking-code")),
	)
	code := text(t, ctx, "#tracking-code")
	if _, ok := desk.NormalizeTrackingCode(code); !ok {
		t.Fatalf("confirmation shows %q", code)
	}

	// 2. Staff see it in "new", open it, claim it, ask for information.
	signIn("canbo@tct.example.vn")
	row := `#inbox tr[data-code="` + code + `"]`
	apptest.WaitFor(t, 15*time.Second, "the ticket in the new view", func() bool {
		run("new view", chromedp.Navigate(e.URL+"/staff/inbox?view=new"), chromedp.WaitVisible(css("#total")))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+row+`').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
	run("open the ticket",
		chromedp.Click(css(row+` a[href="/staff/tickets/`+code+`"]`)),
		chromedp.WaitVisible(css("#ticket-code")),
	)
	submitForm("claim", "#form-claim")
	submitForm("request information", "#form-request-info",
		chromedp.SendKeys(css(`#form-request-info textarea[name="body"]`), "Đề nghị bà gửi bản chụp tờ khai gia hạn đã nộp."))
	if st := attr(t, ctx, "#ticket-status", "data-status"); st != string(desk.StatusAwaitingCitizen) {
		t.Fatalf("after the request: status %q", st)
	}

	// 3. The citizen proves ownership and replies with a document.
	pdf := filepath.Join(t.TempDir(), "to-khai.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n% tờ khai gia hạn\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("citizen proves ownership",
		clearCookies,
		chromedp.Navigate(e.URL+"/track/"+code),
		chromedp.WaitVisible(css("#cz-awaiting")),
		chromedp.SendKeys(css("#phone_last4"), "5678"),
		chromedp.Click(css("#verify")),
		chromedp.WaitVisible(css("#cz-verified")),
	)
	forget("cz-done") // the notice of the proof above
	run("citizen replies",
		chromedp.SendKeys(css("#reply-body"), "Tôi gửi kèm bản chụp tờ khai."),
		chromedp.SetUploadFiles(css("#reply-file"), []string{pdf}),
		chromedp.Click(css("#reply-send")),
		chromedp.WaitVisible(css("#cz-done")),
	)
	if st := text(t, ctx, "#status"); st != "Đang xử lý" {
		t.Errorf("tracking page status after the reply: %q", st)
	}

	// 4. Staff answer.
	signIn("canbo@tct.example.vn")
	run("ticket page", chromedp.Navigate(e.URL+"/staff/tickets/"+code), chromedp.WaitVisible(css("#ticket-code")))
	if body := text(t, ctx, "main"); !strings.Contains(body, "Tôi gửi kèm bản chụp tờ khai.") || !strings.Contains(body, "to-khai.pdf") {
		t.Fatal("staff do not see the citizen's reply and document")
	}
	const answer = "Kính gửi bà Trần Thị Bích: hồ sơ gia hạn của bà đã được chấp thuận đến hết tháng 12. Cán bộ sẽ gọi lại số 0912 345 678 để hướng dẫn."
	submitForm("answer", "#form-reply", chromedp.SendKeys(css(`#form-reply textarea[name="body"]`), answer))
	if st := attr(t, ctx, "#ticket-status", "data-status"); st != string(desk.StatusAnswered) {
		t.Fatalf("after the answer: status %q", st)
	}

	// 5. The citizen sees the answer and rates it 5.
	run("citizen reads the answer",
		clearCookies,
		chromedp.Navigate(e.URL+"/track/"+code),
		chromedp.WaitVisible(css("#form-verify")),
		chromedp.SendKeys(css("#phone_last4"), "5678"),
		chromedp.Click(css("#verify")),
		chromedp.WaitVisible(css("#form-rate")),
	)
	if got := text(t, ctx, "#answers"); !strings.Contains(got, "hồ sơ gia hạn của bà đã được chấp thuận") {
		t.Fatalf("the citizen does not see the answer: %q", got)
	}
	run("rate 5",
		chromedp.SetValue(css("#rate-score"), "5"),
		chromedp.SendKeys(css("#rate-comment"), "Cảm ơn, trả lời rõ ràng."),
		chromedp.Click(css("#rate-send")),
		chromedp.WaitVisible(css("#cz-rated")),
	)
	if got := text(t, ctx, "#cz-rated"); !strings.Contains(got, "5/5") {
		t.Errorf("rating shown as %q", got)
	}

	// 6. Staff propose publication; the lead sees the masked preview and approves.
	signIn("canbo@tct.example.vn")
	run("ticket page", chromedp.Navigate(e.URL+"/staff/tickets/"+code), chromedp.WaitVisible(css("#form-propose")))
	submitForm("propose", "#form-propose")
	signIn("lanhdao@tct.example.vn")
	run("lead opens the ticket", chromedp.Navigate(e.URL+"/staff/tickets/"+code), chromedp.WaitVisible(css("#publication-preview")))
	preview := text(t, ctx, "#publication-preview")
	if strings.Contains(preview, "0912 345 678") || strings.Contains(preview, "Trần Thị Bích") || !strings.Contains(preview, "đã được chấp thuận") {
		t.Fatalf("masked preview: %q", preview)
	}
	submitForm("approve", "#form-approve")

	// 7. The public Q&A shows the answer, the phone number masked.
	run("public Q&A", clearCookies, chromedp.Navigate(e.URL+"/qa"), chromedp.WaitVisible(css("#qa-list")))
	qa := text(t, ctx, "#qa-list")
	if !strings.Contains(qa, "đã được chấp thuận đến hết tháng 12") || !strings.Contains(qa, "xxxx xxx 678") {
		t.Fatalf("/qa: %q", qa)
	}
	for _, leak := range []string{"0912 345 678", "Trần Thị Bích", code} {
		if strings.Contains(qa, leak) {
			t.Errorf("/qa shows %q", leak)
		}
	}

	// Every action left an audit entry with actor, time and before/after.
	es, err := e.App.Store.AuditEntries(context.Background(), store.AuditFilter{Target: code, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]desk.AuditEntry{}
	for _, a := range es {
		got[a.Action] = a
	}
	for _, action := range []string{"ticket.claim", "ticket.request_info", "citizen.verify", "citizen.reply", "ticket.reply", "citizen.rate", "publication.propose", "publication.approve"} {
		a, ok := got[action]
		if !ok || a.Actor == "" || a.At.IsZero() || a.After == "" {
			t.Errorf("audit entry for %s: %+v", action, a)
		}
	}
}

// attr reads an attribute of an element, failing the test if it cannot.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(css(sel), name))
	if err != nil || !r.Exists {
		t.Fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// clearCookies forgets every cookie, so that the next person in the test
// acts with their own session only.
var clearCookies = chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
	_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
	return err
})
