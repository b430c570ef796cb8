package app_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// BenchmarkWorkspace measures, on the embedded store with a backlog of
// open tickets already in it, the two things an officer waits for: the
// staff ticket page (GET /staff/tickets/{code}: scoped read, the
// citizen's other tickets through the caller document, names, the audit
// entry, rendering) and one action (POST /api/v1/tickets/{code}/note: scoped
// read, compare-and-set, audit entry, re-index task). The ticket carries
// a long history (every note adds a message and an event). It reports
// p50 and p95 in milliseconds:
//
//	go test ./internal/app -run '^$' -bench Workspace -benchtime 20x -timeout 30m
func BenchmarkWorkspace(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("backlog=%d", n), func(b *testing.B) {
			e := apptest.Start(b, apptest.Options{})
			staff := e.CreateUser("an@tct.example.vn", desk.RoleStaff, "BTC-TCT")
			preload(b, e, n)
			code := e.Submit(apptest.Submission())
			apptest.WaitFor(b, 2*time.Minute, "the ticket", func() bool {
				_, err := e.App.Store.TicketByCode(context.Background(), &desk.User{Role: desk.RoleAdmin}, code)
				return err == nil
			})
			p := wsLogin(b, e, "an@tct.example.vn")
			var page, action []time.Duration
			// b.Loop runs this function once, so the backlog is seeded once.
			i := 0
			for b.Loop() {
				start := time.Now()
				st, _ := p.get("/staff/tickets/" + code)
				page = append(page, time.Since(start))
				if st != http.StatusOK {
					b.Fatalf("page: %d", st)
				}
				v := waitTicket(e, code).Version
				start = time.Now()
				r := e.Do("POST", "/api/v1/tickets/"+code+"/note", map[string]any{"version": v, "body": "Ghi chú số " + strconv.Itoa(i)}, bearer(staff)...)
				action = append(action, time.Since(start))
				if r.Status != http.StatusOK {
					b.Fatalf("note: %d %s", r.Status, r.Body)
				}
				i++
			}
			pct := func(d []time.Duration, q float64) float64 {
				sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
				return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(page, .5), "page_p50_ms")
			b.ReportMetric(pct(page, .95), "page_p95_ms")
			b.ReportMetric(pct(action, .5), "note_p50_ms")
			b.ReportMetric(pct(action, .95), "note_p95_ms")
		})
	}
}
