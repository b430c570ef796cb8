// Package apptest starts a whole civicdesk process inside a test: the
// embedded store under t.TempDir(), a real HTTP listener, and Redis, which
// is real when CIVICDESK_TEST_REDIS_ADDR is set and embedded miniredis
// otherwise. Integration tests drive it through its public surfaces only:
// HTTP, the queue and the database.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/app"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// AdminEmail and AdminPassword are the admin account every test app has.
const (
	AdminEmail    = "admin@test.example"
	AdminPassword = "admin-password-123"
)

// Env is a running test app.
type Env struct {
	T      testing.TB
	App    *app.App
	Cfg    *config.Config
	URL    string // http://127.0.0.1:port
	Client *http.Client

	cancel context.CancelFunc
	done   chan struct{}
}

// Mode says which parts run.
type Mode int

// Modes.
const (
	Serve Mode = iota // web and worker
	WebOnly
	WorkerOnly
	SMTPOnly // the inbound SMTP listener alone (App.SMTPAddr tells where)
)

// Options configure Start.
type Options struct {
	Mode    Mode
	DataDir string // reuse a data dir (restart tests); default t.TempDir()
	Clock   desk.Clock
	// RedisDB pins the real-Redis database (restart tests reuse one);
	// 0 picks a free one.
	RedisDB int
	// Configure, if set, adjusts the configuration before start.
	Configure func(*config.Config)
	// Monitor, if set, sees every command the app's store sends; the
	// context it is handed tells the app's periodic jobs apart
	// (Background) and carries the queue task's id (asynq.GetTaskID).
	Monitor *event.CommandMonitor
	// Log, if set, receives the app's log from Info up (tests of what the
	// start-up log says); otherwise warnings go to the test log.
	Log io.Writer
}

// Start runs a civicdesk app for the test and stops it at cleanup.
func Start(t testing.TB, opt Options) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.DataDir = opt.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.AdminEmail, cfg.AdminPassword = AdminEmail, AdminPassword
	cfg.BcryptCost = 4 // the minimum; hashing is not what these tests measure
	cfg.ReconcileEvery = 200 * time.Millisecond
	cfg.ReconcileGrace = time.Second
	cfg.ShutdownTimeout = 5 * time.Second
	// Tests submit many times from 127.0.0.1; tests of the limits set
	// tight ones through Configure.
	cfg.LimitSubmit, cfg.LimitLogin, cfg.LimitTrack = "10000/1m", "10000/1m", "10000/1m"
	cfg.LimitSender = "10000/1m"
	// Inbound SMTP on a free port (App.SMTPAddr tells which), so parallel
	// test processes do not fight over :2525.
	cfg.SMTPAddr = "127.0.0.1:0"
	cfg.MetricsAddr = "127.0.0.1:0" // App.MetricsAddr tells which
	cfg.LimitSMTPSender, cfg.LimitSMTPIP, cfg.LimitAutoReply = "10000/1m", "10000/1m", "10000/1m"
	if addr := os.Getenv("CIVICDESK_TEST_REDIS_ADDR"); addr != "" {
		db := opt.RedisDB
		if db == 0 {
			db = RedisDB(t)
		}
		cfg.RedisAddr = "redis://" + addr + "/" + strconv.Itoa(db)
	}
	// CIVICDESK_TEST_MONGO_URI runs the test on an external
	// MongoDB-compatible server (CI: the DocumentDB server from
	// shared/tools/documentdb) in a database of its own, with none of the
	// embedded store's in-process views.
	if uri := os.Getenv("CIVICDESK_TEST_MONGO_URI"); uri != "" {
		cfg.MongoURI = uri
		cfg.MongoDatabase = MongoDB(t, cfg.DataDir, uri)
	}
	// CIVICDESK_TEST_SLOW_QUERY (e.g. 20ms) logs slower database commands,
	// to find what scans.
	if d, err := time.ParseDuration(os.Getenv("CIVICDESK_TEST_SLOW_QUERY")); err == nil {
		cfg.SlowQuery = d
	}
	if opt.Configure != nil {
		opt.Configure(cfg)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if os.Getenv("CIVICDESK_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opt.Log != nil {
		log = slog.New(slog.NewTextHandler(opt.Log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), backgroundKey{}, true))
	var record *event.CommandMonitor
	if cfg.MongoURI != "" {
		record = shapes.monitor() // checked by CheckIndexCoverage
	}
	a, err := app.Open(ctx, cfg, log, app.Options{Clock: opt.Clock, StoreMonitor: chain(record, opt.Monitor)})
	if err != nil {
		cancel()
		t.Fatalf("open app: %v", err)
	}
	e := &Env{T: t, App: a, Cfg: cfg, cancel: cancel, done: make(chan struct{}), Client: &http.Client{Timeout: 2 * time.Minute}}
	go func() {
		defer close(e.done)
		var err error
		switch opt.Mode {
		case Serve:
			err = a.Serve(ctx)
		case WebOnly:
			err = a.RunWeb(ctx, nil)
		case WorkerOnly:
			err = a.RunWorker(ctx)
		case SMTPOnly:
			err = a.RunSMTP(ctx)
		}
		if err != nil && ctx.Err() == nil {
			t.Errorf("app stopped: %v", err)
		}
	}()
	if opt.Mode != WorkerOnly && opt.Mode != SMTPOnly {
		actx, acancel := context.WithTimeout(ctx, 10*time.Second)
		addr, err := a.Addr(actx)
		acancel()
		if err != nil {
			e.Stop()
			t.Fatalf("app did not listen: %v", err)
		}
		e.URL = "http://" + addr
	}
	t.Cleanup(e.Stop)
	return e
}

