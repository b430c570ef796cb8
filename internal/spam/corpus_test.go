package spam

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// corpusItem is one labelled submission in testdata/corpus.json.
type corpusItem struct {
	ID    string `json:"id"`
	Label string `json:"label"` // "real" or "spam"
	// Heldout items were written after the default rules were tuned and
	// have not been used to tune them; they are reported separately.
	Heldout         bool   `json:"heldout"`
	Note            string `json:"note"`
	Channel         string `json:"channel"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	Phone           string `json:"phone"`
	Province        string `json:"province"`
	Title           string `json:"title"`
	Body            string `json:"body"`
	Honeypot        string `json:"honeypot"`
	FormAge         string `json:"form_age"`
	SameBodyCount   int    `json:"same_body_count"`
	SenderSpamCount int    `json:"sender_spam_count"`
	SenderHamCount  int    `json:"sender_ham_count"`
}

func (c corpusItem) input(t testing.TB) Input {
	in := Input{
		Channel: c.Channel, Name: c.Name, Email: c.Email, Phone: c.Phone, Province: c.Province,
		Title: c.Title, Body: c.Body, Honeypot: c.Honeypot, SameBodyCount: c.SameBodyCount,
		SenderSpamCount: c.SenderSpamCount, SenderHamCount: c.SenderHamCount,
	}
	if c.FormAge != "" {
		d, err := time.ParseDuration(c.FormAge)
		if err != nil {
			t.Fatalf("%s: form_age: %v", c.ID, err)
		}
		in.FormAge = d
	}
	return in
}

func loadCorpus(t testing.TB) []corpusItem {
	t.Helper()
	data, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var items []corpusItem
	if err := json.Unmarshal(data, &items); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, it := range items {
		if it.Label != "real" && it.Label != "spam" {
			t.Fatalf("%s: label %q", it.ID, it.Label)
		}
		if seen[it.ID] {
			t.Fatalf("duplicate id %s", it.ID)
		}
		seen[it.ID] = true
	}
	return items
}

// explainFlag logs every corpus item with its signals:
// go test -run TestCorpus -v ./internal/spam/ -args -explain
var explainFlag = flag.Bool("explain", false, "log the signals of every corpus item")

// tally counts outcomes for one label in one part of the corpus.
type tally struct {
	n, spam, suspect int
	ids              []string // items that went the wrong way, for the log
}

func (ta tally) caught() int { return ta.spam + ta.suspect }

func (ta tally) pct() float64 {
	if ta.n == 0 {
		return 0
	}
	return 100 * float64(ta.caught()) / float64(ta.n)
}

func explain(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%.2f %s", r.Score, r.Verdict)
	for _, s := range r.Signals {
		fmt.Fprintf(&b, "\n\t\t%+.2f %s: %s", s.Weight, s.Rule, s.Detail)
	}
	return b.String()
}

// TestCorpus is the acceptance test. It fails if any real submission in
// the corpus, held-out items included, is quarantined: that invariant is the
// one that matters most. It also fails if less than 90% of the spam in the
// tuning set is quarantined or tagged. The held-out catch rate is reported
// but not enforced, because enforcing it would force tuning the rules on the
// very items meant to show how they do on spam they were not tuned on.
func TestCorpus(t *testing.T) {
	items := loadCorpus(t)
	s := DefaultScorer()
	var real, spam, heldReal, heldSpam tally
	for _, it := range items {
		r := s.Score(it.input(t))
		if *explainFlag {
			t.Logf("%s [%s] %s", it.ID, it.Note, explain(r))
		}
		tr, ts := &real, &spam
		if it.Heldout {
			tr, ts = &heldReal, &heldSpam
		}
		ta := ts
		if it.Label == "real" {
			ta = tr
		}
		ta.n++
		switch r.Verdict {
		case Spam:
			ta.spam++
		case Suspect:
			ta.suspect++
		}
		switch {
		case it.Label == "real" && r.Verdict != Clean:
			ta.ids = append(ta.ids, fmt.Sprintf("%s=%s(%.2f)", it.ID, r.Verdict, r.Score))
		case it.Label == "spam" && r.Verdict == Clean:
			ta.ids = append(ta.ids, fmt.Sprintf("%s=clean(%.2f)", it.ID, r.Score))
		}
	}
	report := func(part string, re, sp tally) {
		t.Logf("%s: real quarantined: %d/%d, spam quarantined or tagged: %d/%d (%.1f%%)",
			part, re.spam, re.n, sp.caught(), sp.n, sp.pct())
		t.Logf("%s: real tagged suspect: %d/%d %v; spam quarantined: %d/%d, missed: %v",
			part, re.suspect, re.n, re.ids, sp.spam, sp.n, sp.ids)
	}
	report("tuning set", real, spam)
	report("held-out", heldReal, heldSpam)
	all := func(a, b tally) tally {
		return tally{n: a.n + b.n, spam: a.spam + b.spam, suspect: a.suspect + b.suspect, ids: append(slices.Clip(a.ids), b.ids...)}
	}
	allReal, allSpam := all(real, heldReal), all(spam, heldSpam)
	report("whole corpus", allReal, allSpam)

	if real.n < 35 || spam.n < 35 {
		t.Errorf("tuning set too small: %d real, %d spam; want at least 35 of each", real.n, spam.n)
	}
	if allReal.spam != 0 {
		t.Errorf("%d real submissions quarantined; want 0", allReal.spam)
	}
	if spam.pct() < 90 {
		t.Errorf("tuning-set spam caught %.1f%%; want at least 90%%", spam.pct())
	}
}

// BenchmarkScore scores the whole corpus; ns/op is per submission.
func BenchmarkScore(b *testing.B) {
	items := loadCorpus(b)
	ins := make([]Input, len(items))
	bytes := 0
	for i, it := range items {
		ins[i] = it.input(b)
		bytes += len(it.Name) + len(it.Title) + len(it.Body)
	}
	s := DefaultScorer()
	b.SetBytes(int64(bytes / len(ins)))
	n := 0
	benchLoop(b, func() {
		s.Score(ins[n%len(ins)])
		n++
	})
}

// benchLoop runs fn under b.Loop and also reports the CPU time of the
// benchmark thread per call ("cpu-ns/op"): on a shared machine, wall time
// measures the neighbours as much as the code.
func benchLoop(b *testing.B, fn func()) {
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, cpuOK := threadCPU()
	n := 0
	for b.Loop() {
		fn()
		n++
	}
	if cpu1, ok := threadCPU(); ok && cpuOK && n > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
	}
}

// BenchmarkScoreLong scores one long, formal complaint (about 4 KB), the
// size of a pasted letter.
func BenchmarkScoreLong(b *testing.B) {
	var long corpusItem
	for _, it := range loadCorpus(b) {
		if it.ID == "real-32" {
			long = it
		}
	}
	in := long.input(b)
	in.Body = strings.Repeat(in.Body+"\n\n", 4)
	s := DefaultScorer()
	b.SetBytes(int64(len(in.Body)))
	benchLoop(b, func() { s.Score(in) })
}

// BenchmarkScoreWorstCase scores field-sized (64 KiB) inputs built to hit
// the slowest paths: many links, one giant host, a run of single letters.
// It guards against accidental quadratic behaviour.
func BenchmarkScoreWorstCase(b *testing.B) {
	for _, unit := range []string{"https://", "www.", "a.", "4 ", "nhacai_", "x.com/"} {
		in := Input{Channel: ChannelWeb, Body: strings.Repeat(unit, maxFieldBytes/len(unit))}
		b.Run(strings.TrimSpace(unit), func(b *testing.B) {
			s := DefaultScorer()
			benchLoop(b, func() { s.Score(in) })
		})
	}
}
