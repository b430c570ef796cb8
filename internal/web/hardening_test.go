package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// noFollow answers with the redirect itself rather than its target.
func redirectClient(e *apptest.Env) *http.Client {
	return &http.Client{Timeout: e.Client.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// The language switch goes back to the page it came from, and only to a
// path on this host: browsers drop tabs and newlines inside a URL and read
// a backslash as a slash, so "/\t/evil.example" is "//evil.example" to them.
func TestLangSwitchRedirectsOnlyToLocalPaths(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly})
	cl := redirectClient(e)
	for next, want := range map[string]string{
		"/track?code=PA-AAAAA-AAAAA": "/track?code=PA-AAAAA-AAAAA",
		"/hoi-dap":                   "/hoi-dap",
		"/\t/evil.example":           "/",
		"/\n/evil.example":           "/",
		"/\r\n/evil.example":         "/",
		"/ /evil.example":            "/",
		"\t//evil.example":           "/",
		"//evil.example":             "/",
		"/\\evil.example":            "/",
		"https://evil.example/":      "/",
		"/\x00/evil.example":         "/",
		"/\x7f/evil.example":         "/",
		"/\u00a0/evil.example":       "/",
		"/\u2028/evil.example":       "/",
		"javascript:alert(1)":        "/",
		"evil.example":               "/",
	} {
		res, err := cl.Get(e.URL + "/lang/en?next=" + url.QueryEscape(next))
		if err != nil {
			t.Errorf("next=%q: %v", next, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("next=%q: %d Location %q, want 303 to %q", next, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}
