package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
	"github.com/civicdesk/civicdesk/workers"
)

// slaStart is Monday 1 March 2027, 09:00 in Hà Nội: no day off within the
// deadlines these tests compute. A gia-han-thue ticket received then has
// 10 working days: due Monday 15 March 23:59:59, warned from Friday 12
// March 23:59:59, escalated after Wednesday 17 March 23:59:59.
var slaStart = time.Date(2027, 3, 1, 9, 0, 0, 0, calendar.Location())

func vn(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, calendar.Location())
}

// staffTicket reads a ticket through the staff API, as an admin (a fresh
// login each time: the test clock outruns sessions).
func staffTicket(e *apptest.Env, code string) *desk.Ticket {
	e.T.Helper()
	r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+e.AdminToken())
	if r.Status != http.StatusOK {
		e.T.Fatalf("get ticket %s: %d %s", code, r.Status, r.Body)
	}
	var t desk.Ticket
	r.JSON(e.T, &t)
	return &t
}

func hasEvent(t *desk.Ticket, typ string) *desk.Event {
	for i := range t.Events {
		if t.Events[i].Type == typ {
			return &t.Events[i]
		}
	}
	return nil
}

// waitTicket waits until the worker has made the ticket for code.
func waitTicket(e *apptest.Env, code string) *desk.Ticket {
	e.T.Helper()
	ctx := context.Background()
	admin := &desk.User{ID: "test", Role: desk.RoleAdmin}
	var t *desk.Ticket
	apptest.WaitFor(e.T, 5*time.Second, "ticket "+code, func() bool {
		t, _ = e.App.Store.TicketByCode(ctx, admin, code)
		return t != nil
	})
	return t
}

func sweepOff(c *config.Config) { c.SLASweepEvery = time.Hour }

// runTimer moves the scheduled timer with that id to pending, so that the
// worker runs it now instead of at its (real-time) ProcessAt.
func runTimer(t *testing.T, e *apptest.Env, id string) {
	t.Helper()
	info, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, id)
	if err != nil {
		t.Fatalf("timer %s not queued: %v", id, err)
	}
	if info.State != asynq.TaskStateScheduled {
		t.Fatalf("timer %s is %v, want scheduled", id, info.State)
	}
	if err := e.App.Queue.Inspector.RunTask(workers.QueueDefault, id); err != nil {
		t.Fatalf("run timer %s: %v", id, err)
	}
}

