package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// webLogin signs in through the staff login form (CSRF cookie and token
// included) and returns a client holding the session cookie.
func webLogin(tb testing.TB, e *apptest.Env, email string) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 2 * time.Minute}
	_, body := webGet(tb, e, c, "/staff/login")
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no CSRF token on the login page")
	}
	res, err := c.PostForm(e.URL+"/staff/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {"user-password-123"}})
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="total"`) {
		tb.Fatalf("web login %s: %d %.300s", email, res.StatusCode, b)
	}
	return c
}

func webGet(tb testing.TB, e *apptest.Env, c *http.Client, path string) (int, string) {
	tb.Helper()
	res, err := c.Get(e.URL + path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return res.StatusCode, string(b)
}

type viewList struct {
	Tickets []struct {
		TrackingCode string `json:"tracking_code"`
		Agency       string `json:"agency"`
		Assignee     string `json:"assignee"`
	} `json:"tickets"`
	Total int    `json:"total"`
	View  string `json:"view"`
}

func apiView(t *testing.T, e *apptest.Env, tok, view string) (codes []string, total int) {
	t.Helper()
	r := e.Do("GET", "/api/v1/tickets?limit=200&view="+view, nil, "Authorization", "Bearer "+tok)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/tickets?view=%s: %d %s", view, r.Status, r.Body)
	}
	var l viewList
	r.JSON(t, &l)
	for _, tk := range l.Tickets {
		codes = append(codes, tk.TrackingCode)
	}
	return codes, l.Total
}

// tabCounts reads the count on every view tab of an inbox page.
func tabCounts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`data-view="([a-z_]+)"[^>]*>[^<]*<span class="count">(\d+)</span>`).FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// inboxFixture is two agencies' tickets with known statuses, deadlines,
// flags and assignees, at a fixed clock (Wednesday 2027-03-10, 10:00 in
// Hanoi), so that "due soon" (by the end of Friday, two working days on)
// is known.
type inboxFixture struct {
	e                    *apptest.Env
	now                  time.Time
	staffA, leadA        string // BHXH tokens
	staffB, coord        string // BTC-TCT, coordinator
	staffAID             string
	codes                map[string]string // fixture name → tracking code
	ids                  map[string]string
	staffAWeb, staffBWeb *http.Client
}

func newInboxFixture(t *testing.T, mode apptest.Mode) *inboxFixture {
	now := time.Date(2027, 3, 10, 3, 0, 0, 0, time.UTC)
	e := apptest.Start(t, apptest.Options{Clock: apptest.NewClock(now), Mode: mode})
	f := &inboxFixture{e: e, now: now, codes: map[string]string{}, ids: map[string]string{}}
	f.staffA = e.CreateUser("a-staff@example.vn", desk.RoleStaff, "BHXH")
	f.leadA = e.CreateUser("a-lead@example.vn", desk.RoleLead, "BHXH")
	f.staffB = e.CreateUser("b-staff@example.vn", desk.RoleStaff, "BTC-TCT")
	f.coord = e.CreateUser("coord@example.vn", desk.RoleCoordinator, "")
	ctx := context.Background()
	ua, err := e.App.Store.UserByEmail(ctx, "a-staff@example.vn")
	if err != nil {
		t.Fatal(err)
	}
	ul, err := e.App.Store.UserByEmail(ctx, "a-lead@example.vn")
	if err != nil {
		t.Fatal(err)
	}
	ub, err := e.App.Store.UserByEmail(ctx, "b-staff@example.vn")
	if err != nil {
		t.Fatal(err)
	}
	f.staffAID = ua.ID
	day := 24 * time.Hour
	type spec struct {
		name, agency string
		status       desk.Status
		assignee     string
		due          time.Duration
		flag         bool
	}
	specs := []spec{
		{"a1", "BHXH", desk.StatusNew, "", 5 * day, false},
		{"a2", "BHXH", desk.StatusInProgress, ua.ID, day, false},
		{"a3", "BHXH", desk.StatusInProgress, "", -day, false},
		{"a4", "BHXH", desk.StatusAwaitingCitizen, ul.ID, 10 * day, true},
		{"a5", "BHXH", desk.StatusAnswered, ua.ID, -3 * day, false},
		{"a6", "BHXH", desk.StatusClosed, "", -9 * day, false},
		{"b1", "BTC-TCT", desk.StatusNew, "", -2 * day, false},
		{"b2", "BTC-TCT", desk.StatusInProgress, ub.ID, 2 * time.Hour, false},
		{"b3", "BTC-TCT", desk.StatusAnswered, ub.ID, day, false},
		{"b4", "BTC-TCT", desk.StatusAwaitingCitizen, ub.ID, 3 * day, true},
	}
	cat := e.App.Catalog()
	var ts []*desk.Ticket
	for _, s := range specs {
		code := desk.NewTrackingCode()
		tk := &desk.Ticket{ID: store.NewID(), TrackingCode: code, Version: 1, Status: s.status, Channel: desk.ChannelWeb, Category: "khac",
			Agency: s.agency, AgencyPath: cat.Path(s.agency), Citizen: desk.Citizen{Name: "Công dân"}, Title: "Phiếu " + s.name,
			CreatedAt: now.Add(-20 * day), UpdatedAt: now.Add(-20 * day), DueAt: now.Add(s.due), OverdueFlag: s.flag, Assignee: s.assignee,
			Custody: []desk.Custody{{Agency: s.agency, Since: now.Add(-20 * day)}}}
		f.codes[s.name], f.ids[s.name] = code, tk.ID
		ts = append(ts, tk)
	}
	if err := e.App.Store.InsertTickets(ctx, ts); err != nil {
		t.Fatal(err)
	}
	waitReady(t, e, time.Minute)
	f.staffAWeb = webLogin(t, e, "a-staff@example.vn")
	f.staffBWeb = webLogin(t, e, "b-staff@example.vn")
	return f
}

func (f *inboxFixture) names(t *testing.T, codes []string) []string {
	t.Helper()
	var out []string
	for _, c := range codes {
		name := "?" + c
		for n, fc := range f.codes {
			if fc == c {
				name = n
			}
		}
		out = append(out, name)
	}
	return out
}

// Every view answers the right tickets, in inbox order (overdue first,
// then by due date), on the API and on the page with its tab counts; an
// assignment moves a ticket from "unassigned" to the assignee's "mine".
func TestInboxViews(t *testing.T) {
	f := newInboxFixture(t, apptest.WebOnly)
	e := f.e
	wantA := map[string][]string{
		"":           {"a4", "a3", "a2", "a1"}, // a4 flagged overdue leads; a3 past due; then by due date
		"new":        {"a1"},
		"mine":       {"a2"},
		"unassigned": {"a3", "a1"},
		"overdue":    {"a4", "a3"},
		"due_soon":   {"a2"},
		"awaiting":   {"a4"},
		"answered":   {"a5"},
	}
	for view, want := range wantA {
		codes, total := apiView(t, e, f.staffA, view)
		if got := f.names(t, codes); !slices.Equal(got, want) || total != len(want) {
			t.Errorf("staff A, view %q: got %v (total %d), want %v", view, got, total, want)
		}
	}
	// The coordinator sees both agencies, overdue first.
	codes, _ := apiView(t, e, f.coord, "")
	if got, want := f.names(t, codes), []string{"b4", "a4", "b1", "a3", "b2", "a2", "a1"}; !slices.Equal(got, want) {
		t.Errorf("coordinator default view: got %v, want %v", got, want)
	}
	codes, _ = apiView(t, e, f.coord, "due_soon")
	if got, want := f.names(t, codes), []string{"b2", "a2"}; !slices.Equal(got, want) {
		t.Errorf("coordinator due soon: got %v, want %v", got, want)
	}

	// The page: rows link to the ticket page, carry bulk-assign
	// checkboxes, and the tabs count every view.
	status, body := webGet(t, e, f.staffAWeb, "/staff/inbox")
	if status != http.StatusOK {
		t.Fatalf("inbox page: %d", status)
	}
	for _, s := range []string{`id="form-bulk-assign"`, `action="/staff/tickets/bulk-assign"`, `name="codes" value="` + f.codes["a1"] + `"`,
		`href="/staff/tickets/` + f.codes["a4"] + `"`, `name="_csrf"`} {
		if !strings.Contains(body, s) {
			t.Errorf("inbox page lacks %s", s)
		}
	}
	if i4, i1 := strings.Index(body, `data-code="`+f.codes["a4"]), strings.Index(body, `data-code="`+f.codes["a1"]); i4 < 0 || i1 < 0 || i4 > i1 {
		t.Errorf("page order: a4 at %d, a1 at %d", i4, i1)
	}
	wantCounts := map[string]string{"all": "4", "new": "1", "mine": "1", "unassigned": "2", "overdue": "2", "due_soon": "1", "awaiting": "1", "answered": "1"}
	if got := tabCounts(body); fmt.Sprint(got) != fmt.Sprint(wantCounts) {
		t.Errorf("tab counts %v, want %v", got, wantCounts)
	}
	_, body = webGet(t, e, f.staffAWeb, "/staff/inbox?view=overdue")
	if !strings.Contains(body, f.codes["a3"]) || strings.Contains(body, f.codes["a1"]) || !strings.Contains(body, `class="active"`) {
		t.Errorf("overdue page shows the wrong tickets")
	}

	// An assignment (here through the store's compare-and-set; the
	// workspace's claim action makes the same change) shows at once.
	tk, err := e.App.Store.TicketByID(context.Background(), f.ids["a1"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Store.UpdateTicketWith(context.Background(), tk.ID, tk.Version, store.SetAssigneeChange(f.staffAID, f.staffAID, "claim"), f.now); err != nil {
		t.Fatal(err)
	}
	codes, _ = apiView(t, e, f.staffA, "mine")
	if got, want := f.names(t, codes), []string{"a2", "a1"}; !slices.Equal(got, want) {
		t.Errorf("mine after the assignment: got %v, want %v", got, want)
	}
	codes, _ = apiView(t, e, f.staffA, "unassigned")
	if got, want := f.names(t, codes), []string{"a3"}; !slices.Equal(got, want) {
		t.Errorf("unassigned after the assignment: got %v, want %v", got, want)
	}
	// The lead's "mine" is the lead's own.
	codes, _ = apiView(t, e, f.leadA, "mine")
	if got, want := f.names(t, codes), []string{"a4"}; !slices.Equal(got, want) {
		t.Errorf("lead's mine: got %v, want %v", got, want)
	}

	// Bad input: a clear 400 and nothing else.
	for _, path := range []string{"/api/v1/tickets?view=everything", "/api/v1/tickets?view=mine&limit=0"} {
		if r := e.Do("GET", path, nil, "Authorization", "Bearer "+f.staffA); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "detail") {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	if status, body := webGet(t, e, f.staffAWeb, "/staff/inbox?view=%3Cscript%3E"); status != http.StatusBadRequest || strings.Contains(body, "<script>") {
		t.Errorf("unknown view on the page: %d", status)
	}
	if status, _ := webGet(t, e, f.staffAWeb, "/staff/inbox?page=0"); status != http.StatusBadRequest {
		t.Errorf("page=0: %d", status)
	}
}

// Agency A's staff never see agency B's tickets, in any view, count or
// page, and B's staff never see A's.
func TestInboxScoping(t *testing.T) {
	f := newInboxFixture(t, apptest.WebOnly)
	e := f.e
	for _, who := range []struct {
		tok    string
		web    *http.Client
		own    string
		others []string
		total  string
	}{
		{f.staffA, f.staffAWeb, "a", []string{"b1", "b2", "b3", "b4"}, "4"},
		{f.staffB, f.staffBWeb, "b", []string{"a1", "a2", "a3", "a4", "a5", "a6"}, "3"},
	} {
		for _, view := range store.InboxViews {
			codes, total := apiView(t, e, who.tok, view)
			for _, n := range f.names(t, codes) {
				if !strings.HasPrefix(n, who.own) {
					t.Errorf("staff %s, view %q: saw %s", who.own, view, n)
				}
			}
			if total != len(codes) {
				t.Errorf("staff %s, view %q: total %d for %d rows", who.own, view, total, len(codes))
			}
			_, body := webGet(t, e, who.web, "/staff/inbox?view="+view)
			for _, n := range who.others {
				if strings.Contains(body, f.codes[n]) {
					t.Errorf("staff %s, page view %q shows %s", who.own, view, n)
				}
			}
			if view == "" {
				if c := tabCounts(body)["all"]; c != who.total {
					t.Errorf("staff %s counts %s open tickets, want %s", who.own, c, who.total)
				}
			}
		}
		// Asking for the other agency by name changes nothing.
		other := map[string]string{"a": "BTC-TCT", "b": "BHXH"}[who.own]
		r := e.Do("GET", "/api/v1/tickets?agency="+other, nil, "Authorization", "Bearer "+who.tok)
		var l viewList
		r.JSON(t, &l)
		if r.Status != http.StatusOK || l.Total != 0 || len(l.Tickets) != 0 {
			t.Errorf("staff %s asking for %s: %d, %d tickets", who.own, other, r.Status, l.Total)
		}
	}
}

// A ticket changed through the API is in its new place on the next
// request: transferred from BHXH to BTC-TCT, it leaves A's views and
// counts and enters B's, with no waiting.
func TestInboxFreshness(t *testing.T) {
	f := newInboxFixture(t, apptest.WebOnly)
	e := f.e
	tk, err := e.App.Store.TicketByID(context.Background(), f.ids["a1"])
	if err != nil {
		t.Fatal(err)
	}
	r := e.Do("POST", "/api/v1/tickets/"+f.codes["a1"]+"/transfer", map[string]any{"agency": "BTC-TCT", "reason": "Thuộc thẩm quyền ngành thuế", "version": tk.Version},
		"Authorization", "Bearer "+f.staffA)
	if r.Status != http.StatusOK {
		t.Fatalf("transfer: %d %s", r.Status, r.Body)
	}
	codes, _ := apiView(t, e, f.staffA, "")
	if slices.Contains(codes, f.codes["a1"]) {
		t.Errorf("transferred ticket still in BHXH's inbox")
	}
	codes, _ = apiView(t, e, f.staffB, "unassigned")
	if !slices.Contains(codes, f.codes["a1"]) {
		t.Errorf("transferred ticket not in BTC-TCT's unassigned view: %v", f.names(t, codes))
	}
	_, body := webGet(t, e, f.staffBWeb, "/staff/inbox")
	if !strings.Contains(body, f.codes["a1"]) || tabCounts(body)["all"] != "4" {
		t.Errorf("BTC-TCT's page: a1 shown %v, counts %v", strings.Contains(body, f.codes["a1"]), tabCounts(body))
	}
	_, body = webGet(t, e, f.staffAWeb, "/staff/inbox")
	if strings.Contains(body, f.codes["a1"]) || tabCounts(body)["all"] != "3" {
		t.Errorf("BHXH's page after the transfer: counts %v", tabCounts(body))
	}
}
