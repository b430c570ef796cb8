package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// proc is one civicdesk child process of the multi-process test.
type proc struct {
	t    *testing.T
	role string
	env  []string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	log  *syncBuffer
	base string // http://addr for web, "" for the worker
	// metrics is the /metrics address, polled to see a worker is up.
	metrics string
}

// syncBuffer is a log buffer the child writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newProc prepares (does not start) `civicdesk role` with env on top of
// the shared settings.
func newProc(t *testing.T, role string, env []string) *proc {
	p := &proc{t: t, role: role, env: env, metrics: freePort(t)}
	p.env = append(p.env, "CIVICDESK_DATA_DIR="+filepath.Join(t.TempDir(), role), "CIVICDESK_METRICS_ADDR="+p.metrics)
	if role == "web" {
		addr := freePort(t)
		p.base = "http://" + addr
		p.env = append(p.env, "CIVICDESK_HTTP_ADDR="+addr)
	}
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s %s log:\n%s", role, p.base, p.log.String())
		}
	})
	return p
}

func (p *proc) start() {
	p.t.Helper()
	p.cmd = exec.Command(os.Args[0], p.role)
	p.cmd.Env = append(os.Environ(), p.env...)
	if p.log == nil {
		p.log = &syncBuffer{}
	}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(p.cmd, p.done)
}

