package store_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

// A burst of sign-in attempts on one account name gets distinct counts,
// 1 to n, even when the guard document does not exist yet: the count is
// what stops a concurrent burst before bcrypt. On the DocumentDB server
// concurrent upserts lost increments (most of a burst of 30 read 1).
func TestReserveLoginAttemptCountsABurst(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	for round := 0; round < 3; round++ {
		id := "burst-" + string(rune('a'+round)) + "@example.vn|127.0.0.1"
		const n = 30
		var wg sync.WaitGroup
		var mu sync.Mutex
		var got []int
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g, err := s.ReserveLoginAttempt(ctx, id, now)
				if err != nil {
					t.Error(err)
					return
				}
				if !g.WindowStart.Equal(now) {
					t.Errorf("window start %v, want %v", g.WindowStart, now)
				}
				mu.Lock()
				got = append(got, g.Attempts)
				mu.Unlock()
			}()
		}
		wg.Wait()
		sort.Ints(got)
		for i, a := range got {
			if a != i+1 {
				t.Fatalf("round %d: counts %v, want 1..%d each once", round, got, n)
			}
		}
	}
}
