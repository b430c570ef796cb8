package workers

import (
	"context"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// Similar-ticket detection at intake (issue 7).
const (
	// SimilarWindow is how far back duplicates are looked for: a wave of
	// letters about one late payment comes within weeks.
	SimilarWindow = 30 * 24 * time.Hour
	// SimilarTimeout bounds the lookup (index query and candidate reads)
	// so that it never holds a ticket up for long; it takes milliseconds
	// when the machine is not saturated.
	SimilarTimeout = 2 * time.Second
)

// attachSimilar fills t.Similar with up to five likely duplicates: same
// agency, similar title and body, created in the last SimilarWindow. The
// index proposes candidates (Index.Similar) and each is confirmed by the
// share of word pairs it has in common with the new letter (Overlap). It runs
// on the new ticket's own text before the ticket is stored, so it costs no
// extra write and the ticket is created with its suggestions (at most
// SimilarTimeout later). Any failure
// leaves Similar empty with a log line: suggestions must never delay or fail
// ticket creation. Triage and quarantined tickets have no agency yet and get
// none.
func (h *IntakeHandler) attachSimilar(ctx context.Context, t *desk.Ticket) {
	if h.Index == nil || t.Agency == "" || t.Status == desk.StatusQuarantined || t.Status == desk.StatusTriage {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, SimilarTimeout)
	defer cancel()
	hits, err := h.Index.Similar(ctx, TicketDoc(t, h.Clock.Now()), search.SimilarQuery{
		Agency: t.Agency, Since: t.CreatedAt.Add(-SimilarWindow), Limit: search.MaxSimilar,
	})
	if err != nil {
		h.Log.Warn("similar tickets lookup failed; the ticket is created without suggestions", "submission", t.ID, "err", err)
		return
	}
	t.Similar = nil
	mine := WordPairs(t.Title + "\n" + t.Body)
	for _, hit := range hits {
		// The index returns the candidate's text; a backend that does not
		// is answered from the store.
		title, body := hit.Title, hit.Body
		if title == "" && body == "" {
			c, err := h.Store.TicketByID(ctx, hit.ID)
			if err != nil {
				// Gone, or the time ran out: fewer suggestions, no failure.
				h.Log.Info("similar candidate not read", "submission", t.ID, "candidate", hit.ID, "err", err)
				continue
			}
			title, body = c.Title, c.Body
		}
		if Overlap(mine, WordPairs(title+"\n"+body)) >= MinOverlap {
			t.Similar = append(t.Similar, hit.ID)
		}
	}
}

// MinOverlap is the share of the shorter letter's word pairs another
// letter must share to be suggested as a duplicate. The index's candidates
// share at least two pairs, which common phrases ("đề nghị cơ quan", "công
// nhân") give unrelated letters too; on the labelled letters of
// TestSimilarTicketsAtIntake, letters about the same matter share 0.30 to
// 0.70 with their closest one and unrelated ones at most 0.14.
const MinOverlap = 0.2

// WordPairs returns the distinct pairs of adjacent folded words of text,
// leaving out pairs of two stop words ("tôi đã", "có thể"), which every
// letter has.
func WordPairs(text string) map[string]bool {
	words := search.Words(text)
	for i, w := range words {
		words[i] = vnfold.Canonical(w) // the fold of the index and of IsStopWord
	}
	out := map[string]bool{}
	for i := 0; i+1 < len(words); i++ {
		if search.IsStopWord(words[i]) && search.IsStopWord(words[i+1]) {
			continue
		}
		out[words[i]+" "+words[i+1]] = true
	}
	return out
}

// Overlap is the overlap coefficient of two pair sets: shared pairs over
// the size of the smaller set, so a short letter can match a long one.
func Overlap(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return float64(n) / float64(min(len(a), len(b)))
}
