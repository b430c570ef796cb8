package ratelimit

import "testing"

// One IPv6 client usually holds a whole /64: counting per address would
// give it 2^64 fresh budgets.
func TestSource(t *testing.T) {
	for ip, want := range map[string]string{
		"203.0.113.9":          "203.0.113.9",
		"::ffff:203.0.113.9":   "203.0.113.9",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"not an address":       "not an address",
	} {
		if got := Source(ip); got != want {
			t.Errorf("Source(%q) = %q, want %q", ip, got, want)
		}
	}
}
