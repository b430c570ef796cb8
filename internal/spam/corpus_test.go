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
	UpstreamSpam    bool   `json:"upstream_spam"`
}

func (c corpusItem) input(t testing.TB) Input {
	in := Input{
		Channel: c.Channel, Name: c.Name, Email: c.Email, Phone: c.Phone, Province: c.Province,
		Title: c.Title, Body: c.Body, Honeypot: c.Honeypot, SameBodyCount: c.SameBodyCount,
		SenderSpamCount: c.SenderSpamCount, SenderHamCount: c.SenderHamCount, UpstreamSpam: c.UpstreamSpam,
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

// corpusFiles are the labelled corpus, as data files:
//
//   - corpus.json, tuning_v2.json … tuning_v5.json and dev_v6.json are the
//     tuning set: the items the default rules were written and adjusted
//     against. They include earlier held-out sets whose misses were looked
//     at when the rules were changed (their notes say so); once seen, an
//     item is tuning data. dev_v6.json is the development set written for
//     rules version 3. The naive Bayes model trains on three quarters of
//     the tuning set (bayes_test.go).
//   - heldout_v6.json was written and committed before any version-3
//     change, in genres the rules were not written for, and scored once
//     when the version-3 rules were final. Every item in it is marked
//     heldout. Do not tune the rules on it: if it shows a gap, fix the
//     rule family, move the file into the tuning set (heldout false) and
//     write a new held-out file.
var corpusFiles = []struct {
	path    string
	heldout bool
}{
	{"testdata/corpus.json", false},
	{"testdata/tuning_v2.json", false},
	{"testdata/tuning_v3.json", false},
	{"testdata/tuning_v4.json", false},
	{"testdata/tuning_v5.json", false},
	{"testdata/dev_v6.json", false},
	{"testdata/heldout_v6.json", true},
}

func loadCorpus(t testing.TB) []corpusItem {
	t.Helper()
	var items []corpusItem
	for _, f := range corpusFiles {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		var part []corpusItem
		if err := json.Unmarshal(data, &part); err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		for _, it := range part {
			if it.Heldout != f.heldout {
				t.Fatalf("%s: %s has heldout=%v; every item in this file must have %v", f.path, it.ID, it.Heldout, f.heldout)
			}
		}
		items = append(items, part...)
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

// corpusFigures scores the whole corpus with the default rules and tallies
// the outcomes, separately for the tuning and the held-out items.
func corpusFigures(t *testing.T) (real, spam, heldReal, heldSpam tally) {
	items := loadCorpus(t)
	s := DefaultScorer()
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
	return real, spam, heldReal, heldSpam
}

func combine(a, b tally) tally {
	return tally{n: a.n + b.n, spam: a.spam + b.spam, suspect: a.suspect + b.suspect, ids: append(slices.Clip(a.ids), b.ids...)}
}

// TestCorpus is the acceptance test (issue #8, acceptance 1), part one. On
// the WHOLE corpus, tuning and held-out items together, no real
// submission may be quarantined: the invariant that matters most. It
// prints the figures for the whole corpus and, separately, for the tuning
// and the held-out sets: real quarantined, real tagged suspect (delivered,
// but they cost a coordinator a look), spam quarantined or tagged; with
// t.Log and, under -v, on standard output ("CORPUS …" lines).
// TestCorpusSpamCaught is part two, the catch rate.
func TestCorpus(t *testing.T) {
	real, spam, heldReal, heldSpam := corpusFigures(t)
	report := func(part string, re, sp tally) {
		lines := []string{
			fmt.Sprintf("%s: real quarantined: %d/%d; spam quarantined or tagged: %d/%d (%.1f%%)",
				part, re.spam, re.n, sp.caught(), sp.n, sp.pct()),
			fmt.Sprintf("%s: real tagged suspect: %d/%d %v; spam quarantined: %d/%d; spam missed: %v",
				part, re.suspect, re.n, re.ids, sp.spam, sp.n, sp.ids),
		}
		for _, l := range lines {
			t.Log(l)
			if testing.Verbose() {
				fmt.Println("CORPUS " + l)
			}
		}
	}
	allReal, allSpam := combine(real, heldReal), combine(spam, heldSpam)
	report("whole corpus", allReal, allSpam)
	report("tuning set", real, spam)
	report("held-out v6", heldReal, heldSpam)

	if allReal.n < 60 || allSpam.n < 60 {
		t.Errorf("corpus too small: %d real, %d spam; want at least 60 of each", allReal.n, allSpam.n)
	}
	// The sets written before the current held-out file (v2 … v5) were
	// scored once and are tuning data now.
	if heldoutFiles() > 0 && (heldReal.n < 40 || heldSpam.n < 40) {
		t.Errorf("held-out set too small: %d real, %d spam; want at least 40 of each", heldReal.n, heldSpam.n)
	}
	if allReal.spam != 0 {
		t.Errorf("%d real submissions quarantined (whole corpus); want 0", allReal.spam)
	}
}

// TestCorpusSpamCaught is acceptance 1, part two: at least 90% of the spam
// in the WHOLE corpus, held-out items included, is quarantined or tagged.
// It is a test of its own so that a shortfall is reported by name and does
// not hide the real-submission invariant above. Held-out spam is written
// in styles the rules have not seen, and vocabulary rules catch much less
// of it than of the tuning set (see the README's figures); the shortfall
// is reported, not tuned away.
func TestCorpusSpamCaught(t *testing.T) {
	_, spam, _, heldSpam := corpusFigures(t)
	allSpam := combine(spam, heldSpam)
	msg := fmt.Sprintf("whole corpus: spam quarantined or tagged %d/%d (%.1f%%); tuning set %d/%d (%.1f%%); held-out %d/%d (%.1f%%)",
		allSpam.caught(), allSpam.n, allSpam.pct(), spam.caught(), spam.n, spam.pct(), heldSpam.caught(), heldSpam.n, heldSpam.pct())
	t.Log(msg)
	if testing.Verbose() {
		fmt.Println("CORPUS " + msg)
	}
	if allSpam.pct() < 90 {
		t.Errorf("%s; want at least 90%% on the whole corpus", msg)
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

func heldoutFiles() int {
	n := 0
	for _, f := range corpusFiles {
		if f.heldout {
			n++
		}
	}
	return n
}

// TestHeldoutDoesNotRegress pins the figures the held-out set v6 gave when
// it was scored once, with the version-3 rules final (docs/spam.md): 41 of
// 44 spam quarantined or tagged, no real complaint quarantined, 3 of 42
// tagged suspect. A rule change may improve them, never worsen them.
func TestHeldoutDoesNotRegress(t *testing.T) {
	_, _, heldReal, heldSpam := corpusFigures(t)
	if heldSpam.caught() < 41 {
		t.Errorf("held-out spam caught %d/%d, was 41/44; missed: %v", heldSpam.caught(), heldSpam.n, heldSpam.ids)
	}
	if heldReal.spam != 0 {
		t.Errorf("held-out real quarantined %d/%d, was 0", heldReal.spam, heldReal.n)
	}
	if heldReal.suspect > 3 {
		t.Errorf("held-out real tagged suspect %d/%d, was 3: %v", heldReal.suspect, heldReal.n, heldReal.ids)
	}
}
