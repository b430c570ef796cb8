package reports

import (
	"context"
	"log/slog"
	"time"
)

// DefaultRollEvery is how often Roller refreshes the rollups.
const DefaultRollEvery = time.Minute

// Roller keeps the rollups current: it refreshes them at start (building
// them the first time) and then every Every until ctx ends. Every worker
// process runs one; refreshing is idempotent, so they do not conflict.
type Roller struct {
	Reports *Service
	Every   time.Duration
	Log     *slog.Logger
}

// Run refreshes until ctx ends.
func (r *Roller) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = DefaultRollEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := r.Reports.Refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.Log.Warn("report rollup refresh failed", "err", err)
		case n < 0:
			r.Log.Info("report rollups built from scratch", "ms", time.Since(start).Milliseconds())
		case n > 0:
			r.Log.Debug("report rollups refreshed", "days", n, "ms", time.Since(start).Milliseconds())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
