package tickets

import (
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

func vn(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, calendar.Location())
}

func testService(t *testing.T) *Service {
	cal, err := calendar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	cat := desk.NewCatalog([]desk.Agency{{Code: "VPCP", Coordinator: true}, {Code: "BHXH", AnswerDays: 15}, {Code: "BYT"}},
		[]desk.Category{{Code: "tam-dung-bhxh", Agency: "BHXH", AnswerDays: 7}, {Code: "khac"}})
	return &Service{Catalog: func() *desk.Catalog { return cat }, Calendar: func() *calendar.Calendar { return cal }}
}

func TestPolicy(t *testing.T) {
	s := testService(t)
	for _, c := range []struct {
		cat, agency string
		answer      int
	}{
		{"tam-dung-bhxh", "BHXH", 7}, // the category's period first
		{"khac", "BHXH", 15},         // then the agency's
		{"khac", "BYT", 10},          // then the default
		{"khac", "", 5},              // triage: due when it must be classified
	} {
		if p := s.Policy(c.cat, c.agency); p.AnswerDays != c.answer || p.Validate() != nil {
			t.Errorf("%s/%s: %+v", c.cat, c.agency, p)
		}
	}
}

func TestLevels(t *testing.T) {
	s := testService(t)
	// Monday 1 March 2027: due Mon 15, warn Fri 12, escalate Wed 17.
	f := s.Deadlines("khac", "BYT", vn(2027, 3, 1, 9), vn(2027, 3, 1, 9))
	if f.Level != desk.LevelOK || f.NextAt == nil || !f.NextAt.Equal(f.WarnAt.Add(time.Second)) {
		t.Fatalf("new ticket: %+v", f)
	}
	for _, c := range []struct {
		at    time.Time
		level string
		next  time.Time
	}{
		{f.WarnAt, desk.LevelOK, f.WarnAt.Add(time.Second)},
		{f.WarnAt.Add(time.Second), desk.LevelWarn, f.DueAt.Add(time.Second)},
		{f.DueAt.Add(time.Nanosecond), desk.LevelBreach, f.EscalateAt.Add(time.Second)},
		{f.EscalateAt.Add(time.Hour), desk.LevelEscalated, time.Time{}},
	} {
		g := withLevel(f, c.at, desk.LevelOK)
		next := time.Time{}
		if g.NextAt != nil {
			next = *g.NextAt
		}
		if g.Level != c.level || !next.Equal(c.next) || g.Overdue != (levelRank[c.level] >= 2) {
			t.Errorf("at %v: level %s next %v overdue %v", c.at, g.Level, next, g.Overdue)
		}
	}
}

func TestWithClockPauseResume(t *testing.T) {
	s := testService(t)
	received := vn(2027, 3, 1, 9)
	tk := &desk.Ticket{ID: "t", Version: 3, Status: desk.StatusInProgress, Category: "khac", Agency: "BYT"}
	s.Deadlines("khac", "BYT", received, received).ApplyTo(tk)
	due0 := tk.DueAt

	pause := s.WithClock(tk, store.TicketChange{Status: desk.StatusAwaitingCitizen}, vn(2027, 3, 2, 10))
	if len(pause.Set) == 0 {
		t.Fatal("no pause fields")
	}
	tk.Status, tk.PausedAt, tk.SLANextAt = desk.StatusAwaitingCitizen, vn(2027, 3, 2, 10).UTC(), nil
	// A change that keeps the status leaves the clock alone.
	if same := s.WithClock(tk, store.TicketChange{}, vn(2027, 3, 3, 10)); len(same.Set) != 0 {
		t.Errorf("no-status change touched the clock: %v", same.Set)
	}
	// Paused over a weekend: Tue 2 → Mon 8 March 2027 is
	// Wed, Thu, Fri, Mon = 4 working days.
	f := s.resumed(tk, vn(2027, 3, 8, 16))
	cal := s.Calendar()
	if n := cal.WorkingDaysBetween(due0, f.DueAt); n != 4 {
		t.Errorf("due moved %d working days, want 4 (%v → %v)", n, due0, f.DueAt)
	}
	if !f.PausedAt.IsZero() || f.NextAt == nil {
		t.Errorf("still paused: %+v", f)
	}
	// A pause within one day moves nothing.
	tk.PausedAt = vn(2027, 3, 2, 10).UTC()
	if g := s.resumed(tk, vn(2027, 3, 2, 17)); !g.DueAt.Equal(due0) {
		t.Errorf("same-day pause moved due to %v", g.DueAt)
	}
}

func TestHandOver(t *testing.T) {
	created := vn(2027, 3, 1, 9)
	// A ticket from before custody was recorded starts with its holder.
	tk := &desk.Ticket{Agency: "BYT", AgencyPath: []string{"BYT"}, CreatedAt: created}
	chain := handOver(tk, "BHXH", created.Add(5*time.Hour))
	if len(chain) != 2 || chain[0].Agency != "BYT" || chain[0].Held(time.Time{}) != 5*time.Hour || chain[1].Agency != "BHXH" || !chain[1].Until.IsZero() {
		t.Errorf("chain %+v", chain)
	}
	if len(tk.Custody) != 0 {
		t.Error("handOver changed the ticket's own chain")
	}
}
