package app_test

import (
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// preloadSLA inserts n open tickets with deadlines in batches of 1,000.
// Their warning points are spread over slices hours, one hour apart, so
// that each hour the clock moves makes n/slices of them due for the sweep;
// their answer deadlines lie beyond the benchmark's reach.
func preloadSLA(b *testing.B, e *apptest.Env, n, slices int, base time.Time) {
	b.Helper()
	seedTickets(b, e, n, base, func(i int, t *desk.Ticket) *desk.Submission {
		warn := base.Add(time.Duration(i%slices)*time.Hour + 30*time.Minute)
		next := warn.Add(time.Second)
		t.Body = "Nội dung phản ánh về chính sách hỗ trợ."
		t.CreatedAt, t.UpdatedAt, t.ClockStartedAt = base, base, base
		t.WarnAt, t.DueAt, t.EscalateAt = warn, base.Add(90*24*time.Hour), base.Add(95*24*time.Hour)
		t.SLALevel, t.SLANextAt = desk.LevelOK, &next
		return nil
	})
}
