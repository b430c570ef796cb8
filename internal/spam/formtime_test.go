package spam

import (
	"strings"
	"testing"
	"time"
)

func TestFormTime(t *testing.T) {
	key := []byte("portal secret, 32 bytes or more!")
	rendered := time.Date(2024, 6, 11, 9, 30, 0, 0, time.UTC)
	tok := SignFormTime(key, rendered)

	// tamper replaces the byte at i (counted from the end when negative).
	tamper := func(i int) string {
		b := []byte(tok)
		if i < 0 {
			i += len(b)
		}
		if b[i] == '1' {
			b[i] = '2'
		} else {
			b[i] = '1'
		}
		return string(b)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: want three dot-separated parts", tok)
	}
	cases := []struct {
		name    string
		key     []byte
		token   string
		now     time.Time
		wantAge time.Duration
		wantOK  bool
	}{
		{"fresh", key, tok, rendered.Add(42 * time.Second), 42 * time.Second, true},
		{"same instant", key, tok, rendered, 0, true},
		{"lunch break", key, tok, rendered.Add(3 * time.Hour), 3 * time.Hour, true},
		{"at the limit", key, tok, rendered.Add(MaxFormAge), MaxFormAge, true},
		{"expired", key, tok, rendered.Add(MaxFormAge + time.Millisecond), 0, false},
		{"from the future", key, tok, rendered.Add(-time.Millisecond), 0, false},
		{"timestamp tampered", key, tamper(len(parts[0]) + 3), rendered.Add(time.Minute), 0, false},
		{"mac tampered", key, tamper(-1), rendered.Add(time.Minute), 0, false},
		{"other key", []byte("another secret"), tok, rendered.Add(time.Minute), 0, false},
		{"empty key", nil, SignFormTime(nil, rendered), rendered.Add(time.Minute), 0, false},
		{"empty token", key, "", rendered, 0, false},
		{"no mac", key, parts[0] + "." + parts[1], rendered, 0, false},
		{"other version", key, "ft2." + parts[1] + "." + parts[2], rendered.Add(time.Minute), 0, false},
		{"signed number", key, "ft1.+" + parts[1] + "." + parts[2], rendered.Add(time.Minute), 0, false},
		{"mac moved", key, parts[2] + "." + parts[1] + "." + parts[0], rendered, 0, false},
		{"huge", key, "ft1." + strings.Repeat("9", 200) + ".x", rendered, 0, false},
		{"overflow", key, "ft1.9999999999999999.x", rendered, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			age, ok := VerifyFormTime(tc.key, tc.token, tc.now)
			if ok != tc.wantOK || age != tc.wantAge {
				t.Errorf("VerifyFormTime = %v, %v; want %v, %v", age, ok, tc.wantAge, tc.wantOK)
			}
		})
	}
}

func TestFormTimeMillisecondPrecision(t *testing.T) {
	key := []byte("k")
	rendered := time.Date(2024, 1, 1, 0, 0, 0, 987654321, time.UTC)
	age, ok := VerifyFormTime(key, SignFormTime(key, rendered), rendered.Add(2500*time.Millisecond))
	if !ok || age < 2500*time.Millisecond || age > 2501*time.Millisecond {
		t.Errorf("age %v, ok %v", age, ok)
	}
}

func FuzzVerifyFormTime(f *testing.F) {
	key := []byte("fuzz key")
	now := time.Date(2024, 6, 11, 9, 30, 0, 0, time.UTC)
	f.Add(SignFormTime(key, now.Add(-time.Minute)))
	f.Add("ft1.1718098200000.")
	f.Fuzz(func(t *testing.T, token string) {
		age, ok := VerifyFormTime(key, token, now)
		if ok && (age < 0 || age > MaxFormAge) {
			t.Fatalf("accepted %q with age %v", token, age)
		}
		if ok && token != SignFormTime(key, now.Add(-age)) {
			t.Fatalf("accepted %q, which SignFormTime would not produce", token)
		}
	})
}
