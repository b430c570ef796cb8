package app_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/workers"
)

const dovecotBin = "/usr/sbin/dovecot"

// dovecot is a real Dovecot IMAP server with a private configuration in
// a temporary directory: passwd-file login, one maildir per user.
type dovecot struct {
	dir      string
	addr     string
	cmd      *exec.Cmd
	uid, gid int
}

func startDovecot(t *testing.T, user, pass string) *dovecot {
	t.Helper()
	if _, err := os.Stat(dovecotBin); err != nil {
		if os.Getenv("CIVICDESK_E2E") != "" {
			t.Fatalf("dovecot is required with CIVICDESK_E2E set: %v", err)
		}
		t.Skip("dovecot not installed (Debian: dovecot-imapd)")
	}
	dir, err := os.MkdirTemp("", "civicdesk-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot.log:\n%s", log)
		}
		os.RemoveAll(dir)
	})
	// The login processes run as dovenull and must reach the run dir.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	d := &dovecot{dir: dir, addr: fmt.Sprintf("127.0.0.1:%d", port)}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(user+":{PLAIN}"+pass+"::::::\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Dovecot refuses to open mail as root: as root, the mail belongs to
	// the dovecot system user.
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		u, err := osuser.Lookup("dovecot")
		if err != nil {
			t.Skipf("running as root without a dovecot user: %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}
	d.uid, d.gid = uid, gid
	for _, sub := range []string{"mail", "home"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Join(dir, sub), uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[1]s/mail/%%u
first_valid_uid = %[3]d
first_valid_gid = %[4]d
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[1]s/home/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
`, dir, port, uid, gid)
	cfg := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(dovecotBin, "-F", "-c", cfg)
	d.cmd.Stderr = os.Stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			d.cmd.Process.Kill()
		}
	})
	apptest.WaitFor(t, 15*time.Second, "dovecot listening", func() bool {
		c, err := net.Dial("tcp", d.addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return d
}

// deliver drops a message into the user's maildir, as a local delivery
// agent would.
func (d *dovecot) deliver(t *testing.T, user string, n int, raw []byte) {
	t.Helper()
	base := filepath.Join(d.dir, "mail", user)
	for _, p := range []string{base, filepath.Join(base, "cur"), filepath.Join(base, "new"), filepath.Join(base, "tmp")} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		os.Chown(p, d.uid, d.gid)
	}
	name := fmt.Sprintf("%d.M%dP%d.civicdesk-test", time.Now().Unix(), n, os.Getpid())
	path := filepath.Join(base, "new", name)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chown(path, d.uid, d.gid)
}

// seen counts the user's messages flagged \Seen (maildir ":2,…S…").
func (d *dovecot) seen(t *testing.T, user string) int {
	ents, _ := os.ReadDir(filepath.Join(d.dir, "mail", user, "cur"))
	n := 0
	for _, e := range ents {
		if i := strings.LastIndex(e.Name(), ":2,"); i >= 0 && strings.Contains(e.Name()[i:], "S") {
			n++
		}
	}
	return n
}

// TestIMAPFetchExactlyOnce covers acceptance 5: three messages in a real
// Dovecot mailbox become exactly three submissions across runs of the
// fetch task — two before the first run, one between the runs — and a
// run with nothing new takes nothing. Each is marked \Seen.
func TestIMAPFetchExactlyOnce(t *testing.T) {
	const user, pass = "phananh", "mat-khau-thu"
	dc := startDovecot(t, user, pass)
	letter := func(i int) []byte {
		return crlf(fmt.Sprintf("From: Công dân %d <cd%d@example.vn>\nTo: phananh@bo.gov.vn\nSubject: Phản ánh số %d\n"+
			"Message-ID: <imap-%d@example.vn>\nContent-Type: text/plain; charset=utf-8\n\nNội dung phản ánh số %d.\n", i, i, i, i, i))
	}
	dc.deliver(t, user, 1, letter(1))
	dc.deliver(t, user, 2, letter(2))

	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.IMAPMailboxes = "imap://" + user + ":" + pass + "@" + dc.addr + "/INBOX"
		c.IMAPEvery = time.Hour // the start run only; the test runs the others
	}})
	ctx := context.Background()
	names := e.App.IMAPMailboxes()
	if len(names) != 1 {
		t.Fatalf("mailboxes %v", names)
	}
	count := func() int64 {
		n, err := e.App.Store.CountSubmissions(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	fetchDone := func() {
		t.Helper()
		apptest.WaitFor(t, 30*time.Second, "imap fetch finished", func() bool {
			info, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, workers.IMAPTaskID(names[0]))
			return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) ||
				(err == nil && info.State == asynq.TaskStateCompleted)
		})
	}
	run := func() {
		t.Helper()
		fetchDone()
		if err := e.App.Queue.EnqueueIMAPFetch(ctx, names[0]); err != nil {
			t.Fatal(err)
		}
		fetchDone()
	}

	// Run 1, at start.
	apptest.WaitFor(t, 30*time.Second, "two submissions", func() bool { return count() >= 2 })
	fetchDone()
	if n := dc.seen(t, user); n != 2 {
		t.Errorf("%d messages marked seen after run 1, want 2", n)
	}

	// Run 2, with one new message.
	dc.deliver(t, user, 3, letter(3))
	run()
	if n := count(); n != 3 {
		t.Fatalf("%d submissions after run 2, want 3", n)
	}
	// Run 3: nothing new.
	run()
	if n := count(); n != 3 {
		t.Fatalf("%d submissions after run 3, want 3", n)
	}
	if n := dc.seen(t, user); n != 3 {
		t.Errorf("%d messages marked seen, want 3", n)
	}
	tks := waitTickets(t, e, 3)
	got := map[string]bool{}
	for _, tk := range tks {
		got[tk.Title] = true
		sub, err := e.App.Store.Submission(ctx, tk.ID)
		if err != nil || sub.Mail == nil || sub.Mail.Source != "imap:"+names[0] {
			t.Errorf("submission %s: %v %+v", tk.ID, err, sub.Mail)
		}
	}
	for i := 1; i <= 3; i++ {
		if !got[fmt.Sprintf("Phản ánh số %d", i)] {
			t.Errorf("no ticket for message %d: %v", i, got)
		}
	}
	st, err := e.App.Store.IMAPStateOf(ctx, names[0])
	if err != nil || st.LastUID != 3 || st.UIDValidity == 0 {
		t.Errorf("imap state %+v %v", st, err)
	}
}
