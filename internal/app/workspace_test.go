package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/email/parse"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/workers"
)

// Tests of the agency workspace (issue 6, staff side): every action through
// the JSON API and the HTML forms, conflicts, bad input, scoping, escaping
// and the audit log.

const wsPassword = "user-password-123" // apptest.CreateUser's password

type wsResult struct {
	status int
	t      desk.Ticket
	body   string
}

func wsAct(e *apptest.Env, tok, code, action string, body map[string]any) wsResult {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/tickets/"+code+"/"+action, body, bearer(tok)...)
	out := wsResult{status: r.Status, body: string(r.Body)}
	if r.Status == http.StatusOK {
		r.JSON(e.T, &out.t)
	}
	return out
}

func wsUserID(e *apptest.Env, email string) string {
	e.T.Helper()
	u, err := e.App.Store.UserByEmail(context.Background(), email)
	if err != nil {
		e.T.Fatalf("user %s: %v", email, err)
	}
	return u.ID
}

// wsVersion reads the ticket's current version straight from the store.
func wsVersion(e *apptest.Env, code string) int64 {
	e.T.Helper()
	return waitTicket(e, code).Version
}

func wsWant(t *testing.T, what string, r wsResult, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
}

// Every action through the API, in the order an officer works a ticket.
func TestWorkspaceActionsAPI(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	staff2 := e.CreateUser("binh@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	lead := e.CreateUser("lanh-dao@mof.example.vn", desk.RoleLead, "BTC")
	operator := e.CreateUser("dtv@vpcp.example.vn", desk.RoleOperator, "")
	coord := e.CreateUser("dieu-phoi@vpcp.example.vn", desk.RoleCoordinator, "")
	staffID, staff2ID := wsUserID(e, "an@tct.example.vn"), wsUserID(e, "binh@tct.example.vn")

	code := e.Submit(apptest.Submission()) // gia-han-thue → BTC-TCT, with an email
	tk := waitTicket(e, code)

	// Operators log calls; they do not work tickets.
	wsWant(t, "operator claim", wsAct(e, operator, code, "claim", map[string]any{"version": tk.Version}), http.StatusForbidden)
	wsWant(t, "operator reply", wsAct(e, operator, code, "reply", map[string]any{"version": tk.Version, "body": "x"}), http.StatusForbidden)

	r := wsAct(e, staff, code, "claim", map[string]any{"version": tk.Version})
	wsWant(t, "claim", r, http.StatusOK)
	if r.t.Assignee != staffID || r.t.Status != desk.StatusInProgress || r.t.Version != tk.Version+1 || hasEvent(&r.t, "claimed") == nil {
		t.Fatalf("after claim: assignee %q status %s version %d", r.t.Assignee, r.t.Status, r.t.Version)
	}
	// A colleague cannot silently take it over.
	c2 := wsAct(e, staff2, code, "claim", map[string]any{"version": r.t.Version})
	wsWant(t, "second claim", c2, http.StatusConflict)

	// Staff may not assign; the lead may.
	wsWant(t, "staff assign", wsAct(e, staff, code, "assign", map[string]any{"version": r.t.Version, "assignee": staff2ID}), http.StatusForbidden)
	r = wsAct(e, lead, code, "assign", map[string]any{"version": r.t.Version, "assignee": staff2ID})
	wsWant(t, "lead assign", r, http.StatusOK)
	if r.t.Assignee != staff2ID {
		t.Fatalf("assignee %q, want %q", r.t.Assignee, staff2ID)
	}

	// A stale version is a 409 with a message that says what to do.
	stale := wsAct(e, staff, code, "note", map[string]any{"version": r.t.Version - 1, "body": "Ghi chú cũ"})
	wsWant(t, "stale note", stale, http.StatusConflict)
	if !strings.Contains(stale.body, "tải lại") || !strings.Contains(stale.body, "reload") {
		t.Errorf("conflict message unclear: %s", stale.body)
	}
	if v := wsVersion(e, code); v != r.t.Version {
		t.Errorf("a stale note changed the ticket: version %d, want %d", v, r.t.Version)
	}

	r = wsAct(e, staff2, code, "note", map[string]any{"version": r.t.Version, "body": "Đã gọi cho Chi cục Thuế quận, chờ xác minh."})
	wsWant(t, "note", r, http.StatusOK)
	if n := len(r.t.Messages); n == 0 || r.t.Messages[n-1].Kind != desk.MessageNote {
		t.Fatalf("note not stored: %+v", r.t.Messages)
	}

	r = wsAct(e, staff2, code, "request-info", map[string]any{"version": r.t.Version, "body": "Đề nghị ông/bà gửi bản chụp quyết định gia hạn."})
	wsWant(t, "request-info", r, http.StatusOK)
	if r.t.Status != desk.StatusAwaitingCitizen || r.t.PausedAt.IsZero() || r.t.FirstResponseAt.IsZero() {
		t.Fatalf("request-info: status %s paused %v first response %v", r.t.Status, r.t.PausedAt, r.t.FirstResponseAt)
	}
	firstResponse := r.t.FirstResponseAt

	answer := "Cơ quan thuế đã chấp thuận gia hạn nộp thuế đến ngày 30/9."
	r = wsAct(e, staff2, code, "reply", map[string]any{"version": r.t.Version, "body": answer})
	wsWant(t, "reply", r, http.StatusOK)
	if r.t.Status != desk.StatusAnswered || r.t.AnsweredAt.IsZero() || !r.t.PausedAt.IsZero() || !r.t.FirstResponseAt.Equal(firstResponse) {
		t.Fatalf("reply: status %s answered %v paused %v first %v", r.t.Status, r.t.AnsweredAt, r.t.PausedAt, r.t.FirstResponseAt)
	}
	replyMsg := r.t.Messages[len(r.t.Messages)-1]
	if replyMsg.Kind != desk.MessageReply || replyMsg.Body != answer {
		t.Fatalf("reply message %+v", replyMsg)
	}
	// The answer mail went through the queue (the citizen gave an email).
	if _, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, workers.MailTaskID(tk.ID, workers.MailAnswer, replyMsg.ID)); err != nil {
		t.Errorf("answer mail not queued: %v", err)
	}

	r = wsAct(e, staff2, code, "resolve", map[string]any{"version": r.t.Version})
	wsWant(t, "resolve", r, http.StatusOK)
	if r.t.Status != desk.StatusResolved || r.t.ClosedAt.IsZero() {
		t.Fatalf("resolve: %s %v", r.t.Status, r.t.ClosedAt)
	}
	r = wsAct(e, staff2, code, "reopen", map[string]any{"version": r.t.Version, "body": "Người dân gọi lại, chưa nhận được quyết định."})
	wsWant(t, "reopen", r, http.StatusOK)
	if r.t.Status != desk.StatusInProgress || !r.t.ClosedAt.IsZero() {
		t.Fatalf("reopen: %s %v", r.t.Status, r.t.ClosedAt)
	}
	r = wsAct(e, coord, code, "close", map[string]any{"version": r.t.Version})
	wsWant(t, "coordinator close", r, http.StatusOK)
	if r.t.Status != desk.StatusClosed || r.t.ClosedAt.IsZero() {
		t.Fatalf("close: %s %v", r.t.Status, r.t.ClosedAt)
	}
	// One event per action, by the actor.
	for _, typ := range []string{"claimed", "assigned", "note", "info_requested", "answered", "resolved", "reopened", "closed"} {
		if ev := hasEvent(&r.t, typ); ev == nil || ev.Actor == "" || ev.Actor == "system" {
			t.Errorf("no %s event by a user", typ)
		}
	}

	// The citizen's view shows the answer's event and never the notes.
	pub := string(e.Do("GET", "/api/v1/track/"+code, nil).Body)
	for _, leak := range []string{"Chi cục Thuế quận", "chưa nhận được quyết định", staff2ID} {
		if strings.Contains(pub, leak) {
			t.Errorf("tracking view leaks %q: %s", leak, pub)
		}
	}
	if !strings.Contains(pub, `"answered"`) {
		t.Errorf("tracking view lacks the answer event: %s", pub)
	}

	// Bulk assignment: two new tickets to one officer; a code from
	// nowhere is reported, not fatal.
	a, b := e.Submit(apptest.Submission()), e.Submit(apptest.Submission())
	waitTicket(e, a)
	waitTicket(e, b)
	br := e.Do("POST", "/api/v1/tickets/bulk-assign", map[string]any{"codes": []string{a, b, "PA-AAAAA-AAAAA"}, "assignee": staffID}, bearer(lead)...)
	var bulk struct {
		Assigned int                 `json:"assigned"`
		Failed   []map[string]string `json:"failed"`
	}
	if br.Status != http.StatusOK {
		t.Fatalf("bulk assign: %d %s", br.Status, br.Body)
	}
	br.JSON(t, &bulk)
	if bulk.Assigned != 2 || len(bulk.Failed) != 1 || bulk.Failed[0]["code"] != "PA-AAAAA-AAAAA" {
		t.Errorf("bulk: %+v", bulk)
	}
	for _, c := range []string{a, b} {
		if got := waitTicket(e, c); got.Assignee != staffID || got.Status != desk.StatusInProgress {
			t.Errorf("%s after bulk: %q %s", c, got.Assignee, got.Status)
		}
	}
	if r := e.Do("POST", "/api/v1/tickets/bulk-assign", map[string]any{"codes": []string{a}, "assignee": staffID}, bearer(staff)...); r.Status != http.StatusForbidden {
		t.Errorf("staff bulk assign: %d", r.Status)
	}
}

