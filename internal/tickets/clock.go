package tickets

import (
	"context"
	"fmt"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/sla"
	"github.com/civicdesk/civicdesk/internal/store"
)

// WithClock returns ch extended so that the SLA clock follows the status
// change it makes to t at now: entering awaiting_citizen pauses the clock
// (paused_at is stored, timers stop applying), leaving it resumes the clock
// with every deadline moved later by the working days spent paused
// (sla.Resume). Any other change is returned as it is.
//
// Change does this for every change that does not set the deadlines
// itself.
func (s *Service) WithClock(t *desk.Ticket, ch store.TicketChange, now time.Time) store.TicketChange {
	to := ch.Status
	if to == "" || to == t.Status {
		return ch
	}
	paused := !t.PausedAt.IsZero()
	switch {
	case to == desk.StatusAwaitingCitizen && !paused:
		f := store.SLAOf(t)
		f.PausedAt = now.UTC()
		f.NextAt = nil
		ch.Set = append(ch.Set, f.Set()...)
	case to != desk.StatusAwaitingCitizen && paused:
		ch.Set = append(ch.Set, s.resumed(t, now).Set()...)
	}
	return ch
}

// resumed is t's deadlines after a pause from t.PausedAt to now.
func (s *Service) resumed(t *desk.Ticket, now time.Time) store.SLAFields {
	cal := s.Calendar()
	f := store.SLAOf(t)
	move := func(at time.Time) time.Time {
		if at.IsZero() {
			return at
		}
		return sla.Resume(cal, at, t.PausedAt, now).UTC()
	}
	f.TransferDueAt, f.FirstResponseDueAt = move(f.TransferDueAt), move(f.FirstResponseDueAt)
	f.DueAt, f.WarnAt, f.EscalateAt = move(f.DueAt), move(f.WarnAt), move(f.EscalateAt)
	f.PausedAt = time.Time{}
	// The level reached before the pause stands: a warning or breach
	// already recorded and escalated is not taken back.
	return withLevel(f, now, f.Level)
}

// note appends an event on its own. It follows a change just made, so a
// conflict means someone else changed the ticket in between; the event is
// then left out (logged) rather than failing the change that succeeded.
func (s *Service) note(ctx context.Context, t *desk.Ticket, ev desk.Event) *desk.Ticket {
	out, err := s.Store.UpdateTicketWith(ctx, t.ID, t.Version, store.TicketChange{Event: ev}, s.now())
	if err != nil {
		s.Log.Warn("could not record event", "ticket", t.ID, "type", ev.Type, "err", err)
		return t
	}
	return out
}

// CheckSLA re-reads the ticket and raises its SLA level to the level due at
// the current time, one compare-and-set and one event per level crossed.
// It is what the sla:warn and sla:breach timers and the sweep run, so it is
// idempotent: a ticket closed, paused, already at the level, or whose
// deadlines moved since the timer was set, is left alone.
func (s *Service) CheckSLA(ctx context.Context, id string) error {
	for attempt := 0; attempt < 5; attempt++ {
		t, err := s.Store.TicketByID(ctx, id)
		if err != nil {
			return err
		}
		err = s.check(ctx, t)
		if desk.ErrorCode(err) != desk.ECONFLICT {
			return err
		}
	}
	return fmt.Errorf("ticket %s kept changing during the SLA check; will retry", id)
}

func (s *Service) check(ctx context.Context, t *desk.Ticket) error {
	if !t.Open() || !t.PausedAt.IsZero() || t.DueAt.IsZero() {
		return nil
	}
	now := s.now()
	f := store.SLAOf(t)
	want := levelAt(f, now)
	have := levelRank[f.Level]
	if levelRank[want] <= have {
		if f.NextAt != nil && !f.NextAt.After(now) {
			// Nothing crossed (e.g. a timer that fired early): only move
			// the sweep's next look forward.
			g := withLevel(f, now, f.Level)
			if g.NextAt == nil || !g.NextAt.Equal(*f.NextAt) {
				_, err := s.Change(ctx, t, t.Version, Change{OwnDeadlines: true, TicketChange: store.TicketChange{Set: g.Set(),
					Event: desk.Event{Actor: "system", Type: desk.EventDeadlineReset, Note: "sla next check moved"}}})
				return err
			}
		}
		return nil
	}
	cat := s.Catalog()
	cur := t
	for r := have + 1; r <= levelRank[want]; r++ {
		lvl := levelByRank[r]
		g := f
		g.Level = lvl
		g.Overdue = r >= levelRank[desk.LevelBreach]
		g.NextAt = nextAt(g)
		ev := desk.Event{Actor: "system", Type: desk.EventSLAWarn, From: levelByRank[r-1], To: lvl}
		switch lvl {
		case desk.LevelWarn:
			ev.Note = "answer due " + f.DueAt.Format(time.RFC3339)
		case desk.LevelBreach:
			// Escalation to the lead of the agency holding the ticket.
			holder := t.Agency
			if holder == "" && len(t.Custody) > 0 { // triage: the coordinating office
				holder = t.Custody[len(t.Custody)-1].Agency
			}
			ev.Type, ev.To, ev.Note = desk.EventSLABreach, "lead:"+holder, "overdue since "+f.DueAt.Format(time.RFC3339)+"; escalated to the agency lead"
		case desk.LevelEscalated:
			co := ""
			if c := cat.Coordinator(); c != nil {
				co = c.Code
			}
			ev.Type, ev.To, ev.Note = desk.EventSLAEscalated, co, "still unanswered; escalated to the coordinators"
		}
		out, err := s.Change(ctx, cur, cur.Version, Change{OwnDeadlines: true, TicketChange: store.TicketChange{Set: g.Set(), Event: ev}})
		if err != nil {
			return err
		}
		cur, f = out, g
		s.Log.Info("sla level", "code", t.TrackingCode, "agency", t.Agency, "level", lvl, "due", t.DueAt.Format(time.RFC3339))
	}
	return nil
}

// SweepBatch is how many tickets one sweep query returns.
const SweepBatch = 500

// Sweep applies CheckSLA to every open ticket whose level may have changed
// by now, read from Mongo: it is the safety net that makes SLA timers lost
// with Redis still fire. It returns how many tickets it looked at.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	total := 0
	seen := map[string]bool{}
	for {
		batch, err := s.Store.SLADue(ctx, s.now(), SweepBatch)
		if err != nil {
			return total, err
		}
		progress := false
		for _, t := range batch {
			if seen[t.ID] {
				continue // a ticket whose check failed; try it next sweep
			}
			seen[t.ID] = true
			progress = true
			total++
			if err := s.check(ctx, t); err != nil {
				if ctx.Err() != nil {
					return total, ctx.Err()
				}
				s.Log.Warn("sla sweep: check failed", "ticket", t.ID, "err", err)
			}
		}
		if len(batch) < SweepBatch || !progress {
			return total, nil
		}
	}
}
