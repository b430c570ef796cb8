package ratelimit

import (
	"context"
	"testing"
	"time"
)

// The first failures are free; each later one doubles the wait up to the
// cap; forgiving clears both the count and the wait.
func TestBackoffDoublesAndForgives(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) { testBackoff(t, New(be.client(t), be.prefix)) })
	}
}

func testBackoff(t *testing.T, l *Limiter) {
	ctx := context.Background()
	b := Backoff{Name: "proof", Free: 2, Step: time.Second, Max: 4 * time.Second, Memory: time.Hour}
	var waits []time.Duration
	for i := 0; i < 6; i++ {
		w, err := l.Fail(ctx, b, "k")
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if w, err := l.Wait(ctx, b, "k"); err != nil || w <= 3*time.Second || w > 4*time.Second {
		t.Fatalf("wait after six failures: %v %v", w, err)
	}
	if w, _ := l.Wait(ctx, b, "other"); w != 0 {
		t.Fatalf("another key waits %v", w)
	}
	if err := l.Forgive(ctx, b, "k"); err != nil {
		t.Fatal(err)
	}
	if w, _ := l.Wait(ctx, b, "k"); w != 0 {
		t.Fatalf("wait after forgiving: %v", w)
	}
	if w, _ := l.Fail(ctx, b, "k"); w != 0 {
		t.Fatalf("first failure after forgiving waits %v", w)
	}
}
