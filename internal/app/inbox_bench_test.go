package app_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// preload puts n processed submissions and their open tickets in the store,
// spread over the seeded agencies, so that later lookups scan a realistic
// backlog.
func preload(b *testing.B, e *apptest.Env, n int) {
	b.Helper()
	seedTickets(b, e, n, time.Now().UTC(), func(i int, t *desk.Ticket) *desk.Submission {
		t.Citizen = desk.Citizen{Name: "Công dân " + fmt.Sprint(i), Phone: "+8491" + fmt.Sprintf("%07d", i)}
		t.Body = strings.Repeat("Nội dung phản ánh về chính sách hỗ trợ. ", 8)
		t.DueAt = t.CreatedAt.Add(time.Duration(i%40) * 24 * time.Hour)
		return &desk.Submission{ID: t.ID, Key: "web:preload:" + t.ID, TrackingCode: t.TrackingCode, Channel: desk.ChannelWeb,
			Status: desk.SubmissionProcessed, Citizen: t.Citizen, Category: t.Category, Title: t.Title, Body: t.Body,
			ReceivedAt: t.CreatedAt, TicketID: t.ID}
	})
}

// BenchmarkSubmissionToInbox measures, on the embedded store, with 1k and
// 10k tickets already in the store: the time from POST /api/v1/submissions
// until the agency's staff can open the new ticket (GET
// /api/v1/tickets/{code} polled every 5 ms), and the time of one page of
// the agency inbox (GET /api/v1/tickets, 50 rows, due date order). A
// ticket shows in the inbox after the first plus at most one of the
// second. These are the embedded mode's ceiling quoted in the README:
//
//	go test ./internal/app -run '^$' -bench SubmissionToInbox -benchtime 10x -timeout 30m
func BenchmarkSubmissionToInbox(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("backlog=%d", n), func(b *testing.B) {
			e := apptest.Start(b, apptest.Options{})
			preload(b, e, n)
			staff := e.CreateUser(fmt.Sprintf("bhxh%d@example.vn", n), desk.RoleStaff, "BHXH")
			sub := apptest.Submission()
			sub["category"] = "tam-dung-bhxh"
			ready := make([]time.Duration, 0, b.N)
			page := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				code := e.Submit(sub)
				for {
					r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+staff)
					if r.Status == http.StatusOK {
						break
					}
					if time.Since(t0) > 30*time.Second {
						b.Fatalf("ticket %s not ready after 30 s: %d", code, r.Status)
					}
					time.Sleep(5 * time.Millisecond)
				}
				ready = append(ready, time.Since(t0))
				t1 := time.Now()
				r := e.Do("GET", "/api/v1/tickets?limit=50", nil, "Authorization", "Bearer "+staff)
				if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"total":`) {
					b.Fatalf("inbox: %d", r.Status)
				}
				page = append(page, time.Since(t1))
			}
			b.StopTimer()
			pct := func(d []time.Duration, p int) float64 {
				sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
				return float64(d[len(d)*p/100]) / 1e6
			}
			b.ReportMetric(pct(ready, 50), "ready-p50-ms")
			b.ReportMetric(pct(ready, 95), "ready-p95-ms")
			b.ReportMetric(pct(page, 50), "inbox-p50-ms")
			b.ReportMetric(pct(page, 95), "inbox-p95-ms")
		})
	}
}
