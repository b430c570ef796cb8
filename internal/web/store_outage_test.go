package web_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
)

// stallProxy forwards TCP between the app and the store and can hold every
// byte back (a store that stops answering without closing connections, the
// worst case for a client) or delay each one (a store too slow to serve).
type stallProxy struct {
	ln      net.Listener
	target  string
	stalled atomic.Bool
	delay   atomic.Int64 // per forwarded chunk, nanoseconds
	mu      sync.Mutex
	conns   []net.Conn
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go p.pipe(c, s)
			go p.pipe(s, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.Close()
		}
	})
	return p
}

func (p *stallProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			for p.stalled.Load() {
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(time.Duration(p.delay.Load()))
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// startBehindProxy runs the app on the external test store through a
// stallProxy.
func startBehindProxy(t *testing.T) (*apptest.Env, *stallProxy) {
	uri := os.Getenv("CIVICDESK_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("needs an external store to put a proxy in front of: set CIVICDESK_TEST_MONGO_URI")
	}
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	p := newStallProxy(t, u.Host)
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.MongoURI = "mongodb://" + p.ln.Addr().String() + "/?directConnection=true"
		c.AcceptTimeout = 2 * time.Second
	}})
	return e, p
}

var (
	keyField  = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)
	tsField   = regexp.MustCompile(`name="form_ts" value="([^"]+)"`)
	outageMsg = "Idempotency-Key"
)

// While the store does not answer, a submission is answered 503 with
// Retry-After within the accept deadline — not after the driver's 30 s with
// a 500 — on the API and on the portal form (which keeps the citizen's
// text and key). Once the store is back, a retry with the same key gets
// one tracking code, and there is exactly one submission for it.
func TestStoreOutageAnswers503(t *testing.T) {
	e, p := startBehindProxy(t)
	e.Submit(apptest.Submission()) // the path works through the proxy

	b := newBrowserish(t, e)
	form := b.get("/submit")
	portalKey, ts := keyField.FindStringSubmatch(form.body), tsField.FindStringSubmatch(form.body)
	if portalKey == nil || ts == nil {
		t.Fatalf("submit form lacks its key or time: %s", form.body)
	}

	p.stalled.Store(true)
	start := time.Now()
	r := e.Do("POST", "/api/v1/submissions", apptest.Submission(), "Idempotency-Key", "outage-1")
	took := time.Since(start)
	var prob struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
		Code   string `json:"code"`
	}
	if r.Status != http.StatusServiceUnavailable || json.Unmarshal(r.Body, &prob) != nil {
		t.Fatalf("submission while the store stalls: %d after %v: %s; want 503 problem+json", r.Status, took, r.Body)
	}
	if r.Header.Get("Retry-After") == "" || prob.Code != "unavailable" || !strings.Contains(prob.Detail, outageMsg) || !strings.Contains(prob.Detail, "Vui lòng gửi lại") && !strings.Contains(prob.Detail, "vui lòng gửi lại") {
		t.Errorf("503 lacks Retry-After or a message telling to retry with the same key: %v %+v", r.Header, prob)
	}
	if took > 15*time.Second {
		t.Errorf("the 503 took %v; the accept deadline is 2 s", took)
	}

	sub := apptest.Submission()
	pf := url.Values{"idempotency_key": {portalKey[1]}, "form_ts": {ts[1]}}
	for k, v := range sub {
		pf.Set(k, v)
	}
	pr := b.post("/submit", pf)
	if pr.status != http.StatusServiceUnavailable || pr.header.Get("Retry-After") == "" || !strings.Contains(pr.body, "Gửi lại") ||
		!strings.Contains(pr.body, portalKey[1]) || !strings.Contains(pr.body, sub["body"]) {
		t.Errorf("portal form while the store stalls: %d %v; want 503 with the form, its key and the text kept", pr.status, pr.header)
	}

	if r := e.Do("GET", "/readyz", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz while the store stalls: %d %s", r.Status, r.Body)
	}

	p.stalled.Store(false)
	var codes []string
	apptest.WaitFor(t, time.Minute, "the store back", func() bool { return e.Do("GET", "/readyz", nil).Status == http.StatusOK })
	for range 2 {
		codes = append(codes, e.Submit(apptest.Submission(), "Idempotency-Key", "outage-1"))
	}
	if codes[0] != codes[1] {
		t.Errorf("retries with one key got %v", codes)
	}
	c, err := mongo.Connect(options.Client().ApplyURI(os.Getenv("CIVICDESK_TEST_MONGO_URI")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	n, err := c.Database(e.Cfg.MongoDatabase).Collection("submissions").CountDocuments(context.Background(),
		// The key is scoped to the submitter: web:<client>:outage-1.
		bson.D{{Key: "key", Value: bson.D{{Key: "$regex", Value: "^web:[^:]+:outage-1$"}}}})
	if err != nil || n != 1 {
		t.Errorf("%d submissions for the key (%v), want exactly 1", n, err)
	}
}

// /readyz reports a store that answers, but too slowly to serve pages.
func TestReadyzReportsSlowStore(t *testing.T) {
	e, p := startBehindProxy(t)
	if r := e.Do("GET", "/readyz", nil); r.Status != http.StatusOK {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	p.delay.Store(int64(400 * time.Millisecond))
	r := e.Do("GET", "/readyz", nil)
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "store") {
		t.Errorf("readyz with a store answering in ~1 s a request: %d %s", r.Status, r.Body)
	}
}