// Acceptance 6 (staff side): bad input gets a clear message and changes
// nothing.
func TestWorkspaceBadInputChangesNothing(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	lead := e.CreateUser("lanh-dao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	e.CreateUser("khac@bhxh.example.vn", desk.RoleStaff, "BHXH")
	other := wsUserID(e, "khac@bhxh.example.vn")
	code := e.Submit(apptest.Submission())
	v := waitTicket(e, code).Version

	cases := []struct {
		name, tok, action string
		body              map[string]any
		status            int
		says              string
	}{
		{"empty reply", staff, "reply", map[string]any{"version": v, "body": "   \n "}, http.StatusBadRequest, "không được để trống"},
		{"reply over the limit", staff, "reply", map[string]any{"version": v, "body": strings.Repeat("ạ", 20001)}, http.StatusBadRequest, "20.000"},
		{"empty note", staff, "note", map[string]any{"version": v, "body": ""}, http.StatusBadRequest, "không được để trống"},
		{"no version", staff, "reply", map[string]any{"body": "Trả lời"}, http.StatusBadRequest, "version"},
		{"unknown assignee", lead, "assign", map[string]any{"version": v, "assignee": "000000000000000000000000"}, http.StatusBadRequest, "không tồn tại"},
		{"assignee from another agency", lead, "assign", map[string]any{"version": v, "assignee": other}, http.StatusBadRequest, "không thuộc cơ quan"},
		{"malformed JSON", staff, "reply", nil, http.StatusBadRequest, "JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r *apptest.Response
			if c.body == nil {
				r = e.Do("POST", "/api/v1/tickets/"+code+"/"+c.action, "{not json", bearer(c.tok)...)
			} else {
				r = e.Do("POST", "/api/v1/tickets/"+code+"/"+c.action, c.body, bearer(c.tok)...)
			}
			if r.Status != c.status || !strings.Contains(string(r.Body), c.says) {
				t.Errorf("%d %s; want %d saying %q", r.Status, r.Body, c.status, c.says)
			}
			if got := wsVersion(e, code); got != v {
				t.Errorf("the ticket changed: version %d, want %d", got, v)
			}
		})
	}
	got := waitTicket(e, code)
	if got.Assignee != "" || len(got.Messages) != 0 || got.Status != desk.StatusNew {
		t.Errorf("ticket changed: assignee %q messages %d status %s", got.Assignee, len(got.Messages), got.Status)
	}
}

