package web_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// captureAuthLog sends the auth service's log lines to a buffer as well.
func captureAuthLog(e *apptest.Env) *syncBuf {
	buf := &syncBuf{}
	e.App.Auth.Log = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return buf
}

type auditList struct {
	Entries []desk.AuditEntry `json:"entries"`
}

func auditOf(t *testing.T, e *apptest.Env, admin, query string) []desk.AuditEntry {
	t.Helper()
	r := e.Do("GET", "/api/v1/admin/audit?"+query, nil, "Authorization", "Bearer "+admin)
	if r.Status != http.StatusOK {
		t.Fatalf("audit %s: %d %s", query, r.Status, r.Body)
	}
	var out auditList
	r.JSON(t, &out)
	return out.Entries
}

func apiLogin(e *apptest.Env, email, pw string) *apptest.Response {
	return e.Do("POST", "/api/v1/login", map[string]string{"email": email, "password": pw})
}

// A brute-force loop against one account: five wrong passwords lock it;
// while locked even the right password is refused (429, Retry-After, no
// password check) on the API and the login page; each failure and the
// lock are logged and audited; after 15 minutes the right password works.
func TestLoginLockoutBruteForce(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	e := apptest.Start(t, apptest.Options{Clock: clock})
	admin := e.AdminToken()
	const email = "canbo@bhxh.example.vn"
	e.CreateUser(email, desk.RoleStaff, "BHXH")
	logs := captureAuthLog(e)

	for i := 0; i < 5; i++ {
		if r := apiLogin(e, email, fmt.Sprintf("wrong-guess-%d", i)); r.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
		}
		clock.Advance(time.Minute)
	}
	r := apiLogin(e, email, userPassword)
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("right password on a locked account: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(string(r.Body), "Tài khoản tạm khoá") || r.Header.Get("Retry-After") == "" {
		t.Errorf("lockout answer: %s, Retry-After %q", r.Body, r.Header.Get("Retry-After"))
	}
	b := newBrowserish(t, e)
	if p := b.login(email, userPassword); p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "Tài khoản tạm khoá") {
		t.Fatalf("login page on a locked account: %d", p.status)
	}
	failed := auditOf(t, e, admin, "action=login.failed&target="+email)
	wrong := 0
	for _, a := range failed {
		if a.Note == "wrong password" {
			wrong++
		}
		if a.IP == "" {
			t.Errorf("audit entry without IP: %+v", a)
		}
	}
	if wrong != 5 || len(failed) != 7 { // 5 wrong passwords + 2 refused while locked
		t.Errorf("login.failed entries: %d (wrong password %d), want 7 (5)", len(failed), wrong)
	}
	locked := auditOf(t, e, admin, "action=login.locked&target="+email)
	if len(locked) != 1 || !strings.Contains(locked[0].After, "locked_until") {
		t.Errorf("login.locked entries: %+v", locked)
	}
	out := logs.String()
	if !strings.Contains(out, "account locked after failed logins") || !strings.Contains(out, "email="+email) || !strings.Contains(out, "ip=127.0.0.1") {
		t.Errorf("lock not logged with account and IP:\n%s", out)
	}
	if strings.Count(out, "msg=\"login failed\"") != 5 {
		t.Errorf("want 5 failure log lines:\n%s", out)
	}

	// The lock ran from the fifth failure (at +4 min) for 15 minutes.
	clock.Advance(13 * time.Minute) // +18 min: still locked
	if r := apiLogin(e, email, userPassword); r.Status != http.StatusTooManyRequests {
		t.Fatalf("before the lock ends: %d %s", r.Status, r.Body)
	}
	clock.Advance(2 * time.Minute) // +20 min: lock over
	if r := apiLogin(e, email, userPassword); r.Status != http.StatusOK {
		t.Fatalf("after the lock: %d %s", r.Status, r.Body)
	}
	if got := auditOf(t, e, admin, "action=login&target="); len(got) == 0 {
		t.Error("successful logins are not audited")
	}

	// A success forgets earlier failures; failures spread over more than
	// the window never lock.
	for round := 0; round < 3; round++ {
		for i := 0; i < 4; i++ {
			if r := apiLogin(e, email, "nope-nope-nope"); r.Status != http.StatusUnauthorized {
				t.Fatalf("round %d guess %d: %d", round, i, r.Status)
			}
		}
		clock.Advance(16 * time.Minute)
	}
	if r := apiLogin(e, email, userPassword); r.Status != http.StatusOK {
		t.Fatalf("4 failures per window locked the account: %d %s", r.Status, r.Body)
	}
}

