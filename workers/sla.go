package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// SLA timer task types. Both run the same idempotent check; the two names
// say which deadline the timer was set for, in the queue and the metrics.
const (
	TypeSLAWarn   = "sla:warn"
	TypeSLABreach = "sla:breach"
)

// SLAPayload names the ticket and the instant the timer was set for.
type SLAPayload struct {
	TicketID string `json:"ticket_id"`
	At       int64  `json:"at"` // Unix seconds
}

// SLATaskID is the deterministic task id of a timer: the ticket and the
// instant. The same deadline scheduled twice is one task; a deadline moved
// by a pause or a transfer is a new task, and the old one, when it fires,
// finds nothing to do.
func SLATaskID(typ, ticketID string, at time.Time) string {
	return fmt.Sprintf("%s:%s:%d", typ, ticketID, at.Unix())
}

// NewSLATask builds a timer task for ticket id at instant at.
func NewSLATask(typ, ticketID string, at time.Time) (*asynq.Task, error) {
	b, err := json.Marshal(SLAPayload{TicketID: ticketID, At: at.Unix()})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(typ, b, asynq.TaskID(SLATaskID(typ, ticketID, at)), asynq.Queue(QueueDefault),
		asynq.MaxRetry(10), asynq.Timeout(time.Minute)), nil
}

// SLATimers lists the timers a ticket needs now: one per SLA level it has
// not reached yet, each an instant after the deadline that starts it. A
// closed or paused ticket needs none.
func SLATimers(t *desk.Ticket) []struct {
	Type string
	At   time.Time
} {
	type timer = struct {
		Type string
		At   time.Time
	}
	if !t.Open() || !t.PausedAt.IsZero() || t.DueAt.IsZero() {
		return nil
	}
	var out []timer
	lvl := t.SLALevel
	if (lvl == "" || lvl == desk.LevelOK) && !t.WarnAt.IsZero() && t.WarnAt.Before(t.DueAt) {
		out = append(out, timer{TypeSLAWarn, t.WarnAt.Add(time.Second)})
	}
	if lvl == "" || lvl == desk.LevelOK || lvl == desk.LevelWarn {
		out = append(out, timer{TypeSLABreach, t.DueAt.Add(time.Second)})
	}
	if lvl != desk.LevelEscalated && !t.EscalateAt.IsZero() && t.EscalateAt.After(t.DueAt) {
		out = append(out, timer{TypeSLABreach, t.EscalateAt.Add(time.Second)})
	}
	return out
}

// ScheduleSLA enqueues t's timers with their deterministic ids. Delays are
// taken from now, the service clock, so that a test's injected clock maps
// onto real delays; a timer already due runs at once. A timer already
// queued is left as it is.
func (q *Queue) ScheduleSLA(ctx context.Context, t *desk.Ticket, now time.Time) error {
	var errs []error
	for _, tm := range SLATimers(t) {
		task, err := NewSLATask(tm.Type, t.ID, tm.At)
		if err != nil {
			return err
		}
		_, err = q.Client.EnqueueContext(ctx, task, asynq.ProcessIn(tm.At.Sub(now)))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SLAHandler runs sla:warn and sla:breach: it re-reads the ticket and
// applies the level due now, if any (tickets.Service.CheckSLA).
type SLAHandler struct {
	Tickets *tickets.Service
}

// ProcessTask handles both timer types.
func (h *SLAHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p SLAPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	err := h.Tickets.CheckSLA(ctx, p.TicketID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return fmt.Errorf("ticket %s: %w", p.TicketID, asynq.SkipRetry)
	}
	return err
}

// SLASweeper is the timers' safety net: every Every it recomputes, from
// Mongo, the SLA level of every open ticket past its next check, so a
// warning or breach whose timer was lost with Redis still happens. Several
// sweepers at once are harmless: every change is a compare-and-set.
type SLASweeper struct {
	Tickets *tickets.Service
	Every   time.Duration
	Log     *slog.Logger
}

// Run sweeps at start and then every s.Every until ctx ends.
func (s *SLASweeper) Run(ctx context.Context) {
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		n, err := s.Tickets.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("sla sweep failed", "err", err)
		} else if n > 0 {
			s.Log.Info("sla sweep checked tickets", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
