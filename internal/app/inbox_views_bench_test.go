package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// seedOpenTickets bulk-inserts n open tickets across eight agencies
// (Store.InsertTickets, 1,000 a batch, no caller phone so no caller index
// writes): due dates spread from 20 days ago to 20 days ahead of now, one
// in ten flagged overdue, one in four assigned, statuses new, in progress
// and awaiting the citizen.
func seedOpenTickets(tb testing.TB, e *apptest.Env, n int, now time.Time, assignee string) {
	tb.Helper()
	statuses := []desk.Status{desk.StatusNew, desk.StatusInProgress, desk.StatusNew, desk.StatusAwaitingCitizen}
	seedTickets(tb, e, n, now, func(i int, t *desk.Ticket) *desk.Submission {
		t.Status = statuses[i%len(statuses)]
		t.Citizen = desk.Citizen{Name: "Công dân", Province: "Hà Nội"}
		t.Body = strings.Repeat("Nội dung phản ánh về chính sách hỗ trợ. ", 8)
		t.CreatedAt = now.Add(-time.Duration(i%5000) * time.Minute)
		t.UpdatedAt = t.CreatedAt
		t.DueAt = now.Add(time.Duration(i%(40*24)-20*24) * time.Hour)
		t.OverdueFlag = i%10 == 0
		if i%4 == 0 {
			t.Assignee = assignee
		}
		return nil
	})
}

// waitReady polls /readyz, which answers 503 while the embedded store's
// inbox read model loads.
func waitReady(tb testing.TB, e *apptest.Env, timeout time.Duration) time.Duration {
	tb.Helper()
	t0 := time.Now()
	apptest.WaitFor(tb, timeout, "/readyz (inbox read model loaded)", func() bool {
		return e.Do("GET", "/readyz", nil).Status == http.StatusOK
	})
	return time.Since(t0)
}

func percentileMS(d []time.Duration, p int) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := (len(s)*p + 99) / 100
	if k < 1 {
		k = 1
	}
	return float64(s[k-1]) / 1e6
}

