package spam

import (
	_ "embed"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
)

// The learned part of the scorer: a naive Bayes model over the words and
// word pairs of the text, trained on the training split of the labelled
// corpus in testdata (see bayes_test.go: the split is fixed by a hash of
// each item's id, the test split and the held-out set are never trained
// on, and the committed model must equal what training produces). It
// generalises where the vocabulary lists cannot: an advertisement in a
// genre nobody listed still talks like one ("giao hàng", "liên hệ",
// "ưu đãi") and not like a complaint ("tôi", "đã nộp", "chưa nhận").
//
// The model only adds: its signal "bayes" is at most Rules.BayesWeight,
// weighted by how sure the model is that the text is spam, and counts as
// vocabulary for guard:complaint, so it cannot quarantine a text that
// reads as a complaint on its own.

//go:embed bayes_model.json
var bayesModelJSON []byte

// bayesModel is a Bernoulli naive Bayes model stored as log-likelihood
// ratios: for each feature, log P(present|spam) − log P(present|real).
type bayesModel struct {
	// Prior is log P(spam) − log P(real) on the training split.
	Prior float64 `json:"prior"`
	// TrainSpam and TrainReal are the training documents per label.
	TrainSpam int `json:"train_spam"`
	TrainReal int `json:"train_real"`
	// Features are the log-likelihood ratios of the features seen in at
	// least bayesMinDocs training documents.
	Features map[string]float64 `json:"features"`

	// index numbers the features for Score: a lookup by a []byte key
	// does not allocate, and a bitset over the numbers remembers which
	// features a text had.
	index   map[string]int32
	weights []float64
}

// bayesMinDocs drops features seen in fewer training documents: a name or
// a number seen once says nothing about the next message.
const bayesMinDocs = 2

// bayesFullAt is the log-odds at which the bayes signal reaches its full
// weight; below 0 it adds nothing.
const bayesFullAt = 6.0

var defaultBayes = sync.OnceValue(func() *bayesModel {
	var m bayesModel
	if err := json.Unmarshal(bayesModelJSON, &m); err != nil {
		panic("spam: embedded bayes model is invalid: " + err.Error())
	}
	m.index = make(map[string]int32, len(m.Features))
	for f, w := range m.Features {
		m.index[f] = int32(len(m.weights))
		m.weights = append(m.weights, w)
	}
	return &m
})

// bayesFeatures returns the distinct features of a tokenized text: each
// word of prose (not in a link, not a number) and each pair of adjacent
// such words, folded. The strings are copies, safe to keep.
func bayesFeatures(toks []token) []string {
	var out []string
	prev := ""
	for i := range toks {
		t := &toks[i]
		if t.inLink || t.derived || t.letters == 0 {
			prev = ""
			continue
		}
		out = append(out, t.fold)
		if prev != "" {
			out = append(out, prev+" "+t.fold)
		}
		prev = t.fold
	}
	slices.Sort(out)
	out = slices.Compact(out)
	for i := range out {
		out[i] = strings.Clone(out[i])
	}
	return out
}

// logOdds is the model's log-odds that a text with these tokens is spam.
// Only features present in the text count: with a few hundred training
// documents, absence says little.
func (m *bayesModel) logOdds(toks []token) float64 {
	lo := m.Prior
	seen := make([]uint64, (len(m.weights)+63)/64)
	key := make([]byte, 0, 64)
	add := func(k []byte) {
		if id, ok := m.index[string(k)]; ok && seen[id/64]&(1<<(id%64)) == 0 {
			seen[id/64] |= 1 << (id % 64)
			lo += m.weights[id]
		}
	}
	prev := ""
	for i := range toks {
		t := &toks[i]
		if t.inLink || t.derived || t.letters == 0 {
			prev = ""
			continue
		}
		add(append(key[:0], t.fold...))
		if prev != "" {
			key = append(append(append(key[:0], prev...), ' '), t.fold...)
			add(key)
		}
		prev = t.fold
	}
	return lo
}

// trainBayes builds a model from labelled feature sets (spam true).
// Laplace smoothing; features in fewer than bayesMinDocs documents are
// dropped; ratios are rounded so that the stored model is stable.
func trainBayes(docs [][]string, spam []bool) *bayesModel {
	dfSpam, dfReal := map[string]int{}, map[string]int{}
	m := &bayesModel{Features: map[string]float64{}}
	for i, d := range docs {
		df := dfReal
		if spam[i] {
			df = dfSpam
			m.TrainSpam++
		} else {
			m.TrainReal++
		}
		for _, f := range d {
			df[f]++
		}
	}
	m.Prior = round4(math.Log(float64(m.TrainSpam+1) / float64(m.TrainReal+1)))
	ns, nr := float64(m.TrainSpam), float64(m.TrainReal)
	consider := func(f string) {
		s, r := dfSpam[f], dfReal[f]
		if s+r < bayesMinDocs {
			return
		}
		llr := math.Log((float64(s)+1)/(ns+2)) - math.Log((float64(r)+1)/(nr+2))
		if math.Abs(llr) < 0.5 {
			return // about as common in both: noise, and a bigger model
		}
		m.Features[f] = round4(llr)
	}
	for f := range dfSpam {
		consider(f)
	}
	for f := range dfReal {
		if _, ok := dfSpam[f]; !ok {
			consider(f)
		}
	}
	return m
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// bayesFeaturesOf tokenizes a submission exactly as Score does and returns
// its features, for training.
func (s *Scorer) bayesFeaturesOf(in Input) []string {
	c := s.c
	name, title, body := toNFC(clip(in.Name)), toNFC(clip(in.Title)), toNFC(clip(in.Body))
	text := name + "\n" + title + "\n" + body
	titleStart := len(name) + 1
	bodyStart := titleStart + len(title) + 1
	var links []link
	chunks(text, func(cs, ce int) { links = c.chunkLinks(text, cs, ce, links) })
	var z tokenizer
	z.run(text, titleStart)
	markLinkTokens(z.toks, links, bodyStart)
	return bayesFeatures(slices.DeleteFunc(z.toks, func(t token) bool { return t.skip }))
}
