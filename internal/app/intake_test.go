package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
)

type ticketList struct {
	Tickets []struct {
		TrackingCode string    `json:"tracking_code"`
		Agency       string    `json:"agency"`
		Status       string    `json:"status"`
		DueAt        time.Time `json:"due_at"`
	} `json:"tickets"`
	Total int `json:"total"`
}

func inbox(e *apptest.Env, token string) ticketList {
	e.T.Helper()
	r := e.Do("GET", "/api/v1/tickets", nil, "Authorization", "Bearer "+token)
	if r.Status != http.StatusOK {
		e.T.Fatalf("inbox: %d %s", r.Status, r.Body)
	}
	var l ticketList
	r.JSON(e.T, &l)
	return l
}

func inInbox(l ticketList, code string) bool {
	for _, t := range l.Tickets {
		if t.TrackingCode == code && !t.DueAt.IsZero() {
			return true
		}
	}
	return false
}

type trackJSON struct {
	TrackingCode string `json:"tracking_code"`
	Status       string `json:"status"`
	Category     string `json:"category"`
	Agency       *struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"agency"`
	CreatedAt time.Time  `json:"created_at"`
	DueAt     *time.Time `json:"due_at"`
	Timeline  []struct {
		Type string `json:"type"`
	} `json:"timeline"`
}

func track(e *apptest.Env, code string) (trackJSON, *apptest.Response) {
	r := e.Do("GET", "/api/v1/track/"+code, nil)
	var v trackJSON
	if r.Status == http.StatusOK {
		r.JSON(e.T, &v)
	}
	return v, r
}

// A submission through the API is routed to its category's agency, shows
// in that agency's inbox with a due date within 2 s, and on the public
// tracking endpoint without personal data.
func TestSubmissionReachesAgencyInbox(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("thue@mof.example.vn", desk.RoleStaff, "BTC-TCT")
	other := e.CreateUser("ldtbxh@molisa.example.vn", desk.RoleStaff, "BLDTBXH")

	start := time.Now()
	code := e.Submit(apptest.Submission())
	if !strings.HasPrefix(code, "PA-") {
		t.Fatalf("tracking code %q", code)
	}
	apptest.WaitFor(t, 2*time.Second, "ticket in the agency inbox", func() bool { return inInbox(inbox(e, staff), code) })
	t.Logf("submission to inbox: %v", time.Since(start))

	v, r := track(e, code)
	if r.Status != 200 || v.Agency == nil || v.Agency.Code != "BTC-TCT" || v.DueAt == nil || v.Status != "new" {
		t.Fatalf("track: %d %s", r.Status, r.Body)
	}
	for _, personal := range []string{"Nguyễn Văn An", "0912345678", "912345678", "an@example.vn", "từ tháng 4"} {
		if strings.Contains(string(r.Body), personal) {
			t.Errorf("public tracking leaks %q: %s", personal, r.Body)
		}
	}
	// Ten working days from a weekday is exactly 14 calendar days when no
	// holiday intervenes; at the least it must be later than 10 days.
	if d := v.DueAt.Sub(v.CreatedAt); d < 10*24*time.Hour || d > 40*24*time.Hour {
		t.Errorf("due %v is %v after creation", v.DueAt, d)
	}

	// Another agency's staff neither list it nor open it by code.
	if inInbox(inbox(e, other), code) {
		t.Error("ticket leaked into another agency's inbox")
	}
	if r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+other); r.Status != http.StatusNotFound {
		t.Errorf("other agency opening the ticket by code: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+staff); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "0912345678") && !strings.Contains(string(r.Body), "+84912345678") {
		t.Errorf("own agency opening the ticket: %d %s", r.Status, r.Body)
	}
	// The coordinator sees every agency's tickets.
	coord := e.CreateUser("dieuphoi@vpcp.example.vn", desk.RoleCoordinator, "")
	if !inInbox(inbox(e, coord), code) {
		t.Error("coordinator does not see the ticket")
	}
	// Without a token the staff API refuses.
	if r := e.Do("GET", "/api/v1/tickets", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous list: %d", r.Status)
	}
}

// "Other" has no agency: the ticket waits in the coordinators' triage.
func TestUnroutedGoesToTriage(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	coord := e.CreateUser("dieuphoi@vpcp.example.vn", desk.RoleCoordinator, "")
	sub := apptest.Submission()
	sub["category"] = "khac"
	code := e.Submit(sub)
	apptest.WaitFor(t, 2*time.Second, "ticket in triage", func() bool {
		for _, tk := range inbox(e, coord).Tickets {
			if tk.TrackingCode == code && tk.Status == "triage" {
				return true
			}
		}
		return false
	})
	v, _ := track(e, code)
	if v.Agency != nil || v.Status != "triage" {
		t.Errorf("a triage ticket shows agency %v status %s", v.Agency, v.Status)
	}
}

// The same Idempotency-Key twice gives one ticket and the same code.
func TestIdempotencyKey(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	a := e.Submit(apptest.Submission(), "Idempotency-Key", "client-retry-42")
	b := e.Submit(apptest.Submission(), "Idempotency-Key", "client-retry-42")
	if a != b {
		t.Fatalf("same key, different codes: %s %s", a, b)
	}
	c := e.Submit(apptest.Submission(), "Idempotency-Key", "another-key")
	if c == a {
		t.Fatal("different keys share a code")
	}
	ctx := context.Background()
	apptest.WaitFor(t, 3*time.Second, "both tickets", func() bool {
		n, _ := e.App.Store.CountTickets(ctx)
		return n == 2
	})
	time.Sleep(300 * time.Millisecond) // a stray third ticket would show up now
	if n, _ := e.App.Store.CountSubmissions(ctx, ""); n != 2 {
		t.Errorf("%d submissions stored, want 2", n)
	}
	if n, _ := e.App.Store.CountTickets(ctx); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}
}

// Bad input gets a 4xx with a clear message and stores nothing.
func TestBadInputStoresNothing(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	with := func(k, v string) map[string]string {
		s := apptest.Submission()
		if v == "<delete>" {
			delete(s, k)
		} else {
			s[k] = v
		}
		return s
	}
	cases := []struct {
		name   string
		body   any
		status int
		field  string
		ctype  string
	}{
		{"missing title", with("title", "<delete>"), 400, "title", ""},
		{"blank name", with("name", "   "), 400, "name", ""},
		{"unknown category", with("category", "xo-so"), 400, "category", ""},
		{"unknown province", with("province", "Atlantis"), 400, "province", ""},
		{"bad email", with("email", "an@@example"), 400, "email", ""},
		{"bad phone", with("phone", "gọi tôi nhé"), 400, "phone", ""},
		{"body field over its limit", with("body", strings.Repeat("ă", 20001)), 400, "body", ""},
		{"request over 1 MiB", `{"name":"A","body":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "", ""},
		{"invalid UTF-8", []byte("{\"name\":\"Nguy\xe1\xbb\",\"title\":\"x\",\"body\":\"y\",\"category\":\"gia-han-thue\",\"phone\":\"0912345678\"}"), 400, "", ""},
		{"malformed JSON", `{"name": "An",`, 400, "", ""},
		{"unknown field", `{"name":"An","evil":1}`, 400, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/submissions", tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if len(r.Body) == 0 {
				t.Fatal("no message")
			}
			if tc.status == 400 {
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("content type %q", ct)
				}
				var p struct {
					Detail string            `json:"detail"`
					Fields map[string]string `json:"fields"`
				}
				r.JSON(t, &p)
				if p.Detail == "" {
					t.Errorf("no detail: %s", r.Body)
				}
				if tc.field != "" && p.Fields[tc.field] == "" {
					t.Errorf("no message for field %s: %s", tc.field, r.Body)
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if n, _ := e.App.Store.CountSubmissions(context.Background(), ""); n != 0 {
		t.Errorf("%d submissions stored from bad input", n)
	}
}

// Admin-only user creation, with validation.
func TestAdminCreatesUsers(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	staff := e.CreateUser("staff@bhxh.example.vn", desk.RoleStaff, "BHXH")
	body := map[string]string{"email": "x@bhxh.example.vn", "password": "long-enough-pw", "name": "X", "role": "agency_staff", "agency": "BHXH"}
	if r := e.Do("POST", "/api/v1/admin/users", body, "Authorization", "Bearer "+staff); r.Status != http.StatusForbidden {
		t.Errorf("staff creating a user: %d %s", r.Status, r.Body)
	}
	bad := map[string]string{"email": "y@bhxh.example.vn", "password": "long-enough-pw", "name": "Y", "role": "agency_staff", "agency": "NOPE"}
	if r := e.Do("POST", "/api/v1/admin/users", bad, "Authorization", "Bearer "+admin); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "agency") {
		t.Errorf("unknown agency: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/admin/users", body, "Authorization", "Bearer "+admin); r.Status != http.StatusCreated || strings.Contains(string(r.Body), "password") {
		t.Errorf("create: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/admin/users", body, "Authorization", "Bearer "+admin); r.Status != http.StatusConflict {
		t.Errorf("duplicate email: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/login", map[string]string{"email": apptest.AdminEmail, "password": "wrong"}); r.Status != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", r.Status)
	}
}

// Catalog endpoints are public and carry stable codes.
func TestCatalogAPI(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	var ag struct {
		Agencies []struct{ Code, Name, Parent string } `json:"agencies"`
	}
	e.Do("GET", "/api/v1/agencies", nil).JSON(t, &ag)
	var cats struct {
		Categories []struct{ Code, Name, Agency string } `json:"categories"`
	}
	e.Do("GET", "/api/v1/categories", nil).JSON(t, &cats)
	found := map[string]string{}
	for _, a := range ag.Agencies {
		found[a.Code] = a.Parent
	}
	if p, ok := found["BTC-TCT"]; !ok || p != "BTC" {
		t.Errorf("General Department of Taxation under the Ministry of Finance: %v", found)
	}
	for _, c := range cats.Categories {
		if c.Agency != "" {
			if _, ok := found[c.Agency]; !ok {
				t.Errorf("category %s points at unknown agency %s", c.Code, c.Agency)
			}
		}
	}
	if len(cats.Categories) < 9 {
		t.Errorf("%d categories", len(cats.Categories))
	}
}

// Past the per-IP limit a submitter gets 429 with Retry-After and a
// Vietnamese message, and nothing is stored.
func TestSubmitRateLimit(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.LimitSubmit = "3/1m" }})
	for i := 0; i < 3; i++ {
		e.Submit(apptest.Submission())
	}
	r := e.Do("POST", "/api/v1/submissions", apptest.Submission())
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "quá nhiều") {
		t.Fatalf("4th submission: %d %v %s", r.Status, r.Header, r.Body)
	}
	if n, _ := e.App.Store.CountSubmissions(context.Background(), ""); n != 3 {
		t.Errorf("%d submissions stored, want 3", n)
	}
}

