package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/workers"
)

// tripCounter counts the store's round trips (every command the driver
// sends, getMore included) for one operation at a time. The app's periodic
// jobs run under the test app's own context (apptest.Background) and are
// never counted; queue tasks carry their task id (asynq.GetTaskID), so an
// HTTP request's count leaves out tasks running beside it, and a task's
// count is exactly that task's commands.
type tripCounter struct {
	mu     sync.Mutex
	on     bool
	task   string // "" counts HTTP requests; else tasks whose id starts with it
	counts []string
}

func (c *tripCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(ctx context.Context, e *event.CommandStartedEvent) {
		if apptest.Background(ctx) {
			return
		}
		id, isTask := asynq.GetTaskID(ctx)
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.on || isTask != (c.task != "") || (isTask && !strings.HasPrefix(id, c.task)) {
			return
		}
		what := e.CommandName
		if coll, ok := e.Command.Lookup(e.CommandName).StringValueOK(); ok {
			what += " " + coll
		}
		for _, f := range []string{"filter", "query"} {
			if d, ok := e.Command.Lookup(f).DocumentOK(); ok {
				els, _ := d.Elements()
				var keys []string
				for _, el := range els {
					keys = append(keys, el.Key())
				}
				what += " {" + strings.Join(keys, ",") + "}"
			}
		}
		c.counts = append(c.counts, what)
	}}
}

// start begins counting the commands of HTTP requests (task "") or of the
// tasks whose id starts with task.
func (c *tripCounter) start(task string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on, c.task, c.counts = true, task, nil
}

// stop ends counting and returns the commands counted.
func (c *tripCounter) stop() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.counts
}

// roundTripBudgets are the most store round trips each operation may take
// on the external store. The README's table quotes them. An operation
// still over its budget has a ceiling at today's count, so that it cannot
// grow further, and the reason it is over.
var roundTripBudgets = []struct {
	op      string
	budget  int
	ceiling int    // over budget today: fail past this instead
	over    string // why it is over, and what would bring it down
}{
	{op: "accept a submission (POST /api/v1/submissions)", budget: 2},
	{op: "intake:process for a portal submission", budget: 12},
	{op: "staff ticket page (GET /staff/tickets/{code})", budget: 6},
	{op: "one inbox page (GET /staff/inbox)", budget: 3},
	{op: "one inbox page over the API (GET /api/v1/tickets)", budget: 3},
	{op: "public tracking (GET /api/v1/track/{code})", budget: 2},
	{op: "public tracking page (GET /track/{code})", budget: 2},
}

// TestRoundTripBudgets counts the store round trips of the operations
// users wait on, on the external store (CIVICDESK_TEST_MONGO_URI: the
// embedded store answers listings from memory, so its counts say nothing
// about MongoDB), and fails when one grows past its budget. Each operation
// runs once to warm the caches a running process has, then is counted:
//
//	CIVICDESK_TEST_MONGO_URI=mongodb://127.0.0.1:27217/ go test ./internal/app -run TestRoundTripBudgets -v
func TestRoundTripBudgets(t *testing.T) {
	if os.Getenv("CIVICDESK_TEST_MONGO_URI") == "" {
		t.Skip("round trips are counted on an external store: set CIVICDESK_TEST_MONGO_URI")
	}
	counter := &tripCounter{}
	e := apptest.Start(t, apptest.Options{Monitor: counter.monitor(), Configure: func(c *config.Config) {
		// The reconciler re-enqueues a submission still waiting after the
		// grace; a second intake task would be counted as this one's.
		c.ReconcileGrace = time.Hour
	}})
	e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	staffAPI := e.Login("an@tct.example.vn", "user-password-123")
	staff := wsLogin(t, e, "an@tct.example.vn")

	measured := map[string][]string{}
	for round := 0; round < 2; round++ {
		count := round == 1 // the first round warms the caches
		measure := func(op string, task string, do func()) {
			if !count {
				do()
				return
			}
			counter.start(task)
			do()
			measured[op] = counter.stop()
		}
		var code string
		measure(roundTripBudgets[0].op, "", func() { code = e.Submit(apptest.Submission()) })
		sub, err := e.App.Store.SubmissionByCode(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		measure(roundTripBudgets[1].op, workers.IntakeTaskID(sub.ID), func() {
			waitTicket(e, code)
			// The ticket is visible before the task returns: wait for the
			// task itself to finish.
			apptest.WaitFor(t, time.Minute, "the intake task to finish", func() bool {
				info, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueCritical, workers.IntakeTaskID(sub.ID))
				return errors.Is(err, asynq.ErrTaskNotFound) || err == nil && info.State == asynq.TaskStateCompleted
			})
		})
		measure(roundTripBudgets[2].op, "", func() {
			if st, body := staff.get("/staff/tickets/" + code); st != http.StatusOK {
				t.Fatalf("ticket page: %d %s", st, body)
			}
		})
		measure(roundTripBudgets[3].op, "", func() {
			if st, body := staff.get("/staff/inbox"); st != http.StatusOK {
				t.Fatalf("inbox: %d %s", st, body)
			}
		})
		measure(roundTripBudgets[4].op, "", func() {
			if r := e.Do("GET", "/api/v1/tickets", nil, bearer(staffAPI)...); r.Status != http.StatusOK {
				t.Fatalf("inbox API: %d %s", r.Status, r.Body)
			}
		})
		measure(roundTripBudgets[5].op, "", func() {
			if r := e.Do("GET", "/api/v1/track/"+code, nil); r.Status != http.StatusOK {
				t.Fatalf("track: %d %s", r.Status, r.Body)
			}
		})
		measure(roundTripBudgets[6].op, "", func() {
			if r := e.Do("GET", "/track/"+code, nil); r.Status != http.StatusOK {
				t.Fatalf("track page: %d %s", r.Status, r.Body)
			}
		})
	}
	for _, b := range roundTripBudgets {
		cmds := measured[b.op]
		t.Logf("%-52s %2d round trips (budget %d)", b.op, len(cmds), b.budget)
		limit := b.budget
		if b.ceiling > 0 {
			limit = b.ceiling
			if len(cmds) > b.budget {
				t.Logf("  OVER BUDGET by %d, held at %d: %s", len(cmds)-b.budget, b.ceiling, b.over)
			}
		}
		if len(cmds) > limit {
			t.Errorf("%s: %d round trips, budget %d (ceiling %d):\n%s", b.op, len(cmds), b.budget, b.ceiling, tally(cmds))
		} else if testing.Verbose() {
			t.Logf("  %s", strings.ReplaceAll(tally(cmds), "\n", "\n  "))
		}
	}
}

// tally lists commands with how often each was sent.
func tally(cmds []string) string {
	n := map[string]int{}
	for _, c := range cmds {
		n[c]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, "%3d× %s\n", n[k], k)
	}
	return strings.TrimRight(sb.String(), "\n")
}
