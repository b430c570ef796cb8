package auth

// Login hardening (issue #6, AU). Besides the per-IP limit the web layer
// applies, every account name has a guard in the database per source (the
// client's IPv4 address, or its IPv6 /64): after LockAfter failed sign-ins
// within LockWindow the account is locked for that source, for every web
// process at once, for LockFor, then twice that for the next lock of the
// same source, and so on up to MaxLockFor (OWASP's advice: lock per
// account and source, slow down progressively). A guesser elsewhere thus
// cannot lock staff out of their own account. While locked, attempts are
// refused before the password is looked at, so a guesser learns nothing
// and bcrypt does no work for them.
//
// The guard is keyed by the lower-cased email whether or not an account
// has it: an unknown email locks the same way, so the lockout does not
// tell an attacker which emails exist.

import (
	"context"
	"errors"
	"time"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
)

// Defaults for the lockout; a zero field in Service uses these.
const (
	DefaultLockAfter  = 5
	DefaultLockWindow = 15 * time.Minute
	DefaultLockFor    = 15 * time.Minute
	// MaxLockFor caps the doubling lock of one source.
	MaxLockFor = 24 * time.Hour
)

// guardID names the guard of one account name and one source.
func guardID(email, ip string) string {
	return email + " " + ratelimit.Source(ip)
}

// lockSpan is how long the next lock of a source lasts after locks
// earlier ones.
func (s *Service) lockSpan(locks int) time.Duration {
	d := s.lockFor()
	for i := 0; i < locks && d < MaxLockFor; i++ {
		d *= 2
	}
	return min(d, MaxLockFor)
}

// LockedError is returned for a sign-in to a locked account. It carries
// when the lock ends, for the Retry-After header; its code is ELIMITED
// (HTTP 429), the same as the per-IP limit, since to the client both mean
// "stop and come back later".
type LockedError struct {
	Until time.Time
	Err   *desk.Error
}

func (e *LockedError) Error() string { return e.Err.Error() }
func (e *LockedError) Unwrap() error { return e.Err }

// LockedUntil reports when the lock behind err ends, if err is a lockout.
func LockedUntil(err error) (time.Time, bool) {
	var le *LockedError
	if errors.As(err, &le) {
		return le.Until, true
	}
	return time.Time{}, false
}

func (s *Service) lockAfter() int {
	if s.LockAfter > 0 {
		return s.LockAfter
	}
	return DefaultLockAfter
}

func (s *Service) lockWindow() time.Duration {
	if s.LockWindow > 0 {
		return s.LockWindow
	}
	return DefaultLockWindow
}

func (s *Service) lockFor() time.Duration {
	if s.LockFor > 0 {
		return s.LockFor
	}
	return DefaultLockFor
}

func lockedError(until, now time.Time) *LockedError {
	mins := int(until.Sub(now).Round(time.Minute) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	return &LockedError{Until: until, Err: desk.Errorf(desk.ELIMITED,
		"Tài khoản tạm khoá do đăng nhập sai nhiều lần; vui lòng thử lại sau %d phút. (Account locked after repeated failed sign-ins; try again in %d min.)", mins, mins)}
}

// reserve counts this attempt before the password is checked and refuses
// it when the account is locked or has used up its attempts in the
// current window.
func (s *Service) reserve(ctx context.Context, email, ip string, now time.Time) error {
	id := guardID(email, ip)
	g, err := s.Store.ReserveLoginAttempt(ctx, id, now)
	if err != nil {
		return err
	}
	if g.LockedUntil.After(now) {
		s.Log.Warn("login refused: account locked", "email", email, "ip", ip, "locked_until", g.LockedUntil)
		s.Audit.Record(ctx, audit.Entry{ActorID: "anonymous", Action: "login.failed", Target: email, IP: ip, Note: "account locked"})
		return lockedError(g.LockedUntil, now)
	}
	if !g.LockedUntil.IsZero() || now.Sub(g.WindowStart) >= s.lockWindow() {
		// The lock has run out, or the window has: this attempt is the
		// first of a new window.
		if g, err = s.Store.RestartLoginWindow(ctx, id, now); err != nil {
			return err
		}
	}
	if g.Attempts > s.lockAfter() {
		// More attempts in flight than allowed: a concurrent burst whose
		// earlier members have not failed yet. Refuse without checking.
		until := g.WindowStart.Add(s.lockWindow())
		s.Log.Warn("login refused: too many attempts in flight", "email", email, "ip", ip, "attempts", g.Attempts)
		s.Audit.Record(ctx, audit.Entry{ActorID: "anonymous", Action: "login.failed", Target: email, IP: ip, Note: "too many attempts"})
		return lockedError(until, now)
	}
	return nil
}

// failed records a wrong password (or unknown account) and locks the
// account when this was the last attempt the window allows.
func (s *Service) failed(ctx context.Context, email, userID, ip, reason string, now time.Time) {
	s.Log.Warn("login failed", "email", email, "user", userID, "ip", ip, "reason", reason)
	s.Audit.Record(ctx, audit.Entry{ActorID: "anonymous", Action: "login.failed", Target: email, IP: ip, Note: reason})
	id := guardID(email, ip)
	g, err := s.Store.LoginGuardByID(ctx, id)
	if err != nil {
		s.Log.Error("login guard unreadable", "email", email, "err", err)
		return
	}
	if g.Attempts < s.lockAfter() || g.LockedUntil.After(now) {
		return
	}
	until := now.Add(s.lockSpan(g.Locks))
	if err := s.Store.LockLogin(ctx, id, until); err != nil {
		s.Log.Error("login lock not stored", "email", email, "err", err)
		return
	}
	s.Log.Warn("account locked after failed logins", "email", email, "user", userID, "ip", ip, "source", ratelimit.Source(ip), "failures", g.Attempts, "locks", g.Locks+1, "locked_until", until)
	s.Audit.Record(ctx, audit.Entry{ActorID: "anonymous", Action: "login.locked", Target: email, IP: ip,
		After: map[string]any{"locked_until": until.UTC(), "failures": g.Attempts, "source": ratelimit.Source(ip), "lock": g.Locks + 1}})
}
