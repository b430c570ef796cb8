package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// Similar tickets and topics in a real browser (issue 7): three letters
// about the same late payment reach one agency; on the third one's page
// its staff follow "similar tickets", see the other two (and not an
// unrelated letter), group all three under a topic, and answer the topic
// once — which answers every ticket in it, each with the same reply.
func TestBrowserSimilarTicketsIntoTopic(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	e.CreateUser("chude@molisa.example.vn", desk.RoleStaff, "BLDTBXH")
	type ticketJSON struct {
		ID       string   `json:"id"`
		Status   string   `json:"status"`
		Agency   string   `json:"agency"`
		Similar  []string `json:"similar"`
		Messages []struct {
			Body string `json:"body"`
		} `json:"messages"`
	}
	get := func(code string) (tk ticketJSON) {
		r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+admin)
		if r.Status != http.StatusOK {
			t.Fatalf("GET ticket %s: %d %s", code, r.Status, r.Body)
		}
		r.JSON(t, &tk)
		return tk
	}
	submit := func(title, body string) string {
		s := apptest.Submission()
		s["category"], s["title"], s["body"] = "ho-tro-lao-dong", title, body
		code := e.Submit(s)
		waitIndexed(t, e, admin, code)
		return code
	}
	first := submit("Chậm chi trả trợ cấp thất nghiệp", "Tôi đã có quyết định hưởng trợ cấp thất nghiệp từ tháng 3 nhưng đến nay vẫn chưa nhận được tiền chi trả tháng nào.")
	second := submit("Chưa nhận được tiền trợ cấp thất nghiệp", "Đã hơn hai tháng kể từ ngày có quyết định hưởng trợ cấp thất nghiệp mà tiền vẫn chưa về tài khoản của tôi.")
	other := submit("Hỏi thủ tục học nghề miễn phí", "Tôi muốn đăng ký học nghề hàn điện miễn phí cho lao động nông thôn, xin hướng dẫn thủ tục.")
	third := submit("Trợ cấp thất nghiệp bị chậm", "Kính gửi quý cơ quan, tiền trợ cấp thất nghiệp của tôi bị chậm chi trả đã 2 tháng dù đã có quyết định hưởng.")
	t3 := get(third)
	if t3.Agency != "BLDTBXH" || !slices.Contains(t3.Similar, get(first).ID) || !slices.Contains(t3.Similar, get(second).ID) || slices.Contains(t3.Similar, get(other).ID) {
		t.Fatalf("intake's suggestions for %s (agency %s): %v; want %s and %s, not %s", third, t3.Agency, t3.Similar, first, second, other)
	}

	ctx := apptest.Browser(t)
	const reply = "Bộ Lao động đã đôn đốc trung tâm dịch vụ việc làm chi trả trợ cấp thất nghiệp trong tháng này."
	err := chromedp.Do(ctx,
		signIn(e.URL, "chude@molisa.example.vn", "user-password-123"),
		chromedp.Navigate(e.URL+"/staff/tickets/"+third),
		chromedp.WaitVisible(css("#similar-link a")),
		chromedp.Click(css("#similar-link a")),
		chromedp.WaitVisible(css("#similar")),
	)
	if err != nil {
		t.Fatal(err)
	}
	list := text(t, ctx, "#similar")
	if !strings.Contains(list, first) || !strings.Contains(list, second) || strings.Contains(list, other) {
		t.Fatalf("similar tickets of %s: %q; want %s and %s, not %s", third, list, first, second, other)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(css("#topic-title"), "Chậm chi trả trợ cấp thất nghiệp quý 3"),
		chromedp.Click(css(`#form-topic button[type="submit"]`)),
		chromedp.WaitVisible(css("#topic-tickets")),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows := text(t, ctx, "#topic-tickets")
	for _, c := range []string{first, second, third} {
		if !strings.Contains(rows, c) {
			t.Errorf("topic lacks %s: %q", c, rows)
		}
	}
	if strings.Contains(rows, other) {
		t.Errorf("topic holds the unrelated %s", other)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css(`#form-topic-answer textarea[name="body"]`), reply),
		chromedp.Click(css(`#form-topic-answer button[type="submit"]`)),
		chromedp.WaitVisible(css("#topic-result")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(text(t, ctx, "#answered-count")); got != "3" {
		t.Fatalf("answered %q tickets, want 3: %s", got, text(t, ctx, "#topic-result"))
	}
	for _, c := range []string{first, second, third} {
		tk := get(c)
		answered := false
		for _, m := range tk.Messages {
			answered = answered || strings.Contains(m.Body, reply)
		}
		if tk.Status != string(desk.StatusAnswered) || !answered {
			t.Errorf("%s after the topic's answer: status %s, reply found %v", c, tk.Status, answered)
		}
	}
	if tk := get(other); tk.Status == string(desk.StatusAnswered) {
		t.Errorf("the unrelated %s was answered too", other)
	}
}