// Staff of agency B get 404 for agency A's ticket on the page, the API
// read, the attachment download and every action, exactly as for a code
// that does not exist; nothing changes.
func TestWorkspaceOtherAgencyGets404(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	otherTok := e.CreateUser("khac@bhxh.example.vn", desk.RoleStaff, "BHXH")
	otherLead := e.CreateUser("lanh-dao@bhxh.example.vn", desk.RoleLead, "BHXH")
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)
	self := wsUserID(e, "khac@bhxh.example.vn")

	for _, tok := range []string{otherTok, otherLead} {
		if r := e.Do("GET", "/api/v1/tickets/"+code, nil, bearer(tok)...); r.Status != http.StatusNotFound {
			t.Errorf("API read: %d", r.Status)
		}
		for _, action := range []string{"claim", "assign", "reply", "note", "request-info", "resolve", "close", "reopen", "route", "transfer", "return"} {
			r := e.Do("POST", "/api/v1/tickets/"+code+"/"+action, map[string]any{"version": tk.Version, "body": "x", "assignee": self, "reason": "x", "agency": "BYT"}, bearer(tok)...)
			if r.Status != http.StatusNotFound {
				t.Errorf("API %s: %d %s", action, r.Status, r.Body)
			}
		}
	}
	br := e.Do("POST", "/api/v1/tickets/bulk-assign", map[string]any{"codes": []string{code}, "assignee": self}, bearer(otherLead)...)
	if br.Status != http.StatusOK || !strings.Contains(string(br.Body), `"assigned":0`) {
		t.Errorf("bulk assign across agencies: %d %s", br.Status, br.Body)
	}
	// The pages, signed in through the login form.
	p := wsLogin(t, e, "khac@bhxh.example.vn")
	if st, _ := p.get("/staff/tickets/" + code); st != http.StatusNotFound {
		t.Errorf("ticket page: %d", st)
	}
	if st, _ := p.get("/staff/tickets/" + code + "/attachments/abc"); st != http.StatusNotFound {
		t.Errorf("attachment: %d", st)
	}
	// A page of a ticket of its own agency, for the CSRF token.
	own := apptest.Submission()
	own["category"] = "tam-dung-bhxh"
	ownCode := e.Submit(own)
	waitTicket(e, ownCode)
	_, page := p.get("/staff/tickets/" + ownCode)
	csrf := csrfOf(t, page)
	for _, action := range []string{"claim", "assign", "reply", "note", "request-info", "resolve", "close", "reopen", "route", "return", "transfer"} {
		st, body := p.post("/staff/tickets/"+code+"/"+action, url.Values{"_csrf": {csrf}, "version": {strconv.FormatInt(tk.Version, 10)},
			"body": {"x"}, "assignee": {self}, "reason": {"x"}, "agency": {"BYT"}})
		if st != http.StatusNotFound {
			t.Errorf("form %s: %d %s", action, st, body)
		}
	}
	if got := waitTicket(e, code); got.Version != tk.Version {
		t.Errorf("the ticket changed: version %d, want %d", got.Version, tk.Version)
	}
}

