package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// realRedisEnv names the variable that points the tests at a real Redis in
// addition to miniredis.
const realRedisEnv = "CIVICDESK_TEST_REDIS_ADDR"

// backend is one Redis the tests run against.
type backend struct {
	name string
	// client returns a new, independent client, as a separate process
	// would have.
	client func(t testing.TB) redis.UniversalClient
	// prefix is unique to the calling test so that runs never see each
	// other's keys on a shared server.
	prefix string
	// advance moves the Redis clock forward; nil on real Redis, where
	// tests sleep instead.
	advance func(d time.Duration)
	mini    *miniredis.Miniredis
}

// backends returns miniredis always, and real Redis when realRedisEnv is
// set. Keys created on real Redis under the test's prefix are deleted when
// the test ends.
func backends(t testing.TB) []backend {
	t.Helper()
	m := miniredis.RunT(t)
	// TIME inside the script follows SetTime, TTLs follow FastForward; move
	// both together so the clock the script sees and key expiry agree.
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	m.SetTime(now)
	bs := []backend{{
		name: "miniredis",
		client: func(t testing.TB) redis.UniversalClient {
			c := redis.NewClient(&redis.Options{Addr: m.Addr()})
			t.Cleanup(func() { c.Close() })
			return c
		},
		prefix: "test:rl",
		advance: func(d time.Duration) {
			now = now.Add(d)
			m.SetTime(now)
			m.FastForward(d)
		},
		mini: m,
	}}
	if addr := os.Getenv(realRedisEnv); addr != "" {
		prefix := "civicdesk-test:rl:" + randomHex(t)
		bs = append(bs, backend{
			name: "redis",
			client: func(t testing.TB) redis.UniversalClient {
				c := redis.NewClient(&redis.Options{Addr: addr})
				t.Cleanup(func() { c.Close() })
				return c
			},
			prefix: prefix,
		})
		t.Cleanup(func() { deleteKeys(t, addr, prefix) })
	}
	return bs
}

func randomHex(t testing.TB) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// deleteKeys removes every key under prefix from the real Redis, and
// nothing else: the server is shared with other developers.
func deleteKeys(t testing.TB, addr, prefix string) {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("scanning test keys: %v", err)
		return
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
			t.Errorf("deleting test keys: %v", err)
			return
		}
		keys = keys[n:]
	}
}

func mustAllow(t *testing.T, l *Limiter, r Rule, key string) Decision {
	t.Helper()
	d, err := l.Allow(context.Background(), r, key)
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	return d
}

func TestAllowCountsDownAndRefuses(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			l := New(b.client(t), b.prefix)
			rule := Rule{Name: "otp", Limit: 3, Window: time.Minute}
			for i, want := range []int{2, 1, 0} {
				d := mustAllow(t, l, rule, "u1")
				if !d.Allowed || d.Remaining != want || d.RetryAfter != 0 {
					t.Fatalf("call %d: %+v, want allowed with %d remaining", i+1, d, want)
				}
			}
			d := mustAllow(t, l, rule, "u1")
			if d.Allowed || d.Remaining != 0 {
				t.Fatalf("4th call: %+v, want refused", d)
			}
			// The three events happened just now, so the first slot frees
			// up about one window from now.
			if d.RetryAfter <= 50*time.Second || d.RetryAfter > time.Minute {
				t.Fatalf("RetryAfter = %v, want just under 1m", d.RetryAfter)
			}
			// Another key and another rule are unaffected.
			if d := mustAllow(t, l, rule, "u2"); !d.Allowed || d.Remaining != 2 {
				t.Fatalf("other key: %+v", d)
			}
			other := Rule{Name: "submit", Limit: 3, Window: time.Minute}
			if d := mustAllow(t, l, other, "u1"); !d.Allowed || d.Remaining != 2 {
				t.Fatalf("other rule: %+v", d)
			}
		})
	}
}

