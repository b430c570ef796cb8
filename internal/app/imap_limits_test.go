package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/workers"
)

// TestIMAPFetchTooLargeAndRenumbered runs the fetch task against a real
// Dovecot: a message over the size limit is left unread in the mailbox
// while the bookkeeping moves past it, and after a UIDVALIDITY change the
// fetch falls back to the unseen messages — taking the new one, passing
// the oversized one over again, and taking nothing twice.
func TestIMAPFetchTooLargeAndRenumbered(t *testing.T) {
	const user, pass = "hopthu", "mat-khau-2"
	dc := startDovecot(t, user, pass)
	letter := func(i int, body string) []byte {
		return crlf(fmt.Sprintf("From: Công dân %d <cd%d@example.vn>\nTo: hopthu@bo.gov.vn\nSubject: Thư số %d\n"+
			"Message-ID: <lim-%d@example.vn>\nContent-Type: text/plain; charset=utf-8\n\n%s\n", i, i, i, i, body))
	}
	dc.deliver(t, user, 1, letter(1, strings.Repeat("Quá dài. ", 1000))) // ~10 KB
	dc.deliver(t, user, 2, letter(2, "Thư ngắn."))

	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.IMAPMailboxes = "imap://" + user + ":" + pass + "@" + dc.addr + "/INBOX"
		c.IMAPEvery = time.Hour
		c.SMTPMaxBytes = 4096
	}})
	ctx := context.Background()
	name := e.App.IMAPMailboxes()[0]
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
			info, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, workers.IMAPTaskID(name))
			return errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) ||
				(err == nil && info.State == asynq.TaskStateCompleted)
		})
	}
	state := func() *store.IMAPState {
		st, err := e.App.Store.IMAPStateOf(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// Run 1, at start: the short letter is taken, the long one left unread.
	apptest.WaitFor(t, 30*time.Second, "bookkeeping past both messages", func() bool { return state().LastUID == 2 })
	fetchDone()
	if n := count(); n != 1 {
		t.Fatalf("%d submissions after run 1, want 1 (the oversized message refused)", n)
	}
	if n := dc.seen(t, user); n != 1 {
		t.Errorf("%d messages marked seen after run 1, want 1", n)
	}
	validity := state().UIDValidity

	// The server renumbers the folder: the booked UIDs mean nothing now.
	if err := e.App.Store.SetIMAPState(ctx, store.IMAPState{Mailbox: name, UIDValidity: validity + 1, LastUID: 99, UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	dc.deliver(t, user, 3, letter(3, "Thư mới sau khi đánh số lại."))
	fetchDone()
	if err := e.App.Queue.EnqueueIMAPFetch(ctx, name); err != nil {
		t.Fatal(err)
	}
	fetchDone()
	if n := count(); n != 2 {
		t.Fatalf("%d submissions after the renumbered run, want 2", n)
	}
	if n := dc.seen(t, user); n != 2 {
		t.Errorf("%d messages marked seen, want 2 (the oversized one stays unread)", n)
	}
	if st := state(); st.UIDValidity != validity || st.LastUID != 3 {
		t.Errorf("imap state %+v, want validity %d last uid 3", st, validity)
	}
	tks := waitTickets(t, e, 2)
	for _, tk := range tks {
		if tk.Title != "Thư số 2" && tk.Title != "Thư số 3" {
			t.Errorf("unexpected ticket %q", tk.Title)
		}
	}
}
