package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// Wrong passwords from one source lock the account for that source only:
// a guesser elsewhere cannot keep staff out of their own account. Each
// further lock of the same source lasts twice as long as the one before.
func TestLoginLockoutIsPerSourceAndProgressive(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	// The test's requests come through a "proxy" at 127.0.0.1, so that
	// X-Forwarded-For can name the sources.
	e := apptest.Start(t, apptest.Options{Clock: clock, Configure: func(c *config.Config) { c.TrustedProxies = "127.0.0.1" }})
	const email = "canbo.nguon@bhxh.example.vn"
	e.CreateUser(email, desk.RoleStaff, "BHXH")
	login := func(from, pw string) *apptest.Response {
		return e.Do("POST", "/api/v1/login", map[string]string{"email": email, "password": pw}, "X-Forwarded-For", from)
	}
	const attacker, staff = "203.0.113.9", "198.51.100.20"
	guess := func(n int) {
		for i := 0; i < n; i++ {
			if r := login(attacker, fmt.Sprintf("wrong-%d", i)); r.Status != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
			}
		}
	}
	guess(5)
	if r := login(attacker, userPassword); r.Status != http.StatusTooManyRequests {
		t.Fatalf("the guessing source is not locked: %d", r.Status)
	}
	if r := login(staff, userPassword); r.Status != http.StatusOK {
		t.Fatalf("the account's owner, elsewhere, is locked out by another's guesses: %d %s", r.Status, r.Body)
	}
	retry := func() int {
		r := login(attacker, "wrong-again")
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("locked source: %d", r.Status)
		}
		n, _ := strconv.Atoi(r.Header.Get("Retry-After"))
		return n
	}
	if s := retry(); s < 14*60 || s > 15*60+1 {
		t.Fatalf("first lock: Retry-After %d s, want about 15 min", s)
	}
	clock.Advance(16 * time.Minute)
	guess(5)
	if s := retry(); s < 29*60 || s > 30*60+1 {
		t.Fatalf("second lock of the same source: Retry-After %d s, want about 30 min", s)
	}
	clock.Advance(31 * time.Minute)
	guess(5)
	if s := retry(); s < 59*60 || s > 60*60+1 {
		t.Fatalf("third lock: Retry-After %d s, want about 60 min", s)
	}
}
