// Package tickets holds the ticket actions that move a ticket between
// agencies and keep its statutory clock: routing at intake, triage,
// return and transfer with their custody chain, the pause of the clock
// while the citizen is asked for more, and the SLA levels (warn, breach,
// escalated) that timers and the sweep apply.
//
// Every change to a ticket, from this package and every other, goes
// through Service.Change: one compare-and-set with the event that records
// it, the audit entry, the re-index and the SLA timers. Scoping is applied here, on the read that
// precedes each change: a ticket outside the actor's agency answers
// ENOTFOUND, exactly like a code that does not exist.
package tickets

import (
	"context"
	"log/slog"
	"time"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/routing"
	"github.com/civicdesk/civicdesk/internal/sla"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Tasks is the part of the queue the service uses: re-indexing a changed
// ticket and scheduling its SLA timers. workers.Queue implements it.
type Tasks interface {
	EnqueueIndex(ctx context.Context, ticketID string) error
	// ScheduleSLA schedules the ticket's next warn/breach timers; now is
	// the service clock's time, so an injected clock maps onto real delays.
	ScheduleSLA(ctx context.Context, t *desk.Ticket, now time.Time) error
}

// Service is the ticket-action service.
type Service struct {
	Store     *store.Store
	Catalog   func() *desk.Catalog
	Provinces func() []string
	Calendar  func() *calendar.Calendar
	Clock     desk.Clock
	Tasks     Tasks           // nil: no timers, no re-index (tools)
	Audit     *audit.Recorder // nil: no audit entries
	Log       *slog.Logger
	// WarnDays is how many working days before the answer deadline the
	// warning comes; EscalateDays how many working days after a breach the
	// ticket goes to the coordinators. Zero values take the defaults.
	WarnDays     int
	EscalateDays int
	// CalendarChanged reloads the process's calendar after an override is
	// stored, so this process uses it at once (others on their refresh).
	CalendarChanged func(ctx context.Context) error
	// Refile, when set, re-files a moved ticket in the search index before
	// the move is answered (ticketsearch.Service.Refile): search is scoped
	// by agency, so the index must not keep filing it under the old one.
	Refile func(ctx context.Context, ticketID string)
}

// DefaultAnswerDays is the answer period when neither category nor agency
// sets one; DefaultEscalateDays the working days from breach to the
// coordinators.
const (
	DefaultAnswerDays   = 10
	DefaultEscalateDays = 2
)

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

func (s *Service) escalateDays() int {
	if s.EscalateDays > 0 {
		return s.EscalateDays
	}
	return DefaultEscalateDays
}

// Policy returns the deadline policy of a ticket of category held by
// agency: the category's answer period, else the agency's, else 10 working
// days; 5 to classify or transfer; the warning WarnDays before the answer.
// A ticket in triage (agency "") is due when it must be classified.
func (s *Service) Policy(category, agency string) sla.Policy {
	p := sla.DefaultPolicy()
	if s.WarnDays > 0 {
		p.WarnBeforeDays = s.WarnDays
	}
	cat := s.Catalog()
	p.AnswerDays = DefaultAnswerDays
	if a := cat.Agency(agency); a != nil && a.AnswerDays > 0 {
		p.AnswerDays = a.AnswerDays
	}
	if c := cat.Category(category); c != nil && c.AnswerDays > 0 {
		p.AnswerDays = c.AnswerDays
	}
	if agency == "" {
		p.AnswerDays = p.TransferDays
	}
	if p.FirstResponseDays > p.AnswerDays {
		p.FirstResponseDays = p.AnswerDays
	}
	if p.WarnBeforeDays >= p.AnswerDays {
		p.WarnBeforeDays = p.AnswerDays - 1
	}
	return p
}

// Deadlines computes the SLA fields of a clock started at start under the
// policy for category and agency, with the level as of now.
func (s *Service) Deadlines(category, agency string, start, now time.Time) store.SLAFields {
	cal := s.Calendar()
	d := sla.Compute(cal, s.Policy(category, agency), start)
	f := store.SLAFields{
		ClockStartedAt: start.UTC(), TransferDueAt: d.Transfer.UTC(), FirstResponseDueAt: d.FirstResponse.UTC(),
		DueAt: d.Answer.UTC(), WarnAt: d.Warn.UTC(), EscalateAt: sla.EscalateAt(cal, d, s.escalateDays()).UTC(),
	}
	return withLevel(f, now, desk.LevelOK)
}

var levelRank = map[string]int{"": 0, desk.LevelOK: 0, desk.LevelWarn: 1, desk.LevelBreach: 2, desk.LevelEscalated: 3}
var levelByRank = []string{desk.LevelOK, desk.LevelWarn, desk.LevelBreach, desk.LevelEscalated}

// levelAt is sla.LevelAt over the stored deadlines: each deadline belongs
// to the level before it.
func levelAt(f store.SLAFields, now time.Time) string {
	switch {
	case f.DueAt.IsZero():
		return desk.LevelOK
	case !f.EscalateAt.IsZero() && now.After(f.EscalateAt):
		return desk.LevelEscalated
	case now.After(f.DueAt):
		return desk.LevelBreach
	case !f.WarnAt.IsZero() && now.After(f.WarnAt):
		return desk.LevelWarn
	}
	return desk.LevelOK
}

// withLevel sets the level to the later of floor and the level at now, the
// overdue flag, and the next instant at which the level changes. A paused
// clock has no next instant.
func withLevel(f store.SLAFields, now time.Time, floor string) store.SLAFields {
	lvl := levelAt(f, now)
	if levelRank[floor] > levelRank[lvl] {
		lvl = floor
	}
	f.Level = lvl
	f.Overdue = levelRank[lvl] >= levelRank[desk.LevelBreach]
	f.NextAt = nextAt(f)
	return f
}

// nextAt is one second after the deadline that ends the current level:
// levels change an instant after a deadline, and asynq keeps whole seconds.
func nextAt(f store.SLAFields) *time.Time {
	if !f.PausedAt.IsZero() {
		return nil
	}
	var at time.Time
	switch f.Level {
	case desk.LevelOK, "":
		at = f.WarnAt
		if at.IsZero() || !at.Before(f.DueAt) {
			at = f.DueAt
		}
	case desk.LevelWarn:
		at = f.DueAt
	case desk.LevelBreach:
		at = f.EscalateAt
	}
	if at.IsZero() {
		return nil
	}
	at = at.Add(time.Second).UTC()
	return &at
}

// NewTicket fills in routing, custody and deadlines of a ticket being
// created from a submission received at received: the routing decision
// (rules, channel agency, category default, else triage), the routed or
// triage event, and the SLA fields. It reads the routing rules from the
// store, so an admin's edit applies to the next ticket.
func (s *Service) NewTicket(ctx context.Context, t *desk.Ticket, sub *desk.Submission) (routing.Decision, error) {
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return routing.Decision{}, err
	}
	routing.Sort(rules)
	cat := s.Catalog()
	now := s.now()
	d := routing.Decide(cat, rules, routing.Input{Category: sub.Category, Title: sub.Title, Body: sub.Body,
		Province: sub.Citizen.Province, Channel: sub.Channel, Agency: sub.Agency})
	holder := d.Agency
	if d.Agency != "" {
		t.Agency = d.Agency
		t.AgencyPath = cat.Path(d.Agency)
		t.Status = desk.StatusNew
		t.Priority = d.Priority
		t.RoutingRule = d.RuleID
		t.Hops = []desk.Hop{{Kind: desk.HopRouted, To: d.Agency, Actor: "system", Reason: d.Note(), At: now}}
	} else {
		// The coordinating office holds what routing could not place, so
		// that it is in someone's inbox.
		t.Status = desk.StatusTriage
		t.AgencyPath = []string{}
		if co := cat.Coordinator(); co != nil {
			t.AgencyPath = cat.Path(co.Code)
			holder = co.Code
		}
	}
	if holder != "" {
		t.Custody = []desk.Custody{{Agency: holder, Since: sub.ReceivedAt.UTC()}}
	}
	// issue 9: the reports' day key, the receive day in Vietnam.
	t.Day = sub.ReceivedAt.In(calendar.Location()).Format(time.DateOnly)
	s.Deadlines(sub.Category, d.Agency, sub.ReceivedAt, now).ApplyTo(t)
	return d, nil
}

// Tasks after a change: re-index, and timers for the new deadlines. Both
// are best effort: Mongo holds the truth, the sweep covers lost timers and
// the index catches up on the next change or a reindex.
func (s *Service) afterChange(ctx context.Context, t *desk.Ticket) {
	if s.Tasks == nil || t == nil {
		return
	}
	if err := s.Tasks.EnqueueIndex(ctx, t.ID); err != nil {
		s.Log.Warn("enqueue index failed", "ticket", t.ID, "err", err)
	}
	s.Schedule(ctx, t)
}

// Schedule enqueues the SLA timers for t; errors are logged, not returned,
// because the sweep covers a timer that could not be scheduled.
func (s *Service) Schedule(ctx context.Context, t *desk.Ticket) {
	if s.Tasks == nil || t == nil {
		return
	}
	if err := s.Tasks.ScheduleSLA(ctx, t, s.now()); err != nil {
		s.Log.Warn("schedule sla timers failed; the sweep will cover them", "ticket", t.ID, "err", err)
	}
}
