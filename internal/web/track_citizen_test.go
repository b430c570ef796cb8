package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/email/parse"
	"github.com/civicdesk/civicdesk/internal/store"
)

// These tests drive the citizen side of issue 6 through HTTP only, the
// way a browser does: a cookie jar, the CSRF token read from the page,
// forms posted as a browser posts them. Staff act through the JSON API.

// czBrowser is a citizen's browser: cookies, the last page's CSRF token,
// redirects not followed so that 303s can be checked.
type czBrowser struct {
	t    *testing.T
	e    *apptest.Env
	c    *http.Client
	csrf string
	// from, if set, is the client address a trusted proxy reports.
	from string
}

func newCZBrowser(t *testing.T, e *apptest.Env) *czBrowser {
	jar, _ := cookiejar.New(nil)
	return &czBrowser{t: t, e: e, c: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var czCSRFRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

type czPage struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (b *czBrowser) do(req *http.Request) czPage {
	b.t.Helper()
	if b.from != "" {
		req.Header.Set("X-Forwarded-For", b.from)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := czCSRFRe.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return czPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body), Header: res.Header}
}

func (b *czBrowser) get(path string) czPage {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.URL+path, nil)
	return b.do(req)
}

// post sends a urlencoded form with the page's CSRF token.
func (b *czBrowser) post(path string, v url.Values) czPage {
	b.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if b.csrf == "" {
		b.get("/track")
	}
	v.Set("_csrf", b.csrf)
	req, _ := http.NewRequest("POST", b.e.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// postFile sends the reply form as multipart, with an optional file.
func (b *czBrowser) postFile(path, body, filename string, data []byte) czPage {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", b.csrf)
	w.WriteField("body", body)
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.e.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// verify proves ownership with the last four digits and checks it worked.
func (b *czBrowser) verify(code, digits string) {
	b.t.Helper()
	b.get("/track/" + code)
	p := b.post("/track/"+code+"/verify", url.Values{"phone_last4": {digits}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("verify %s: %d %s", code, p.Status, czErr(p.Body))
	}
	if pg := b.get("/track/" + code); !strings.Contains(pg.Body, `id="cz-verified"`) {
		b.t.Fatalf("not verified after a correct proof")
	}
}

var czAlertRe = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</`)

// czErr is the page's alert text, for failure messages and checks.
func czErr(body string) string {
	if m := czAlertRe.FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(m[1])
	}
	if len(body) > 300 {
		return body[:300]
	}
	return body
}

func czBearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// czTicket reads the ticket from the store, waiting for the worker to
// make it. (Reading through the API would need a fresh login whenever a
// test moves the clock past the session's life, and would add "view"
// entries to the audit log the tests inspect.)
func czTicket(t *testing.T, e *apptest.Env, code string) *desk.Ticket {
	t.Helper()
	sys := &desk.User{ID: "test", Role: desk.RoleAdmin}
	var tk *desk.Ticket
	apptest.WaitFor(t, 15*time.Second, "ticket "+code, func() bool {
		tk, _ = e.App.Store.TicketByCode(context.Background(), sys, code)
		return tk != nil
	})
	return tk
}

// czStaffAct runs a workspace action through the JSON API at the ticket's
// current version, signed in afresh (the test clock outruns sessions).
func czStaffAct(t *testing.T, e *apptest.Env, email, code, action, body string) *desk.Ticket {
	t.Helper()
	tok := e.Login(email, "user-password-123")
	tk := czTicket(t, e, code)
	r := e.Do("POST", "/api/v1/tickets/"+code+"/"+action, map[string]any{"version": tk.Version, "body": body}, czBearer(tok)...)
	if r.Status != 200 {
		t.Fatalf("%s %s: %d %s", action, code, r.Status, r.Body)
	}
	var out desk.Ticket
	r.JSON(t, &out)
	return &out
}

func czAudit(t *testing.T, e *apptest.Env, code string) map[string]desk.AuditEntry {
	t.Helper()
	es, err := e.App.Store.AuditEntries(context.Background(), store.AuditFilter{Target: code, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]desk.AuditEntry{}
	for _, a := range es {
		if _, ok := out[a.Action]; !ok {
			out[a.Action] = a // newest first: keep the latest
		}
	}
	return out
}

func czEvent(tk *desk.Ticket, typ string) *desk.Event {
	for i := len(tk.Events) - 1; i >= 0; i-- {
		if tk.Events[i].Type == typ {
			return &tk.Events[i]
		}
	}
	return nil
}

// Right digits prove ownership (a cookie for that code only); wrong or
// malformed digits get a clear message, a log line and an audit entry,
// and prove nothing. A forged cookie, or one minted for another code,
// proves nothing either.
func TestCitizenVerifyPhoneDigits(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	code := e.Submit(apptest.Submission()) // phone 0912345678
	other := e.Submit(apptest.Submission())
	czTicket(t, e, code)
	czTicket(t, e, other)

	b := newCZBrowser(t, e)
	pg := b.get("/track/" + code)
	if !strings.Contains(pg.Body, `id="form-verify"`) || strings.Contains(pg.Body, `id="form-citizen-reply"`) {
		t.Fatalf("tracking page before proof: verify form %v, reply form %v", strings.Contains(pg.Body, `id="form-verify"`), strings.Contains(pg.Body, `id="form-citizen-reply"`))
	}
	p := b.post("/track/"+code+"/verify", url.Values{"phone_last4": {"1234"}})
	if p.Status != 400 || !strings.Contains(czErr(p.Body), "không khớp") {
		t.Fatalf("wrong digits: %d %q", p.Status, czErr(p.Body))
	}
	p = b.post("/track/"+code+"/verify", url.Values{"phone_last4": {"56a8"}})
	if p.Status != 400 || !strings.Contains(czErr(p.Body), "4 chữ số cuối") {
		t.Fatalf("malformed digits: %d %q", p.Status, czErr(p.Body))
	}
	if pg := b.get("/track/" + code); strings.Contains(pg.Body, `id="form-citizen-reply"`) {
		t.Fatal("wrong digits unlocked the reply form")
	}
	if a, ok := czAudit(t, e, code)["citizen.verify_failed"]; !ok || a.Actor != "citizen" || a.IP == "" {
		t.Fatalf("no audit entry for the failed proof: %+v", a)
	}

	p = b.post("/track/"+code+"/verify", url.Values{"phone_last4": {"5678"}})
	if p.Status != http.StatusSeeOther || p.Location != "/track/"+code+"?done=verified" {
		t.Fatalf("right digits: %d %q %q", p.Status, p.Location, czErr(p.Body))
	}
	var cookie *http.Cookie
	for _, ck := range b.c.Jar.Cookies(czURL(t, e.URL+"/track/"+code)) {
		if ck.Name == "cd_cz_"+code {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no citizen cookie after the proof")
	}
	setCookie := strings.ToLower(strings.Join(p.Header.Values("Set-Cookie"), "\n"))
	for _, want := range []string{"httponly", "samesite=lax", "path=/track", "max-age=7200"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("citizen cookie lacks %s: %s", want, setCookie)
		}
	}
	pg = b.get(p.Location)
	for _, id := range []string{`id="cz-verified"`, `id="form-citizen-reply"`, `id="cz-done"`} {
		if !strings.Contains(pg.Body, id) {
			t.Errorf("verified page lacks %s", id)
		}
	}
	if strings.Contains(pg.Body, `id="form-verify"`) {
		t.Error("verified page still asks for proof")
	}
	if a, ok := czAudit(t, e, code)["citizen.verify"]; !ok || a.Actor != "citizen" || a.Note != "phone" {
		t.Fatalf("no audit entry for the proof: %+v", a)
	}
	// The proof is not a staff session.
	if r := b.get("/staff/inbox"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/staff/login") {
		t.Errorf("a citizen cookie opened the staff inbox: %d %s", r.Status, r.Location)
	}

	// The same cookie value under the other ticket's name proves nothing,
	// nor does a forged one.
	for _, val := range []string{cookie.Value, "9999999999.AAAA", strings.Replace(cookie.Value, ".", ".x", 1)} {
		c2 := newCZBrowser(t, e)
		c2.c.Jar.SetCookies(czURL(t, e.URL+"/track/"), []*http.Cookie{{Name: "cd_cz_" + other, Value: val, Path: "/track"}})
		if pg := c2.get("/track/" + other); strings.Contains(pg.Body, `id="form-citizen-reply"`) {
			t.Errorf("cookie %q proved ownership of another ticket", val)
		}
		c2.get("/track/" + other)
		if p := c2.postFile("/track/"+other+"/reply", "xin chào", "", nil); p.Status != 401 {
			t.Errorf("reply with cookie %q: %d %q", val, p.Status, czErr(p.Body))
		}
	}
}

func czURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Proof attempts are limited per tracking code and per client IP: over
// either, 429 with Retry-After, even for the right digits.
func TestCitizenVerifyRateLimited(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.LimitVerify, c.LimitVerifyIP = "3/1h", "5/1h"
	}})
	a, bcode := e.Submit(apptest.Submission()), e.Submit(apptest.Submission())
	czTicket(t, e, a)
	czTicket(t, e, bcode)
	br := newCZBrowser(t, e)
	br.get("/track/" + a)
	for i := 0; i < 3; i++ {
		if p := br.post("/track/"+a+"/verify", url.Values{"phone_last4": {"0000"}}); p.Status != 400 {
			t.Fatalf("attempt %d: %d %q", i+1, p.Status, czErr(p.Body))
		}
	}
	p := br.post("/track/"+a+"/verify", url.Values{"phone_last4": {"5678"}})
	if p.Status != 429 || p.Header.Get("Retry-After") == "" || !strings.Contains(czErr(p.Body), "quá nhiều lần") {
		t.Fatalf("4th attempt on one code: %d retry-after %q %q", p.Status, p.Header.Get("Retry-After"), czErr(p.Body))
	}
	if pg := br.get("/track/" + a); strings.Contains(pg.Body, `id="cz-verified"`) {
		t.Fatal("a rate-limited attempt proved ownership")
	}
	// Another code from the same IP: its own budget, until the IP's runs out.
	if p := br.post("/track/"+bcode+"/verify", url.Values{"phone_last4": {"5678"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("other code, 5th attempt from the IP: %d %q", p.Status, czErr(p.Body))
	}
	if p := br.post("/track/"+bcode+"/verify", url.Values{"phone_last4": {"5678"}}); p.Status != 429 {
		t.Fatalf("6th attempt from the IP: %d %q", p.Status, czErr(p.Body))
	}
}

// czMailSink is an SMTP relay that keeps what it is given.
type czMailSink struct {
	mu   sync.Mutex
	msgs [][]byte
}

type czSinkSess struct{ s *czMailSink }

func (ss *czSinkSess) Reset()                                 {}
func (ss *czSinkSess) Logout() error                          { return nil }
func (ss *czSinkSess) Mail(string, *gosmtp.MailOptions) error { return nil }
func (ss *czSinkSess) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (ss *czSinkSess) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, b)
	ss.s.mu.Unlock()
	return err
}

func czStartSink(t *testing.T) (*czMailSink, string, int) {
	s := &czMailSink{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &czSinkSess{s: s}, nil }))
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return s, "127.0.0.1", addr.Port
}

// links returns the sign-in tokens mailed for code so far, oldest first.
func (s *czMailSink) links(t *testing.T, code string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	re := regexp.MustCompile(`/track/` + code + `/auth/([A-Za-z0-9_-]{43})`)
	var out []string
	for _, raw := range s.msgs {
		m, err := parse.Parse(raw, parse.Limits{})
		if err != nil {
			continue
		}
		if x := re.FindStringSubmatch(m.Text); x != nil {
			out = append(out, x[1])
		}
	}
	return out
}

func (s *czMailSink) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.msgs) }

// A one-time link is mailed to the ticket's address (the token only in
// the mail), opens a confirmation, proves ownership once, and expires
// after 24 hours. A ticket without an address gets the same answer and no
// mail.
func TestCitizenOneTimeLink(t *testing.T) {
	sink, host, port := czStartSink(t)
	clock := apptest.NewClock(time.Date(2027, 3, 1, 9, 0, 0, 0, calendar.Location()))
	e := apptest.Start(t, apptest.Options{Clock: clock, Configure: func(c *config.Config) {
		c.RelayHost, c.RelayPort = host, port
		c.MailFrom = "Cổng phản ánh <phananh@localhost>"
	}})
	code := e.Submit(apptest.Submission()) // an@example.vn
	czTicket(t, e, code)
	apptest.WaitFor(t, 20*time.Second, "the acknowledgement mail", func() bool { return sink.count() >= 1 })

	b := newCZBrowser(t, e)
	b.get("/track/" + code)
	p := b.post("/track/"+code+"/link", nil)
	if p.Status != http.StatusSeeOther || p.Location != "/track/"+code+"?done=link" {
		t.Fatalf("request link: %d %q %q", p.Status, p.Location, czErr(p.Body))
	}
	var tok string
	apptest.WaitFor(t, 20*time.Second, "the sign-in link mail", func() bool {
		ls := sink.links(t, code)
		if len(ls) > 0 {
			tok = ls[0]
		}
		return tok != ""
	})
	if a, ok := czAudit(t, e, code)["citizen.link_request"]; !ok || a.Actor != "citizen" {
		t.Fatalf("no audit entry for the link request: %+v", a)
	}

	// Opening the link asks for a confirmation and spends nothing.
	for i := 0; i < 2; i++ {
		pg := b.get("/track/" + code + "/auth/" + tok)
		if pg.Status != 200 || !strings.Contains(pg.Body, `id="form-link-confirm"`) || strings.Contains(pg.Body, `id="cz-verified"`) {
			t.Fatalf("open link: %d confirm form %v", pg.Status, strings.Contains(pg.Body, `id="form-link-confirm"`))
		}
	}
	// The link is for this ticket only.
	other := e.Submit(apptest.Submission())
	czTicket(t, e, other)
	if p := b.post("/track/"+other+"/auth/"+tok, nil); p.Status != 400 || !strings.Contains(czErr(p.Body), "không hợp lệ") {
		t.Fatalf("link used on another ticket: %d %q", p.Status, czErr(p.Body))
	}
	p = b.post("/track/"+code+"/auth/"+tok, nil)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("redeem: %d %q", p.Status, czErr(p.Body))
	}
	if pg := b.get(p.Location); !strings.Contains(pg.Body, `id="form-citizen-reply"`) {
		t.Fatal("the link did not prove ownership")
	}
	// Single use.
	b2 := newCZBrowser(t, e)
	b2.get("/track/" + code)
	if p := b2.post("/track/"+code+"/auth/"+tok, nil); p.Status != 400 || !strings.Contains(czErr(p.Body), "đã được sử dụng") {
		t.Fatalf("second use: %d %q", p.Status, czErr(p.Body))
	}
	if pg := b2.get("/track/" + code); strings.Contains(pg.Body, `id="form-citizen-reply"`) {
		t.Fatal("a spent link proved ownership")
	}

	// Expiry: a fresh link, opened a minute past 24 hours.
	b2.post("/track/"+code+"/link", nil)
	var tok2 string
	apptest.WaitFor(t, 20*time.Second, "a second link", func() bool {
		ls := sink.links(t, code)
		if len(ls) > 1 {
			tok2 = ls[len(ls)-1]
		}
		return tok2 != ""
	})
	if tok2 == tok {
		t.Fatal("the second link has the first one's token")
	}
	clock.Advance(24*time.Hour + time.Minute)
	b2.get("/track/" + code)
	if p := b2.post("/track/"+code+"/auth/"+tok2, nil); p.Status != 400 || !strings.Contains(czErr(p.Body), "hết hạn") {
		t.Fatalf("expired link: %d %q", p.Status, czErr(p.Body))
	}
	// A malformed token is refused the same clear way.
	if p := b2.post("/track/"+code+"/auth/abc", nil); p.Status != 400 {
		t.Fatalf("malformed token: %d", p.Status)
	}

	// No address on the ticket: the same answer, no mail.
	sub := apptest.Submission()
	delete(sub, "email")
	noMail := e.Submit(sub)
	czTicket(t, e, noMail)
	time.Sleep(300 * time.Millisecond)
	before := sink.count()
	b3 := newCZBrowser(t, e)
	b3.get("/track/" + noMail)
	if p := b3.post("/track/"+noMail+"/link", nil); p.Status != http.StatusSeeOther || p.Location != "/track/"+noMail+"?done=link" {
		t.Fatalf("link for a ticket without email: %d %q", p.Status, p.Location)
	}
	time.Sleep(time.Second)
	if n := sink.count(); n != before {
		t.Errorf("a ticket without email got %d mails", n-before)
	}
}

func czTime(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, calendar.Location())
}

// Staff ask for information on Tuesday; the citizen proves ownership and
// replies on Friday through the tracking page. The ticket goes back to
// in_progress and every deadline moves by the 3 working days it waited;
// the reply is a citizen message with a public event and an audit entry,
// and its text is shown escaped.
func TestCitizenReplyResumesClock(t *testing.T) {
	clock := apptest.NewClock(czTime(2027, 3, 1, 9)) // Monday
	e := apptest.Start(t, apptest.Options{Clock: clock})
	e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	code := e.Submit(apptest.Submission())
	tk0 := czTicket(t, e, code)

	clock.Set(czTime(2027, 3, 2, 10)) // Tuesday
	asked := czStaffAct(t, e, "canbo@tct.example.vn", code, "request-info", "Đề nghị ông/bà gửi bản sao tờ khai gia hạn.")
	if asked.Status != desk.StatusAwaitingCitizen {
		t.Fatalf("after request-info: %s", asked.Status)
	}
	b := newCZBrowser(t, e)
	pg := b.get("/track/" + code)
	if !strings.Contains(pg.Body, `id="cz-awaiting"`) || !strings.Contains(pg.Body, "bản sao tờ khai") {
		t.Fatal("the tracking page does not show the request for information")
	}
	b.verify(code, "5678")

	clock.Set(czTime(2027, 3, 5, 15)) // Friday
	// Tuesday's proof lasted two hours.
	if p := b.postFile("/track/"+code+"/reply", "Tôi gửi bổ sung.", "", nil); p.Status != 401 {
		t.Fatalf("reply three days after the proof: %d %q", p.Status, czErr(p.Body))
	}
	b.verify(code, "5678")
	p := b.postFile("/track/"+code+"/reply", "Tôi gửi bổ sung tờ khai. <script>alert(1)</script>", "", nil)
	if p.Status != http.StatusSeeOther || p.Location != "/track/"+code+"?done=replied" {
		t.Fatalf("reply: %d %q", p.Status, czErr(p.Body))
	}
	got := czTicket(t, e, code)
	if got.Status != desk.StatusInProgress || !got.PausedAt.IsZero() {
		t.Fatalf("after the reply: status %s paused_at %v", got.Status, got.PausedAt)
	}
	cal := e.App.Cal()
	if n := cal.WorkingDaysBetween(tk0.DueAt, got.DueAt); n != 3 {
		t.Fatalf("due moved from %v to %v: %d working days, want 3", tk0.DueAt.In(calendar.Location()), got.DueAt.In(calendar.Location()), n)
	}
	last := got.Messages[len(got.Messages)-1]
	if last.Kind != desk.MessageCitizen || last.Author != "citizen" || last.Channel != desk.ChannelWeb || !strings.Contains(last.Body, "bổ sung tờ khai") {
		t.Fatalf("last message: %+v", last)
	}
	ev := czEvent(got, desk.EventMessage)
	if ev == nil || !ev.Public || ev.Actor != "citizen" || ev.From != string(desk.StatusAwaitingCitizen) {
		t.Fatalf("message event: %+v", ev)
	}
	if czEvent(got, desk.EventClockResumed) == nil {
		t.Error("no clock_resumed event")
	}
	a, ok := czAudit(t, e, code)["citizen.reply"]
	if !ok || a.Actor != "citizen" || !strings.Contains(a.Before, "awaiting_citizen") || !strings.Contains(a.After, "in_progress") {
		t.Fatalf("audit entry: %+v", a)
	}
	pg = b.get("/track/" + code)
	if strings.Contains(pg.Body, "<script>alert(1)") || !strings.Contains(pg.Body, "&lt;script&gt;alert(1)") {
		t.Error("the reply's markup is not rendered inert on the tracking page")
	}
	if !strings.Contains(pg.Body, "cz-msg you") {
		t.Error("the verified citizen does not see their own reply")
	}
}

// Uploads: the type is decided by the content (PDF, JPEG, PNG, DOC,
// DOCX), the size limit is exact, and a refused file or reply stores
// nothing: the ticket keeps its version and messages.
func TestCitizenUploadLimits(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.MaxBodyBytes = 256 << 10 }})
	limit := e.App.WebServer().Citizen.MaxUpload
	if limit <= 0 || limit >= 256<<10 {
		t.Fatalf("upload limit %d with a 256 KiB request limit", limit)
	}
	admin := e.AdminToken()
	code := e.Submit(apptest.Submission())
	czTicket(t, e, code)

	// Without proof nothing is accepted.
	anon := newCZBrowser(t, e)
	anon.get("/track/" + code)
	if p := anon.postFile("/track/"+code+"/reply", "xin chào", "", nil); p.Status != 401 || !strings.Contains(czErr(p.Body), "xác minh") {
		t.Fatalf("reply without proof: %d %q", p.Status, czErr(p.Body))
	}

	b := newCZBrowser(t, e)
	b.verify(code, "5678")
	before := czTicket(t, e, code)
	pdf := func(n int) []byte {
		d := bytes.Repeat([]byte("0"), n)
		copy(d, "%PDF-1.7\n")
		return d
	}
	refused := []struct {
		name, body, file string
		data             []byte
		status           int
		want             string
	}{
		{"empty reply", "   ", "", nil, 400, "không được để trống"},
		{"reply over 20,000 characters", strings.Repeat("â", 20001), "", nil, 400, "quá dài"},
		{"executable named .pdf", "kèm tệp", "to-khai.pdf", append([]byte("MZ\x90\x00"), make([]byte, 100)...), 400, "Chỉ nhận tệp PDF"},
		{"HTML", "kèm tệp", "trang.html", []byte("<html><script>alert(1)</script></html>"), 400, "Chỉ nhận tệp PDF"},
		{"a zip that is not a .docx", "kèm tệp", "ho-so.docx", czZip(t, "readme.txt"), 400, "Chỉ nhận tệp PDF"},
		{"empty file", "kèm tệp", "rong.pdf", []byte{}, 400, "rỗng"},
		{"one byte over the limit", "kèm tệp", "to-khai.pdf", pdf(limit + 1), 413, "Tệp gửi kèm quá lớn"},
	}
	for _, c := range refused {
		b.get("/track/" + code)
		p := b.postFile("/track/"+code+"/reply", c.body, c.file, c.data)
		if p.Status != c.status || !strings.Contains(czErr(p.Body), c.want) {
			t.Errorf("%s: %d %q, want %d %q", c.name, p.Status, czErr(p.Body), c.status, c.want)
		}
	}
	after := czTicket(t, e, code)
	if after.Version != before.Version || len(after.Messages) != len(before.Messages) {
		t.Fatalf("refused uploads changed the ticket: version %d → %d, messages %d → %d", before.Version, after.Version, len(before.Messages), len(after.Messages))
	}

	// Exactly at the limit, and a real .docx: accepted, stored like email
	// attachments, downloadable by staff with the sniffed type.
	for _, c := range []struct {
		file, mime string
		data       []byte
	}{
		{"to-khai.pdf", "application/pdf", pdf(limit)},
		{"giai-trinh.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", czZip(t, "word/document.xml")},
		{"anh.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)},
	} {
		b.get("/track/" + code)
		p := b.postFile("/track/"+code+"/reply", "", c.file, c.data)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d %q", c.file, p.Status, czErr(p.Body))
		}
		tk := czTicket(t, e, code)
		m := tk.Messages[len(tk.Messages)-1]
		if len(m.Attachments) != 1 || m.Attachments[0].ContentType != c.mime || m.Attachments[0].Size != len(c.data) || m.Attachments[0].Filename != c.file {
			t.Fatalf("%s stored as %+v", c.file, m.Attachments)
		}
		r := e.Do("GET", "/api/v1/tickets/"+code+"/attachments/"+m.Attachments[0].ID, nil, czBearer(admin)...)
		if r.Status != 200 || !bytes.Equal(r.Body, c.data) {
			t.Fatalf("%s download: %d, %d bytes", c.file, r.Status, len(r.Body))
		}
	}
}

func czZip(t *testing.T, name string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("<w:document/>"))
	w.Close()
	return buf.Bytes()
}

// Ratings: only on an answered ticket, 1–5, one per answer; 5 keeps the
// ticket answered; 1 within the reopen window reopens it; 2 after the
// window does not.
func TestCitizenRating(t *testing.T) {
	clock := apptest.NewClock(czTime(2027, 3, 1, 9))
	e := apptest.Start(t, apptest.Options{Clock: clock})
	e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	codes := []string{e.Submit(apptest.Submission()), e.Submit(apptest.Submission()), e.Submit(apptest.Submission())}
	for _, c := range codes {
		czTicket(t, e, c)
	}
	b := newCZBrowser(t, e)
	b.verify(codes[0], "5678")
	b.get("/track/" + codes[0])
	if p := b.post("/track/"+codes[0]+"/rate", url.Values{"score": {"5"}}); p.Status != 400 || !strings.Contains(czErr(p.Body), "đã có câu trả lời") {
		t.Fatalf("rating before the answer: %d %q", p.Status, czErr(p.Body))
	}
	for _, c := range codes {
		czStaffAct(t, e, "canbo@tct.example.vn", c, "reply", "Cơ quan thuế đã gia hạn nộp thuế cho ông/bà đến hết tháng 12.")
	}

	pg := b.get("/track/" + codes[0])
	if !strings.Contains(pg.Body, `id="form-rate"`) || !strings.Contains(pg.Body, "đã gia hạn nộp thuế") {
		t.Fatal("the answered ticket shows no answer or no rating form")
	}
	for _, bad := range []url.Values{{"score": {"0"}}, {"score": {"6"}}, {"score": {"năm"}}, {"score": {"4"}, "comment": {strings.Repeat("ý", 2001)}}} {
		if p := b.post("/track/"+codes[0]+"/rate", bad); p.Status != 400 {
			t.Errorf("rating %v: %d %q", bad, p.Status, czErr(p.Body))
		}
	}
	p := b.post("/track/"+codes[0]+"/rate", url.Values{"score": {"5"}, "comment": {"Trả lời nhanh, rõ ràng."}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("rate 5: %d %q", p.Status, czErr(p.Body))
	}
	tk := czTicket(t, e, codes[0])
	if tk.Status != desk.StatusAnswered || tk.Rating == nil || tk.Rating.Score != 5 || tk.Rating.Comment != "Trả lời nhanh, rõ ràng." || czEvent(tk, "rated") == nil {
		t.Fatalf("after rating 5: status %s rating %+v", tk.Status, tk.Rating)
	}
	if p := b.post("/track/"+codes[0]+"/rate", url.Values{"score": {"1"}}); p.Status != 409 || !strings.Contains(czErr(p.Body), "đã đánh giá") {
		t.Fatalf("second rating of one answer: %d %q", p.Status, czErr(p.Body))
	}
	if tk2 := czTicket(t, e, codes[0]); tk2.Rating.Score != 5 || tk2.Status != desk.StatusAnswered {
		t.Fatalf("the refused second rating changed the ticket: %+v %s", tk2.Rating, tk2.Status)
	}
	if a, ok := czAudit(t, e, codes[0])["citizen.rate"]; !ok || a.Actor != "citizen" || !strings.Contains(a.After, `"rating":5`) {
		t.Fatalf("audit entry: %+v", a)
	}

	// 1, ten days after the answer: reopened.
	clock.Advance(10 * 24 * time.Hour)
	b.verify(codes[1], "5678")
	if p := b.post("/track/"+codes[1]+"/rate", url.Values{"score": {"1"}, "comment": {"Chưa giải quyết được."}}); p.Status != http.StatusSeeOther {
		t.Fatalf("rate 1: %d %q", p.Status, czErr(p.Body))
	}
	tk = czTicket(t, e, codes[1])
	ev := czEvent(tk, "reopened_by_rating")
	if tk.Status != desk.StatusInProgress || ev == nil || !ev.Public || ev.From != string(desk.StatusAnswered) || tk.Rating.Score != 1 {
		t.Fatalf("after rating 1 within the window: status %s event %+v rating %+v", tk.Status, ev, tk.Rating)
	}
	if pg := b.get("/track/" + codes[1]); !strings.Contains(pg.Body, "Mở lại do người dân đánh giá chưa hài lòng") {
		t.Error("the public timeline does not show the reopening")
	}

	// 2, fifteen days after the answer (window 14): rated, not reopened.
	clock.Advance(5 * 24 * time.Hour)
	b.verify(codes[2], "5678")
	if p := b.post("/track/"+codes[2]+"/rate", url.Values{"score": {"2"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("rate 2: %d %q", p.Status, czErr(p.Body))
	}
	tk = czTicket(t, e, codes[2])
	if tk.Status != desk.StatusAnswered || tk.Rating == nil || tk.Rating.Score != 2 || czEvent(tk, "reopened_by_rating") != nil {
		t.Fatalf("after rating 2 past the window: status %s rating %+v", tk.Status, tk.Rating)
	}
}

// Publication: staff propose (the masked preview is on the ticket), a
// non-lead cannot approve, a lead of another agency does not see the
// ticket, the lead approves, and /qa shows the answer with the phone
// number and the name masked, filtered by agency and category, without
// the tracking code. Withdrawing takes it off the public pages.
func TestPublicationProposeApproveQA(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	lead := e.CreateUser("lanhdao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	otherLead := e.CreateUser("lanhdao@bhxh.example.vn", desk.RoleLead, "BHXH")
	operator := e.CreateUser("dienthoai@example.vn", desk.RoleOperator, "")
	sub := apptest.Submission()
	sub["body"] = "Tôi là Nguyễn Văn An, số điện thoại 0912 345 678, đã nộp hồ sơ gia hạn nộp thuế từ tháng 4 nhưng chưa nhận được phản hồi."
	code := e.Submit(sub)
	czTicket(t, e, code)

	if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{}, czBearer(staff)...); r.Status != 400 {
		t.Fatalf("propose before the answer: %d %s", r.Status, r.Body)
	}
	czStaffAct(t, e, "canbo@tct.example.vn", code, "reply", "Kính gửi ông Nguyễn Văn An: hồ sơ của ông đã được duyệt; mọi thắc mắc xin gọi lại số 0912345678 của ông hoặc gửi thư tới an@example.vn.")

	if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{}, czBearer(operator)...); r.Status != 403 {
		t.Fatalf("operator proposes: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{}, czBearer(otherLead)...); r.Status != 404 {
		t.Fatalf("another agency's lead proposes: %d %s", r.Status, r.Body)
	}
	tk := czTicket(t, e, code)
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{"version": tk.Version - 1}, czBearer(staff)...); r.Status != 409 {
		t.Fatalf("stale propose: %d %s", r.Status, r.Body)
	}
	r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{"version": tk.Version}, czBearer(staff)...)
	if r.Status != 200 {
		t.Fatalf("propose: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &tk)
	pub := tk.Publication
	if pub == nil || pub.State != desk.PublicationProposed {
		t.Fatalf("after propose: %+v", pub)
	}
	for _, leak := range []string{"0912", "345 678", "Nguyễn Văn An", "an@example.vn"} {
		if strings.Contains(pub.Question, leak) || strings.Contains(pub.Answer, leak) {
			t.Errorf("the masked preview still contains %q:\nQ: %s\nA: %s", leak, pub.Question, pub.Answer)
		}
	}
	if !strings.Contains(pub.Answer, "678") || !strings.Contains(pub.Answer, "hồ sơ của ông đã được duyệt") {
		t.Errorf("masked answer lost its content: %s", pub.Answer)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{}, czBearer(staff)...); r.Status != 409 {
		t.Fatalf("second proposal: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/approve", map[string]any{}, czBearer(staff)...); r.Status != 403 {
		t.Fatalf("staff approves: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/approve", map[string]any{}, czBearer(otherLead)...); r.Status != 404 {
		t.Fatalf("another agency's lead approves: %d %s", r.Status, r.Body)
	}
	if pg := newCZBrowser(t, e).get("/qa"); !strings.Contains(pg.Body, `id="qa-none"`) {
		t.Fatal("/qa lists a proposal that nobody approved")
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/approve", map[string]any{}, czBearer(lead)...); r.Status != 200 {
		t.Fatalf("lead approves: %d %s", r.Status, r.Body)
	}
	acts := czAudit(t, e, code)
	for _, a := range []string{"publication.propose", "publication.approve"} {
		if en, ok := acts[a]; !ok || en.Actor == "" || en.Actor == "citizen" || en.After == "" {
			t.Errorf("audit %s: %+v", a, en)
		}
	}

	v := newCZBrowser(t, e)
	pg := v.get("/qa")
	if pg.Status != 200 || !strings.Contains(pg.Body, "hồ sơ của ông đã được duyệt") || !strings.Contains(pg.Body, "Tổng cục Thuế") {
		t.Fatalf("/qa: %d, answer shown %v", pg.Status, strings.Contains(pg.Body, "hồ sơ của ông đã được duyệt"))
	}
	for _, leak := range []string{"0912345678", "0912 345 678", "Nguyễn Văn An", "an@example.vn", code} {
		if strings.Contains(pg.Body, leak) {
			t.Errorf("/qa shows %q", leak)
		}
	}
	if !strings.Contains(pg.Body, "xxxxxxx678") {
		t.Errorf("/qa does not show the masked number")
	}
	id := regexp.MustCompile(`href="/qa/(hd-[a-z0-9]+)"`).FindStringSubmatch(pg.Body)
	if id == nil {
		t.Fatal("/qa links to no entry")
	}
	entry := v.get("/qa/" + id[1])
	if entry.Status != 200 || !strings.Contains(entry.Body, `id="qa-answer"`) || strings.Contains(entry.Body, "0912345678") || strings.Contains(entry.Body, code) {
		t.Fatalf("/qa/%s: %d", id[1], entry.Status)
	}
	for q, want := range map[string]bool{"agency=BTC": true, "agency=BTC-TCT": true, "agency=BHXH": false, "category=gia-han-thue": true, "category=y-te": false} {
		pg := v.get("/qa?" + q)
		if got := strings.Contains(pg.Body, id[1]); got != want {
			t.Errorf("/qa?%s lists the entry: %v, want %v", q, got, want)
		}
	}
	if pg := v.get("/qa?agency=KHONG-CO"); pg.Status != 400 {
		t.Errorf("/qa with an unknown agency: %d", pg.Status)
	}
	api := e.Do("GET", "/api/v1/qa?category=gia-han-thue", nil)
	var list struct {
		Entries []struct {
			ID       string                `json:"id"`
			Question string                `json:"question"`
			Answer   string                `json:"answer"`
			Agency   struct{ Code string } `json:"agency"`
		} `json:"entries"`
		More bool `json:"more"`
	}
	if api.Status != 200 {
		t.Fatalf("/api/v1/qa: %d %s", api.Status, api.Body)
	}
	api.JSON(t, &list)
	if len(list.Entries) != 1 || list.Entries[0].ID != id[1] || list.Entries[0].Agency.Code != "BTC-TCT" || strings.Contains(string(api.Body), "0912345678") || strings.Contains(string(api.Body), code) {
		t.Fatalf("/api/v1/qa: %s", api.Body)
	}

	// Withdrawn: gone from the public pages.
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/withdraw", map[string]any{}, czBearer(staff)...); r.Status != 403 {
		t.Fatalf("staff withdraws a published entry: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/withdraw", map[string]any{}, czBearer(lead)...); r.Status != 200 {
		t.Fatalf("lead withdraws: %d %s", r.Status, r.Body)
	}
	if pg := v.get("/qa/" + id[1]); pg.Status != 404 {
		t.Errorf("withdrawn entry: %d", pg.Status)
	}
	if pg := v.get("/qa"); strings.Contains(pg.Body, id[1]) {
		t.Error("/qa still lists the withdrawn entry")
	}
}

// Every citizen form refuses a post without the CSRF token, and nothing
// happens: no proof, no message, no rating, no audit entry.
func TestCitizenFormsNeedCSRF(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	code := e.Submit(apptest.Submission())
	before := czTicket(t, e, code)
	b := newCZBrowser(t, e)
	b.get("/track/" + code) // the CSRF cookie is set; the token is left out below
	for _, path := range []string{"verify", "link", "reply", "rate", "auth/" + strings.Repeat("a", 43)} {
		req, _ := http.NewRequest("POST", e.URL+"/track/"+code+"/"+path, strings.NewReader("phone_last4=5678&score=5&body=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p := b.do(req)
		if p.Status != 403 || !strings.Contains(czErr(p.Body), "tải lại trang") {
			t.Errorf("POST %s without CSRF: %d %q", path, p.Status, czErr(p.Body))
		}
	}
	if pg := b.get("/track/" + code); strings.Contains(pg.Body, `id="cz-verified"`) {
		t.Error("a post without CSRF proved ownership")
	}
	after := czTicket(t, e, code)
	if after.Version != before.Version {
		t.Errorf("posts without CSRF changed the ticket: version %d → %d", before.Version, after.Version)
	}
	acts := czAudit(t, e, code)
	for a := range acts {
		if !strings.HasPrefix(a, "citizen.") {
			delete(acts, a)
		}
	}
	if len(acts) != 0 {
		t.Errorf("posts without CSRF left audit entries: %v", acts)
	}
}
