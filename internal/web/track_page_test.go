package web_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// The tracking page as a proven citizen reads it: the "verified" notice
// comes before the answers, file sizes read as KB/MB with the page's
// decimal mark, and a low rating that reopens the case says so.
func TestTrackPageNoticesAndSizes(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.MaxBodyBytes = 4 << 20 }})
	e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	code := e.Submit(apptest.Submission())
	czTicket(t, e, code)

	b := newCZBrowser(t, e)
	b.verify(code, "5678")
	pg := b.get("/track/" + code)
	v, a := strings.Index(pg.Body, `id="cz-verified"`), strings.Index(pg.Body, `id="answers"`)
	if v < 0 || a < 0 || v > a {
		t.Errorf("the verified notice is not above the answers (notice at %d, answers at %d)", v, a)
	}

	pdf := func(n int) []byte {
		d := bytes.Repeat([]byte("0"), n)
		copy(d, "%PDF-1.7\n")
		return d
	}
	for _, n := range []int{340 << 10, 5 << 19} {
		b.get("/track/" + code)
		if p := b.postFile("/track/"+code+"/reply", "", "to-khai.pdf", pdf(n)); p.Status != http.StatusSeeOther {
			t.Fatalf("upload of %d bytes: %d %q", n, p.Status, czErr(p.Body))
		}
	}
	pg = b.get("/track/" + code)
	for _, want := range []string{"to-khai.pdf (340 KB)", "to-khai.pdf (2,5 MB)"} {
		if !strings.Contains(pg.Body, want) {
			t.Errorf("Vietnamese page lacks %q", want)
		}
	}
	if strings.Contains(pg.Body, " byte)") {
		t.Error("a size is still shown in bytes")
	}
	b.get("/lang/en?next=/")
	pg = b.get("/track/" + code)
	if !strings.Contains(pg.Body, "to-khai.pdf (2.5 MB)") {
		t.Error(`English page lacks "to-khai.pdf (2.5 MB)"`)
	}
	b.get("/lang/vi?next=/")

	// A rating of 1 right after the answer reopens the ticket, and the
	// page the citizen lands on says so, not only "thank you".
	czStaffAct(t, e, "canbo@tct.example.vn", code, "reply", "Cơ quan thuế đã gia hạn nộp thuế.")
	b.verify(code, "5678")
	p := b.post("/track/"+code+"/rate", url.Values{"score": {"1"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("rate 1: %d %q", p.Status, czErr(p.Body))
	}
	pg = b.get(p.Location)
	if m := regexp.MustCompile(`id="cz-done"[^>]*>([^<]*)`).FindStringSubmatch(pg.Body); m == nil || !strings.Contains(m[1], "mở lại") {
		t.Fatalf("after a reopening rating the notice is %q", m)
	}
	if tk := czTicket(t, e, code); tk.Status != desk.StatusInProgress {
		t.Fatalf("status after rating 1: %s", tk.Status)
	}
}

var langLinkRe = regexp.MustCompile(`href="(/lang/[^"]+)"`)

// switchLang switches language by the page's own link and reports where the
// switch leads.
func (b *czBrowser) switchLang(pg czPage) string {
	b.t.Helper()
	m := langLinkRe.FindStringSubmatch(pg.Body)
	if m == nil {
		b.t.Fatal("no language link on the page")
	}
	r := b.get(html.UnescapeString(m[1]))
	if r.Status != http.StatusSeeOther {
		b.t.Fatalf("language switch: %d", r.Status)
	}
	return r.Location
}

// The language switch keeps the page: the query string survives, and
// after a refused form (the page rendered again at the POST URL) it leads
// to the page the form was on, not to the form's endpoint. Redirects off
// the host are still refused.
func TestLanguageSwitchKeepsPage(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	code := e.Submit(apptest.Submission())
	czTicket(t, e, code)
	b := newCZBrowser(t, e)

	if got := b.switchLang(b.get("/track?code=" + url.QueryEscape(code))); got != "/track?code="+code {
		t.Errorf("from a query page the switch leads to %q", got)
	}
	b.get("/track/" + code)
	p := b.post("/track/"+code+"/verify", url.Values{"phone_last4": {"0000"}})
	if p.Status < 400 {
		t.Fatalf("wrong digits: %d", p.Status)
	}
	if got := b.switchLang(p); got != "/track/"+code {
		t.Errorf("after a refused form the switch leads to %q", got)
	}
	// A refused staff sign-in: the form's page is /staff/login?next=...
	b.get("/staff/login?next=%2Fstaff%2Finbox")
	req, _ := http.NewRequest("POST", e.URL+"/staff/login", strings.NewReader(url.Values{"_csrf": {b.csrf}, "email": {"ai@example.vn"}, "password": {"sai-mat-khau-123"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", e.URL+"/staff/login?next=%2Fstaff%2Finbox")
	if p := b.do(req); p.Status < 400 {
		t.Fatalf("wrong password: %d", p.Status)
	} else if got := b.switchLang(p); got != "/staff/login?next=%2Fstaff%2Finbox" {
		t.Errorf("after a refused sign-in the switch leads to %q", got)
	}
	for _, next := range []string{"//evil.example/x", "/\\evil.example", "https://evil.example/"} {
		if r := b.get("/lang/en?next=" + url.QueryEscape(next)); r.Location != "/" {
			t.Errorf("next=%q leads to %q", next, r.Location)
		}
	}
}