// portal is a cookie-holding browser stand-in for the HTML pages.
type wsPortal struct {
	t      testing.TB
	base   string
	client *http.Client
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func csrfOf(t testing.TB, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page: %.500s", page)
	}
	return m[1]
}

func (p *wsPortal) get(path string) (int, string) {
	p.t.Helper()
	res, err := p.client.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (p *wsPortal) post(path string, v url.Values) (int, string) {
	p.t.Helper()
	res, err := p.client.PostForm(p.base+path, v)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusSeeOther {
		return res.StatusCode, res.Header.Get("Location")
	}
	return res.StatusCode, string(b)
}

// wsLogin signs in through the login form.
func wsLogin(t testing.TB, e *apptest.Env, email string) *wsPortal {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &wsPortal{t: t, base: e.URL, client: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, page := p.get("/staff/login")
	pw := wsPassword
	if email == apptest.AdminEmail {
		pw = apptest.AdminPassword
	}
	if st, body := p.post("/staff/login", url.Values{"_csrf": {csrfOf(t, page)}, "email": {email}, "password": {pw}}); st != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, st, body)
	}
	return p
}

// The ticket page through the forms: user text is escaped, a form without
// its CSRF token is refused and changes nothing, a stale form gets a 409
// page with a clear message, notes are marked internal, and viewing the
// page is audited.
func TestWorkspaceTicketPage(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	sub := apptest.Submission()
	sub["body"] = `Tôi cần hỗ trợ <script>alert("ticket")</script> gấp.`
	sub["title"] = `Tiêu đề <img src=x onerror=alert(1)>`
	code := e.Submit(sub)
	tk := waitTicket(e, code)
	p := wsLogin(t, e, "an@tct.example.vn")

	st, page := p.get("/staff/tickets/" + code)
	if st != http.StatusOK {
		t.Fatalf("page: %d %s", st, page)
	}
	for _, id := range []string{"form-claim", "form-reply", "form-note", "form-request-info", "form-resolve", "form-close", "form-return", "form-transfer"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("page lacks #%s", id)
		}
	}
	if strings.Contains(page, `id="form-assign"`) {
		t.Error("agency staff see the assign form")
	}
	csrf := csrfOf(t, page)
	ver := func() string { return strconv.FormatInt(wsVersion(e, code), 10) }

	// No CSRF token: 403, nothing changes.
	if st, body := p.post("/staff/tickets/"+code+"/claim", url.Values{"version": {ver()}}); st != http.StatusForbidden {
		t.Errorf("claim without CSRF: %d %s", st, body)
	}
	if st, _ := p.post("/staff/tickets/"+code+"/reply", url.Values{"version": {ver()}, "body": {"Trả lời"}, "_csrf": {"forged"}}); st != http.StatusForbidden {
		t.Errorf("reply with a forged CSRF token: %d", st)
	}
	if got := waitTicket(e, code); got.Version != tk.Version || got.Assignee != "" {
		t.Fatalf("a form without CSRF changed the ticket: version %d assignee %q", got.Version, got.Assignee)
	}

	// Claim, then a stale reply form.
	if st, loc := p.post("/staff/tickets/"+code+"/claim", url.Values{"_csrf": {csrf}, "version": {ver()}}); st != http.StatusSeeOther || !strings.Contains(loc, "/staff/tickets/"+code) {
		t.Fatalf("claim form: %d %s", st, loc)
	}
	st, body := p.post("/staff/tickets/"+code+"/reply", url.Values{"_csrf": {csrf}, "version": {strconv.FormatInt(tk.Version, 10)}, "body": {"Trả lời cũ"}})
	if st != http.StatusConflict || !strings.Contains(body, "tải lại trang") || !strings.Contains(body, "Trả lời cũ") {
		t.Errorf("stale reply form: %d (want 409 with the message and the typed text kept)", st)
	}
	// Empty reply: 400 with the field message.
	if st, body := p.post("/staff/tickets/"+code+"/reply", url.Values{"_csrf": {csrf}, "version": {ver()}, "body": {" "}}); st != http.StatusBadRequest || !strings.Contains(body, "không được để trống") {
		t.Errorf("empty reply form: %d", st)
	}

	reply := `Đã xử lý <script>alert("reply")</script> xong.`
	if st, loc := p.post("/staff/tickets/"+code+"/note", url.Values{"_csrf": {csrf}, "version": {ver()}, "body": {"Ghi chú riêng cho tổ"}}); st != http.StatusSeeOther {
		t.Fatalf("note form: %d %s", st, loc)
	}
	if st, loc := p.post("/staff/tickets/"+code+"/reply", url.Values{"_csrf": {csrf}, "version": {ver()}, "body": {reply}}); st != http.StatusSeeOther || !strings.Contains(loc, "done=reply") {
		t.Fatalf("reply form: %d %s", st, loc)
	}
	_, page = p.get("/staff/tickets/" + code + "?done=reply")
	for _, raw := range []string{`<script>alert("ticket")`, `<script>alert("reply")`, `<img src=x`} {
		if strings.Contains(page, raw) {
			t.Errorf("page renders %s unescaped", raw)
		}
	}
	for _, esc := range []string{`&lt;script&gt;alert(&#34;ticket&#34;)&lt;/script&gt;`, `&lt;script&gt;alert(&#34;reply&#34;)&lt;/script&gt;`, `&lt;img src=x onerror=alert(1)&gt;`} {
		if !strings.Contains(page, esc) {
			t.Errorf("page lacks the escaped text %s", esc)
		}
	}
	if !strings.Contains(page, "nội bộ") || !strings.Contains(page, "Ghi chú riêng cho tổ") || !strings.Contains(page, `id="done"`) {
		t.Error("the note is not shown marked internal, or no success notice")
	}
	if got := waitTicket(e, code); got.Status != desk.StatusAnswered {
		t.Errorf("after the reply form: %s", got.Status)
	}
	// The public tracking page escapes too, and never shows the note.
	_, track := p.get("/track/" + code)
	if strings.Contains(track, "Ghi chú riêng cho tổ") || strings.Contains(track, `<script>alert`) {
		t.Error("tracking page leaks the note or renders a script")
	}

	views, err := e.App.Store.AuditEntries(context.Background(), store.AuditFilter{Action: "ticket.view", Target: code})
	if err != nil || len(views) < 2 || views[0].Actor != wsUserID(e, "an@tct.example.vn") {
		t.Errorf("ticket.view audit: %v %+v", err, views)
	}
}

