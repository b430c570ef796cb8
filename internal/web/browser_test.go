package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// A citizen submits through the portal form in a real browser, gets a
// tracking code, and within 2 s the ticket is in the agency's inbox (seen
// by staff signed in through the login page) and on the tracking page.
func TestBrowserSubmitToInbox(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("canbo@bhxh.example.vn", desk.RoleStaff, "BHXH")
	ctx := apptest.Browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/submit"),
		chromedp.WaitVisible(css("#submit-form")),
	)
	if err != nil {
		t.Fatal(err)
	}
	heading := text(t, ctx, "h1")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#name"), "Lê Thị Cúc"),
		chromedp.SendKeys(css("#phone"), "0903 123 456"),
		chromedp.SetValue(css("#province"), "Đà Nẵng"),
		chromedp.SetValue(css("#category"), "tam-dung-bhxh"),
		chromedp.SendKeys(css("#title"), "Doanh nghiệp chưa được tạm dừng đóng quỹ hưu trí"),
		chromedp.SendKeys(css("#body"), "Công ty chúng tôi nộp hồ sơ tạm dừng đóng từ tháng 5 nhưng vẫn bị tính lãi chậm đóng."),
		chromedp.Click(css("#send")),
		chromedp.WaitVisible(css("#tracking-code")),
	)
	if err != nil {
		t.Fatal(err)
	}
	code := text(t, ctx, "#tracking-code")
	if heading != "Gửi phản ánh, kiến nghị" {
		t.Errorf("form heading %q", heading)
	}
	code = strings.TrimSpace(code)
	if _, ok := desk.NormalizeTrackingCode(code); !ok {
		t.Fatalf("confirmation shows %q", code)
	}
	submitted := time.Now()

	// Staff sign in through the login page and find it in the inbox.
	err = chromedp.Do(ctx,
		signIn(e.URL, "canbo@bhxh.example.vn", "user-password-123"),
	)
	if err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, 2*time.Second-time.Since(submitted), "the ticket in the BHXH inbox", func() bool {
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(css("#total"))); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(text(t, ctx, "main"), code)
	})
	due := text(t, ctx, `tr[data-code="`+code+`"] td`)
	if !strings.Contains(due, "/20") {
		t.Errorf("inbox due date cell %q", due)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/track/"+code), chromedp.WaitVisible(css("#ticket"))); err != nil {
		t.Fatal(err)
	}
	agency, status := text(t, ctx, "#agency"), text(t, ctx, "#status")
	if agency != "Bảo hiểm xã hội Việt Nam" || status == "" {
		t.Errorf("tracking page: agency %q status %q", agency, status)
	}
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// signIn signs in through the staff login form and waits for the inbox.
func signIn(base, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/staff/login"),
		chromedp.WaitVisible(css("#email")),
		chromedp.SendKeys(css("#email"), email),
		chromedp.SendKeys(css("#password"), password),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(css("#total")),
	)
}

// waitIndexed waits until the admin's search finds the ticket (its hit,
// not the query the answer echoes).
func waitIndexed(t *testing.T, e *apptest.Env, admin, code string) {
	t.Helper()
	apptest.WaitFor(t, 20*time.Second, code+" made and indexed", func() bool {
		r := e.Do("GET", "/api/v1/tickets?q="+code, nil, "Authorization", "Bearer "+admin)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), `"tracking_code":"`+code+`"`)
	})
}

// text reads an element's visible text, failing the test if it cannot.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// A form posted without its CSRF token is refused and stores nothing.
func TestPortalFormNeedsCSRF(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	r := e.Do("POST", "/submit", "name=A&title=B&body=C&category=y-te&phone=0912345678", "Content-Type", "application/x-www-form-urlencoded")
	if r.Status != 403 || !strings.Contains(string(r.Body), "tải lại trang") {
		t.Fatalf("no CSRF token: %d %s", r.Status, r.Body)
	}
}