// Stop shuts the app down gracefully and releases its backends.
func (e *Env) Stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	<-e.done
	e.App.Close()
	e.cancel = nil
}

// Crash stops the app without draining: the context ends with a shutdown
// timeout of a millisecond, so in-flight requests and tasks are abandoned
// and an embedded queue is lost with the process. cmd/civicdesk's tests
// also kill a real process with SIGKILL.
func (e *Env) Crash() {
	if e.cancel == nil {
		return
	}
	e.Cfg.ShutdownTimeout = time.Millisecond
	e.cancel()
	<-e.done
	e.App.Close()
	e.cancel = nil
}

// MongoDB names the database a test uses on the external server at uri.
// A data dir reused by a restart test keeps its database (the name is
// written into the dir); a new one gets a fresh name, dropped at cleanup.
func MongoDB(t testing.TB, dataDir, uri string) string {
	t.Helper()
	marker := filepath.Join(dataDir, "test-mongo-db")
	if b, err := os.ReadFile(marker); err == nil {
		return string(b)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	name := "t_" + hex.EncodeToString(rnd[:])
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte(name), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if os.Getenv("CIVICDESK_TEST_KEEP_DB") != "" {
			t.Logf("kept test database %s", name)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			return
		}
		defer c.Disconnect(ctx)
		_ = c.Database(name).Drop(ctx)
	})
	return name
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

var (
	redisMu   sync.Mutex
	redisHeld = map[int]bool{}
)

// RedisDB reserves a database number on the real test Redis for the test,
// flushes it, and releases it at cleanup. Tests in different packages run
// in parallel processes, so the reservation is a key in database 0.
func RedisDB(t testing.TB) int {
	t.Helper()
	addr := os.Getenv("CIVICDESK_TEST_REDIS_ADDR")
	if addr == "" {
		t.Fatal("RedisDB needs CIVICDESK_TEST_REDIS_ADDR")
	}
	ctl := redis.NewClient(&redis.Options{Addr: addr})
	defer ctl.Close()
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for db := 1; db < 16; db++ {
			redisMu.Lock()
			if redisHeld[db] {
				redisMu.Unlock()
				continue
			}
			key := fmt.Sprintf("civicdesk:test:db:%d", db)
			ok, err := ctl.SetNX(ctx, key, os.Getpid(), 10*time.Minute).Result()
			if err != nil {
				redisMu.Unlock()
				t.Fatalf("reserve redis db: %v", err)
			}
			if !ok {
				redisMu.Unlock()
				continue
			}
			redisHeld[db] = true
			redisMu.Unlock()
			c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
			err = c.FlushDB(ctx).Err()
			c.Close()
			if err != nil {
				t.Fatalf("flush redis db %d: %v", db, err)
			}
			t.Cleanup(func() {
				c := redis.NewClient(&redis.Options{Addr: addr})
				c.Del(context.Background(), key)
				c.Close()
				redisMu.Lock()
				delete(redisHeld, db)
				redisMu.Unlock()
			})
			return db
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("no free redis database for the test")
	return 0
}

// FlushRedis empties the app's Redis, as a crash of a Redis without
// persistence would.
func (e *Env) FlushRedis() {
	e.T.Helper()
	if err := e.App.Redis.FlushDB(context.Background()).Err(); err != nil {
		e.T.Fatalf("flush redis: %v", err)
	}
}

// Response is a decoded HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request with an optional JSON body and header pairs.
func (e *Env) Do(method, path string, body any, headers ...string) *Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Submission is a valid portal submission; tests change what they need.
func Submission() map[string]string {
	return map[string]string{
		"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn", "province": "Hà Nội",
		"category": "gia-han-thue", "title": "Chưa được gia hạn nộp thuế",
		"body": "Tôi đã nộp hồ sơ đề nghị gia hạn nộp thuế từ tháng 4 nhưng đến nay chưa nhận được phản hồi.",
	}
}

// Submit posts a submission and returns its tracking code, failing the
// test unless the answer is 202.
func (e *Env) Submit(sub map[string]string, headers ...string) string {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/submissions", sub, headers...)
	if r.Status != http.StatusAccepted {
		e.T.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	var out struct {
		TrackingCode string `json:"tracking_code"`
	}
	r.JSON(e.T, &out)
	return out.TrackingCode
}

// Login signs in through the API and returns a bearer token.
func (e *Env) Login(email, password string) string {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/login", map[string]string{"email": email, "password": password})
	if r.Status != http.StatusOK {
		e.T.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var out struct {
		Token string `json:"token"`
	}
	r.JSON(e.T, &out)
	return out.Token
}

// AdminToken signs in as the admin.
func (e *Env) AdminToken() string { return e.Login(AdminEmail, AdminPassword) }

// CreateUser makes an account through the admin API and returns a token
// for it.
func (e *Env) CreateUser(email string, role desk.Role, agency string) string {
	e.T.Helper()
	const pw = "user-password-123"
	r := e.Do("POST", "/api/v1/admin/users", map[string]string{"email": email, "password": pw, "name": "Cán bộ " + email, "role": string(role), "agency": agency},
		"Authorization", "Bearer "+e.AdminToken())
	if r.Status != http.StatusCreated {
		e.T.Fatalf("create user %s: %d %s", email, r.Status, r.Body)
	}
	return e.Login(email, pw)
}

// WaitFor polls cond every 20 ms until it holds or timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