// An unknown email locks exactly like a real one, so the lockout does not
// reveal which accounts exist; and a concurrent burst of guesses gets at
// most five password checks.
func TestLoginLockoutUnknownAndBurst(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	e := apptest.Start(t, apptest.Options{Clock: clock})
	admin := e.AdminToken()
	for i := 0; i < 5; i++ {
		if r := apiLogin(e, "nobody@example.vn", "guess-guess-1"); r.Status != http.StatusUnauthorized {
			t.Fatalf("unknown %d: %d", i, r.Status)
		}
	}
	if r := apiLogin(e, "nobody@example.vn", "guess-guess-1"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("unknown account after 5 failures: %d", r.Status)
	}

	const email = "lead@bhxh.example.vn"
	e.CreateUser(email, desk.RoleLead, "BHXH")
	var wg sync.WaitGroup
	codes := make(chan int, 30)
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes <- apiLogin(e, email, fmt.Sprintf("burst-%d-guess", i)).Status
		}(i)
	}
	wg.Wait()
	close(codes)
	n401, n429 := 0, 0
	for c := range codes {
		switch c {
		case 401:
			n401++
		case 429:
			n429++
		default:
			t.Errorf("burst answer %d", c)
		}
	}
	checked := 0
	for _, a := range auditOf(t, e, admin, "action=login.failed&target="+email+"&limit=500") {
		if a.Note == "wrong password" {
			checked++
		}
	}
	if n401 > 5 || checked > 5 || n401+n429 != 30 {
		t.Errorf("burst of 30: %d wrong-password answers, %d refused, %d passwords checked; want at most 5 checked", n401, n429, checked)
	}
	if r := apiLogin(e, email, userPassword); r.Status != http.StatusTooManyRequests {
		t.Errorf("after the burst the right password got %d", r.Status)
	}
}

func cookieNamed(h http.Header, name string) string {
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	return ""
}

// The session cookie is HttpOnly and SameSite=Lax, and Secure exactly
// when the public URL is https; logging out revokes the session
// server-side (the old cookie no longer opens a page) and is audited.
func TestSessionCookieAndLogout(t *testing.T) {
	for _, base := range []string{"http://localhost:8080", "https://phananh.example.vn"} {
		t.Run(base, func(t *testing.T) {
			e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.BaseURL = base }})
			b := newBrowserish(t, e)
			p := b.login(apptest.AdminEmail, apptest.AdminPassword)
			ck := cookieNamed(p.header, "cd_session")
			if p.status != http.StatusSeeOther || ck == "" {
				t.Fatalf("login: %d, cookie %q", p.status, ck)
			}
			lc := strings.ToLower(ck)
			if !strings.Contains(lc, "httponly") || !strings.Contains(lc, "samesite=lax") {
				t.Errorf("session cookie %q", ck)
			}
			if secure := strings.Contains(lc, "secure"); secure != strings.HasPrefix(base, "https") {
				t.Errorf("Secure=%v for %s: %q", secure, base, ck)
			}
			if base == "https://phananh.example.vn" {
				return // the cookie jar will not send a Secure cookie over http
			}
			tok := strings.TrimPrefix(strings.SplitN(ck, ";", 2)[0], "cd_session=")
			if r := b.get("/staff/admin/users"); r.status != http.StatusOK {
				t.Fatalf("users page while signed in: %d", r.status)
			}
			if r := b.post("/staff/logout", nil); r.status != http.StatusSeeOther {
				t.Fatalf("logout: %d", r.status)
			}
			// Replaying the old cookie after logout does not sign in.
			if st := noFollow(t, e, "/staff/admin/users", "cd_session="+tok); st != http.StatusSeeOther {
				t.Errorf("old session cookie after logout: %d", st)
			}
			if got := auditOf(t, e, e.AdminToken(), "action=logout"); len(got) != 1 {
				t.Errorf("logout audit entries: %d", len(got))
			}
		})
	}
}

