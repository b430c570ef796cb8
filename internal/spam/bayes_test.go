package spam

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"testing"
)

// updateBayes rewrites bayes_model.json from the training split:
// go test ./internal/spam -run TestBayesModelIsTrainedOnTheTrainingSplit -args -update-bayes
var updateBayes = flag.Bool("update-bayes", false, "retrain bayes_model.json on the training split")

// inBayesTestSplit puts a quarter of the tuning items, chosen by a hash of
// their id (so the split never depends on file order), in the test split:
// the model never sees them, and they measure how it does on text it was
// not trained on. Held-out items are in neither split.
func inBayesTestSplit(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%4 == 0
}

// bayesTraining is the training split: tuning items outside the test split.
func bayesTraining(t testing.TB) (docs [][]string, spam []bool) {
	s := DefaultScorer()
	for _, it := range loadCorpus(t) {
		if it.Heldout || inBayesTestSplit(it.ID) {
			continue
		}
		docs = append(docs, s.bayesFeaturesOf(it.input(t)))
		spam = append(spam, it.Label == "spam")
	}
	return docs, spam
}

// The committed model is exactly what training on the training split
// produces, so nobody can have tuned it by hand or trained it on the test
// split or the held-out set.
func TestBayesModelIsTrainedOnTheTrainingSplit(t *testing.T) {
	docs, labels := bayesTraining(t)
	m := trainBayes(docs, labels)
	got, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *updateBayes {
		if err := os.WriteFile("bayes_model.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("bayes_model.json: %d spam, %d real training documents, %d features", m.TrainSpam, m.TrainReal, len(m.Features))
		return
	}
	if !bytes.Equal(got, bayesModelJSON) {
		t.Errorf("bayes_model.json is not the model trained on the training split (%d spam, %d real, %d features); "+
			"retrain: go test ./internal/spam -run TestBayesModelIsTrainedOnTheTrainingSplit -args -update-bayes",
			m.TrainSpam, m.TrainReal, len(m.Features))
	}
}

// TestBayesSplit reports the learned model alone, and the whole scorer, on
// the training and the test split separately. The test-split figures are
// the honest ones for the model; the floors are the figures measured when
// the model was trained (see docs/spam.md).
func TestBayesSplit(t *testing.T) {
	s := DefaultScorer()
	m := defaultBayes()
	r0 := DefaultRules()
	r0.BayesWeight = 0
	without, err := NewScorer(r0)
	if err != nil {
		t.Fatal(err)
	}
	type fig struct{ spam, spamNB, spamCaught, spamWithout, real, realNB, realQ, realS int }
	var train, test fig
	for _, it := range loadCorpus(t) {
		if it.Heldout {
			continue
		}
		f := &train
		if inBayesTestSplit(it.ID) {
			f = &test
		}
		in := it.input(t)
		feats := s.bayesFeaturesOf(in)
		lo := m.Prior
		for _, x := range feats {
			lo += m.Features[x]
		}
		r := s.Score(in)
		if it.Label == "spam" {
			f.spam++
			if lo > 0 {
				f.spamNB++
			}
			if r.Verdict != Clean {
				f.spamCaught++
			}
			if without.Score(in).Verdict != Clean {
				f.spamWithout++
			}
		} else {
			f.real++
			if lo > 0 {
				f.realNB++
			}
			switch r.Verdict {
			case Spam:
				f.realQ++
			case Suspect:
				f.realS++
			}
		}
	}
	for _, p := range []struct {
		name string
		f    fig
	}{{"training split", train}, {"test split", test}} {
		msg := fmt.Sprintf("%s: bayes alone: spam %d/%d, real called spam %d/%d; scorer: spam caught %d/%d (%.1f%%; %d without bayes), real quarantined %d, real suspect %d",
			p.name, p.f.spamNB, p.f.spam, p.f.realNB, p.f.real, p.f.spamCaught, p.f.spam, 100*float64(p.f.spamCaught)/float64(p.f.spam), p.f.spamWithout, p.f.realQ, p.f.realS)
		t.Log(msg)
		if testing.Verbose() {
			fmt.Println("CORPUS " + msg)
		}
	}
	if test.realQ != 0 {
		t.Errorf("%d real submissions of the test split quarantined", test.realQ)
	}
}
