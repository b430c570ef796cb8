package tickets

import (
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

func benchService(b *testing.B) *Service {
	cal, err := calendar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	cat := desk.NewCatalog([]desk.Agency{{Code: "VPCP", Coordinator: true}, {Code: "BHXH"}},
		[]desk.Category{{Code: "tam-dung-bhxh", Agency: "BHXH", AnswerDays: 10}})
	return &Service{Catalog: func() *desk.Catalog { return cat }, Calendar: func() *calendar.Calendar { return cal }}
}

// BenchmarkDeadlines is one ticket's full set of due dates (transfer,
// first response, answer, warning, escalation) from its receive time: the
// work intake and every transfer do.
//
//	go test ./internal/tickets -run '^$' -bench Deadlines
func BenchmarkDeadlines(b *testing.B) {
	s := benchService(b)
	start := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at := start.Add(time.Duration(i%5000) * 97 * time.Minute)
		_ = s.Deadlines("tam-dung-bhxh", "BHXH", at, at)
	}
}

// BenchmarkSweepDecision is the application's own cost per ticket in a
// sweep, with no database: the level due now, the overdue flag, the next
// check and the $set document of the change.
func BenchmarkSweepDecision(b *testing.B) {
	s := benchService(b)
	start := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	f := s.Deadlines("tam-dung-bhxh", "BHXH", start, start)
	now := f.DueAt.Add(time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := withLevel(f, now, f.Level)
		if g.Level != desk.LevelBreach {
			b.Fatal(g.Level)
		}
		_ = store.SLAFields(g).Set()
	}
}
