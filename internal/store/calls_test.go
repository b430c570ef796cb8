package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// openStore opens a store for a test (store.OpenTestStore): the external
// server when CIVICDESK_TEST_MONGO_URI is set, else the embedded one.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	s := store.OpenTestStore(t)
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// CTI events apply once each and in any order: hang-up first, then answer,
// then newCall, with repeats, gives the same call as the natural order.
func TestApplyCTIEventOutOfOrder(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	ev := func(name string, at time.Duration) store.CTIEvent {
		return store.CTIEvent{CallID: "c1", Event: name, At: t0.Add(at), Day: "2026-11-27", Phone: "+84912345678",
			Direction: "in", Line: "+842438234567", Operator: "u1", OperatorName: "Op", Cause: "normalClearing"}
	}
	steps := []struct {
		e       store.CTIEvent
		applied bool
	}{
		{ev("hangup", 90*time.Second), true},
		{ev("hangup", 95*time.Second), false},
		{ev("answer", 5*time.Second), true},
		{ev("newCall", 0), true},
		{ev("answer", 7*time.Second), false},
		{ev("newCall", time.Second), false},
	}
	for i, st := range steps {
		c, applied, err := s.ApplyCTIEvent(ctx, st.e)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if applied != st.applied {
			t.Errorf("step %d (%s): applied=%v, want %v", i, st.e.Event, applied, st.applied)
		}
		if i == 0 && !c.Missed {
			t.Errorf("a hang-up with no answer yet should be missed")
		}
	}
	c, err := s.CallByCallID(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !c.StartedAt.Equal(t0) || !c.AnsweredAt.Equal(t0.Add(5*time.Second)) || !c.EndedAt.Equal(t0.Add(90*time.Second)) {
		t.Errorf("times: start %v answer %v end %v", c.StartedAt, c.AnsweredAt, c.EndedAt)
	}
	if c.Missed || c.Operator != "u1" || len(c.CTIEvents) != 3 {
		t.Errorf("call %+v", c)
	}
	missed := true
	list, err := s.Calls(ctx, desk.CallFilter{Missed: &missed})
	if err != nil || len(list) != 0 {
		t.Errorf("missed list %v %v", list, err)
	}
}
