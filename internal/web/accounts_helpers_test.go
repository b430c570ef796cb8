package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// browserish is a cookie-keeping HTTP client that does not follow
// redirects, for driving the HTML pages the way a browser posts forms.
type browserish struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func newBrowserish(t testing.TB, e *apptest.Env) *browserish {
	jar, _ := cookiejar.New(nil)
	b := &browserish{t: t, base: e.URL, c: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	r := b.get("/staff/login")
	m := csrfField.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no CSRF field on the login page: %s", r.body)
	}
	b.csrf = m[1]
	return b
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browserish) do(method, path string, form url.Values) *page {
	b.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return &page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browserish) get(path string) *page { return b.do("GET", path, nil) }

// post sends a form with the CSRF token added.
func (b *browserish) post(path string, form url.Values) *page {
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", b.csrf)
	return b.do("POST", path, form)
}

// login signs in through the login form and returns the answer.
func (b *browserish) login(email, password string) *page {
	return b.post("/staff/login", url.Values{"email": {email}, "password": {password}})
}

// mustLogin signs in and fails the test unless it worked.
func (b *browserish) mustLogin(email, password string) {
	b.t.Helper()
	if r := b.login(email, password); r.status != http.StatusSeeOther {
		b.t.Fatalf("web login %s: %d %s", email, r.status, r.body)
	}
}

const userPassword = "user-password-123" // apptest.CreateUser's
