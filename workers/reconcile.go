package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Reconciler re-enqueues submissions that are still "received" after a
// grace period. It is what makes "Redis may lose everything" safe: the
// queue is rebuilt from Mongo. It runs in every worker process; several
// running at once are harmless because intake tasks have fixed IDs.
type Reconciler struct {
	Store *store.Store
	Queue *Queue
	Clock desk.Clock
	Log   *slog.Logger
	Every time.Duration
	Grace time.Duration
	// FreshQueue says the queue started empty (embedded miniredis keeps
	// nothing across restarts), so the first pass re-enqueues every
	// received submission at once instead of waiting out the grace period.
	FreshQueue bool
}

// Run reconciles once at start (a restart after a crash must not wait) and
// then every r.Every until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.Every)
	defer t.Stop()
	grace := r.Grace
	if r.FreshQueue {
		grace = 0
	}
	for {
		n, err := r.once(ctx, grace)
		grace = r.Grace
		if err != nil && ctx.Err() == nil {
			r.Log.Warn("reconcile failed", "err", err)
		} else if n > 0 {
			r.Log.Info("reconciler re-enqueued stuck submissions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once looks at up to 1000 stuck submissions and returns how many it
// queued (one whose task is already waiting is left alone).
func (r *Reconciler) Once(ctx context.Context) (int, error) { return r.once(ctx, r.Grace) }

func (r *Reconciler) once(ctx context.Context, grace time.Duration) (int, error) {
	ids, err := r.Store.StaleSubmissions(ctx, r.Clock.Now().Add(-grace), 1000)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, id := range ids {
		ok, err := r.Queue.RequeueIntake(ctx, id)
		if err != nil {
			return queued, err
		}
		if ok {
			queued++
		}
	}
	return queued, nil
}
