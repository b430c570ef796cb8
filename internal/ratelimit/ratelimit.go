// Package ratelimit enforces "at most N events per window" limits that are
// shared by every civicdesk process through Redis: OTP sends per phone,
// feedback submissions per citizen, login attempts per account and IP.
//
// # Algorithm: sliding-window log
//
// Each (rule, key) pair is a Redis sorted set holding one member per
// allowed event, scored by the time it happened. A Lua script, run
// atomically by Redis, drops members older than the window, counts the
// rest, and either records the new event or refuses it. We chose this over
// the alternatives for these reasons:
//
//   - It is exact: no interval of length Window ever contains more than
//     Limit allowed events. Our rules are small, human-scale limits ("3 OTP
//     SMS per 15 minutes", "10 submissions per hour") where a citizen or a
//     reviewer counting by hand must see the number we promised. GCRA
//     enforces a rate, so right after a full burst it admits another event
//     every Window/Limit and a window can hold almost 2×Limit events; two
//     weighted fixed windows are an estimate that can over- or under-admit.
//   - RetryAfter is exact too: the moment the oldest logged event leaves
//     the window.
//   - Refused attempts are not logged, so hammering does not extend the
//     block and the set never holds more than Limit members.
//
// The price is O(Limit) memory per active key: measured on Redis 7, about
// 26 bytes per member while a set has at most 128 members (Redis packs
// small sorted sets) and about 100 bytes beyond. That is negligible for
// limits in the tens or hundreds; for limits in the tens of thousands per
// key a counter-based algorithm would be the better tool.
//
// # Time and atomicity
//
// The script reads the clock with Redis TIME, so all processes share one
// clock and skew between application servers cannot loosen the limit. It
// needs Redis 5 or later (scripts replicate their effects by default, which
// makes TIME usable before writes); it also runs on miniredis, whose TIME
// follows SetTime. Allow costs one round trip (EVALSHA; the first call after
// a Redis restart or SCRIPT FLUSH falls back to EVAL). Each key gets a PEXPIRE
// of one window on every recorded event, so idle keys vanish on their own.
//
// # Failures
//
// When Redis is unreachable Allow returns the error and a zero Decision
// (not allowed). Whether to fail open or closed is a per-endpoint policy
// (an OTP endpoint should fail closed, a read-only search may fail open), so
// it is left to the caller.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// MaxKeyLen bounds the key passed to Allow. Keys usually come from request
// data; anything longer than this is refused rather than stored, and
// callers should pass such values through KeyFor anyway.
const MaxKeyLen = 256

// ErrInvalid is wrapped by the errors Allow returns for a malformed Rule or
// key, as opposed to Redis failures.
var ErrInvalid = errors.New("ratelimit: invalid rule or key")

// Limiter checks rules against a Redis shared by all processes. It is safe
// for concurrent use and holds no per-key state in memory.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a Limiter storing its keys in rdb under prefix (for example
// "civicdesk:rl"), so that they are easy to find and cannot collide with
// other data in the same database. Limiters built with the same prefix on
// any number of clients or processes share their counts.
func New(rdb redis.UniversalClient, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix}
}

// Rule is one limit: at most Limit events per Window for each key. Name
// separates rules from each other in Redis ("otp-sms", "submit"), so the
// same key can be limited by several rules independently.
type Rule struct {
	Name   string
	Limit  int
	Window time.Duration
}

// Decision is the outcome of one Allow call.
type Decision struct {
	// Allowed reports whether the event may go ahead; if so it has been
	// counted.
	Allowed bool
	// Remaining is how many more events the key may make in the current
	// window after this one; 0 when refused.
	Remaining int
	// RetryAfter is, when refused, how long until one more event will be
	// allowed (assuming no other events meanwhile); 0 when allowed. Round
	// it up to whole seconds for an HTTP Retry-After header.
	RetryAfter time.Duration
}