// Acceptance 5 (staff actions): claim, request-info and reply each leave
// an audit entry with actor, time and the state before and after.
func TestWorkspaceAudit(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	id := wsUserID(e, "an@tct.example.vn")
	code := e.Submit(apptest.Submission())
	v := waitTicket(e, code).Version
	r := wsAct(e, staff, code, "claim", map[string]any{"version": v})
	wsWant(t, "claim", r, http.StatusOK)
	r = wsAct(e, staff, code, "request-info", map[string]any{"version": r.t.Version, "body": "Xin gửi thêm mã số thuế."})
	wsWant(t, "request-info", r, http.StatusOK)
	r = wsAct(e, staff, code, "reply", map[string]any{"version": r.t.Version, "body": "Đã gia hạn."})
	wsWant(t, "reply", r, http.StatusOK)

	// A transfer through the ticket page's form: the officer's agency loses
	// sight of the ticket, so the form goes back to the inbox.
	code2 := e.Submit(apptest.Submission())
	v2 := waitTicket(e, code2).Version
	p := wsLogin(t, e, "an@tct.example.vn")
	_, page := p.get("/staff/tickets/" + code2)
	if st, loc := p.post("/staff/tickets/"+code2+"/transfer", url.Values{"_csrf": {csrfOf(t, page)}, "version": {strconv.FormatInt(v2, 10)},
		"agency": {"BHXH"}, "reason": {"Nội dung thuộc thẩm quyền BHXH"}}); st != http.StatusSeeOther || !strings.Contains(loc, "/staff/inbox?moved=") {
		t.Fatalf("transfer form: %d %s", st, loc)
	}
	if got := waitTicket(e, code2); got.Agency != "BHXH" {
		t.Fatalf("after the transfer form: agency %q", got.Agency)
	}
	moves, err := e.App.Store.AuditEntries(context.Background(), store.AuditFilter{Action: "ticket.transfer", Target: code2})
	if err != nil || len(moves) != 1 || !strings.Contains(moves[0].Before, `"agency":"BTC-TCT"`) || !strings.Contains(moves[0].After, `"agency":"BHXH"`) || moves[0].Actor != id {
		t.Errorf("transfer audit: %v %+v", err, moves)
	}

	want := map[string][2]string{
		"ticket.claim":        {"new", "in_progress"},
		"ticket.request_info": {"in_progress", "awaiting_citizen"},
		"ticket.reply":        {"awaiting_citizen", "answered"},
	}
	for action, st := range want {
		list, err := e.App.Store.AuditEntries(context.Background(), store.AuditFilter{Action: action, Target: code})
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: %v %d entries", action, err, len(list))
		}
		a := list[0]
		var before, after struct {
			Status   string `json:"status"`
			Assignee string `json:"assignee"`
			Version  int64  `json:"version"`
		}
		if err := json.Unmarshal([]byte(a.Before), &before); err != nil {
			t.Fatalf("%s before %q: %v", action, a.Before, err)
		}
		if err := json.Unmarshal([]byte(a.After), &after); err != nil {
			t.Fatalf("%s after %q: %v", action, a.After, err)
		}
		if a.Actor != id || a.Role != string(desk.RoleStaff) || a.At.IsZero() || a.IP == "" {
			t.Errorf("%s: actor %q role %q at %v ip %q", action, a.Actor, a.Role, a.At, a.IP)
		}
		if before.Status != st[0] || after.Status != st[1] || after.Version <= before.Version || after.Assignee != id {
			t.Errorf("%s: before %+v after %+v", action, before, after)
		}
	}
}

