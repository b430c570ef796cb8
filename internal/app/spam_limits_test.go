package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/quarantine"
	"github.com/civicdesk/civicdesk/internal/spam"
	"github.com/civicdesk/civicdesk/internal/web"
)

// clientFrom is an HTTP client whose connections leave from the loopback
// address ip (127.0.0.0/8 is all local on Linux), so a test can submit from
// several client addresses without trusting X-Forwarded-For.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}}
}

type postResult struct {
	status     int
	retryAfter string
	body       string
}

func postJSON(c *http.Client, url string, v any) (postResult, error) {
	b, _ := json.Marshal(v)
	res, err := c.Post(url+"/api/v1/submissions", "application/json", bytes.NewReader(b))
	if err != nil {
		return postResult{}, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return postResult{res.StatusCode, res.Header.Get("Retry-After"), string(body)}, nil
}

// floodSub is a valid submission from a distinct phone number.
func floodSub(i int) map[string]string {
	s := apptest.Submission()
	s["phone"], s["email"] = fmt.Sprintf("0913%06d", i), ""
	return s
}

// flood sends n submissions from one address, eight at a time, spread
// over the given servers in turn; every tenth one it also sends one from
// another address, which must be accepted. It returns how many flood
// submissions were accepted.
func flood(t *testing.T, urls []string, n int) int {
	t.Helper()
	bot, citizen := clientFrom("127.0.0.1"), clientFrom("127.0.0.2")
	var accepted, limited atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 10 {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	start := time.Now()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				u := urls[i%len(urls)]
				r, err := postJSON(bot, u, floodSub(i))
				switch {
				case err != nil:
					fail("flood %d: %v", i, err)
				case r.status == http.StatusAccepted:
					accepted.Add(1)
				case r.status == http.StatusTooManyRequests:
					limited.Add(1)
					if r.retryAfter == "" || r.retryAfter == "0" || !strings.Contains(r.body, "quá nhiều yêu cầu") {
						fail("429 without Retry-After or message: %q %s", r.retryAfter, r.body)
					}
				default:
					fail("flood %d: %d %s", i, r.status, r.body)
				}
				if i%10 == 0 {
					r, err := postJSON(citizen, u, floodSub(100000+i))
					if err != nil || r.status != http.StatusAccepted {
						fail("a citizen on another address was refused during the flood: %v %d %s", err, r.status, r.body)
					}
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d submissions from one address in %v over %d process(es): %d accepted, %d limited",
		n, time.Since(start).Round(time.Millisecond), len(urls), accepted.Load(), limited.Load())
	for _, e := range errs {
		t.Error(e)
	}
	if int(accepted.Load()+limited.Load()) != n {
		t.Errorf("accepted %d + limited %d != %d", accepted.Load(), limited.Load(), n)
	}
	return int(accepted.Load())
}

// A flood of 200 submissions from one IP: past the limit each gets 429
// with Retry-After and a Vietnamese message, while submissions from
// another IP keep being accepted.
func TestFloodFromOneIP(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) { c.LimitSubmit = "50/10m" }})
	if got := flood(t, []string{e.URL}, 200); got != 50 {
		t.Errorf("%d flood submissions accepted, want exactly the limit 50", got)
	}
	if n, _ := e.App.Store.CountSubmissions(context.Background(), ""); n != 50+20 {
		t.Errorf("%d submissions stored, want 70 (50 flood + 20 from the other address)", n)
	}
}

// The same with two web processes sharing one Redis: the limit is one
// limit across both, not one per process.
func TestFloodTwoWebProcessesShareLimit(t *testing.T) {
	e1 := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) { c.LimitSubmit = "50/10m" }})
	shared := e1.Cfg.RedisAddr // real Redis: the same database
	if shared == "" {
		shared = e1.App.EmbeddedRedis.Addr() // embedded: the first process's miniredis
	}
	e2 := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) {
		c.LimitSubmit = "50/10m"
		c.RedisAddr = shared
	}})
	if got := flood(t, []string{e1.URL, e2.URL}, 200); got != 50 {
		t.Errorf("%d flood submissions accepted across two processes, want exactly the shared limit 50", got)
	}
	ctx := context.Background()
	n1, _ := e1.App.Store.CountSubmissions(ctx, "")
	n2, _ := e2.App.Store.CountSubmissions(ctx, "")
	if n1+n2 != 70 {
		t.Errorf("stored %d + %d, want 70", n1, n2)
	}
}

