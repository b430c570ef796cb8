package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// TestCallMemoAgreesWithStore: call listings answered from the memo equal
// the store's own answers for every filter shape, with calls made by CTI
// events in any order (some concurrently), logged by operators and
// imported in bulk, before, while and after the memo loads.
func TestCallMemoAgreesWithStore(t *testing.T) {
	s := openInternal(t)
	mem, idx := useMemoryReads(s)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2027, 2, 1, 1, 0, 0, 0, time.UTC)
	phones := []string{"+84911111111", "+84922222222", "+84933333333"}
	day := func(at time.Time) string { return at.In(time.FixedZone("ICT", 7*3600)).Format(time.DateOnly) }
	n := 0
	// One call's life: newCall, maybe answer, hangup — events shuffled,
	// the distinct start minute keeps the listing order unambiguous.
	call := func() {
		id := fmt.Sprintf("c%04d", n)
		at := t0.Add(time.Duration(n*37)*time.Minute + time.Duration(rng.IntN(1e9))) // nanoseconds, as time.Now gives
		n++
		evs := []CTIEvent{{CallID: id, Event: "newCall", At: at, Day: day(at), Phone: phones[rng.IntN(len(phones))], Direction: desk.DirectionIn}}
		if rng.IntN(3) > 0 {
			evs = append(evs, CTIEvent{CallID: id, Event: "answer", At: at.Add(5 * time.Second), Operator: []string{"op1", "op2"}[rng.IntN(2)]})
		}
		evs = append(evs, CTIEvent{CallID: id, Event: "hangup", At: at.Add(3 * time.Minute)})
		rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		done := make(chan error, len(evs))
		for _, ev := range evs {
			go func() { _, _, err := s.ApplyCTIEvent(ctx, ev); done <- err }()
		}
		for range evs {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
		if rng.IntN(3) == 0 {
			if _, err := s.SaveCallLog(ctx, &desk.Call{CallID: id, Operator: "op3", Outcome: desk.OutcomeAnswered, StartedAt: at,
				LoggedAt: at.Add(4 * time.Minute), UpdatedAt: at.Add(4 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 40 {
		call()
	}
	var bulk []*desk.Call
	for i := range 30 {
		at := t0.Add(-time.Duration(i+1) * 41 * time.Minute)
		bulk = append(bulk, &desk.Call{ID: fmt.Sprintf("b%03d", i), CallID: fmt.Sprintf("b%03d", i), Phone: phones[i%3], Direction: desk.DirectionIn,
			StartedAt: at, Day: day(at), Missed: i%2 == 0, Outcome: []desk.Outcome{"", desk.OutcomeNewTicket}[i%2], UpdatedAt: at})
	}
	if err := s.InsertCalls(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	loaded := make(chan error, 1)
	mem.Start(ctx, func(_ int, _ time.Duration, err error) { loaded <- err })
	for range 20 { // while it loads
		call()
	}
	if err := <-loaded; err != nil {
		t.Fatal(err)
	}
	for range 30 {
		call()
	}
	if !mem.calls.ready.Load() {
		t.Fatal("call memo not in use after the load")
	}
	for _, since := range []time.Time{{}, t0.Add(20 * time.Hour), t0.Add(30*time.Hour + 3*time.Minute + 300*time.Microsecond), t0.Add(1000 * time.Hour)} {
		agree(t, mem, idx, fmt.Sprint("CallsChangedSince ", since), func(r ReadSide) any {
			ds, err := r.CallsChangedSince(ctx, since)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(ds)
			return ds
		})
	}
	yes, no := true, false
	filters := []desk.CallFilter{{}, {Missed: &yes, Limit: 20}, {Missed: &no}, {Phone: phones[0]}, {Phone: phones[1], Limit: 5},
		{Operator: "op1"}, {Operator: "op3", Limit: 3}, {Outcome: desk.OutcomeAnswered}, {Outcome: desk.OutcomeNewTicket},
		{Day: day(t0)}, {Day: day(t0.Add(24 * time.Hour))}, {Since: t0.Add(30 * time.Hour)}, {Since: t0.Add(37*time.Minute + 999*time.Millisecond + 400*time.Microsecond)}, {Phone: phones[2], Missed: &yes, Since: t0},
		{Limit: 1000}}
	for _, f := range filters {
		fromMemo := agree(t, mem, idx, fmt.Sprintf("filter %+v", f), func(r ReadSide) any {
			cs, err := r.Calls(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := ""
			for _, c := range cs {
				out += fmt.Sprintf("%s/%s/%s/%v/%s ", c.CallID, c.Operator, c.Outcome, c.Missed, c.StartedAt.UTC().Format(time.RFC3339))
			}
			return out
		})
		if f.Limit == 1000 && fromMemo == "" {
			t.Error("no calls listed at all")
		}
	}
}
