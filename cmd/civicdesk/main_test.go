package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the civicdesk binary, so that the
// crash test can start a real child process and kill it with SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("CIVICDESK_TEST_CHILD") == "1" {
		os.Exit(Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, LookupEnv: os.LookupEnv}.Run(context.Background(), os.Args[1:]))
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type child struct {
	cmd  *exec.Cmd
	base string
	log  *bytes.Buffer
}

func startChild(t *testing.T, dir, addr string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(),
		"CIVICDESK_TEST_CHILD=1",
		"CIVICDESK_HTTP_ADDR="+addr,
		"CIVICDESK_DATA_DIR="+dir,
		"CIVICDESK_ADMIN_EMAIL=admin@crash.example",
		"CIVICDESK_ADMIN_PASSWORD=crash-admin-password",
		"CIVICDESK_BCRYPT_COST=4",
		"CIVICDESK_RECONCILE_EVERY=200ms",
		"CIVICDESK_RECONCILE_GRACE=1s",
		"CIVICDESK_SMTP_ADDR=127.0.0.1:0", // not :2525, which a running civicdesk may hold
		// The test polls the tracking API and submits from one address.
		"CIVICDESK_LIMIT_TRACK=100000/1m", "CIVICDESK_LIMIT_SUBMIT=100000/1m", "CIVICDESK_LIMIT_SENDER=100000/1m",
	)
	if a := os.Getenv("CIVICDESK_TEST_REDIS_ADDR"); a != "" {
		// A database of its own, away from the packages running alongside.
		cmd.Env = append(cmd.Env, "CIVICDESK_REDIS_ADDR=redis://"+a+"/14")
	}
	c := &child{cmd: cmd, base: "http://" + addr, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = c.log, c.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("child log:\n%s", c.log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(c.base + "/healthz"); err == nil {
			r.Body.Close()
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("child did not come up:\n%s", c.log.String())
	return nil
}

func (c *child) post(t *testing.T, path string, body any, hdr ...string) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func (c *child) get(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// A real process is killed with SIGKILL right after answering 202, then
// restarted on the same data dir: every acknowledged ticket is created,
// exactly once.
func TestKillAfterAcceptThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	if os.Getenv("CIVICDESK_TEST_REDIS_ADDR") != "" {
		flushDB14(t)
	}
	dir := filepath.Join(t.TempDir(), "data")
	addr := freePort(t)
	first := startChild(t, dir, addr)
	var codes []string
	for i := 0; i < 5; i++ {
		st, body := first.post(t, "/api/v1/submissions", map[string]string{
			"name": "Trần Thị Bình", "phone": "0987654321", "category": "tam-dung-bhxh",
			"title": fmt.Sprintf("Chưa được tạm dừng đóng BHXH (%d)", i), "body": "Doanh nghiệp đã nộp hồ sơ nhưng chưa được giải quyết.",
		}, "Idempotency-Key", fmt.Sprintf("kill-test-%d", i))
		if st != http.StatusAccepted {
			t.Fatalf("submit: %d %s", st, body)
		}
		var r struct {
			TrackingCode string `json:"tracking_code"`
		}
		_ = json.Unmarshal(body, &r)
		codes = append(codes, r.TrackingCode)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()

	second := startChild(t, dir, addr)
	// The same keys again after the restart: still the same codes.
	st, body := second.post(t, "/api/v1/submissions", map[string]string{
		"name": "Trần Thị Bình", "phone": "0987654321", "category": "tam-dung-bhxh",
		"title": "Chưa được tạm dừng đóng BHXH (0)", "body": "Doanh nghiệp đã nộp hồ sơ nhưng chưa được giải quyết.",
	}, "Idempotency-Key", "kill-test-0")
	if st != http.StatusAccepted || !strings.Contains(string(body), codes[0]) {
		t.Fatalf("retry after restart: %d %s, want code %s", st, body, codes[0])
	}
	for _, code := range codes {
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, b := second.get(t, "/api/v1/track/"+code, "")
			if strings.Contains(string(b), `"agency":{`) && strings.Contains(string(b), `"due_at":"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ticket %s not routed after restart: %s", code, b)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	_, tok := second.post(t, "/api/v1/login", map[string]string{"email": "admin@crash.example", "password": "crash-admin-password"})
	var login struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(tok, &login)
	time.Sleep(500 * time.Millisecond)
	_, list := second.get(t, "/api/v1/tickets?limit=200", login.Token)
	var l struct {
		Total   int `json:"total"`
		Tickets []struct {
			TrackingCode string `json:"tracking_code"`
		} `json:"tickets"`
	}
	if err := json.Unmarshal(list, &l); err != nil {
		t.Fatalf("%v: %s", err, list)
	}
	if l.Total != len(codes) {
		t.Errorf("%d tickets after restart, want exactly %d", l.Total, len(codes))
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	var out, errb bytes.Buffer
	env := map[string]string{"CIVICDESK_MONGO_URI": "mongodb://app:s3cret@db:27017", "CIVICDESK_ADMIN_PASSWORD": "hunter2-hunter2", "CIVICDESK_HTTP_ADDR": ":9999"}
	code := Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}.Run(context.Background(), []string{"config"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	if strings.Contains(s, "s3cret") || strings.Contains(s, "hunter2") {
		t.Errorf("secret printed:\n%s", s)
	}
	for _, want := range []string{":9999", "mongodb://****@db:27017", "CIVICDESK_DATA_DIR", "./data"} {
		if !strings.Contains(s, want) {
			t.Errorf("config output lacks %q:\n%s", want, s)
		}
	}
	if code := (Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}).Run(context.Background(), []string{"frobnicate"}); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
	if code := (Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "CIVICDESK_WORKERS" {
			return "many"
		}
		return ""
	}}).Run(context.Background(), []string{"config"}); code != 2 || !strings.Contains(errb.String(), "CIVICDESK_WORKERS") {
		t.Errorf("bad setting: exit %d, %s", code, errb.String())
	}
}

func TestCalendarCommand(t *testing.T) {
	var out, errb bytes.Buffer
	m := Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := m.Run(context.Background(), []string{"calendar", "add", "--from", "2027-02-01", "--working-days", "5"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	// Tết 2027 (lunar new year on Saturday 6 February) closes 5–10 February
	// with compensatory days, so five working days from Monday 1 February
	// reach into the week after.
	if !strings.Contains(out.String(), "2027-02-1") {
		t.Errorf("due date output: %s", out.String())
	}
	out.Reset()
	if code := m.Run(context.Background(), []string{"calendar", "holidays", "--year", "2027"}); code != 0 || !strings.Contains(out.String(), "2027-02-06") {
		t.Errorf("holidays: exit %d\n%s", code, out.String())
	}
}

func flushDB14(t *testing.T) {
	t.Helper()
	// The child uses database 14; clear what an earlier run left there.
	cmd := exec.Command("redis-cli", "-h", strings.Split(os.Getenv("CIVICDESK_TEST_REDIS_ADDR"), ":")[0], "-p", strings.Split(os.Getenv("CIVICDESK_TEST_REDIS_ADDR"), ":")[1], "-n", "14", "FLUSHDB")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("flush db 14: %v %s", err, out)
	}
}

// "callers rebuild" opens the embedded store and rebuilds the hotline's
// per-caller index; a missing or wrong sub-command is refused.
func TestCallersRebuildCommand(t *testing.T) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	m := Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "CIVICDESK_DATA_DIR" {
			return dir
		}
		return ""
	}}
	if code := m.Run(context.Background(), []string{"callers", "rebuild"}); code != 0 || !strings.Contains(out.String(), "caller index rebuilt: 0 callers") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := m.Run(context.Background(), []string{"callers", "frob"}); code == 0 || !strings.Contains(errb.String(), "civicdesk callers rebuild") {
		t.Fatalf("bad sub-command: exit %d, %s", code, errb.String())
	}
}

// The real binary with CIVICDESK_SMTP_ADDR= and CIVICDESK_METRICS_ADDR=
// in its environment turns both listeners off (a second web process on one
// host used to die on :2525 because the empty value was ignored).
func TestEmptyEnvironmentValueTurnsListenerOff(t *testing.T) {
	cmd := exec.Command(os.Args[0], "config")
	cmd.Env = append(os.Environ(), "CIVICDESK_TEST_CHILD=1", "CIVICDESK_SMTP_ADDR=", "CIVICDESK_METRICS_ADDR=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && (f[0] == "CIVICDESK_SMTP_ADDR" || f[0] == "CIVICDESK_METRICS_ADDR") {
			t.Errorf("set empty, yet effective: %s", line)
		}
	}
}

// web and worker on an external store without Meilisearch refuse to start,
// naming the settings that fix it: an index per process would see only
// that process's writes.
func TestSharedStoreWithoutMeiliRefusesToStart(t *testing.T) {
	for _, cmdName := range []string{"web", "worker"} {
		cmd := exec.Command(os.Args[0], cmdName)
		cmd.Env = append(os.Environ(), "CIVICDESK_TEST_CHILD=1", "CIVICDESK_DATA_DIR="+t.TempDir(),
			"CIVICDESK_MONGO_URI=mongodb://127.0.0.1:1/", "CIVICDESK_MEILI_URL=", "CIVICDESK_SEARCH=",
			"CIVICDESK_HTTP_ADDR=127.0.0.1:0", "CIVICDESK_SMTP_ADDR=", "CIVICDESK_METRICS_ADDR=")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("%s: %v, want exit 1: %s", cmdName, err, out)
		}
		if !strings.Contains(string(out), "CIVICDESK_MEILI_URL") || !strings.Contains(string(out), "CIVICDESK_SEARCH=none") {
			t.Errorf("%s: the refusal names neither setting: %s", cmdName, out)
		}
	}
}

func TestProvincesMigrateCommand(t *testing.T) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	m := Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "CIVICDESK_DATA_DIR" {
			return dir
		}
		return ""
	}}
	for range 2 { // idempotent: the second run finds the same nothing to do
		out.Reset()
		if code := m.Run(context.Background(), []string{"provinces", "migrate"}); code != 0 || !strings.Contains(out.String(), "0 moved to their current unit") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
		}
	}
	errb.Reset()
	if code := m.Run(context.Background(), []string{"provinces", "frob"}); code == 0 || !strings.Contains(errb.String(), "civicdesk provinces migrate") {
		t.Fatalf("bad sub-command: exit %d, %s", code, errb.String())
	}
}
