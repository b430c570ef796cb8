package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// An admin edits routing rules in the browser: a rule whose unit is not
// part of its agency is refused with the field marked and nothing saved;
// two good rules are saved, the second moved above the first, the first
// deleted. Every form carries the CSRF token (a form without one is
// refused by the middleware, tested elsewhere).
func TestBrowserAdminEditsRoutingRules(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	ctx := apptest.Browser(t)
	err := chromedp.Do(ctx,
		signIn(e.URL, apptest.AdminEmail, apptest.AdminPassword),
		chromedp.Navigate(e.URL+"/staff/admin/rules"),
		chromedp.WaitVisible(css("#rule-form")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h := text(t, ctx, "h1"); h != "Quy tắc định tuyến" {
		t.Errorf("heading %q", h)
	}
	// waitMain waits for the page that follows a form post to show want
	// (or, with gone, to stop showing it).
	waitMain := func(want string, gone bool) {
		t.Helper()
		apptest.WaitFor(t, 10*time.Second, "page shows "+want, func() bool {
			s, err := chromedp.Run(ctx, chromedp.Text(css("main")))
			return err == nil && strings.Contains(s, want) != gone
		})
	}
	// waitRules waits for the rules table itself: the whole page would
	// match too early, since agency names such as "Bảo hiểm xã hội Việt
	// Nam" stand in the form's select options.
	waitRules := func(want string) {
		t.Helper()
		apptest.WaitFor(t, 10*time.Second, "rules table shows "+want, func() bool {
			s, err := chromedp.Run(ctx, chromedp.Text(css("#rules tbody")))
			return err == nil && strings.Contains(s, want)
		})
	}
	save := func(name, keywords, agency, unit string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.WaitVisible(css("#rule-form")),
			chromedp.SendKeys(css(`#rule-form input[name="name"]`), name),
			chromedp.SendKeys(css(`#rule-form input[name="keywords"]`), keywords),
			chromedp.SetValue(css(`#rule-form select[name="agency"]`), agency),
			chromedp.SetValue(css(`#rule-form select[name="unit"]`), unit),
			chromedp.Click(css("#rule-save")),
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	save("Sai đơn vị", "thuế", "BHXH", "BTC-TCT")
	waitMain("không thuộc cơ quan", false)
	if n := len(e.Do("GET", "/api/v1/admin/rules", nil, "Authorization", "Bearer "+e.AdminToken()).Body); n > len(`{"rules":[]}`) {
		t.Fatal("a refused rule was stored")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/staff/admin/rules"), chromedp.WaitVisible(css("#rule-form"))); err != nil {
		t.Fatal(err)
	}
	save("Thuế đất", "tiền thuê đất", "BTC", "BTC-TCT")
	waitRules("Thuế đất")
	save("Bảo hiểm", "bảo hiểm xã hội, BHXH", "BHXH", "")
	waitRules("Bảo hiểm")
	names := func() string { return text(t, ctx, "#rules tbody") }
	if n := names(); strings.Index(n, "Thuế đất") > strings.Index(n, "Bảo hiểm") || strings.Index(n, "Thuế đất") < 0 {
		t.Fatalf("rules in the wrong order: %s", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`#rules tbody tr:nth-child(2) button.up`))); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, 10*time.Second, "the second rule moved up", func() bool {
		s, err := chromedp.Run(ctx, chromedp.Text(css("#rules tbody tr:first-child .name")))
		return err == nil && strings.Contains(s, "Bảo hiểm")
	})
	if err := chromedp.Do(ctx, chromedp.Click(css(`#rules tbody tr:nth-child(2) button.delete`))); err != nil {
		t.Fatal(err)
	}
	waitMain("Thuế đất", true)
	if n := names(); !strings.Contains(n, "Bảo hiểm") {
		t.Fatalf("after delete: %s", n)
	}
}