// BenchmarkInbox measures the default inbox view (every open ticket in
// scope, overdue first then by due date, 50 a page) on the embedded store
// (FerretDB v1 on SQLite) with 20,000 open tickets across eight agencies,
// for agency staff (BHXH: 2,500 of them) and for a coordinator (all
// 20,000): the HTML page /staff/inbox with its view tabs and counts, and
// the JSON API /api/v1/tickets, over a real listener. The tickets are
// seeded once, outside the timed loops. CIVICDESK_BENCH_INBOX_N changes
// the backlog; CIVICDESK_BENCH_INBOX_CLOSED adds that many closed tickets
// beside it and measures the public tracking look-up (track/api) of
// closed tickets among them. With CIVICDESK_TEST_MONGO_URI the same runs on
// an external store (the production path):
//
//	go test ./internal/app -run '^$' -bench 'BenchmarkInbox$' -benchtime 200x -timeout 30m
//	CIVICDESK_BENCH_INBOX_CLOSED=80000 CIVICDESK_TEST_MONGO_URI=mongodb://127.0.0.1:27217/ \
//	CIVICDESK_TEST_REDIS_ADDR=127.0.0.1:6379 go test ./internal/app -run '^$' -bench 'BenchmarkInbox$' -benchtime 200x -timeout 30m
func BenchmarkInbox(b *testing.B) {
	n := 20000
	if v := os.Getenv("CIVICDESK_BENCH_INBOX_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	closed := 0
	if v := os.Getenv("CIVICDESK_BENCH_INBOX_CLOSED"); v != "" {
		fmt.Sscan(v, &closed)
	}
	now := time.Date(2027, 3, 10, 3, 0, 0, 0, time.UTC)
	e := apptest.Start(b, apptest.Options{Clock: apptest.NewClock(now), Mode: apptest.WebOnly})
	staffTok := e.CreateUser("bench-staff@example.vn", desk.RoleStaff, "BHXH")
	coordTok := e.CreateUser("bench-coord@example.vn", desk.RoleCoordinator, "")
	waitReady(b, e, time.Minute)
	t0 := time.Now()
	seedOpenTickets(b, e, n, now, "")
	// Closed tickets, answered and closed over the past months: they sit
	// in the same collection and indexes as the open ones, so they are what
	// makes a large store large.
	var codes []string
	seedTickets(b, e, closed, now.Add(-90*24*time.Hour), func(i int, t *desk.Ticket) *desk.Submission {
		t.Status = desk.StatusClosed
		t.Citizen = desk.Citizen{Name: "Công dân", Province: "Hà Nội"}
		t.Body = strings.Repeat("Nội dung phản ánh về chính sách hỗ trợ. ", 8)
		if i%97 == 0 {
			codes = append(codes, t.TrackingCode)
		}
		return nil
	})
	b.Logf("seeded %d open and %d closed tickets in %v", n, closed, time.Since(t0).Round(time.Millisecond))
	staffWeb := webLogin(b, e, "bench-staff@example.vn")
	coordWeb := webLogin(b, e, "bench-coord@example.vn")

	// A restart loads the model with one scan: measure that too.
	run := func(name string, get func() (int, string)) {
		b.Run(name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				t := time.Now()
				status, body := get()
				lat = append(lat, time.Since(t))
				if status != http.StatusOK || !strings.Contains(body, "PA-") {
					b.Fatalf("%s: %d %.300s", name, status, body)
				}
			}
			b.ReportMetric(percentileMS(lat, 50), "p50-ms")
			b.ReportMetric(percentileMS(lat, 95), "p95-ms")
		})
	}
	page := func(c *http.Client) func() (int, string) {
		return func() (int, string) { return webGet(b, e, c, "/staff/inbox") }
	}
	api := func(tok string) func() (int, string) {
		return func() (int, string) {
			r := e.Do("GET", "/api/v1/tickets?limit=50", nil, "Authorization", "Bearer "+tok)
			return r.Status, string(r.Body)
		}
	}
	run("staff/page", page(staffWeb))
	run("coordinator/page", page(coordWeb))
	run("staff/api", api(staffTok))
	run("coordinator/api", api(coordTok))
	if len(codes) > 0 {
		// The public tracking look-up of a closed ticket: the citizen's
		// question "what happened to my case", by tracking code.
		k := 0
		run("track/api", func() (int, string) {
			k++
			r := e.Do("GET", "/api/v1/track/"+codes[k%len(codes)], nil)
			return r.Status, string(r.Body)
		})
	}
}

// BenchmarkSweep times one pass of the SLA sweep on the embedded store
// with the inbox read model choosing its candidates, over n open tickets
// (default 100,000; CIVICDESK_BENCH_SWEEP_N): due=0 is the steady state,
// nothing crossed a deadline since the last pass; due=1% moves the clock
// an hour so that 1% of the tickets crossed their warning point, each
// then read by _id and updated with one compare-and-set.
//
//	go test ./internal/app -run '^$' -bench 'BenchmarkSweep$' -benchtime 3x -timeout 60m
func BenchmarkSweep(b *testing.B) {
	n := 100000
	if v := os.Getenv("CIVICDESK_BENCH_SWEEP_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	base := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	clock := apptest.NewClock(base)
	e := apptest.Start(b, apptest.Options{Clock: clock, Mode: apptest.WebOnly})
	waitReady(b, e, time.Minute) // the model is fed by the inserts from here on
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
	// The model's start-up load over the same store, as after a restart.
	b.Run(fmt.Sprintf("open=%d/restart-load", n), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e.Stop()
			e = apptest.Start(b, apptest.Options{Clock: clock, Mode: apptest.WebOnly, DataDir: e.Cfg.DataDir})
			b.ReportMetric(waitReady(b, e, 10*time.Minute).Seconds(), "load-s")
		}
	})
}