type userJSON struct {
	ID       string    `json:"id"`
	Email    string    `json:"email"`
	Role     desk.Role `json:"role"`
	Agency   string    `json:"agency"`
	Disabled bool      `json:"disabled"`
}

func userID(t *testing.T, e *apptest.Env, admin, email string) string {
	t.Helper()
	r := e.Do("GET", "/api/v1/admin/users", nil, "Authorization", "Bearer "+admin)
	var out struct{ Users []userJSON }
	r.JSON(t, &out)
	for _, u := range out.Users {
		if u.Email == email {
			return u.ID
		}
	}
	t.Fatalf("no user %s in %s", email, r.Body)
	return ""
}

// Changing a role or agency, disabling, and "sign out everywhere" revoke
// the account's sessions at once and are audited with before and after;
// only admins may do any of it.
func TestAdminUsersRevokeOnChange(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	staffTok := e.CreateUser("staff@bhxh.example.vn", desk.RoleStaff, "BHXH")
	id := userID(t, e, admin, "staff@bhxh.example.vn")
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	// Non-admins: 403 on every admin endpoint, nothing changes.
	if r := e.Do("PATCH", "/api/v1/admin/users/"+id, map[string]any{"role": "admin"}, auth(staffTok)...); r.Status != http.StatusForbidden {
		t.Fatalf("staff promoting self: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/admin/users", nil, auth(staffTok)...); r.Status != http.StatusForbidden {
		t.Fatalf("staff listing users: %d", r.Status)
	}
	// Bad input: clear message, nothing changes, old session still valid.
	r := e.Do("PATCH", "/api/v1/admin/users/"+id, map[string]any{"role": "agency_staff", "agency": "NOPE"}, auth(admin)...)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "agency") {
		t.Fatalf("unknown agency: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(staffTok)...); r.Status != http.StatusOK {
		t.Fatalf("session revoked by a refused change: %d", r.Status)
	}

	// Role change revokes and is audited.
	r = e.Do("PATCH", "/api/v1/admin/users/"+id, map[string]any{"role": "agency_lead", "agency": "BHXH"}, auth(admin)...)
	if r.Status != http.StatusOK {
		t.Fatalf("role change: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(staffTok)...); r.Status != http.StatusUnauthorized {
		t.Fatalf("old session after role change: %d", r.Status)
	}
	ents := auditOf(t, e, admin, "action=user.role&target="+id)
	if len(ents) != 1 || !strings.Contains(ents[0].Before, `"agency_staff"`) || !strings.Contains(ents[0].After, `"agency_lead"`) || ents[0].Role != "admin" {
		t.Fatalf("user.role audit: %+v", ents)
	}

	// Revoke sessions (HTML page, as the admin in a browser).
	tok2 := e.Login("staff@bhxh.example.vn", userPassword)
	b := newBrowserish(t, e)
	b.mustLogin(apptest.AdminEmail, apptest.AdminPassword)
	if p := b.get("/staff/admin/users"); p.status != http.StatusOK || !strings.Contains(p.body, "staff@bhxh.example.vn") {
		t.Fatalf("users page: %d", p.status)
	}
	if p := b.post("/staff/admin/users/"+id+"/revoke", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", p.status, p.body)
	}
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(tok2)...); r.Status != http.StatusUnauthorized {
		t.Fatalf("session after revoke: %d", r.Status)
	}
	// A form without the CSRF token changes nothing.
	if p := b.do("POST", "/staff/admin/users/"+id+"/disable", url.Values{"disabled": {"1"}}); p.status != http.StatusForbidden {
		t.Fatalf("disable without CSRF: %d", p.status)
	}
	// Disable: sign-in refused, audited.
	tok3 := e.Login("staff@bhxh.example.vn", userPassword)
	if p := b.post("/staff/admin/users/"+id+"/disable", url.Values{"disabled": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(tok3)...); r.Status != http.StatusUnauthorized {
		t.Fatalf("session after disable: %d", r.Status)
	}
	if r := apiLogin(e, "staff@bhxh.example.vn", userPassword); r.Status != http.StatusUnauthorized {
		t.Fatalf("login of a disabled account: %d", r.Status)
	}
	if ents := auditOf(t, e, admin, "action=user.disable&target="+id); len(ents) != 1 {
		t.Fatalf("user.disable audit: %+v", ents)
	}
	// The page changes role and agency too, and refuses the admin's own account.
	if p := b.post("/staff/admin/users/"+id, url.Values{"role": {"coordinator"}, "agency": {"BHXH"}}); p.status != http.StatusSeeOther {
		t.Fatalf("page role change: %d %s", p.status, p.body)
	}
	u := userID(t, e, admin, apptest.AdminEmail)
	if p := b.post("/staff/admin/users/"+u+"/disable", url.Values{"disabled": {"1"}}); p.status != http.StatusBadRequest {
		t.Fatalf("admin disabling self: %d", p.status)
	}
	// Creating an account on the page is audited.
	if p := b.post("/staff/admin/users", url.Values{"email": {"new@byt.example.vn"}, "name": {"Trần Thị Mai"}, "password": {"long-enough-pass"}, "role": {"agency_staff"}, "agency": {"BYT"}}); p.status != http.StatusSeeOther {
		t.Fatalf("create on page: %d %s", p.status, p.body)
	}
	if p := b.post("/staff/admin/users", url.Values{"email": {"bad"}, "name": {"x"}, "password": {"short"}, "role": {"agency_staff"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Email không hợp lệ") {
		t.Fatalf("bad create on page: %d", p.status)
	}
	if ents := auditOf(t, e, admin, "action=user.create"); len(ents) != 2 { // 1 through the API + 1 on the page
		t.Errorf("user.create entries: %d", len(ents))
	}
}

// API tokens: scoped no wider than the creator, shown once, stored
// hashed, listed, revoked, expiring; the API acts with the token's role.
func TestAPITokens(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	e := apptest.Start(t, apptest.Options{Clock: clock})
	admin := e.AdminToken()
	lead := e.CreateUser("lead@bhxh.example.vn", desk.RoleLead, "BHXH")
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	for _, bad := range []map[string]any{
		{"name": "x", "role": "admin"},
		{"name": "x", "role": "agency_staff", "agency": "BYT"},
		{"name": "", "role": "agency_staff", "agency": "BHXH"},
		{"name": "x", "days": 400},
	} {
		if r := e.Do("POST", "/api/v1/tokens", bad, auth(lead)...); r.Status != http.StatusBadRequest {
			t.Errorf("token %v: %d %s", bad, r.Status, r.Body)
		}
	}
	r := e.Do("POST", "/api/v1/tokens", map[string]any{"name": "nightly export", "role": "agency_staff", "agency": "BHXH", "days": 30}, auth(lead)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	var made struct {
		Token string
		Info  struct{ ID, Role, Agency string }
	}
	r.JSON(t, &made)
	if !strings.HasPrefix(made.Token, "cdt_") || made.Info.Role != "agency_staff" {
		t.Fatalf("token answer %s", r.Body)
	}
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(made.Token)...); r.Status != http.StatusOK {
		t.Fatalf("token on the API: %d %s", r.Status, r.Body)
	}
	// A token cannot mint tokens.
	if r := e.Do("POST", "/api/v1/tokens", map[string]any{"name": "y"}, auth(made.Token)...); r.Status != http.StatusForbidden {
		t.Errorf("token minting a token: %d", r.Status)
	}
	// It acts as agency_staff, not as the lead: managing canned answers
	// is for leads, so the lead's login is let through to validation
	// (400) and the token is refused (403).
	if r := e.Do("POST", "/api/v1/canned", map[string]any{}, auth(lead)...); r.Status != http.StatusBadRequest {
		t.Fatalf("lead's own session on a lead action: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/canned", map[string]any{}, auth(made.Token)...); r.Status != http.StatusForbidden {
		t.Errorf("lead's agency_staff token on a lead action: %d %s", r.Status, r.Body)
	}
	// An admin's operator token is no admin.
	r = e.Do("POST", "/api/v1/tokens", map[string]any{"name": "hotline script", "role": "operator"}, auth(admin)...)
	var op struct{ Token string }
	r.JSON(t, &op)
	if r := e.Do("GET", "/api/v1/admin/users", nil, auth(op.Token)...); r.Status != http.StatusForbidden {
		t.Errorf("admin's operator token on an admin endpoint: %d", r.Status)
	}
	if r := e.Do("GET", "/api/v1/calls", nil, auth(op.Token)...); r.Status != http.StatusOK {
		t.Errorf("operator token on the call log: %d %s", r.Status, r.Body)
	}
	list := e.Do("GET", "/api/v1/tokens", nil, auth(lead)...)
	if list.Status != http.StatusOK || strings.Contains(string(list.Body), made.Token) || !strings.Contains(string(list.Body), made.Info.ID) {
		t.Fatalf("token list (must not show the secret): %d %s", list.Status, list.Body)
	}
	// Not a cookie: a token in the session cookie does not sign in.
	if st := noFollow(t, e, "/staff/inbox", "cd_session="+made.Token); st != http.StatusSeeOther {
		t.Errorf("token as a cookie: %d", st)
	}
	// Another user cannot see or revoke it; the admin sees it.
	other := e.CreateUser("staff@byt.example.vn", desk.RoleStaff, "BYT")
	if r := e.Do("DELETE", "/api/v1/tokens/"+made.Info.ID, nil, auth(other)...); r.Status != http.StatusNotFound {
		t.Errorf("other user revoking: %d", r.Status)
	}
	if r := e.Do("GET", "/api/v1/tokens", nil, auth(admin)...); !strings.Contains(string(r.Body), made.Info.ID) {
		t.Errorf("admin token list: %s", r.Body)
	}
	if ents := auditOf(t, e, admin, "action=token.create&actor="+userID(t, e, admin, "lead@bhxh.example.vn")); len(ents) != 1 || !strings.Contains(ents[0].After, "agency_staff") {
		t.Errorf("token.create audit: %+v", ents)
	}
	// Expiry.
	r = e.Do("POST", "/api/v1/tokens", map[string]any{"name": "short", "days": 1}, auth(lead)...)
	var short struct{ Token string }
	r.JSON(t, &short)
	clock.Advance(25 * time.Hour)
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(short.Token)...); r.Status != http.StatusUnauthorized {
		t.Errorf("expired token: %d", r.Status)
	}
	// Revoke (the lead's 12-hour login ran out with the clock).
	lead, admin = e.Login("lead@bhxh.example.vn", userPassword), e.AdminToken()
	if r := e.Do("DELETE", "/api/v1/tokens/"+made.Info.ID, nil, auth(lead)...); r.Status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(made.Token)...); r.Status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", r.Status)
	}
	if ents := auditOf(t, e, admin, "action=token.revoke"); len(ents) != 1 {
		t.Errorf("token.revoke audit: %+v", ents)
	}
	// The tokens page: create shows the secret once; the list never does.
	b := newBrowserish(t, e)
	b.mustLogin("lead@bhxh.example.vn", userPassword)
	p := b.post("/staff/admin/tokens", url.Values{"name": {"báo cáo"}, "role": {"agency_staff"}, "agency": {"BHXH"}, "days": {"7"}})
	m := strings.Index(p.body, `id="token-secret">cdt_`)
	if p.status != http.StatusOK || m < 0 {
		t.Fatalf("token page create: %d", p.status)
	}
	secret := p.body[m+len(`id="token-secret">`):]
	secret = secret[:strings.Index(secret, "<")]
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(secret)...); r.Status != http.StatusOK {
		t.Errorf("page-made token: %d", r.Status)
	}
	if p := b.get("/staff/admin/tokens"); p.status != http.StatusOK || strings.Contains(p.body, secret) || !strings.Contains(p.body, "báo cáo") {
		t.Errorf("tokens page: %d", p.status)
	}
	// A role change of the owner revokes their tokens.
	id := userID(t, e, admin, "lead@bhxh.example.vn")
	e.Do("PATCH", "/api/v1/admin/users/"+id, map[string]any{"role": "agency_staff", "agency": "BHXH"}, auth(admin)...)
	if r := e.Do("GET", "/api/v1/tickets", nil, auth(secret)...); r.Status != http.StatusUnauthorized {
		t.Errorf("token after owner's role change: %d", r.Status)
	}
}

// The audit page: admin only, filters, 50 a page, read-only (no route
// writes the log: the matrix test would list it).
func TestAuditPage(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	for i := 0; i < 55; i++ {
		apiLogin(e, fmt.Sprintf("nobody%d@example.vn", i), "wrong-password-x")
	}
	staff := newBrowserish(t, e)
	e.CreateUser("staff@bhxh.example.vn", desk.RoleStaff, "BHXH")
	staff.mustLogin("staff@bhxh.example.vn", userPassword)
	if p := staff.get("/staff/admin/audit"); p.status != http.StatusForbidden {
		t.Fatalf("staff on the audit page: %d", p.status)
	}
	b := newBrowserish(t, e)
	b.mustLogin(apptest.AdminEmail, apptest.AdminPassword)
	p := b.get("/staff/admin/audit?action=login.failed")
	if p.status != http.StatusOK || strings.Count(p.body, `<td class="action">login.failed</td>`) != 50 || !strings.Contains(p.body, `id="audit-next"`) {
		t.Fatalf("audit page 1: %d, %d rows", p.status, strings.Count(p.body, `<td class="action">login.failed</td>`))
	}
	p = b.get("/staff/admin/audit?action=login.failed&offset=50")
	if n := strings.Count(p.body, `<td class="action">login.failed</td>`); n != 5 || strings.Contains(p.body, `id="audit-next"`) || !strings.Contains(p.body, `id="audit-prev"`) {
		t.Fatalf("audit page 2: %d rows", n)
	}
	p = b.get("/staff/admin/audit?target=nobody7@example.vn")
	if n := strings.Count(p.body, `<td class="action">`); n != 1 {
		t.Errorf("target filter: %d rows", n)
	}
	if p := b.get("/staff/admin/audit?since=yesterday"); p.status != http.StatusBadRequest || !strings.Contains(p.body, "YYYY-MM-DD") {
		t.Errorf("bad date: %d", p.status)
	}
	today := time.Now().In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02")
	if p := b.get("/staff/admin/audit?action=login&since=" + today + "&until=" + today); strings.Count(p.body, `<td class="action">login</td>`) < 2 {
		t.Errorf("date filter lost today's logins")
	}
	if p := b.get("/staff/admin/audit?action=login&until=2020-01-01"); strings.Contains(p.body, `<td class="action">login</td>`) {
		t.Errorf("until filter let today's entries through")
	}
}

// noFollow GETs path with a Cookie header and returns the status without
// following a redirect.
func noFollow(t *testing.T, e *apptest.Env, path, cookie string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	req.Header.Set("Cookie", cookie)
	c := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
