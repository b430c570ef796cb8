package desk

import (
	"strings"
	"testing"
)

func TestTrackingCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c := NewTrackingCode()
		if len(c) != 14 || !strings.HasPrefix(c, "PA-") || c[8] != '-' {
			t.Fatalf("bad shape %q", c)
		}
		if strings.ContainsAny(c[3:], "01OIL") {
			t.Fatalf("confusable symbol in %q", c)
		}
		if seen[c] {
			t.Fatalf("repeat after %d codes: %q", i, c)
		}
		seen[c] = true
		n, ok := NormalizeTrackingCode(strings.ToLower(strings.ReplaceAll(c, "-", " ")))
		if !ok || n != c {
			t.Fatalf("normalize(%q) = %q, %v", c, n, ok)
		}
	}
	for _, bad := range []string{"", "PA-1234", "PA-0OOOO-IIIII", "PA-ABCDE-FGHJK-M", "<script>"} {
		if _, ok := NormalizeTrackingCode(bad); ok {
			t.Errorf("NormalizeTrackingCode(%q) accepted", bad)
		}
	}
}