// portal is a browser-like client of the submission form: it keeps the
// CSRF cookie and posts the hidden fields the form carries.
type portal struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newPortal(t *testing.T, base string) *portal {
	jar, _ := cookiejar.New(nil)
	return &portal{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var hiddenRe = regexp.MustCompile(`name="(_csrf|idempotency_key|form_ts)" value="([^"]*)"`)

// form fetches /submit and returns its hidden fields.
func (p *portal) form() url.Values {
	res, err := p.client.Get(p.base + "/submit")
	if err != nil {
		p.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(string(b), -1) {
		v.Set(m[1], m[2])
	}
	if v.Get("_csrf") == "" || v.Get("form_ts") == "" {
		p.t.Fatalf("form lacks hidden fields: %v", v)
	}
	return v
}

func (p *portal) post(v url.Values) (int, http.Header, string) {
	res, err := p.client.Post(p.base+"/submit", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// Past the per-sender limit the same phone number is refused from any
// address, with Retry-After and a Vietnamese message, through the API and
// through the portal form (which keeps the citizen's text); another number
// is still accepted, and nothing refused is stored.
func TestSenderLimit(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) { c.LimitSender = "3/1h" }})
	a, b := clientFrom("127.0.0.1"), clientFrom("127.0.0.3")
	sub := apptest.Submission()
	sub["email"] = ""
	for i := 0; i < 3; i++ {
		c := a
		if i%2 == 1 {
			c = b
		}
		if r, err := postJSON(c, e.URL, sub); err != nil || r.status != 202 {
			t.Fatalf("submission %d: %v %+v", i, err, r)
		}
	}
	sub["phone"] = "+84 912 345 678" // the same number, spelt differently
	r, err := postJSON(b, e.URL, sub)
	if err != nil || r.status != http.StatusTooManyRequests || r.retryAfter == "" || !strings.Contains(r.body, "Số điện thoại hoặc email này đã gửi quá nhiều") {
		t.Fatalf("4th from the same number: %v %+v", err, r)
	}
	p := newPortal(t, e.URL)
	v := p.form()
	for k, val := range map[string]string{"name": "Nguyễn Văn An", "phone": "0912345678", "category": "gia-han-thue", "title": "Hỏi lại về gia hạn thuế", "body": "Nội dung tôi đã viết rất dài và không muốn mất."} {
		v.Set(k, val)
	}
	st, h, page := p.post(v)
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(page, "đã gửi quá nhiều") || !strings.Contains(page, "không muốn mất") {
		t.Errorf("portal past the sender limit: %d %v", st, h)
	}
	sub["phone"] = "0912000999"
	if r, _ := postJSON(b, e.URL, sub); r.status != 202 {
		t.Errorf("another number: %+v", r)
	}
	if n, _ := e.App.Store.CountSubmissions(context.Background(), ""); n != 4 {
		t.Errorf("%d stored, want 4", n)
	}
}

// Every input limit refuses one unit over it with a clear message and
// stores nothing, and accepts exactly the limit.
func TestLimitsOneOver(t *testing.T) {
	const maxBody = 8192
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) { c.MaxBodyBytes = maxBody }})
	ctx := context.Background()
	stored := func() int64 {
		n, err := e.App.Store.CountSubmissions(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	refused := func(what string, r *apptest.Response, status int, want ...string) {
		t.Helper()
		if r.Status != status {
			t.Errorf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
			return
		}
		for _, w := range want {
			if !strings.Contains(string(r.Body), w) {
				t.Errorf("%s: answer lacks %q: %s", what, w, r.Body)
			}
		}
	}

	// Fields of a submission, in characters.
	email := func(n int) string { return strings.Repeat("a", n-len("@example.vn")) + "@example.vn" }
	fields := []struct {
		field   string
		max     int
		value   func(n int) string
		exactOK bool
	}{
		{"name", 200, func(n int) string { return strings.Repeat("ễ", n) }, true},
		{"title", 300, func(n int) string { return strings.Repeat("a", n) }, true},
		{"body", 20000, func(n int) string { return strings.Repeat("b", n) }, false}, // 20000 characters need a larger MaxBody; see below
		{"email", 254, email, true},
		{"phone", 40, func(n int) string { return strings.Repeat("9", n) }, false},
		{"province", 100, func(n int) string { return strings.Repeat("p", n) }, false},
		{"category", 100, func(n int) string { return strings.Repeat("c", n) }, false},
	}
	for _, f := range fields {
		before := stored()
		s := apptest.Submission()
		s[f.field] = f.value(f.max + 1)
		r := e.Do("POST", "/api/v1/submissions", s)
		if f.field == "body" {
			refused(f.field+" over MaxBody", r, http.StatusRequestEntityTooLarge, "quá lớn")
		} else {
			refused(f.field+" one over", r, http.StatusBadRequest, `"`+f.field+`"`, "tối đa "+fmt.Sprint(f.max))
		}
		if stored() != before {
			t.Errorf("%s one over: something was stored", f.field)
		}
		if f.exactOK {
			s[f.field] = f.value(f.max)
			if r := e.Do("POST", "/api/v1/submissions", s); r.Status != http.StatusAccepted {
				t.Errorf("%s at its limit: %d %s", f.field, r.Status, r.Body)
			}
		}
	}
	before := stored()
	r := e.Do("POST", "/api/v1/submissions", apptest.Submission(), "Idempotency-Key", strings.Repeat("k", 201))
	refused("idempotency key one over", r, http.StatusBadRequest, "idempotency_key", "tối đa 200")
	if r := e.Do("POST", "/api/v1/submissions", apptest.Submission(), "Idempotency-Key", strings.Repeat("k", 200)); r.Status != 202 {
		t.Errorf("idempotency key at its limit: %d %s", r.Status, r.Body)
	}

	// The request body, in bytes, before anything parses it.
	bodyOf := func(n int) []byte {
		s := apptest.Submission()
		s["body"] = ""
		base, _ := json.Marshal(s)
		s["body"] = strings.Repeat("x", n-len(base))
		b, _ := json.Marshal(s)
		if len(b) != n {
			t.Fatalf("built %d bytes, want %d", len(b), n)
		}
		return b
	}
	before = stored()
	r = e.Do("POST", "/api/v1/submissions", bodyOf(maxBody+1))
	refused("API body one byte over", r, http.StatusRequestEntityTooLarge, "quá lớn", fmt.Sprint(maxBody))
	if stored() != before {
		t.Error("API body one byte over: something was stored")
	}
	if r := e.Do("POST", "/api/v1/submissions", bodyOf(maxBody)); r.Status != http.StatusAccepted {
		t.Errorf("API body at its limit: %d %s", r.Status, r.Body)
	}
	form := func(n int) []byte {
		b := []byte("name=A&title=B&category=y-te&phone=0912345678&body=")
		return append(b, bytes.Repeat([]byte("x"), n-len(b))...)
	}
	before = stored()
	r = e.Do("POST", "/submit", form(maxBody+1), "Content-Type", "application/x-www-form-urlencoded")
	refused("portal body one byte over", r, http.StatusRequestEntityTooLarge, "quá lớn")
	r = e.Do("POST", "/submit", form(maxBody), "Content-Type", "application/x-www-form-urlencoded")
	refused("portal body at its limit (reaches the CSRF check)", r, http.StatusForbidden)
	if stored() != before {
		t.Error("portal: something was stored")
	}
	login := func(n int) []byte {
		b := []byte(`{"email":"admin@test.example","password":"`)
		return append(append(b, bytes.Repeat([]byte("x"), n-len(b)-2)...), '"', '}')
	}
	r = e.Do("POST", "/api/v1/login", login(maxBody+1))
	refused("login body one byte over", r, http.StatusRequestEntityTooLarge, "quá lớn")

	// Login fields, in bytes.
	r = e.Do("POST", "/api/v1/login", map[string]string{"email": email(web.MaxLoginEmail + 1), "password": "x"})
	refused("login email one over", r, http.StatusBadRequest, "Email quá dài")
	r = e.Do("POST", "/api/v1/login", map[string]string{"email": email(web.MaxLoginEmail), "password": "x"})
	refused("login email at its limit", r, http.StatusUnauthorized)
	r = e.Do("POST", "/api/v1/login", map[string]string{"email": apptest.AdminEmail, "password": strings.Repeat("p", web.MaxLoginPassword+1)})
	refused("login password one over", r, http.StatusBadRequest, "Mật khẩu quá dài")
	r = e.Do("POST", "/api/v1/login", map[string]string{"email": apptest.AdminEmail, "password": strings.Repeat("p", web.MaxLoginPassword)})
	refused("login password at its limit", r, http.StatusUnauthorized)

	// Header lines, counted; and the header block, in bytes.
	raw := func(headers int, pad int) (int, string) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var b strings.Builder
		b.WriteString("GET /healthz HTTP/1.1\r\nHost: x\r\n")
		for i := 2; i < headers; i++ { // Host and Connection are two of them
			fmt.Fprintf(&b, "X-H-%d: %s\r\n", i, strings.Repeat("v", pad))
		}
		b.WriteString("Connection: close\r\n\r\n")
		if _, err := io.WriteString(conn, b.String()); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%d headers: %v", headers, err)
		}
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if st, body := raw(web.MaxHeaders, 1); st != http.StatusOK {
		t.Errorf("%d header lines: %d %s", web.MaxHeaders, st, body)
	}
	if st, body := raw(web.MaxHeaders+1, 1); st != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(body, "header") {
		t.Errorf("%d header lines: %d %s", web.MaxHeaders+1, st, body)
	}
	if st, body := raw(3, 17*1024); st != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(body, "quá lớn") {
		t.Errorf("a 34 KB header block: %d %s", st, body)
	}
}

