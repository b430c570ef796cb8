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