// kill ends the process with SIGKILL: no draining, no clean-up.
func (p *proc) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// waitUp waits until the process serves: /readyz for web, /metrics for
// the worker (it has no HTTP port of its own). A process that exits first
// fails the test with its log.
func (p *proc) waitUp(timeout time.Duration) {
	p.t.Helper()
	url := "http://" + p.metrics + "/metrics"
	if p.base != "" {
		url = p.base + "/readyz"
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if r, err := http.Get(url); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			p.t.Fatalf("%s exited during start-up:\n%s", p.role, p.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.t.Fatalf("%s not up within %v:\n%s", p.role, timeout, p.log.String())
}

func (p *proc) do(method, path, token string, body any, hdr ...string) (int, []byte) {
	p.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd = strings.NewReader(b.Encode())
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	switch body.(type) {
	case nil:
	case url.Values:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		p.t.Fatalf("%s %s%s: %v", method, p.base, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func (p *proc) submit(key string, i int) string {
	p.t.Helper()
	st, body := p.do("POST", "/api/v1/submissions", "", map[string]string{
		"name": "Lê Thị Hoa", "phone": "0987654321", "category": "tam-dung-bhxh",
		"title": fmt.Sprintf("Chưa được tạm dừng đóng BHXH (%d)", i), "body": "Doanh nghiệp đã nộp hồ sơ tạm dừng đóng vào quỹ hưu trí nhưng chưa được giải quyết.",
	}, "Idempotency-Key", key)
	if st != http.StatusAccepted {
		p.t.Fatalf("submit %s through %s: %d %s", key, p.base, st, body)
	}
	var r struct {
		TrackingCode string `json:"tracking_code"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.TrackingCode == "" {
		p.t.Fatalf("submit %s: %v %s", key, err, body)
	}
	return r.TrackingCode
}

func (p *proc) login(email, password string) string {
	p.t.Helper()
	st, body := p.do("POST", "/api/v1/login", "", map[string]string{"email": email, "password": password})
	var r struct {
		Token string `json:"token"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &r) != nil {
		p.t.Fatalf("login %s: %d %s", email, st, body)
	}
	return r.Token
}

// inInbox says whether code is in the caller's inbox, routed (due date set).
func (p *proc) inInbox(token, code string) bool {
	p.t.Helper()
	st, body := p.do("GET", "/api/v1/tickets?limit=100", token, nil)
	if st != http.StatusOK {
		p.t.Fatalf("inbox: %d %s", st, body)
	}
	var l struct {
		Tickets []struct {
			TrackingCode string    `json:"tracking_code"`
			DueAt        time.Time `json:"due_at"`
		} `json:"tickets"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		p.t.Fatalf("inbox: %v %s", err, body)
	}
	for _, tk := range l.Tickets {
		if tk.TrackingCode == code && !tk.DueAt.IsZero() {
			return true
		}
	}
	return false
}

// The production shape: two `civicdesk web` and one `civicdesk worker`,
// real child processes started at the same moment on an empty database of
// the external store, with real Redis and search off. A submission through
// web 1 is in the staff inbox through web 2 within 2 s; a CTI call posted
// to web 1 rings on a console connected to web 2; the worker is killed
// with SIGKILL in the middle of 100 submissions and restarted, and the
// database then holds exactly 100 tickets for them.
func TestMultiProcess(t *testing.T) {
	mongoURI, redisAddr := os.Getenv("CIVICDESK_TEST_MONGO_URI"), os.Getenv("CIVICDESK_TEST_REDIS_ADDR")
	if mongoURI == "" || redisAddr == "" {
		t.Skip("needs CIVICDESK_TEST_MONGO_URI and CIVICDESK_TEST_REDIS_ADDR: several processes share one external store and one Redis")
	}
	if testing.Short() {
		t.Skip("starts real processes")
	}
	db := apptest.MongoDB(t, t.TempDir(), mongoURI)
	const adminEmail, adminPassword = "admin@multi.example", "multi-admin-password"
	shared := []string{
		"CIVICDESK_TEST_CHILD=1",
		"CIVICDESK_MONGO_URI=" + mongoURI, "CIVICDESK_MONGO_DB=" + db,
		"CIVICDESK_REDIS_ADDR=redis://" + redisAddr + "/" + strconv.Itoa(apptest.RedisDB(t)),
		"CIVICDESK_SEARCH=none", "CIVICDESK_MEILI_URL=",
		"CIVICDESK_SECRET_KEY=multi-process-test-secret-key-0123456789",
		"CIVICDESK_ADMIN_EMAIL=" + adminEmail, "CIVICDESK_ADMIN_PASSWORD=" + adminPassword,
		"CIVICDESK_BCRYPT_COST=4",
		// Both web processes run on one host: SMTP set empty is off (it
		// would otherwise be :2525 for both).
		"CIVICDESK_SMTP_ADDR=",
		"CIVICDESK_RECONCILE_EVERY=200ms", "CIVICDESK_RECONCILE_GRACE=1s",
		"CIVICDESK_SHUTDOWN_TIMEOUT=2s",
		"CIVICDESK_LIMIT_SUBMIT=100000/1m", "CIVICDESK_LIMIT_SENDER=100000/1m", "CIVICDESK_LIMIT_TRACK=100000/1m",
		"CIVICDESK_LIMIT_LOGIN=100000/1m", "CIVICDESK_LIMIT_CTI=100000/1m",
	}
	web1, web2, worker := newProc(t, "web", shared), newProc(t, "web", shared), newProc(t, "worker", shared)
	// All at the same moment on the empty database, as `docker compose up`
	// starts them.
	for _, p := range []*proc{web1, web2, worker} {
		p.start()
	}
	for _, p := range []*proc{web1, web2, worker} {
		p.waitUp(2 * time.Minute)
	}

	admin2 := web2.login(adminEmail, adminPassword)

	// 1. A submission through web 1 is in the staff inbox through web 2.
	t.Run("submission crosses processes", func(t *testing.T) {
		web1.t, web2.t = t, t
		sent := time.Now()
		code := web1.submit("multi-first", -1)
		for !web2.inInbox(admin2, code) {
			if time.Since(sent) > 30*time.Second {
				t.Fatalf("ticket %s never reached the inbox through web 2", code)
			}
			time.Sleep(20 * time.Millisecond)
		}
		took := time.Since(sent)
		t.Logf("submission through web 1 → inbox through web 2: %v", took)
		if took > 2*time.Second {
			t.Errorf("submission through web 1 reached the inbox through web 2 after %v, want within 2 s", took)
		}
	})

	// 2. A CTI call posted to web 1 rings on a console connected to web 2.
	t.Run("CTI call crosses processes", func(t *testing.T) {
		web1.t, web2.t = t, t
		admin1 := web1.login(adminEmail, adminPassword)
		st, body := web1.do("GET", "/api/v1/admin/cti", admin1, nil)
		var info struct {
			Token string `json:"token"`
		}
		if st != http.StatusOK || json.Unmarshal(body, &info) != nil || info.Token == "" {
			t.Fatalf("admin cti: %d %s", st, body)
		}
		st, body = web1.do("POST", "/api/v1/admin/users", admin1, map[string]string{"email": "op@multi.example", "password": "operator-password-1",
			"name": "Điện thoại viên", "role": "operator"})
		if st != http.StatusCreated {
			t.Fatalf("create operator: %d %s", st, body)
		}
		op := web2.login("op@multi.example", "operator-password-1")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", web2.base+"/staff/console/events", nil)
		req.AddCookie(&http.Cookie{Name: "cd_session", Value: op})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("console stream on web 2: %d", res.StatusCode)
		}
		phones := make(chan string, 8)
		go func() {
			defer close(phones)
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
					var ev struct {
						Phone string `json:"phone"`
					}
					if json.Unmarshal([]byte(d), &ev) == nil && ev.Phone != "" {
						phones <- ev.Phone
					}
				}
			}
		}()
		st, body = web1.do("POST", "/api/v1/cti/"+info.Token, "", url.Values{"event": {"newCall"}, "callId": {"multi-call-1"},
			"from": {"0912345670"}, "to": {"19001234"}, "direction": {"in"}})
		if st != http.StatusOK {
			t.Fatalf("CTI newCall through web 1: %d %s", st, body)
		}
		select {
		case ph, ok := <-phones:
			if !ok || ph != "+84912345670" {
				t.Fatalf("console on web 2 got %q (open %v), want the call from +84912345670", ph, ok)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the call posted to web 1 did not ring on the console connected to web 2")
		}
	})

	// 3. SIGKILL of the worker in the middle of 100 submissions, then a
	// restart: exactly 100 tickets.
	t.Run("worker killed mid-stream", func(t *testing.T) {
		web1.t, web2.t, worker.t = t, t, t
		const n = 100
		codes := make([]string, n)
		for i := range n {
			via := web1
			if i%2 == 1 {
				via = web2
			}
			codes[i] = via.submit(fmt.Sprintf("multi-kill-%d", i), i)
			if i == n/2 {
				worker.kill()
			}
		}
		worker.start()
		worker.waitUp(2 * time.Minute)

		c, err := mongo.Connect(options.Client().ApplyURI(mongoURI))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Disconnect(context.Background())
		tickets := c.Database(db).Collection("tickets")
		count := func() (int, map[string]int) {
			cur, err := tickets.Find(context.Background(), bson.D{{Key: "tracking_code", Value: bson.D{{Key: "$in", Value: codes}}}},
				options.Find().SetProjection(bson.D{{Key: "tracking_code", Value: 1}}))
			if err != nil {
				t.Fatal(err)
			}
			var docs []struct {
				Code string `bson:"tracking_code"`
			}
			if err := cur.All(context.Background(), &docs); err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, d := range docs {
				seen[d.Code]++
			}
			return len(docs), seen
		}
		deadline := time.Now().Add(3 * time.Minute)
		for {
			got, _ := count()
			if got >= n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d tickets made after the worker's restart", got, n)
			}
			time.Sleep(200 * time.Millisecond)
		}
		// Let the reconciler run a few more rounds: a second ticket for a
		// submission would show now.
		time.Sleep(3 * time.Second)
		got, seen := count()
		if got != n || len(seen) != n {
			t.Errorf("%d tickets for %d distinct codes, want exactly %d", got, len(seen), n)
		}
		for _, code := range codes {
			if seen[code] != 1 {
				t.Errorf("submission %s has %d tickets", code, seen[code])
			}
		}
		total, err := tickets.CountDocuments(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		if total != n+1 { // and the first test's
			t.Errorf("%d tickets in the database, want %d", total, n+1)
		}
	})
}
