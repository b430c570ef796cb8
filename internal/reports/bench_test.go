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
// calls in the embedded store (FerretDB on SQLite). The tickets and calls
// are inserted and the rollups built from the store (`civicdesk reports
// rebuild`'s path) once, outside the timing. Each page adds up the rollups
// of the scope (held in memory, following the store's generation) and
// takes the overdue and due-soon lists from the inbox (the read model). It
// reports the p95 and median per page, for an admin (all agencies) and for
// an agency's staff.
//
//	go test ./internal/reports -run '^$' -bench BenchmarkDashboard -benchtime 40x -timeout 30m
func BenchmarkDashboard(b *testing.B) {
	e := apptest.Start(b, apptest.Options{Mode: apptest.WebOnly, Clock: apptest.NewClock(scenarioNow)})
	start := time.Now()
	tickets := seedTicketsSpan(100_000, scenarioNow, 5, 365, 50)
	calls := seedCalls(20_000, scenarioNow, 5)
	for i := range calls {
		calls[i].Phone = "+84911111111" // one caller-index document, not 20,000
	}
	insertSeed(b, e, tickets, calls)
	b.Logf("inserted 100k tickets and 20k calls and built their rollups in %v", time.Since(start).Round(time.Second))
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
