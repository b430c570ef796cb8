package spam

import (
	"reflect"
	"testing"
	"time"
)

// FuzzScore checks that Score never panics, is deterministic (also across
// reuse of its pooled buffers) and keeps its invariants.
func FuzzScore(f *testing.F) {
	for _, it := range loadCorpus(f) {
		f.Add(it.Title, it.Body, it.Honeypot, int64(0), it.SameBodyCount)
	}
	f.Add("", "c.a c.u.o.c n h a c a i c4sino https://a.vip@b.top\\x", "", int64(500), 5)
	f.Add("\xff", "\xcc\x81\xe1\xba", "\x00", int64(-1), -3)
	s := DefaultScorer()
	f.Fuzz(func(t *testing.T, title, body, honeypot string, formAgeMs int64, same int) {
		in := Input{
			Channel: ChannelWeb, Name: title, Title: title, Body: body, Honeypot: honeypot,
			FormAge: time.Duration(formAgeMs) * time.Millisecond, SameBodyCount: same,
			SenderSpamCount: same % 4, Email: body,
		}
		first := s.Score(in)
		s.Score(Input{Body: honeypot + body + title}) // dirty the pooled buffers
		if second := s.Score(in); !reflect.DeepEqual(first, second) {
			t.Fatalf("not deterministic:\n%+v\n%+v", first, second)
		}
		checkResult(t, first)
		n := NormalizeBody(body)
		if NormalizeBody(n) != n {
			t.Fatalf("NormalizeBody not idempotent on %q: %q then %q", body, n, NormalizeBody(n))
		}
	})
}
