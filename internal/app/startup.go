package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// StartupPatience bounds how long a start-up step keeps retrying what a
// concurrent start (or a store still coming up) makes fail.
const StartupPatience = 2 * time.Minute

// retryStartup runs step until it succeeds, retrying the failures that
// several processes starting at the same moment on one database cause each
// other — `docker compose up` starts web and worker together. Creating
// collections and indexes concurrently ends in "deadlock detected" or
// "already exists" on the DocumentDB server; two upserts of one seed
// document end in a duplicate key. Every step is idempotent, so running it
// again converges. Any other error is returned at once.
func (a *App) retryStartup(ctx context.Context, what string, step func(context.Context) error) error {
	deadline := time.Now().Add(StartupPatience)
	delay := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := step(ctx)
		if err == nil || ctx.Err() != nil || !transientStartup(err) || time.Now().After(deadline) {
			return err
		}
		a.Log.Info("start-up: another process is doing the same; retrying", "step", what, "attempt", attempt, "err", err)
		// Jitter keeps the processes from colliding again in lockstep.
		wait := delay/2 + rand.N(delay)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// transientStartup says whether err is one a concurrent start-up or a
// store that is still starting causes, so that the step may be retried.
func transientStartup(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if mongo.IsDuplicateKeyError(err) || mongo.IsNetworkError(err) || mongo.IsTimeout(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, code := range []int{
			48,    // NamespaceExists
			112,   // WriteConflict
			276,   // IndexBuildAborted
			11600, // InterruptedAtShutdown
			91,    // ShutdownInProgress
			189,   // PrimarySteppedDown
			10107, // NotWritablePrimary
		} {
			if se.HasErrorCode(code) {
				return true
			}
		}
	}
	// The DocumentDB server reports PostgreSQL's own conflicts as
	// InternalError with PostgreSQL's message.
	msg := err.Error()
	for _, s := range []string{"deadlock detected", "already exists", "could not serialize access", "tuple concurrently updated", "duplicate key value"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
