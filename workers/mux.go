package workers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/metrics"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// Deps is what the handlers need.
type Deps struct {
	Store    *store.Store
	Catalog  func() *desk.Catalog
	Calendar desk.Calendar
	Clock    desk.Clock
	Queue    *Queue
	Index    search.Index
	Log      *slog.Logger
	Metrics  *metrics.Metrics
	// Tickets routes new tickets, keeps their SLA clocks, runs the SLA
	// timers and makes every change to a ticket. Required.
	Tickets *tickets.Service
	// Spam gives the current spam rules to the intake step (spam.go).
	Spam *SpamRules
	// Email parses email submissions and sends mail (email.go); nil
	// parses with default limits and sends nothing.
	Email *EmailDeps
	// PublicIndex is the published-Q&A index (issue 7); nil keeps none.
	PublicIndex search.Index
	// IndexTracker hears when the index task rewrites an entry (issue 7).
	IndexTracker IndexTracker
}

// NewMux registers every handler, wrapped with metrics and logging.
func NewMux(d Deps) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(observe(d.Metrics, d.Log))
	mux.Handle(TypeIntakeProcess, &IntakeHandler{Store: d.Store, Catalog: d.Catalog, Clock: d.Clock, Queue: d.Queue, Log: d.Log, Tickets: d.Tickets, Spam: d.Spam, Email: d.Email, Index: d.Index})
	if d.Email != nil {
		mux.Handle(TypeNotifyEmail, &MailHandler{Store: d.Store, Tickets: d.Tickets, Sender: d.Email.Sender, Clock: d.Clock, Log: d.Log})
		if d.Email.Fetcher != nil {
			mux.Handle(TypeIMAPFetch, &IMAPHandler{Fetcher: d.Email.Fetcher, Mailboxes: d.Email.Mailboxes, Log: d.Log})
		}
	}
	if d.Tickets != nil {
		sla := &SLAHandler{Tickets: d.Tickets}
		mux.Handle(TypeSLAWarn, sla)
		mux.Handle(TypeSLABreach, sla)
	}
	mux.Handle(TypeTicketIndex, &IndexHandler{Store: d.Store, Index: d.Index, Public: d.PublicIndex, Clock: d.Clock, Log: d.Log, Tracker: d.IndexTracker})
	return mux
}

// observe counts each task by type and outcome and logs failures with
// what an operator needs: the type, the task id and the retry count.
func observe(m *metrics.Metrics, log *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			outcome := "ok"
			switch {
			case err == nil:
			case errors.Is(err, asynq.SkipRetry):
				outcome = "skip"
			default:
				outcome = "error"
			}
			if m != nil {
				m.TasksProcessed.WithLabelValues(t.Type(), outcome).Inc()
				m.TaskDuration.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
			}
			if err != nil {
				id, _ := asynq.GetTaskID(ctx)
				retry, _ := asynq.GetRetryCount(ctx)
				log.Warn("task failed", "type", t.Type(), "task", id, "retry", retry, "outcome", outcome, "err", err)
			}
			return err
		})
	}
}
