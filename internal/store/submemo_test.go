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

// TestSubmissionMemoAgreesWithStore: the three submission queries the
// embedded store answers from memory (same body from other senders, still
// waiting, by tracking code) give the store's own answers, for
// submissions written before, while and after the memo loads, with some
// marked processed in each phase.
func TestSubmissionMemoAgreesWithStore(t *testing.T) {
	s := openInternal(t)
	mem, idx := useMemoryReads(s)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(8, 9))
	t0 := time.Date(2027, 1, 5, 2, 0, 0, 0, time.UTC)
	hashes := []string{"h-late", "h-tax", "h-loan", ""}
	phones := []string{"+84911111111", "+84922222222", "+84933333333", ""}
	emails := []string{"a@example.vn", "", ""}
	var all []*desk.Submission
	add := func(i int) {
		sub := &desk.Submission{ID: fmt.Sprintf("s%04d", i), Key: fmt.Sprintf("k%04d", i), TrackingCode: fmt.Sprintf("PA-%06d", i),
			Channel: desk.ChannelWeb, Status: desk.SubmissionReceived, BodyHash: hashes[rng.IntN(len(hashes))],
			// nanoseconds, as time.Now gives: the store keeps milliseconds
			ReceivedAt: t0.Add(time.Duration(rng.IntN(40*24*60))*time.Minute + time.Duration(rng.IntN(1e9))), RemoteIP: fmt.Sprintf("10.0.0.%d", rng.IntN(4)),
			Citizen: desk.Citizen{Phone: phones[rng.IntN(len(phones))], Email: emails[rng.IntN(len(emails))]}}
		if _, created, err := s.InsertSubmission(ctx, sub); err != nil || !created {
			t.Fatalf("insert %s: created %v, %v", sub.ID, created, err)
		}
		all = append(all, sub)
		if rng.IntN(3) == 0 {
			if err := s.MarkSubmissionProcessed(ctx, sub.ID, sub.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	n := 0
	for ; n < 150; n++ {
		add(n)
	}
	loaded := make(chan error, 1)
	mem.Start(ctx, func(_ int, _ time.Duration, err error) { loaded <- err })
	for ; n < 200; n++ { // while it loads
		add(n)
	}
	if err := <-loaded; err != nil {
		t.Fatal(err)
	}
	for ; n < 260; n++ {
		add(n)
	}
	// A few earlier ones get processed after the load.
	for _, sub := range all[:40] {
		if err := s.MarkSubmissionProcessed(ctx, sub.ID, sub.ID); err != nil {
			t.Fatal(err)
		}
	}
	if !mem.subs.ready.Load() {
		t.Fatal("memo not in use after the load")
	}
	compare := func(name string, q func(r ReadSide) any) { t.Helper(); agree(t, mem, idx, name, q) }
	for _, sub := range all {
		for _, window := range []time.Duration{time.Hour, 7 * 24 * time.Hour, 20 * 24 * time.Hour} {
			compare(fmt.Sprintf("same body %s -%v", sub.ID, window), func(r ReadSide) any {
				c, err := r.SameBodySenders(ctx, sub, sub.ReceivedAt.Add(-window))
				return fmt.Sprint(c, err)
			})
		}
		// A bound a fraction of a millisecond after another submission.
		other := all[rng.IntN(len(all))].ReceivedAt.Add(300 * time.Microsecond)
		compare(fmt.Sprintf("same body %s since %v", sub.ID, other), func(r ReadSide) any {
			c, err := r.SameBodySenders(ctx, sub, other)
			return fmt.Sprint(c, err)
		})
		compare("by code "+sub.TrackingCode, func(r ReadSide) any {
			got, err := r.SubmissionByCode(ctx, sub.TrackingCode)
			if err != nil {
				return err.Error()
			}
			return got.ID
		})
	}
	compare("unknown code", func(r ReadSide) any {
		_, err := r.SubmissionByCode(ctx, "PA-NOPE")
		return desk.ErrorCode(err)
	})
	for _, cutoff := range []time.Time{t0, t0.Add(10 * 24 * time.Hour), t0.Add(50 * 24 * time.Hour), all[7].ReceivedAt.Add(200 * time.Microsecond), all[9].ReceivedAt} {
		for _, limit := range []int{5, 1000} {
			compare(fmt.Sprint("waiting ", cutoff, limit), func(r ReadSide) any {
				ids, err := r.StaleSubmissions(ctx, cutoff, limit)
				return fmt.Sprint(ids, err)
			})
		}
	}
	ids, _ := s.StaleSubmissions(ctx, t0.Add(50*24*time.Hour), 1000)
	if len(ids) == 0 || slices.Contains(ids, all[0].ID) {
		t.Fatalf("waiting = %d ids (want some, and not the processed %s)", len(ids), all[0].ID)
	}
}

// useMemoryReads gives s the in-process read side, as the app does on the
// embedded store, and returns it with the index-backed side it wraps.
func useMemoryReads(s *Store) (*memoryReads, ReadSide) {
	s.SerializeWrites()
	mem := NewMemoryReads(s).(*memoryReads)
	s.UseReads(mem)
	return mem, mem.index
}

// agree asks q of both read sides, the in-process views and the
// index-backed queries, and fails the test if the answers differ.
func agree(t *testing.T, mem, idx ReadSide, name string, q func(r ReadSide) any) string {
	t.Helper()
	fromMemo := fmt.Sprint(q(mem))
	fromStore := fmt.Sprint(q(idx))
	if fromMemo != fromStore {
		t.Errorf("%s:\nmemory %s\nstore  %s", name, fromMemo, fromStore)
	}
	return fromMemo
}
