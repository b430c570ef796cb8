package desk

import (
	"crypto/rand"
	"strings"
)

// codeAlphabet has 31 symbols that cannot be confused when read aloud or
// typed: no 0/O, no 1/I/L.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewTrackingCode returns a fresh code such as "PA-7KQ2M-XH4RT": ten random
// symbols from a 31-symbol alphabet, about 49.5 bits, so codes are not
// guessable and not sequential.
func NewTrackingCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	out := make([]byte, 0, 14)
	out = append(out, "PA-"...)
	for i := 0; i < 10; i++ {
		if i == 5 {
			out = append(out, '-')
		}
		// 256 is not a multiple of 31; rejection keeps every symbol equally
		// likely. Draw fresh bytes for the rejected ones.
		for b[i] >= 248 {
			var r [1]byte
			if _, err := rand.Read(r[:]); err != nil {
				panic("crypto/rand failed: " + err.Error())
			}
			b[i] = r[0]
		}
		out = append(out, codeAlphabet[int(b[i])%31])
	}
	return string(out)
}

// NormalizeTrackingCode upper-cases a typed code, drops spaces and dashes,
// and reports whether what is left is a well-formed code. Symbols outside
// the alphabet are rejected rather than guessed at.
func NormalizeTrackingCode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	s = strings.TrimPrefix(s, "PA")
	if len(s) != 10 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(codeAlphabet, s[i]) < 0 {
			return "", false
		}
	}
	return "PA-" + s[:5] + "-" + s[5:], true
}
