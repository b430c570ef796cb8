package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
)

// Wrong digits from one source use up that source's attempts only: the
// citizen, elsewhere, can still prove the ticket is theirs. Many sources
// together meet a ceiling per tracking code, and the citizen's one-time
// link (which reaches only their mailbox) lifts it.
func TestCitizenProofLockPerSourceAndLinkClearsIt(t *testing.T) {
	sink, host, port := czStartSink(t)
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.RelayHost, c.RelayPort = host, port
		c.TrustedProxies = "127.0.0.1"
		c.LimitVerify, c.LimitVerifyCode, c.LimitVerifyIP = "3/24h", "5/24h", "100/1h"
	}})
	code := e.Submit(apptest.Submission()) // phone …5678, an@example.vn
	czTicket(t, e, code)
	wrong := func(b *czBrowser, want int) {
		t.Helper()
		b.get("/track/" + code)
		if p := b.post("/track/"+code+"/verify", url.Values{"phone_last4": {"0000"}}); p.Status != want {
			t.Fatalf("wrong digits from %s: %d %q, want %d", b.from, p.Status, czErr(p.Body), want)
		}
	}
	attacker := newCZBrowser(t, e)
	attacker.from = "203.0.113.9"
	for i := 0; i < 3; i++ {
		wrong(attacker, http.StatusBadRequest)
	}
	wrong(attacker, http.StatusTooManyRequests)

	owner := newCZBrowser(t, e)
	owner.from = "198.51.100.20"
	owner.verify(code, "5678") // 4 of the code's 5

	second := newCZBrowser(t, e)
	second.from = "192.0.2.77"
	wrong(second, http.StatusBadRequest)      // 5 of 5
	wrong(second, http.StatusTooManyRequests) // the ceiling

	phone := newCZBrowser(t, e)
	phone.from = "198.51.100.21"
	phone.get("/track/" + code)
	if p := phone.post("/track/"+code+"/verify", url.Values{"phone_last4": {"5678"}}); p.Status != http.StatusTooManyRequests || !strings.Contains(czErr(p.Body), "quá nhiều lần") {
		t.Fatalf("past the code's ceiling: %d %q", p.Status, czErr(p.Body))
	}
	// The link from the citizen's mailbox proves ownership and clears the
	// code's counter: their digits work again on another device.
	if p := phone.post("/track/"+code+"/link", nil); p.Status != http.StatusSeeOther {
		t.Fatalf("request link: %d %q", p.Status, czErr(p.Body))
	}
	var tok string
	apptest.WaitFor(t, 20*time.Second, "the sign-in link mail", func() bool {
		if ls := sink.links(t, code); len(ls) > 0 {
			tok = ls[0]
		}
		return tok != ""
	})
	if p := phone.post("/track/"+code+"/auth/"+tok, nil); p.Status != http.StatusSeeOther {
		t.Fatalf("redeem: %d %q", p.Status, czErr(p.Body))
	}
	laptop := newCZBrowser(t, e)
	laptop.from = "198.51.100.21"
	laptop.verify(code, "5678")
	// The attacker's own source stays spent.
	wrong(attacker, http.StatusTooManyRequests)
}

// Wrong digits slow a source down progressively: three cost nothing, each
// later one makes the next attempt wait twice as long (2 s, 4 s …), even
// for the right digits, within the hard limits. The citizen who then
// answers right is let in once the wait is over, and starts afresh.
func TestCitizenProofSlowsDownProgressively(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.LimitVerify, c.LimitVerifyCode, c.LimitVerifyIP = "100/24h", "100/24h", "100/1h"
	}})
	code := e.Submit(apptest.Submission()) // phone …5678
	czTicket(t, e, code)
	b := newCZBrowser(t, e)
	b.get("/track/" + code)
	try := func(digits string) (int, string, string) {
		p := b.post("/track/"+code+"/verify", url.Values{"phone_last4": {digits}})
		return p.Status, p.Header.Get("Retry-After"), czErr(p.Body)
	}
	for i := 1; i <= 4; i++ {
		if st, _, msg := try("0000"); st != http.StatusBadRequest {
			t.Fatalf("wrong answer %d: %d %q, want 400", i, st, msg)
		}
	}
	st, retry, msg := try("5678")
	if st != http.StatusTooManyRequests || retry == "" || !strings.Contains(msg, "chờ") {
		t.Fatalf("right digits during the back-off: %d retry-after %q %q; want 429 asking to wait", st, retry, msg)
	}
	wait, err := time.ParseDuration(retry + "s")
	if err != nil || wait < time.Second || wait > 2*time.Second {
		t.Fatalf("Retry-After %q after the 4th wrong answer, want 1–2 s", retry)
	}
	time.Sleep(wait + 300*time.Millisecond)
	b.verify(code, "5678")
	// Proven: the count starts afresh, the next mistake costs nothing.
	if st, _, msg := try("0000"); st != http.StatusBadRequest {
		t.Fatalf("a mistake after proving: %d %q", st, msg)
	}
}