// Canned responses: a lead keeps them for the agency, placeholders are
// filled for the ticket, a reply can send one as it is; staff cannot edit
// them and other agencies do not see them.
func TestWorkspaceCannedResponses(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	lead := e.CreateUser("lanh-dao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	other := e.CreateUser("khac@bhxh.example.vn", desk.RoleStaff, "BHXH")
	body := "Kính gửi {{ten_cong_dan}}, về phản ánh {{ma_phieu}}: {{co_quan}} đã tiếp nhận. ({citizen_name}/{code}/{agency})"

	if r := e.Do("POST", "/api/v1/canned", map[string]any{"title": "Tiếp nhận", "body": body}, bearer(staff)...); r.Status != http.StatusForbidden {
		t.Errorf("staff saving a canned response: %d", r.Status)
	}
	if r := e.Do("POST", "/api/v1/canned", map[string]any{"title": "", "body": body}, bearer(lead)...); r.Status != http.StatusBadRequest {
		t.Errorf("untitled canned response: %d", r.Status)
	}
	r := e.Do("POST", "/api/v1/canned", map[string]any{"title": "Tiếp nhận", "body": body}, bearer(lead)...)
	if r.Status != http.StatusOK {
		t.Fatalf("save canned: %d %s", r.Status, r.Body)
	}
	var saved store.CannedResponse
	r.JSON(t, &saved)
	if saved.Agency != "BTC-TCT" {
		t.Errorf("agency %q", saved.Agency)
	}
	if r := e.Do("GET", "/api/v1/canned", nil, bearer(other)...); strings.Contains(string(r.Body), saved.ID) {
		t.Errorf("another agency sees the canned response: %s", r.Body)
	}

	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)
	want := "Kính gửi Nguyễn Văn An, về phản ánh " + code + ": Tổng cục Thuế đã tiếp nhận. (Nguyễn Văn An/" + code + "/Tổng cục Thuế)"
	lr := e.Do("GET", "/api/v1/canned?ticket="+code, nil, bearer(staff)...)
	if lr.Status != http.StatusOK || !strings.Contains(string(lr.Body), want) {
		t.Errorf("expanded list: %d %s", lr.Status, lr.Body)
	}
	rr := wsAct(e, staff, code, "reply", map[string]any{"version": tk.Version, "canned": saved.ID})
	wsWant(t, "canned reply", rr, http.StatusOK)
	if got := rr.t.Messages[len(rr.t.Messages)-1].Body; got != want {
		t.Errorf("reply body %q, want %q", got, want)
	}
	// The ticket page offers it, already expanded, in the reply form.
	p := wsLogin(t, e, "an@tct.example.vn")
	if _, page := p.get("/staff/tickets/" + code); !strings.Contains(page, `id="canned-select"`) || !strings.Contains(page, "Tiếp nhận") {
		t.Error("the ticket page does not offer the canned response")
	}
	if r := e.Do("DELETE", "/api/v1/canned/"+saved.ID, nil, bearer(lead)...); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.Status, r.Body)
	}
}