func TestSlidingWindowMiniredis(t *testing.T) {
	b := backends(t)[0]
	l := New(b.client(t), b.prefix)
	rule := Rule{Name: "slide", Limit: 2, Window: 10 * time.Second}

	// t=0 and t=4: both allowed.
	if d := mustAllow(t, l, rule, "k"); !d.Allowed {
		t.Fatalf("t=0: %+v", d)
	}
	b.advance(4 * time.Second)
	if d := mustAllow(t, l, rule, "k"); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("t=4: %+v", d)
	}
	// t=6: full; the t=0 event leaves the window at t=10.
	b.advance(2 * time.Second)
	d := mustAllow(t, l, rule, "k")
	if d.Allowed || d.RetryAfter != 4*time.Second {
		t.Fatalf("t=6: %+v, want refused with RetryAfter 4s", d)
	}
	// Refused calls are not logged: hammering does not push RetryAfter out.
	for range 5 {
		mustAllow(t, l, rule, "k")
	}
	// t=10: exactly one window after the first event, which is now out.
	b.advance(4 * time.Second)
	if d := mustAllow(t, l, rule, "k"); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("t=10: %+v, want allowed", d)
	}
	// t=12: the t=4 and t=10 events are in the window; t=4 leaves at 14.
	b.advance(2 * time.Second)
	if d := mustAllow(t, l, rule, "k"); d.Allowed || d.RetryAfter != 2*time.Second {
		t.Fatalf("t=12: %+v, want refused with RetryAfter 2s", d)
	}
	// The log never holds more than Limit members.
	key := b.prefix + ":slide:k"
	if members, _ := b.mini.ZMembers(key); len(members) != 2 {
		t.Fatalf("log has %d members, want 2", len(members))
	}
	// The key lives one window past the last recorded event (t=10), so at
	// t=12 it has 8s left; the refused call did not extend it.
	if ttl := b.mini.TTL(key); ttl != 8*time.Second {
		t.Fatalf("TTL = %v, want 8s", ttl)
	}
	// Once a full window passes with no events the key expires by itself.
	b.advance(8 * time.Second)
	if b.mini.Exists(key) {
		t.Fatal("key should have expired")
	}
	if d := mustAllow(t, l, rule, "k"); !d.Allowed || d.Remaining != 1 {
		t.Fatalf("after expiry: %+v", d)
	}
}

func TestWindowLapses(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			l := New(b.client(t), b.prefix)
			window := 300 * time.Millisecond
			rule := Rule{Name: "lapse", Limit: 2, Window: window}
			mustAllow(t, l, rule, "k")
			mustAllow(t, l, rule, "k")
			d := mustAllow(t, l, rule, "k")
			if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > window {
				t.Fatalf("third call: %+v, want refused with 0 < RetryAfter <= %v", d, window)
			}
			if b.advance != nil {
				b.advance(d.RetryAfter)
			} else {
				time.Sleep(d.RetryAfter + 20*time.Millisecond)
			}
			if d := mustAllow(t, l, rule, "k"); !d.Allowed {
				t.Fatalf("after RetryAfter: %+v, want allowed", d)
			}
			// Key must carry a TTL no longer than the window.
			c := b.client(t)
			ttl, err := c.PTTL(context.Background(), b.prefix+":lapse:k").Result()
			if err != nil || ttl <= 0 || ttl > window {
				t.Fatalf("PTTL = %v, %v; want in (0, %v]", ttl, err, window)
			}
		})
	}
}

func TestConcurrentExactLimit(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			l := New(b.client(t), b.prefix)
			rule := Rule{Name: "burst", Limit: 100, Window: time.Minute}
			var allowed, refused atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, 50*10)
			for range 50 {
				wg.Go(func() {
					for range 10 {
						d, err := l.Allow(context.Background(), rule, "hot")
						if err != nil {
							errs <- err
							return
						}
						if d.Allowed {
							allowed.Add(1)
						} else {
							refused.Add(1)
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if allowed.Load() != 100 || refused.Load() != 400 {
				t.Fatalf("allowed %d, refused %d; want exactly 100 and 400", allowed.Load(), refused.Load())
			}
		})
	}
}

func TestLimitersOnSeparateClientsShare(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			// Two "processes": separate clients, separate Limiters.
			l1 := New(b.client(t), b.prefix)
			l2 := New(b.client(t), b.prefix)
			rule := Rule{Name: "shared", Limit: 10, Window: time.Minute}
			var allowed atomic.Int64
			var wg sync.WaitGroup
			for _, l := range []*Limiter{l1, l2} {
				for range 5 {
					wg.Go(func() {
						for range 4 {
							d, err := l.Allow(context.Background(), rule, "citizen-42")
							if err != nil {
								t.Error(err)
								return
							}
							if d.Allowed {
								allowed.Add(1)
							}
						}
					})
				}
			}
			wg.Wait()
			if allowed.Load() != 10 {
				t.Fatalf("allowed %d across two limiters, want 10", allowed.Load())
			}
			// A limiter with a different prefix has its own counts.
			l3 := New(b.client(t), b.prefix+":other")
			if d := mustAllow(t, l3, rule, "citizen-42"); !d.Allowed {
				t.Fatalf("different prefix should not share: %+v", d)
			}
		})
	}
}

