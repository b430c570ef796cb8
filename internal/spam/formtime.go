package spam

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// MaxFormAge is how long a signed form timestamp stays valid. Citizens leave
// a half-written complaint open over lunch or overnight, so it is generous;
// its job is only to stop a bot from replaying one old token forever to make
// every submission look slow and human.
const MaxFormAge = 48 * time.Hour

// formTimeVersion prefixes tokens so the format can change without old
// tokens being misread.
const formTimeVersion = "ft1"

// SignFormTime returns a token recording when the form was rendered, for the
// portal's hidden field: "ft1.<unix milliseconds>.<HMAC-SHA256>". The key is
// a server secret; an empty key yields tokens that never verify.
func SignFormTime(key []byte, t time.Time) string {
	payload := formTimeVersion + "." + strconv.FormatInt(t.UnixMilli(), 10)
	return payload + "." + formMAC(key, payload)
}

// VerifyFormTime checks a token from SignFormTime and returns how long ago,
// relative to now, the form was rendered. ok is false when the token is
// malformed, tampered with, signed with another key, from the future, older
// than MaxFormAge, or the key is empty.
//
// Callers must treat ok == false as "age unknown" (Input.FormAge = 0), not
// as evidence of a bot: a stale tab or a cached page produces bad tokens for
// real people too, and a bot that mangles the token gains nothing from it.
func VerifyFormTime(key []byte, token string, now time.Time) (age time.Duration, ok bool) {
	if len(key) == 0 || len(token) > 128 {
		return 0, false
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return 0, false
	}
	payload, mac := token[:i], token[i+1:]
	ms, found := strings.CutPrefix(payload, formTimeVersion+".")
	if !found || ms == "" || len(ms) > 16 {
		return 0, false
	}
	for j := 0; j < len(ms); j++ {
		if ms[j] < '0' || ms[j] > '9' {
			return 0, false // also rejects signs, spaces and a second dot
		}
	}
	if !hmac.Equal([]byte(mac), []byte(formMAC(key, payload))) {
		return 0, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return 0, false
	}
	age = now.Sub(time.UnixMilli(n))
	if age < 0 || age > MaxFormAge {
		return 0, false
	}
	return age, true
}

func formMAC(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("civicdesk/spam/formtime\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
