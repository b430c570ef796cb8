package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

func countByCode(t *testing.T, e *apptest.Env, code string) int {
	t.Helper()
	admin := &desk.User{ID: "test", Role: desk.RoleAdmin}
	tk, err := e.App.Store.TicketByCode(context.Background(), admin, code)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = e.App.Store.EachTicket(context.Background(), func(x *desk.Ticket) error {
		if x.TrackingCode == tk.TrackingCode {
			n++
		}
		return nil
	})
	return n
}

// A 202 means the submission is in the store: flushing Redis right after
// it loses nothing, because the reconciler rebuilds the queue from Mongo.
func TestFlushRedisAfterAcceptLosesNothing(t *testing.T) {
	dir := t.TempDir()
	db := 0
	if redisTest() {
		db = apptest.RedisDB(t)
	}
	// Web only, so no worker can take the task before the flush.
	web := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, DataDir: dir, RedisDB: db})
	code := web.Submit(apptest.Submission())
	web.FlushRedis()
	if n := countByCode(t, web, code); n != 0 {
		t.Fatalf("ticket existed before any worker ran (%d)", n)
	}
	web.Stop()

	worker := apptest.Start(t, apptest.Options{Mode: apptest.WorkerOnly, DataDir: dir, RedisDB: db})
	apptest.WaitFor(t, 5*time.Second, "the reconciler to rebuild the queue", func() bool { return countByCode(t, worker, code) == 1 })
}

// Killing the process right after a 202 (no draining: in-flight tasks and
// the embedded queue die with it) and restarting on the same data dir
// creates the ticket exactly once.
func TestCrashAfterAcceptCreatesTicketOnce(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode apptest.Mode
	}{{"web only before crash", apptest.WebOnly}, {"full process before crash", apptest.Serve}} {
		t.Run(mode.name, func(t *testing.T) {
			dir := t.TempDir()
			db := 0
			if redisTest() {
				db = apptest.RedisDB(t)
			}
			first := apptest.Start(t, apptest.Options{Mode: mode.mode, DataDir: dir, RedisDB: db})
			var codes []string
			for i := 0; i < 5; i++ {
				codes = append(codes, first.Submit(apptest.Submission()))
			}
			first.Crash()

			second := apptest.Start(t, apptest.Options{DataDir: dir, RedisDB: db})
			for _, code := range codes {
				apptest.WaitFor(t, 5*time.Second, "ticket "+code, func() bool { return countByCode(t, second, code) >= 1 })
			}
			time.Sleep(500 * time.Millisecond) // room for a duplicate to appear
			for _, code := range codes {
				if n := countByCode(t, second, code); n != 1 {
					t.Errorf("ticket %s exists %d times", code, n)
				}
			}
			if n, _ := second.App.Store.CountTickets(context.Background()); n != int64(len(codes)) {
				t.Errorf("%d tickets for %d submissions", n, len(codes))
			}
		})
	}
}
