package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// An operator signed in on the console sees the caller's earlier ticket
// pop up within 1 s of the PBX's newCall, then logs the call from the
// keyboard as a new ticket, which goes through the queue.
func TestBrowserConsoleIncomingCall(t *testing.T) {
	const token = "browser-cti-token-0123456789"
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.CTIToken = token }})
	opToken := e.CreateUser("dtv@hotline.example.vn", desk.RoleOperator, "")

	// The caller wrote in through the portal last week.
	sub := apptest.Submission()
	sub["phone"] = "0912 345 678"
	earlier := e.Submit(sub)
	apptest.WaitFor(t, 10*time.Second, "the earlier ticket", func() bool {
		return e.Do("GET", "/api/v1/tickets/"+earlier, nil, "Authorization", "Bearer "+opToken).Status == http.StatusOK
	})

	ctx := apptest.Browser(t)
	err := chromedp.Do(ctx,
		signIn(e.URL, "dtv@hotline.example.vn", "user-password-123"),
		chromedp.Navigate(e.URL+"/staff/console"),
		chromedp.WaitVisible(css(`#feed[data-state="open"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h := text(t, ctx, "h1"); h != "Bàn làm việc điện thoại viên" {
		t.Errorf("console heading %q", h)
	}

	form := url.Values{"event": {"newCall"}, "from": {"+84912345678"}, "to": {"19001234"}, "direction": {"in"}, "callId": {"pbx-browser-1"}}
	newCall := time.Now()
	if r := e.Do("POST", "/api/v1/cti/"+token, form.Encode(), "Content-Type", "application/x-www-form-urlencoded"); r.Status != http.StatusOK {
		t.Fatalf("newCall: %d %s", r.Status, r.Body)
	}
	sel := `#caller-history li[data-code="` + earlier + `"]`
	apptest.WaitFor(t, time.Second-time.Since(newCall), "the caller's earlier ticket on the console", func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('`+sel+`')`))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	})
	t.Logf("popup shown %v after newCall", time.Since(newCall).Round(time.Millisecond))
	name, li := text(t, ctx, "#caller-name"), text(t, ctx, sel)
	if name != "Nguyễn Văn An" || !strings.Contains(li, "Đã chuyển cơ quan xử lý") || !strings.Contains(li, "/20") {
		t.Errorf("caller %q, ticket line %q", name, li)
	}
	phone, err := chromedp.Run(ctx, chromedp.Value(css("#phone")))
	if err != nil || phone != "0912 345 678" {
		t.Errorf("phone field %q %v", phone, err)
	}

	// Keyboard only: type the summary, pick the outcome, Enter saves.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#summary"), "Hỏi về khoản hỗ trợ người lao động chưa nhận được sau 2 tháng."),
		chromedp.SetValue(css("#category"), "ho-tro-lao-dong"),
		chromedp.SetValue(css("#outcome"), "new_ticket"),
		chromedp.SendKeys(css("#name"), kb.Enter),
		chromedp.WaitVisible(css("#done")),
	)
	if err != nil {
		t.Fatal(err)
	}
	code := text(t, ctx, "#done .code")
	if _, ok := desk.NormalizeTrackingCode(code); !ok || code == earlier {
		t.Fatalf("logged call shows %q", code)
	}
	var tk desk.Ticket
	apptest.WaitFor(t, 10*time.Second, "the hotline ticket", func() bool {
		r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+opToken)
		if r.Status != http.StatusOK {
			return false
		}
		r.JSON(t, &tk)
		return true
	})
	if tk.Channel != desk.ChannelHotline || tk.Agency != "BLDTBXH" || tk.DueAt.IsZero() || tk.Citizen.Phone != "+84912345678" {
		t.Errorf("ticket %s channel %s agency %s due %v phone %s", code, tk.Channel, tk.Agency, tk.DueAt, tk.Citizen.Phone)
	}
	// The log landed on the PBX's call record.
	r := e.Do("GET", "/api/v1/calls?phone=0912345678", nil, "Authorization", "Bearer "+opToken)
	if !strings.Contains(string(r.Body), `"call_id":"pbx-browser-1"`) || !strings.Contains(string(r.Body), code) {
		t.Errorf("call record: %s", r.Body)
	}

	// The call log lists it with its operator, and the operator's figures.
	err = chromedp.Do(ctx, chromedp.Navigate(e.URL+"/staff/calls"), chromedp.WaitVisible(css("#calls")))
	if err != nil {
		t.Fatal(err)
	}
	row := text(t, ctx, `tr[data-call="pbx-browser-1"]`)
	stats := text(t, ctx, "#operator-stats")
	if !strings.Contains(row, code) || !strings.Contains(row, "Cán bộ dtv@hotline.example.vn") || !strings.Contains(row, "Tạo phiếu mới") {
		t.Errorf("call log row %q", row)
	}
	if !strings.Contains(stats, "Cán bộ dtv@hotline.example.vn") {
		t.Errorf("operator stats %q", stats)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(e.URL+"/staff/calls?missed=true"), chromedp.WaitVisible(css("#stat-total")))
	if err != nil {
		t.Fatal(err)
	}
	if n := text(t, ctx, "#stat-total"); n != "0" {
		t.Errorf("missed filter shows %s calls", n)
	}
}
