package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// Staff search in a real browser (issue 7): the nav link, a query typed
// without diacritics, the agency's tickets only, <mark> highlights with the
// citizen's text escaped (a <script> in a letter stays text), facet links,
// a result link to the ticket page; and on the portal form, the published
// answer to a similar question appears while the citizen types.
func TestBrowserStaffSearchAndSimilarQuestions(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	e.CreateUser("timkiem@bhxh.example.vn", desk.RoleStaff, "BHXH")
	submit := func(category, title, body string) string {
		s := apptest.Submission()
		s["category"], s["title"], s["body"] = category, title, body
		return e.Submit(s)
	}
	mine := submit("tam-dung-bhxh", "Chưa được tạm dừng đóng quỹ hưu trí", "Công ty nộp hồ sơ tạm dừng đóng bảo hiểm xã hội <script>alert(1)</script> từ tháng 5.")
	mine2 := submit("tam-dung-bhxh", "Tạm dừng đóng bảo hiểm bị từ chối", "Hồ sơ tạm dừng đóng của doanh nghiệp bị trả lại không rõ lý do.")
	theirs := submit("ho-tro-lao-dong", "Tạm dừng đóng bảo hiểm", "Người lao động hỏi về tạm dừng đóng bảo hiểm xã hội.")
	for _, code := range []string{mine, mine2, theirs} {
		waitIndexed(t, e, admin, code)
	}
	ctx := apptest.Browser(t)
	err := chromedp.Do(ctx,
		signIn(e.URL, "timkiem@bhxh.example.vn", "user-password-123"),
		chromedp.Click(css(`a[href="/staff/search"]`)),
		chromedp.WaitVisible(css("#q")),
		chromedp.SendKeys(css("#q"), "tam dung dong bao hiem"),
		chromedp.Click(css("#search-go")),
		chromedp.WaitVisible(css("#results")),
	)
	if err != nil {
		t.Fatal(err)
	}
	page := text(t, ctx, "main")
	if !strings.Contains(page, mine) || !strings.Contains(page, mine2) || strings.Contains(page, theirs) {
		t.Fatalf("results should hold %s and %s and not %s:\n%s", mine, mine2, theirs, page)
	}
	if !strings.Contains(page, "<script>alert(1)</script>") {
		t.Errorf("the letter's markup should show as text:\n%s", page)
	}
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#results mark").length`))
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#results script").length`))
	if err != nil {
		t.Fatal(err)
	}
	if marks == 0 || scripts != 0 {
		t.Errorf("%d <mark> and %d <script> elements in the results", marks, scripts)
	}
	if got := text(t, ctx, `#facets [data-facet="agency"]`); !strings.Contains(got, "2") || strings.Contains(got, "BLDTBXH") {
		t.Errorf("agency facet %q", got)
	}
	// A facet link narrows the search; the result link opens the ticket.
	err = chromedp.Do(ctx,
		chromedp.Click(css(`#facets [data-facet="status"] a`)),
		chromedp.WaitVisible(css("#results")),
		chromedp.Click(css(`li[data-code="`+mine+`"] a.code`)),
		chromedp.WaitVisible(css("h1")),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/staff/tickets/"+mine) {
		t.Errorf("result link went to %s", loc)
	}

	// Publish mine2's answer, then type a similar question on the portal.
	var tk struct {
		Version int64 `json:"version"`
	}
	e.Do("GET", "/api/v1/tickets/"+mine2, nil, "Authorization", "Bearer "+admin).JSON(t, &tk)
	for _, step := range []struct {
		path string
		body any
	}{
		{"/reply", map[string]any{"version": tk.Version, "body": "Cơ quan bảo hiểm xã hội đã chấp thuận tạm dừng đóng cho doanh nghiệp từ tháng 6."}},
		{"/propose", map[string]any{}}, {"/approve", map[string]any{}},
	} {
		if r := e.Do("POST", "/api/v1/tickets/"+mine2+step.path, step.body, "Authorization", "Bearer "+admin); r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
		}
	}
	apptest.WaitFor(t, 10*time.Second, "published answer searchable", func() bool {
		r := e.Do("GET", "/api/v1/qa/search?q="+url.QueryEscape("tạm dừng đóng"), nil)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), `"total":1`)
	})
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/submit"),
		chromedp.WaitVisible(css("#submit-form")),
		chromedp.SendKeys(css("#title"), "Hỏi về tạm dừng đóng bảo hiểm xã hội"),
		chromedp.WaitVisible(css("#similar-qa")),
	)
	if err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#similar-qa-list a").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(href, "/qa/hd-") {
		t.Errorf("suggestion links to %q", href)
	}
	if got := text(t, ctx, "#similar-qa"); !strings.Contains(got, "tạm dừng") || strings.Contains(got, mine2) {
		t.Errorf("suggestion box %q", got)
	}
}
