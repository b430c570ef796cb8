package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
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

func TestCSPForbidsBaseURI(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly})
	csp := e.Do("GET", "/", nil).Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "base-uri 'none'") {
		t.Fatalf("CSP %q lacks base-uri 'none': an injected <base> could redirect every relative URL", csp)
	}
}

// Bad JSON gets a message of our own, never the Go decoder's text (which
// names Go types and echoes input), and a body with anything after its
// JSON value is refused rather than half read.
func TestAPIJSONErrors(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly})
	admin := e.AdminToken()
	valid := `{"name":"Nguyễn Văn An","phone":"0912345678","province":"Hà Nội","category":"gia-han-thue","title":"Chưa được gia hạn","body":"Tôi chưa nhận được phản hồi về hồ sơ gia hạn nộp thuế."}`
	for _, tc := range []struct{ name, path, body, token string }{
		{"wrong type", "/api/v1/submissions", `{"name": 5}`, ""},
		{"syntax", "/api/v1/submissions", `{"name": "An",}`, ""},
		{"cut short", "/api/v1/submissions", `{"name": "An`, ""},
		{"unknown field", "/api/v1/submissions", `{"nam\u0065x": "An"}`, ""},
		{"trailing object", "/api/v1/submissions", valid + ` {"title": "khác"}`, ""},
		{"trailing garbage", "/api/v1/submissions", valid + `garbage`, ""},
		{"login wrong type", "/api/v1/login", `{"email": ["a"]}`, ""},
		{"login trailing", "/api/v1/login", `{"email": "a@b.vn", "password": "x"} []`, ""},
		{"topic wrong type", "/api/v1/topics", `{"title": {}}`, admin},
	} {
		hdr := []string{}
		if tc.token != "" {
			hdr = append(hdr, "Authorization", "Bearer "+tc.token)
		}
		r := e.Do("POST", tc.path, tc.body, hdr...)
		var p struct{ Detail, Code string }
		r.JSON(t, &p)
		if r.Status != http.StatusBadRequest || p.Code != desk.EINVALID {
			t.Errorf("%s: %d %s, want 400 invalid", tc.name, r.Status, r.Body)
			continue
		}
		for _, leak := range []string{"json:", "Go ", "struct", "unmarshal", "invalid character", "EOF", "looking for", "web."} {
			if strings.Contains(p.Detail, leak) {
				t.Errorf("%s: the message carries the decoder's text %q: %s", tc.name, leak, p.Detail)
			}
		}
		if !strings.Contains(p.Detail, "JSON") {
			t.Errorf("%s: the message does not say what is wrong: %s", tc.name, p.Detail)
		}
	}
	if n, _ := e.App.Store.CountSubmissions(t.Context(), desk.SubmissionReceived); n != 0 {
		t.Fatalf("%d submissions stored from refused bodies", n)
	}
	if r := e.Do("POST", "/api/v1/submissions", valid+"\n"); r.Status != http.StatusAccepted {
		t.Fatalf("a body with trailing whitespace only: %d %s", r.Status, r.Body)
	}
}

// Bidi overrides and zero-width characters make a title or a name read
// differently on the staff's screen than what is stored (a reversed phone
// number, a look-alike name); they are refused, with the field named.
func TestInvisibleFormattingCharactersRefused(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly})
	for field, v := range map[string]string{
		"title": "Chưa được gia hạn \u202egnáht 3 aủc\u202c",
		"name":  "Nguyễn\u200bVăn An",
	} {
		for _, ch := range []string{"", "\u2066", "\u200d", "\ufeff"} {
			body := `{"name":"Nguyễn Văn An","phone":"0912345678","category":"gia-han-thue","title":"Chưa được gia hạn","body":"Tôi chưa nhận được phản hồi về hồ sơ gia hạn nộp thuế."}`
			body = strings.Replace(body, `"`+field+`":"`, `"`+field+`":"`+ch, 1)
			if ch == "" {
				body = strings.Replace(body, `"`+field+`":"`, `"`+field+`":"`+v+` `, 1)
			}
			r := e.Do("POST", "/api/v1/submissions", body)
			var p struct {
				Fields map[string]string
			}
			r.JSON(t, &p)
			if r.Status != http.StatusBadRequest || !strings.Contains(p.Fields[field], "ký tự") {
				t.Errorf("%s with %q: %d %s, want 400 naming the field", field, ch, r.Status, r.Body)
			}
		}
	}
	if n, _ := e.App.Store.CountSubmissions(t.Context(), desk.SubmissionReceived); n != 0 {
		t.Fatalf("%d submissions stored", n)
	}
	ok := apptest.Submission()
	ok["name"] = "Nguyễn Thị Ánh (Đắk Lắk)"
	e.Submit(ok)
}