// An emailed ticket on the staff page: the attachment is listed and
// downloads through the signed-in page route (the same scoped store read
// as the API), another agency gets 404, and a reply through the form goes
// to the citizen by email through the queue and the relay.
func TestWorkspaceAttachmentAndAnswerMail(t *testing.T) {
	e, sk, addr := startMail(t, nil)
	e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	e.CreateUser("khac@bhxh.example.vn", desk.RoleStaff, "BHXH")
	if err := send(addr, "bich.tran@example.vn", []string{"tct@gdt.gov.vn"}, citizenMail(t, "ws.1@example.vn")); err != nil {
		t.Fatalf("send: %v", err)
	}
	tk := waitTickets(t, e, 1)[0]
	if tk.Agency != "BTC-TCT" || len(tk.Attachments) != 1 {
		t.Fatalf("ticket agency %q attachments %+v", tk.Agency, tk.Attachments)
	}
	path := "/staff/tickets/" + tk.TrackingCode + "/attachments/" + tk.Attachments[0].ID

	p := wsLogin(t, e, "an@tct.example.vn")
	_, page := p.get("/staff/tickets/" + tk.TrackingCode)
	if !strings.Contains(page, `href="`+path+`"`) || !strings.Contains(page, "giấy xác nhận.pdf") {
		t.Errorf("the page does not link the attachment")
	}
	if st, body := p.get(path); st != http.StatusOK || body != pdfBytes {
		t.Errorf("download: %d %q", st, body)
	}
	if st, _ := wsLogin(t, e, "khac@bhxh.example.vn").get(path); st != http.StatusNotFound {
		t.Errorf("another agency's download: %d", st)
	}
	anon := &wsPortal{t: t, base: e.URL, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if st, _ := anon.get(path); st != http.StatusSeeOther {
		t.Errorf("anonymous download: %d, want a redirect to the login page", st)
	}

	answer := "Kính gửi bà Bích, Tổng cục Thuế đã chấp thuận hồ sơ của bà."
	// The acknowledgement mail's event may still land on the ticket after
	// the version is read (a 409 then, as for any stale form): read again.
	var st int
	var loc string
	for try := 0; try < 5; try++ {
		st, loc = p.post("/staff/tickets/"+tk.TrackingCode+"/reply", url.Values{"_csrf": {csrfOf(t, page)}, "version": {strconv.FormatInt(wsVersion(e, tk.TrackingCode), 10)}, "body": {answer}})
		if st != http.StatusConflict {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if st != http.StatusSeeOther {
		t.Fatalf("reply form: %d %s", st, loc)
	}
	m := sk.waitMail(t, "the answer mail", func(m *parse.Message) bool { return strings.Contains(m.Text, "chấp thuận hồ sơ") })
	if len(m.To) != 1 || m.To[0].Email != "bich.tran@example.vn" || !strings.Contains(m.Subject, tk.TrackingCode) {
		t.Errorf("answer mail to %+v subject %q", m.To, m.Subject)
	}
}

// The ticket page renders the publication forms CZ's handlers serve: the
// propose form once answered, then for the lead the masked preview and
// the approve form (agency staff do not get the approve form).
func TestWorkspacePublicationForms(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	e.CreateUser("lanh-dao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)
	sp := wsLogin(t, e, "an@tct.example.vn")
	if _, page := sp.get("/staff/tickets/" + code); strings.Contains(page, `id="form-propose"`) {
		t.Error("propose form before any answer")
	}
	r := wsAct(e, staff, code, "reply", map[string]any{"version": tk.Version, "body": "Đã gia hạn; liên hệ 0912345678 nếu cần."})
	wsWant(t, "reply", r, http.StatusOK)
	if _, page := sp.get("/staff/tickets/" + code); !strings.Contains(page, `id="form-propose"`) {
		t.Fatal("no propose form on an answered ticket")
	}
	if pr := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{"version": r.t.Version}, bearer(staff)...); pr.Status != http.StatusOK {
		t.Fatalf("propose: %d %s", pr.Status, pr.Body)
	}
	_, page := wsLogin(t, e, "lanh-dao@tct.example.vn").get("/staff/tickets/" + code)
	if !strings.Contains(page, `id="publication-preview"`) || !strings.Contains(page, `id="form-approve"`) {
		t.Fatal("the lead sees no preview or approve form")
	}
	if strings.Contains(page[strings.Index(page, `id="publication-preview"`):], "0912345678") {
		t.Error("the preview shows the phone number unmasked")
	}
	if _, page := sp.get("/staff/tickets/" + code); strings.Contains(page, `id="form-approve"`) || strings.Contains(page, `id="form-propose"`) {
		t.Error("agency staff get the approve form, or propose again")
	}
}

// Bulk assignment from the inbox form: CSRF-checked, back to the inbox
// with the count; agency staff may not.
func TestWorkspaceBulkAssignForm(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	e.CreateUser("lanh-dao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	id := wsUserID(e, "an@tct.example.vn")
	a, b := e.Submit(apptest.Submission()), e.Submit(apptest.Submission())
	waitTicket(e, a)
	waitTicket(e, b)
	lp := wsLogin(t, e, "lanh-dao@tct.example.vn")
	_, page := lp.get("/staff/tickets/" + a)
	csrf := csrfOf(t, page)
	if st, _ := lp.post("/staff/tickets/bulk-assign", url.Values{"codes": {a, b}, "assignee": {id}}); st != http.StatusForbidden {
		t.Errorf("bulk form without CSRF: %d", st)
	}
	if got := waitTicket(e, a); got.Assignee != "" {
		t.Fatal("a bulk form without CSRF assigned")
	}
	st, loc := lp.post("/staff/tickets/bulk-assign", url.Values{"_csrf": {csrf}, "codes": {a, b}, "assignee": {id}})
	if st != http.StatusSeeOther || !strings.Contains(loc, "/staff/inbox?assigned=2") {
		t.Fatalf("bulk form: %d %s", st, loc)
	}
	for _, c := range []string{a, b} {
		if got := waitTicket(e, c); got.Assignee != id {
			t.Errorf("%s assignee %q", c, got.Assignee)
		}
	}
	sp := wsLogin(t, e, "an@tct.example.vn")
	_, page = sp.get("/staff/tickets/" + a)
	if st, _ := sp.post("/staff/tickets/bulk-assign", url.Values{"_csrf": {csrfOf(t, page)}, "codes": {a}, "assignee": {""}}); st != http.StatusForbidden {
		t.Errorf("staff bulk form: %d", st)
	}
}

// The ticket page keeps the agency's canned responses briefly; one saved
// or deleted through this process shows on the next page at once.
func TestWorkspaceCannedResponsesFreshOnPage(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	lead := e.CreateUser("lanh-dao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	code := e.Submit(apptest.Submission())
	waitTicket(e, code)
	p := wsLogin(t, e, "an@tct.example.vn")
	const title = "Mẫu trả lời gia hạn thuế"
	if _, page := p.get("/staff/tickets/" + code); strings.Contains(page, title) {
		t.Fatal("the canned response is on the page before it exists")
	}
	r := e.Do("POST", "/api/v1/canned", map[string]any{"title": title, "body": "Kính gửi {{ten_cong_dan}}."}, bearer(lead)...)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("save canned: %d %s", r.Status, r.Body)
	}
	var saved struct {
		ID string `json:"id"`
	}
	r.JSON(t, &saved)
	if _, page := p.get("/staff/tickets/" + code); !strings.Contains(page, title) {
		t.Error("a canned response saved a moment ago is not on the ticket page")
	}
	if r := e.Do("DELETE", "/api/v1/canned/"+saved.ID, nil, bearer(lead)...); r.Status >= 300 {
		t.Fatalf("delete canned: %d %s", r.Status, r.Body)
	}
	if _, page := p.get("/staff/tickets/" + code); strings.Contains(page, title) {
		t.Error("a deleted canned response is still on the ticket page")
	}
}
