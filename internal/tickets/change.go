package tickets

import (
	"context"
	"fmt"
	"time"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Change is one change to a ticket: what the compare-and-set writes, and
// for a person's action the audit entry that records it.
type Change struct {
	store.TicketChange
	// Actor and Action name the audit entry ("ticket.reply", …), Note
	// its note. Without an Action no entry is written: system changes
	// (timers, mail, intake) are recorded by their event alone.
	Actor  *desk.User
	Action string
	Note   string
	// OwnDeadlines says the change sets the SLA fields itself (a move, a
	// release, a level): the clock is then not moved on top of it.
	OwnDeadlines bool
	// Then are events recorded after the change, each on its own, such as
	// a move's new deadline; one that meets a conflict is left out
	// (logged), the change having succeeded.
	Then []desk.Event
}

// Change is the one write path for tickets: every change that staff,
// citizens, intake, timers, topics and the quarantine make goes through
// it. It applies ch to t as a compare-and-set on version (ECONFLICT when
// the ticket changed meanwhile: re-read and retry), with the SLA clock
// following a status change (WithClock) and a clock_paused or public
// clock_resumed event, then records the audit entry, enqueues the
// ticket's re-index and re-arms its SLA timers. Scoping and validation
// are the caller's, on the read that produced t.
func (s *Service) Change(ctx context.Context, t *desk.Ticket, version int64, ch Change) (*desk.Ticket, error) {
	now := s.now()
	wasPaused := !t.PausedAt.IsZero()
	tc := ch.TicketChange
	if !ch.OwnDeadlines {
		tc = s.WithClock(t, tc, now)
	}
	out, err := s.Store.UpdateTicketWith(ctx, t.ID, version, tc, now)
	if err != nil {
		return nil, err
	}
	switch {
	case ch.OwnDeadlines:
	case wasPaused && out.PausedAt.IsZero():
		out = s.note(ctx, out, desk.Event{Actor: "system", Type: desk.EventClockResumed, From: t.DueAt.UTC().Format(time.RFC3339),
			To: out.DueAt.UTC().Format(time.RFC3339), Note: fmt.Sprintf("paused %s → %s", t.PausedAt.UTC().Format(time.RFC3339), now.Format(time.RFC3339)), Public: true})
	case !wasPaused && !out.PausedAt.IsZero():
		out = s.note(ctx, out, desk.Event{Actor: "system", Type: desk.EventClockPaused, To: string(out.Status)})
	}
	for _, ev := range ch.Then {
		out = s.note(ctx, out, ev)
	}
	if ch.Action != "" {
		s.Audit.Record(ctx, audit.Entry{Actor: ch.Actor, Action: ch.Action, Target: t.TrackingCode, IP: ClientIP(ctx),
			Before: snap(t), After: snap(out), Note: ch.Note})
	}
	s.afterChange(ctx, out)
	return out, nil
}

// snapshot is what an audit entry records of a ticket before and after a
// change.
type snapshot struct {
	Status   desk.Status `json:"status"`
	Assignee string      `json:"assignee"`
	Version  int64       `json:"version"`
	Agency   string      `json:"agency"`
}

func snap(t *desk.Ticket) snapshot {
	return snapshot{Status: t.Status, Assignee: t.Assignee, Version: t.Version, Agency: t.Agency}
}

type ipKey struct{}

// WithIP returns ctx carrying the client address for the audit entries
// Change writes; the services' signatures stay free of transport details.
func WithIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

// ClientIP is the address WithIP put in ctx, or "".
func ClientIP(ctx context.Context) string {
	s, _ := ctx.Value(ipKey{}).(string)
	return s
}
