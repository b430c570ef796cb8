package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/embedded"
	"github.com/civicdesk/civicdesk/internal/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	uri, name := externalStore(t)
	if uri == "" {
		m, err := embedded.StartMongo(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = m.Close() })
		uri, name = m.URI(), "test"
	}
	s, err := store.Open(context.Background(), uri, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if name == "test" {
		// As the app does on the embedded store: FerretDB v1 does not make
		// a findAndModify atomic against a concurrent one.
		s.SerializeWrites()
	}
	if err := s.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// externalStore gives the server CIVICDESK_TEST_MONGO_URI names and a
// fresh database on it, dropped at cleanup; "" when the variable is unset
// and the test runs on the embedded store.
func externalStore(t *testing.T) (uri, name string) {
	t.Helper()
	uri = os.Getenv("CIVICDESK_TEST_MONGO_URI")
	if uri == "" {
		return "", ""
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	name = "s_" + hex.EncodeToString(rnd[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := mongo.Connect(options.Client().ApplyURI(uri)); err == nil {
			_ = c.Database(name).Drop(ctx)
			_ = c.Disconnect(ctx)
		}
	})
	return uri, name
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