// The sla:warn and sla:breach timers are scheduled with deterministic ids
// when the ticket is made; run past their instants (on the injected clock)
// they warn, flag the ticket overdue and escalate it to the agency lead,
// then to the coordinators, each recorded as an event.
func TestSLATimersWarnBreachEscalate(t *testing.T) {
	clock := apptest.NewClock(slaStart)
	e := apptest.Start(t, apptest.Options{Clock: clock, Configure: sweepOff})
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)

	due, warn, esc := vn(2027, 3, 15, 23, 59, 59), vn(2027, 3, 12, 23, 59, 59), vn(2027, 3, 17, 23, 59, 59)
	if !tk.DueAt.Equal(due) || !tk.WarnAt.Equal(warn) || !tk.EscalateAt.Equal(esc) {
		t.Fatalf("deadlines: due %v warn %v escalate %v", tk.DueAt.In(calendar.Location()), tk.WarnAt.In(calendar.Location()), tk.EscalateAt.In(calendar.Location()))
	}
	if !tk.TransferDueAt.Equal(vn(2027, 3, 8, 23, 59, 59)) || !tk.ClockStartedAt.Equal(tk.CreatedAt) {
		t.Errorf("transfer due %v, clock started %v", tk.TransferDueAt, tk.ClockStartedAt)
	}
	warnID := workers.SLATaskID(workers.TypeSLAWarn, tk.ID, warn.Add(time.Second))
	breachID := workers.SLATaskID(workers.TypeSLABreach, tk.ID, due.Add(time.Second))
	escID := workers.SLATaskID(workers.TypeSLABreach, tk.ID, esc.Add(time.Second))

	// A timer that fires before its instant (the clock not yet there)
	// changes nothing.
	apptest.WaitFor(t, 5*time.Second, "timers scheduled", func() bool {
		_, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, escID)
		return err == nil
	})
	runTimer(t, e, warnID)
	time.Sleep(300 * time.Millisecond)
	if got := staffTicket(e, code); got.SLALevel != desk.LevelOK || hasEvent(got, desk.EventSLAWarn) != nil {
		t.Fatalf("early timer acted: level %q", got.SLALevel)
	}

	// Past the warning point. The early run consumed the warn timer, so
	// re-schedule (what a restart or a later change does) and run it.
	clock.Set(warn.Add(time.Hour))
	if err := e.App.Queue.ScheduleSLA(context.Background(), staffTicket(e, code), clock.Now()); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, 5*time.Second, "warning event", func() bool {
		return hasEvent(staffTicket(e, code), desk.EventSLAWarn) != nil
	})
	got := staffTicket(e, code)
	if got.SLALevel != desk.LevelWarn || got.OverdueFlag {
		t.Errorf("after warn: level %q overdue %v", got.SLALevel, got.OverdueFlag)
	}

	// Past the answer deadline: overdue, escalated to the agency lead.
	clock.Set(due.Add(time.Hour))
	runTimer(t, e, breachID)
	apptest.WaitFor(t, 5*time.Second, "breach", func() bool { return staffTicket(e, code).OverdueFlag })
	got = staffTicket(e, code)
	ev := hasEvent(got, desk.EventSLABreach)
	if got.SLALevel != desk.LevelBreach || ev == nil || ev.To != "lead:BTC-TCT" || ev.Public {
		t.Fatalf("after breach: level %q event %+v", got.SLALevel, ev)
	}
	if !strings.Contains(string(e.Do("GET", "/api/v1/tickets?status=new", nil, "Authorization", "Bearer "+e.AdminToken()).Body), `"overdue":true`) {
		t.Errorf("the listing does not show the overdue flag")
	}

	// Still unanswered 2 working days later: to the coordinators.
	clock.Set(esc.Add(time.Hour))
	runTimer(t, e, escID)
	apptest.WaitFor(t, 5*time.Second, "escalation", func() bool { return staffTicket(e, code).SLALevel == desk.LevelEscalated })
	got = staffTicket(e, code)
	if ev := hasEvent(got, desk.EventSLAEscalated); ev == nil || ev.To != "VPCP" {
		t.Fatalf("escalation event: %+v", ev)
	}

	// Timers are idempotent: running the whole set again adds nothing.
	n := len(got.Events)
	if err := e.App.Tickets.CheckSLA(context.Background(), got.ID); err != nil {
		t.Fatal(err)
	}
	if again := staffTicket(e, code); len(again.Events) != n {
		t.Errorf("a repeated check added %d events", len(again.Events)-n)
	}
}

// After a Redis flush every timer is gone; the periodic sweep still finds
// the ticket past its deadline in Mongo, warns, flags it overdue and
// escalates it.
func TestSLASweepAfterRedisFlush(t *testing.T) {
	clock := apptest.NewClock(slaStart)
	e := apptest.Start(t, apptest.Options{Clock: clock, Configure: func(c *config.Config) { c.SLASweepEvery = 100 * time.Millisecond }})
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)
	time.Sleep(300 * time.Millisecond) // several sweeps: nothing is due
	if got := staffTicket(e, code); got.SLALevel != desk.LevelOK || got.OverdueFlag {
		t.Fatalf("before the deadline: level %q overdue %v", got.SLALevel, got.OverdueFlag)
	}
	e.FlushRedis()
	if _, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, workers.SLATaskID(workers.TypeSLABreach, tk.ID, tk.DueAt.Add(time.Second))); err == nil {
		t.Fatal("the breach timer survived the flush")
	}
	clock.Set(tk.DueAt.Add(2 * time.Hour))
	apptest.WaitFor(t, 10*time.Second, "sweep flags the ticket overdue", func() bool { return staffTicket(e, code).OverdueFlag })
	got := staffTicket(e, code)
	if got.SLALevel != desk.LevelBreach || hasEvent(got, desk.EventSLAWarn) == nil || hasEvent(got, desk.EventSLABreach) == nil {
		t.Fatalf("after the sweep: level %q, events %+v", got.SLALevel, got.Events)
	}
	clock.Set(tk.EscalateAt.Add(time.Minute))
	apptest.WaitFor(t, 10*time.Second, "sweep escalates", func() bool { return staffTicket(e, code).SLALevel == desk.LevelEscalated })
}

