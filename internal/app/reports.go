package app

import (
	"context"

	"github.com/civicdesk/civicdesk/internal/reports"
)

// newReports builds the reports service (issue 9).
func (a *App) newReports() *reports.Service {
	a.reportsOnce.Do(func() {
		a.reports = &reports.Service{Store: a.Store, Catalog: a.Catalog, Calendar: a.Cal, Clock: a.Clock, Log: a.Log}
	})
	return a.reports
}

// Reports returns the process's reports service; tools (civicdesk reports
// rebuild) and tests use it.
func (a *App) Reports() *reports.Service { return a.newReports() }

// runRollups keeps the report rollups current until ctx ends.
func (a *App) runRollups(ctx context.Context) {
	(&reports.Roller{Reports: a.newReports(), Every: reports.DefaultRollEvery, Log: a.Log}).Run(ctx)
}
