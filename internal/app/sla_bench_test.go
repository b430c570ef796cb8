package app_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// preloadSLA inserts n open tickets with deadlines in batches of 1,000.
// Their warning points are spread over slices hours, one hour apart, so
// that each hour the clock moves makes n/slices of them due for the sweep;
// their answer deadlines lie beyond the benchmark's reach.
func preloadSLA(b *testing.B, e *apptest.Env, n, slices int, base time.Time) {
	b.Helper()
	ctx := context.Background()
	agencies := []string{"BTC-TCT", "BLDTBXH", "NHCSXH", "BHXH", "BYT", "BGDDT", "BGTVT"}
	cat := e.App.Catalog()
	const batch = 1000
	for start := 0; start < n; start += batch {
		ts := make([]*desk.Ticket, 0, batch)
		for i := start; i < start+batch && i < n; i++ {
			ag := agencies[i%len(agencies)]
			warn := base.Add(time.Duration(i%slices)*time.Hour + 30*time.Minute)
			next := warn.Add(time.Second)
			ts = append(ts, &desk.Ticket{ID: store.NewID(), TrackingCode: desk.NewTrackingCode(), Version: 1, Status: desk.StatusNew,
				Channel: desk.ChannelWeb, Category: "khac", Agency: ag, AgencyPath: cat.Path(ag), Title: fmt.Sprint("Phản ánh ", i),
				Body: "Nội dung phản ánh về chính sách hỗ trợ.", CreatedAt: base, UpdatedAt: base, ClockStartedAt: base,
				WarnAt: warn, DueAt: base.Add(90 * 24 * time.Hour), EscalateAt: base.Add(95 * 24 * time.Hour),
				SLALevel: desk.LevelOK, SLANextAt: &next})
		}
		if err := e.App.Store.InsertTickets(ctx, ts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSLASweep times one pass of the SLA sweep (the safety net behind
// the timers) over a store of open tickets, on the embedded FerretDB:
//
//   - due=0: nothing crossed a deadline since the last pass, the steady
//     state: one query;
//   - due=1%: 1% of the open tickets crossed their warning point since the
//     last pass: one query per 500 plus one compare-and-set each.
//
// 10k open tickets by default; CIVICDESK_BENCH_SWEEP_N=100000 for 100k
// (slow to load on FerretDB, which scans the collection on every lookup).
//
//	go test ./internal/app -run '^$' -bench SLASweep -benchtime 5x
func BenchmarkSLASweep(b *testing.B) {
	n := 10000
	if v := os.Getenv("CIVICDESK_BENCH_SWEEP_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	base := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	clock := apptest.NewClock(base)
	e := apptest.Start(b, apptest.Options{Clock: clock, Mode: apptest.WebOnly})
	t0 := time.Now()
	preloadSLA(b, e, n, 100, base)
	b.Logf("loaded %d open tickets in %v", n, time.Since(t0).Round(time.Millisecond))
	ctx := context.Background()
	b.Run(fmt.Sprintf("open=%d/due=0", n), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if k, err := e.App.Tickets.Sweep(ctx); err != nil || k != 0 {
				b.Fatalf("swept %d: %v", k, err)
			}
		}
	})
	b.Run(fmt.Sprintf("open=%d/due=1%%", n), func(b *testing.B) {
		if b.N > 99 {
			b.Skip("only 99 slices of due tickets")
		}
		if n > 20000 && os.Getenv("CIVICDESK_BENCH_SWEEP_UPDATES") == "" {
			// On FerretDB every compare-and-set scans the collection: 1% of
			// 100k is 1,000 scans of 100k documents per pass.
			b.Skip("set CIVICDESK_BENCH_SWEEP_UPDATES=1 to run 1% due over more than 20k tickets")
		}
		swept := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			clock.Advance(time.Hour)
			b.StartTimer()
			k, err := e.App.Tickets.Sweep(ctx)
			if err != nil {
				b.Fatal(err)
			}
			swept += k
		}
		b.ReportMetric(float64(swept)/float64(b.N), "tickets/sweep")
	})
}