// A ticket paused in awaiting_citizen from Tuesday to Friday (3 working
// days: Wednesday, Thursday, Friday) has every deadline moved by exactly 3
// working days when the citizen replies, through the real reply path; the
// new deadline's timers are scheduled and the public timeline shows it.
func TestSLAPauseResumeMovesDueByWorkingDaysPaused(t *testing.T) {
	clock := apptest.NewClock(slaStart)
	e := apptest.Start(t, apptest.Options{Clock: clock, Configure: sweepOff})
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)
	ctx := context.Background()
	due0 := tk.DueAt

	clock.Set(vn(2027, 3, 2, 10, 0, 0)) // Tuesday
	paused, err := e.App.Tickets.Change(ctx, tk, tk.Version, tickets.Change{TicketChange: store.TicketChange{Status: desk.StatusAwaitingCitizen,
		Event: desk.Event{Actor: "staff-1", Type: desk.EventStatus, From: string(tk.Status), To: string(desk.StatusAwaitingCitizen), Note: "cần bản sao hồ sơ", Public: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if paused.Status != desk.StatusAwaitingCitizen || paused.PausedAt.IsZero() || paused.SLANextAt != nil {
		t.Fatalf("paused: status %s paused_at %v next %v", paused.Status, paused.PausedAt, paused.SLANextAt)
	}
	// While paused the sweep has nothing to do, even past the old due.
	if n, err := e.App.Tickets.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep while paused: %d %v", n, err)
	}

	clock.Set(vn(2027, 3, 5, 15, 0, 0)) // Friday
	if _, err := e.App.Intake.Accept(ctx, intake.Input{Channel: desk.ChannelEmail, IdempotencyKey: "reply-1", Name: "Nguyễn Văn An",
		Email: "an@example.vn", Category: "gia-han-thue", Title: "Bổ sung hồ sơ", Body: "Tôi gửi bổ sung bản sao hồ sơ.", ReplyTo: code}); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, 5*time.Second, "resumed", func() bool { return staffTicket(e, code).Status == desk.StatusInProgress })
	got := staffTicket(e, code)
	cal := e.App.Cal()
	if n := cal.WorkingDaysBetween(due0, got.DueAt); n != 3 || !got.DueAt.Equal(vn(2027, 3, 18, 23, 59, 59)) {
		t.Fatalf("due moved from %v to %v: %d working days, want 3", due0.In(calendar.Location()), got.DueAt.In(calendar.Location()), n)
	}
	if n := cal.WorkingDaysBetween(tk.WarnAt, got.WarnAt); n != 3 {
		t.Errorf("warning moved %d working days", n)
	}
	if !got.PausedAt.IsZero() || !got.CreatedAt.Equal(tk.CreatedAt) {
		t.Errorf("paused_at %v, created_at %v → %v", got.PausedAt, tk.CreatedAt, got.CreatedAt)
	}
	if ev := hasEvent(got, desk.EventClockResumed); ev == nil || !ev.Public {
		t.Errorf("no public clock_resumed event: %+v", got.Events)
	}
	id := workers.SLATaskID(workers.TypeSLABreach, got.ID, got.DueAt.Add(time.Second))
	apptest.WaitFor(t, 5*time.Second, "timer for the new due date", func() bool {
		_, err := e.App.Queue.Inspector.GetTaskInfo(workers.QueueDefault, id)
		return err == nil
	})
	v, _ := track(e, code)
	found := false
	for _, te := range v.Timeline {
		found = found || te.Type == desk.EventClockResumed
	}
	if !found {
		t.Errorf("the public timeline does not show the new deadline: %+v", v.Timeline)
	}
}
