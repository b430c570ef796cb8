package app

import (
	"context"
	"time"
)

// startReadModel loads the embedded store's inbox read model
// (store/readmodel.go) in the background, once per process, when the web
// or worker role starts: the inbox views and the SLA sweep's candidate
// selection then come from memory instead of a FerretDB scan. Tools (seed,
// reindex) never start it. Until it is loaded /readyz answers 503 naming
// it, and the inbox answers from the store's scans, exact but slow; on
// MongoDB there is no model and nothing to wait for.
func (a *App) startReadModel(ctx context.Context) {
	a.Store.StartReadModel(ctx, func(n int, took time.Duration, err error) {
		if err != nil {
			if ctx.Err() == nil {
				a.Log.Warn("inbox read model: load failed; retrying in 5 s", "err", err)
			}
			return
		}
		a.Log.Info("inbox read model loaded", "tickets", n, "took", took.Round(time.Millisecond))
	})
}
