package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Backoff slows a guesser down progressively, as OWASP's authentication
// guidance asks beside a hard limit: the first Free failures for a key
// cost nothing, each one after that makes the next attempt wait twice as
// long as the last (Step, 2×Step, 4×Step …, at most Max). Failures are
// remembered for Memory after the last one. A success, or a proof of
// identity by another way, forgets them (Forgive).
type Backoff struct {
	Name   string
	Free   int
	Step   time.Duration
	Max    time.Duration
	Memory time.Duration
}

// backoffFail counts one failure and, past the free ones, sets the wait
// key to expire after the doubled wait, atomically.
var backoffFail = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local free, step, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if n <= free then return 0 end
local wait = step
for i = 1, n - free - 1 do
  wait = wait * 2
  if wait >= max then wait = max break end
end
redis.call('SET', KEYS[2], '1', 'PX', wait)
return wait
`)

func (b Backoff) keys(l *Limiter, key string) (count, wait string) {
	base := l.redisKey(Rule{Name: b.Name}, key)
	return base + ":fails", base + ":wait"
}

// Wait reports how long key must still wait before its next attempt
// (zero when it may go ahead).
func (l *Limiter) Wait(ctx context.Context, b Backoff, key string) (time.Duration, error) {
	_, wk := b.keys(l, key)
	d, err := l.rdb.PTTL(ctx, wk).Result()
	if err != nil {
		return 0, fmt.Errorf("ratelimit: %s: %w", b.Name, err)
	}
	if d < 0 { // no key (-2), or one without expiry (-1, never set so)
		return 0, nil
	}
	return d, nil
}

// Fail records a failed attempt for key and returns the wait it imposes
// on the next one.
func (l *Limiter) Fail(ctx context.Context, b Backoff, key string) (time.Duration, error) {
	if b.Step <= 0 || b.Max < b.Step || b.Memory <= 0 || b.Name == "" {
		return 0, fmt.Errorf("%w: backoff %q", ErrInvalid, b.Name)
	}
	ck, wk := b.keys(l, key)
	ms, err := backoffFail.Run(ctx, l.rdb, []string{ck, wk}, b.Memory.Milliseconds(), b.Free, b.Step.Milliseconds(), b.Max.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("ratelimit: %s: %w", b.Name, err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// Forgive forgets key's failures and any wait they imposed.
func (l *Limiter) Forgive(ctx context.Context, b Backoff, key string) error {
	ck, wk := b.keys(l, key)
	if err := l.rdb.Del(ctx, ck, wk).Err(); err != nil {
		return fmt.Errorf("ratelimit: %s: %w", b.Name, err)
	}
	return nil
}