// The spam rules are data: admins read and replace them through the API;
// a malformed or invalid document, or one that does not raise the version,
// is refused with the reasons and stores nothing; the next worker start
// scores with the stored rules.
func TestSpamRulesAPI(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	coord := e.CreateUser("dieuphoi@vpcp.example.vn", desk.RoleCoordinator, "")

	r := e.Do("GET", "/api/v1/admin/spam-rules", nil, bearer(admin)...)
	// The built-in rules carry their own version (2 since the issue #8
	// vocabulary and text-shape signals); an admin's edit must go above it.
	builtin := spam.DefaultRules().Version
	next := builtin + 1
	if r.Status != 200 || r.Header.Get("X-Rules-Source") != "builtin" || r.Header.Get("X-Rules-Version") != strconv.Itoa(builtin) {
		t.Fatalf("GET: %d %v", r.Status, r.Header)
	}
	if _, err := spam.ParseRules(r.Body); err != nil {
		t.Fatalf("GET answered rules that do not parse: %v", err)
	}
	if r := e.Do("GET", "/api/v1/admin/spam-rules", nil, bearer(coord)...); r.Status != http.StatusForbidden {
		t.Errorf("coordinator GET: %d", r.Status)
	}
	var doc map[string]any
	if err := json.Unmarshal(spam.DefaultRulesJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	put := func(tok string, body []byte) *apptest.Response {
		return e.Do("PUT", "/api/v1/admin/spam-rules", body, bearer(tok)...)
	}
	with := func(k string, v any) []byte {
		d := map[string]any{}
		for kk, vv := range doc {
			d[kk] = vv
		}
		d[k] = v
		b, _ := json.Marshal(d)
		return b
	}
	for _, c := range []struct {
		what   string
		body   []byte
		status int
		want   string
	}{
		{"malformed JSON", []byte(`{"version": 2,`), 400, "không hợp lệ"},
		{"unknown field", with("spam_att", 3), 400, "spam_att"},
		{"negative threshold", with("spam_at", -1), 400, "spam_at"},
		{"same version", with("version", builtin), 409, "lớn hơn"},
	} {
		if r := put(admin, c.body); r.Status != c.status || !strings.Contains(string(r.Body), c.want) {
			t.Errorf("%s: %d %s", c.what, r.Status, r.Body)
		}
	}
	if r := put(coord, with("version", next)); r.Status != http.StatusForbidden {
		t.Errorf("coordinator PUT: %d", r.Status)
	}
	big := append(with("version", next), bytes.Repeat([]byte(" "), quarantine.MaxRulesBytes)...)
	big = big[:quarantine.MaxRulesBytes+1]
	if r := put(admin, big); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("rules one byte over %d: %d %s", quarantine.MaxRulesBytes, r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/admin/spam-rules", nil, bearer(admin)...); r.Header.Get("X-Rules-Source") != "builtin" {
		t.Fatalf("a refused PUT stored something: %v", r.Header)
	}

	// The next version blocks a domain the built-in rules do not know.
	blocked := append([]any{}, doc["blocked_domains"].([]any)...)
	doc["blocked_domains"] = append(blocked, "quangcao-thuoc.example")
	doc["version"] = next
	v2, _ := json.Marshal(doc)
	if r := put(admin, v2); r.Status != 200 {
		t.Fatalf("PUT v2: %d %s", r.Status, r.Body)
	}
	r = e.Do("GET", "/api/v1/admin/spam-rules", nil, bearer(admin)...)
	if r.Header.Get("X-Rules-Source") != "stored" || r.Header.Get("X-Rules-Version") != strconv.Itoa(next) || !bytes.Equal(r.Body, v2) {
		t.Fatalf("GET after PUT: %v", r.Header)
	}

	// Workers load the stored rules when they start (and every
	// SpamRulesRefresh after).
	dir := e.Cfg.DataDir
	e.Stop()
	e = apptest.Start(t, apptest.Options{DataDir: dir})
	s := apptest.Submission()
	s["body"] += " Xem thêm tại https://quangcao-thuoc.example/san-pham"
	code := e.Submit(s)
	tk := waitSpamTicket(e, e.AdminToken(), code)
	if tk.Spam == nil || !tk.hasSignal("link:blocked-domain") {
		t.Errorf("the stored rules were not used: %+v", tk.Spam)
	}
}

// The portal's bot signals: the hidden honeypot field and the signed form
// render time. A filled honeypot alone only tags the ticket for the
// coordinators and a fast form alone at most tags it (autofill and fast
// typists are real people); both together quarantine it. A tampered
// timestamp counts as "unknown", never as a bot.
func TestPortalBotSignals(t *testing.T) {
	clk := apptest.NewClock(time.Now().UTC())
	e := apptest.Start(t, apptest.Options{Clock: clk})
	admin := e.AdminToken()
	p := newPortal(t, e.URL)
	send := func(wait time.Duration, honeypot, formTS string) ticketJSON {
		t.Helper()
		v := p.form()
		for k, val := range apptest.Submission() {
			v.Set(k, val)
		}
		v.Set("website", honeypot)
		if formTS != "" {
			v.Set("form_ts", formTS)
		}
		clk.Advance(wait)
		st, h, body := p.post(v)
		code, ok := strings.CutPrefix(h.Get("Location"), "/submitted/")
		if st != http.StatusSeeOther || !ok {
			t.Fatalf("portal post: %d %v %s", st, h, body)
		}
		return waitSpamTicket(e, admin, code)
	}
	routedSuspect := func(what string, tk ticketJSON, signal string) {
		t.Helper()
		if tk.Status != string(desk.StatusNew) || tk.Agency != "BTC-TCT" || !hasCode(tk.Tags, desk.TagSpamSuspect) || !tk.hasSignal(signal) {
			t.Errorf("%s: status %s agency %q tags %v spam %+v", what, tk.Status, tk.Agency, tk.Tags, tk.Spam)
		}
	}
	tk := send(time.Minute, "http://autofill.example", "")
	routedSuspect("honeypot, slow", tk, "honeypot")
	if tk.hasSignal("fast-form") {
		t.Errorf("a form open a minute scored as fast: %+v", tk.Spam)
	}
	// Fast alone is outweighed here by the complaint's own vocabulary.
	if tk := send(500*time.Millisecond, "", ""); tk.Status != string(desk.StatusNew) || !tk.hasSignal("fast-form") {
		t.Errorf("fast, no honeypot: status %s spam %+v", tk.Status, tk.Spam)
	}
	if tk := send(500*time.Millisecond, "http://bot.example", ""); tk.Status != string(desk.StatusQuarantined) || !tk.hasSignal("honeypot") || !tk.hasSignal("fast-form") {
		t.Errorf("honeypot and fast: status %s spam %+v", tk.Status, tk.Spam)
	}
	if tk := send(500*time.Millisecond, "", "ft1.1.forged"); tk.Status != string(desk.StatusNew) || tk.hasSignal("fast-form") || hasCode(tk.Tags, desk.TagSpamSuspect) {
		t.Errorf("forged timestamp: status %s tags %v spam %+v", tk.Status, tk.Tags, tk.Spam)
	}
}