func TestScriptReloadedAfterFlush(t *testing.T) {
	// Only on miniredis: SCRIPT FLUSH on a shared server would affect
	// other users of it.
	b := backends(t)[0]
	c := b.client(t)
	l := New(c, b.prefix)
	rule := Rule{Name: "flush", Limit: 5, Window: time.Minute}
	mustAllow(t, l, rule, "k")
	if err := c.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if d := mustAllow(t, l, rule, "k"); !d.Allowed || d.Remaining != 3 {
		t.Fatalf("after SCRIPT FLUSH: %+v", d)
	}
}

func TestInvalidRulesAndKeys(t *testing.T) {
	b := backends(t)[0]
	l := New(b.client(t), b.prefix)
	ok := Rule{Name: "r", Limit: 1, Window: time.Second}
	cases := []struct {
		name string
		rule Rule
		key  string
	}{
		{"no name", Rule{Limit: 1, Window: time.Second}, "k"},
		{"zero limit", Rule{Name: "r", Window: time.Second}, "k"},
		{"negative limit", Rule{Name: "r", Limit: -1, Window: time.Second}, "k"},
		{"zero window", Rule{Name: "r", Limit: 1}, "k"},
		{"sub-millisecond window", Rule{Name: "r", Limit: 1, Window: time.Microsecond}, "k"},
		{"empty key", ok, ""},
		{"huge key", ok, strings.Repeat("a", MaxKeyLen+1)},
	}
	for _, tc := range cases {
		d, err := l.Allow(context.Background(), tc.rule, tc.key)
		if !errors.Is(err, ErrInvalid) || d.Allowed {
			t.Errorf("%s: got %+v, %v; want ErrInvalid and not allowed", tc.name, d, err)
		}
	}
	if keys := b.mini.Keys(); len(keys) != 0 {
		t.Errorf("invalid calls wrote keys: %v", keys)
	}
}

func TestRedisDownIsAnError(t *testing.T) {
	m := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	defer c.Close()
	m.Close()
	d, err := New(c, "x").Allow(context.Background(), Rule{Name: "r", Limit: 1, Window: time.Second}, "k")
	if err == nil || d.Allowed {
		t.Fatalf("got %+v, %v; want an error and not allowed", d, err)
	}
	if errors.Is(err, ErrInvalid) {
		t.Fatalf("Redis failure reported as ErrInvalid: %v", err)
	}
}

func TestKeyFor(t *testing.T) {
	k := KeyFor("login", "nguyen.van.an@example.vn")
	if len(k) != 32 || strings.Contains(k, "nguyen") || strings.Contains(k, "@") {
		t.Fatalf("KeyFor = %q: want 32 hex chars with no trace of the input", k)
	}
	if KeyFor("login", "nguyen.van.an@example.vn") != k {
		t.Fatal("KeyFor is not deterministic")
	}
	distinct := map[string][]string{}
	for _, parts := range [][]string{
		{"a:b", "c"}, {"a", "b:c"}, {"ab", "c"}, {"a", "bc"}, {"abc"},
		{"abc", ""}, {"", "abc"}, {}, {""}, {"", ""},
		{"+84912345678"}, {"+84912345679"},
	} {
		k := KeyFor(parts...)
		if prev, dup := distinct[k]; dup {
			t.Errorf("KeyFor(%q) == KeyFor(%q)", parts, prev)
		}
		distinct[k] = parts
	}
	// Long input still gives a short key usable with Allow.
	if long := KeyFor(strings.Repeat("x", 1<<20)); len(long) != 32 {
		t.Fatalf("KeyFor(long) has length %d", len(long))
	}
}

func BenchmarkAllow(b *testing.B) {
	for _, be := range backends(b) {
		b.Run(be.name, func(b *testing.B) {
			l := New(be.client(b), be.prefix)
			ctx := context.Background()
			// "allowed": a fresh key per 10 calls, so the log stays small
			// and most calls take the write path.
			b.Run("allowed", func(b *testing.B) {
				rule := Rule{Name: "bench-allowed", Limit: 10, Window: time.Minute}
				var keys [1024]string
				for i := range keys {
					keys[i] = KeyFor("bench", randomHex(b))
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, err := l.Allow(ctx, rule, keys[(i/10)%len(keys)]); err != nil {
						b.Fatal(err)
					}
				}
			})
			// "refused": one hot key at its limit, the path taken while an
			// abuser is being throttled.
			b.Run("refused", func(b *testing.B) {
				rule := Rule{Name: "bench-refused", Limit: 100, Window: time.Hour}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := l.Allow(ctx, rule, "hot"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				rule := Rule{Name: "bench-parallel", Limit: 100, Window: time.Hour}
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := l.Allow(ctx, rule, "hot"); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
