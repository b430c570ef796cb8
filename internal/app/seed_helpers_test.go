package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// benchAgencies are the seeded agencies the benchmarks spread tickets over.
var benchAgencies = []string{"BTC-TCT", "BLDTBXH", "NHCSXH", "BHXH", "BYT", "BGDDT", "BGTVT", "VPCP"}

// seedTickets bulk-inserts n tickets (Store.InsertTickets, 1,000 a batch),
// the benchmarks' one way to stand up a backlog. Ticket i starts as a new
// web ticket of benchAgencies[i % len], created i minutes before now, due
// ten days later; shape adjusts it (deadlines, status, text, citizen) and
// may return a submission to store with it (nil: none).
func seedTickets(tb testing.TB, e *apptest.Env, n int, now time.Time, shape func(i int, t *desk.Ticket) *desk.Submission) {
	tb.Helper()
	ctx := context.Background()
	cat := e.App.Catalog()
	const batch = 1000
	for start := 0; start < n; start += batch {
		ts := make([]*desk.Ticket, 0, batch)
		var subs []*desk.Submission
		for i := start; i < start+batch && i < n; i++ {
			ag := benchAgencies[i%len(benchAgencies)]
			created := now.Add(-time.Duration(i) * time.Minute)
			t := &desk.Ticket{ID: store.NewID(), TrackingCode: desk.NewTrackingCode(), Version: 1, Status: desk.StatusNew,
				Channel: desk.ChannelWeb, Category: "khac", Agency: ag, AgencyPath: cat.Path(ag), Title: fmt.Sprint("Phản ánh số ", i),
				CreatedAt: created, UpdatedAt: created, DueAt: created.Add(10 * 24 * time.Hour)}
			if shape != nil {
				if sub := shape(i, t); sub != nil {
					subs = append(subs, sub)
				}
			}
			ts = append(ts, t)
		}
		if len(subs) > 0 {
			if err := e.App.Store.InsertSubmissions(ctx, subs); err != nil {
				tb.Fatal(err)
			}
		}
		if err := e.App.Store.InsertTickets(ctx, ts); err != nil {
			tb.Fatal(err)
		}
	}
}