// A submission that names an existing ticket is appended to it as a
// citizen message, once, and opens no new ticket.
func TestReplyToExistingTicket(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	code := e.Submit(apptest.Submission())
	ctx := context.Background()
	admin := &desk.User{ID: "test", Role: desk.RoleAdmin}
	apptest.WaitFor(t, 2*time.Second, "ticket", func() bool { _, err := e.App.Store.TicketByCode(ctx, admin, code); return err == nil })
	for i := 0; i < 2; i++ { // the same call logged twice: one message
		_, err := e.App.Intake.Accept(ctx, intake.Input{Channel: desk.ChannelHotline, IdempotencyKey: "call-77", Name: "Nguyễn Văn An",
			Phone: "0912345678", Category: "gia-han-thue", Title: "Gọi lại hỏi tiến độ", Body: "Công dân gọi hỏi tiến độ xử lý.", ReplyTo: strings.ToLower(code)})
		if err != nil {
			t.Fatal(err)
		}
	}
	apptest.WaitFor(t, 2*time.Second, "message on the ticket", func() bool {
		tk, _ := e.App.Store.TicketByCode(ctx, admin, code)
		return tk != nil && len(tk.Messages) == 1
	})
	time.Sleep(300 * time.Millisecond)
	tk, _ := e.App.Store.TicketByCode(ctx, admin, code)
	if len(tk.Messages) != 1 || tk.Messages[0].Channel != desk.ChannelHotline || !strings.Contains(tk.Messages[0].Body, "tiến độ") {
		t.Errorf("messages: %+v", tk.Messages)
	}
	if n, _ := e.App.Store.CountTickets(ctx); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}
