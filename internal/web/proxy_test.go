package web_test

import (
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
)

// Behind the compose file's reverse proxy every request arrives from the
// proxy, so the per-IP limits must read X-Forwarded-For; from any peer that
// is not a trusted proxy the header is the client's own word and must not
// choose its rate-limit bucket.
func TestClientIPFromTrustedProxyOnly(t *testing.T) {
	for _, tc := range []struct {
		name, trusted string
		headerCounts  bool
	}{
		{"no proxy trusted", "", false},
		{"another address trusted", "10.9.8.7, 192.168.0.0/16", false},
		{"this peer trusted", "127.0.0.1", true},
		{"this peer's range trusted", "127.0.0.0/8", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) {
				c.LimitTrack = "2/1h"
				c.TrustedProxies = tc.trusted
			}})
			track := func(xff string) int {
				return e.Do("GET", "/api/v1/track/PA-AAAAA-AAAAA", nil, "X-Forwarded-For", xff).Status
			}
			for i := 0; i < 2; i++ {
				if s := track("203.0.113.1"); s == 429 {
					t.Fatalf("request %d limited early", i+1)
				}
			}
			if s := track("203.0.113.1"); s != 429 {
				t.Fatalf("third request from one client: %d, want 429", s)
			}
			s := track("198.51.100.7")
			if tc.headerCounts && s == 429 {
				t.Fatalf("another client behind the trusted proxy shares the first one's limit")
			}
			if !tc.headerCounts && s != 429 {
				t.Fatalf("X-Forwarded-For from an untrusted peer escaped the limit: %d", s)
			}
		})
	}
}

func TestTrustedProxiesSettingRefusesTypos(t *testing.T) {
	env := map[string]string{"CIVICDESK_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.300"}
	if _, _, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, nil, nil); err == nil {
		t.Fatal("a malformed proxy address was accepted")
	}
	env["CIVICDESK_TRUSTED_PROXIES"] = "10.0.0.1, 172.30.0.0/24, ::1"
	if _, _, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, nil, nil); err != nil {
		t.Fatalf("valid list refused: %v", err)
	}
}
