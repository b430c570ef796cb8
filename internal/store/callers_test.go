package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/embedded"
)

// openInternal opens a store for a test: a fresh database on the server
// CIVICDESK_TEST_MONGO_URI names (dropped at cleanup, with store.Indexes),
// or else the embedded FerretDB in t.TempDir(), with writes serialised as
// the app does there.
func openInternal(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	if uri := os.Getenv("CIVICDESK_TEST_MONGO_URI"); uri != "" {
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			t.Fatal(err)
		}
		name := "s_" + hex.EncodeToString(rnd[:])
		s, err := Open(ctx, uri, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = s.db.Drop(dctx)
			_ = s.Close(dctx)
		})
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	m, err := embedded.StartMongo(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	s, err := Open(ctx, m.URI(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	s.SerializeWrites()
	return s
}

// The caller index records a ticket once however often it is inserted,
// a call once however many events it gets, newest first.
func TestCallerIndexIdempotent(t *testing.T) {
	s := openInternal(t)
	ctx := context.Background()
	const ph = "+84912345678"
	t0 := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		for _, id := range []string{"a", "b"} {
			at := t0
			if id == "b" {
				at = t0.Add(time.Hour)
			}
			tk := &desk.Ticket{ID: id, TrackingCode: "CODE-" + id, Citizen: desk.Citizen{Name: "An " + id, Phone: ph}, CreatedAt: at}
			if _, err := s.InsertTicket(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, ev := range []string{"hangup", "answer", "newCall", "answer"} {
		at := t0.Add(2 * time.Hour)
		if ev == "newCall" {
			at = t0.Add(90 * time.Minute) // arrives last, but started first
		}
		if _, _, err := s.ApplyCTIEvent(ctx, CTIEvent{CallID: "c1", Event: ev, At: at, Phone: ph, Direction: "in"}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Caller(ctx, ph)
	if err != nil || c == nil {
		t.Fatalf("caller: %v %v", c, err)
	}
	if len(c.Tickets) != 2 || c.Tickets[0].ID != "b" || c.Tickets[0].Code != "CODE-b" || c.Tickets[1].ID != "a" {
		t.Errorf("tickets: %+v", c.Tickets)
	}
	if len(c.Calls) != 1 || c.Calls[0].ID != "c1" || c.Name != "An b" {
		t.Errorf("calls: %+v name %q", c.Calls, c.Name)
	}
}

// A caller keeps only the newest CallerKeep calls.
func TestCallerIndexBounded(t *testing.T) {
	s := openInternal(t)
	ctx := context.Background()
	const ph = "+84912345679"
	t0 := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	var calls []*desk.Call
	for i := 0; i < CallerKeep+25; i++ {
		id := fmt.Sprintf("k%03d", i)
		calls = append(calls, &desk.Call{ID: id, CallID: id, Phone: ph, StartedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	if err := s.InsertCalls(ctx, calls[:100]); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertCalls(ctx, calls[100:]); err != nil {
		t.Fatal(err)
	}
	c, err := s.Caller(ctx, ph)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Calls) != CallerKeep || c.Calls[0].ID != fmt.Sprintf("k%03d", CallerKeep+24) || c.Calls[CallerKeep-1].ID != "k025" {
		t.Errorf("%d calls, first %+v last %+v", len(c.Calls), c.Calls[0], c.Calls[len(c.Calls)-1])
	}
}

// Tickets and calls stored before the index existed are found by
// RebuildCaller and RebuildCallers.
func TestCallerIndexRebuild(t *testing.T) {
	s := openInternal(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	for i, ph := range []string{"+84911111111", "+84922222222"} {
		if _, err := s.tickets.InsertOne(ctx, &desk.Ticket{ID: fmt.Sprintf("old-%d", i), TrackingCode: fmt.Sprintf("OLD-%d", i), Citizen: desk.Citizen{Name: "Bình", Phone: ph}, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.calls().InsertOne(ctx, &desk.Call{ID: fmt.Sprintf("oc-%d", i), CallID: fmt.Sprintf("oc-%d", i), Phone: ph, StartedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := s.Caller(ctx, "+84911111111"); err != nil || c != nil {
		t.Fatalf("before rebuild: %+v %v", c, err)
	}
	c, trips, err := s.RebuildCaller(ctx, "+84911111111")
	if err != nil || trips != 3 || len(c.Tickets) != 1 || len(c.Calls) != 1 || c.Name != "Bình" {
		t.Fatalf("rebuild caller: %+v %d %v", c, trips, err)
	}
	if c, err := s.Caller(ctx, "+84911111111"); err != nil || c == nil || c.Tickets[0].ID != "old-0" || c.Calls[0].ID != "oc-0" {
		t.Fatalf("after rebuild: %+v %v", c, err)
	}
	if n, err := s.RebuildCallers(ctx); err != nil || n != 2 {
		t.Fatalf("rebuild all: %d %v", n, err)
	}
	if c, err := s.Caller(ctx, "+84922222222"); err != nil || c == nil || len(c.Tickets) != 1 || len(c.Calls) != 1 {
		t.Fatalf("after rebuild all: %+v %v", c, err)
	}
	tk, err := s.CallerTickets(ctx, &desk.User{Role: desk.RoleOperator}, "+84922222222", []string{"old-1", "old-0", "missing"})
	if err != nil || len(tk) != 1 || tk[0].ID != "old-1" {
		t.Fatalf("caller tickets: %+v %v", tk, err)
	}
}
