package reports_test

import (
	"slices"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// BenchmarkDashboard renders the staff dashboard page over HTTP (session
// cookie, HTML with every chart) for a year of 100,000 tickets and 20,000
// calls, from the rollups, which are built once, outside the timing. It reports the p95 and median per page, for an admin
// (all agencies) and for an agency's staff. Measured on the embedded store
// (FerretDB on SQLite), which scans: MongoDB only does better.
//
//	go test ./internal/reports -run '^$' -bench BenchmarkDashboard -benchtime 40x
func BenchmarkDashboard(b *testing.B) {
	e := apptest.Start(b, apptest.Options{Mode: apptest.WebOnly, Clock: apptest.NewClock(scenarioNow)})
	start := time.Now()
	tickets := seedTicketsSpan(100_000, scenarioNow, 5, 365, 50)
	calls := seedCalls(20_000, scenarioNow, 5)
	for i := range calls {
		calls[i].Phone = "+84911111111" // one caller-index document, not 20,000
	}
	// Calls go in the store (20 inserts); the 100k tickets go straight
	// through the rollup builder Rebuild uses (RollTicketsFrom): the page
	// reads only rollups, and inserting 100k tickets into the embedded
	// store first takes many minutes on a loaded machine without changing
	// what is measured.
	insertSeed(b, e, nil, calls)
	if n, err := e.App.Reports().RollTicketsFrom(b.Context(), tickets); err != nil || n < 90_000 {
		b.Fatalf("rollups of %d tickets: %v", n, err)
	}
	b.Logf("seeded 20k calls, built rollups of 100k tickets in %v", time.Since(start).Round(time.Second))
	e.CreateUser("bench@bhxh.example.vn", desk.RoleStaff, "BHXH")
	admin := webLogin(b, e, apptest.AdminEmail, apptest.AdminPassword)
	staff := webLogin(b, e, "bench@bhxh.example.vn", "user-password-123")
	path := "/staff/dashboard?from=2025-11-28&to=2026-11-27"
	for _, w := range []*webClient{admin, staff} { // warm up
		if st, body := w.get(path); st != 200 {
			b.Fatalf("dashboard: %d %s", st, body)
		}
	}
	var all, agency []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		w, into := admin, &all
		if i%2 == 1 {
			w, into = staff, &agency
		}
		t0 := time.Now()
		if st, _ := w.get(path); st != 200 {
			b.Fatalf("dashboard: %d", st)
		}
		*into = append(*into, time.Since(t0))
	}
	b.StopTimer()
	q := func(ds []time.Duration, p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(all, .95), "p95-ms-all")
	b.ReportMetric(q(all, .5), "p50-ms-all")
	b.ReportMetric(q(agency, .95), "p95-ms-agency")
	b.ReportMetric(q(agency, .5), "p50-ms-agency")
}