// slidingLog is the whole algorithm; see the package documentation.
//
//	KEYS[1]  sorted set of allowed events, scored in microseconds
//	ARGV[1]  limit
//	ARGV[2]  window in microseconds
//	ARGV[3]  member unique to this call
//
// Returns {allowed (0/1), remaining, retry-after in microseconds}.
//
// Microsecond timestamps (about 1.8e15 today) are exact in Lua's doubles,
// which hold integers up to 2^53 ≈ 9e15. A backwards jump of the Redis
// clock could leave members "in the future"; the retry time is clamped so
// that it never exceeds one window.
var slidingLog = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
if retry > window then retry = window end
return {0, 0, retry}
`)

// Allow records one event for key under rule if the rule permits it, and
// reports the outcome. The check and the recording happen atomically in
// Redis, so concurrent callers in any number of processes can never
// together exceed rule.Limit within rule.Window.
//
// key identifies who is limited (an account id, an IP, or KeyFor of an
// e-mail or phone number). It is stored in Redis as given, so it must not
// be raw personal data.
func (l *Limiter) Allow(ctx context.Context, rule Rule, key string) (Decision, error) {
	if err := rule.validate(); err != nil {
		return Decision{}, err
	}
	if key == "" || len(key) > MaxKeyLen {
		return Decision{}, fmt.Errorf("%w: key must be 1 to %d bytes, got %d", ErrInvalid, MaxKeyLen, len(key))
	}
	// Members only need to be unique within one key's log; 64 random bits
	// make a collision among at most Limit live members negligible.
	member := strconv.FormatUint(rand.Uint64(), 36)
	res, err := slidingLog.Run(ctx, l.rdb, []string{l.redisKey(rule, key)},
		rule.Limit, rule.Window.Microseconds(), member).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: %s: %w", rule.Name, err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("ratelimit: %s: unexpected script reply %v", rule.Name, res)
	}
	return Decision{
		Allowed:    res[0] == 1,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
	}, nil
}

// Reset forgets the events counted for key under rule, as when the
// person behind a key has proved who they are another way.
func (l *Limiter) Reset(ctx context.Context, rule Rule, key string) error {
	if err := l.rdb.Del(ctx, l.redisKey(rule, key)).Err(); err != nil {
		return fmt.Errorf("ratelimit: %s: %w", rule.Name, err)
	}
	return nil
}

// Source is the part of a client address one client holds: an IPv4
// address, or the /64 of an IPv6 address (a home or office line usually
// gets a whole /64). Limits and lockouts "per source" key on it.
func Source(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// validate rejects rules that cannot be enforced meaningfully.
func (r Rule) validate() error {
	switch {
	case r.Name == "":
		return fmt.Errorf("%w: rule has no name", ErrInvalid)
	case r.Limit < 1:
		return fmt.Errorf("%w: rule %q: limit %d must be at least 1", ErrInvalid, r.Name, r.Limit)
	case r.Window < time.Millisecond:
		// PEXPIRE works in milliseconds; a shorter window could not expire.
		return fmt.Errorf("%w: rule %q: window %v must be at least 1ms", ErrInvalid, r.Name, r.Window)
	}
	return nil
}

// redisKey is where the log for (rule, key) lives.
func (l *Limiter) redisKey(rule Rule, key string) string {
	if l.prefix == "" {
		return rule.Name + ":" + key
	}
	return l.prefix + ":" + rule.Name + ":" + key
}

// KeyFor turns identifying values (an e-mail address, a phone number, an
// IP and an account id together) into a fixed-length key for Allow, so
// that personal data is not stored in Redis in the clear and long or
// hostile input cannot bloat key names. Every key is hashed, short or long,
// because a phone number is as personal as an e-mail address.
//
// The parts are length-prefixed before hashing, so ("a:b", "c") and
// ("a", "b:c") give different keys. Normalise values first (phone.Normalize,
// lower-cased e-mail) so that one person maps to one key.
//
// The hash is unkeyed SHA-256 truncated to 128 bits: it keeps values out of
// Redis dumps and monitoring output, but anyone who can read Redis and
// guess candidates (the Vietnamese mobile space is about 10^9 numbers) can
// test them. It is pseudonymisation, not anonymisation.
func KeyFor(parts ...string) string {
	h := sha256.New()
	h.Write([]byte("civicdesk/ratelimit/v1"))
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}
