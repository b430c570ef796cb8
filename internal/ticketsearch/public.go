package ticketsearch

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
)

// QAHit is one published question and answer, as the public may see it:
// the masked text, the agency and category, and the entry's public id (the
// /qa/:id page), which does not reveal the tracking code. Nothing else of
// the ticket leaves the server.
type QAHit struct {
	ID       string              `json:"id"`
	Question string              `json:"question"`
	Answer   string              `json:"answer"`
	Agency   string              `json:"agency"`
	Category string              `json:"category"`
	Snippets map[string][]string `json:"highlights,omitempty"` // HTML-escaped, <mark> around matches
}

// Public search limits: the portal box asks for a handful while the
// citizen types.
const (
	PublicMaxLimit = 10
	publicMinRunes = 3
)

// PublicSearch searches the published Q&A. It reads only the public index,
// which holds nothing but masked published text (workers.PublicDoc), and
// re-checks every hit in the store: an entry withdrawn a moment ago whose
// index task has not run yet is not shown.
func (s *Service) PublicSearch(ctx context.Context, text, agency, category string, limit int) ([]QAHit, int, error) {
	text = strings.TrimSpace(text)
	if s.Public == nil || utf8.RuneCountInString(text) < publicMinRunes {
		return []QAHit{}, 0, nil
	}
	if utf8.RuneCountInString(text) > MaxTextRunes {
		return nil, 0, fieldErr("q", "Câu hỏi quá dài để tìm (query too long).")
	}
	words := search.Words(text)
	if len(words) > search.MaxWords {
		// The citizen is typing a whole letter: the first words say what
		// it is about well enough for suggestions.
		text = strings.Join(words[:search.MaxWords], " ")
	}
	if limit <= 0 || limit > PublicMaxLimit {
		limit = 5
	}
	var agencies, categories []string
	var err error
	if agencies, err = cleanFilter("agency", []string{agency}); err != nil {
		return nil, 0, err
	}
	if categories, err = cleanFilter("category", []string{category}); err != nil {
		return nil, 0, err
	}
	res, err := s.relaxedSearch(ctx, text, agencies, categories, limit)
	if errors.Is(err, search.ErrInvalidQuery) {
		return nil, 0, fieldErr("q", "Yêu cầu tìm kiếm không hợp lệ (invalid search request).")
	}
	if err != nil {
		return nil, 0, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	got, err := s.Store.TicketsByIDs(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	out := []QAHit{}
	total := res.Total
	for _, h := range res.Hits {
		t := got[h.ID]
		if t == nil || t.Publication == nil || t.Publication.State != desk.PublicationPublished {
			total--
			if s.Reindex != nil {
				_ = s.Reindex(ctx, h.ID)
			}
			continue
		}
		hit := QAHit{ID: s.QAID(t.ID), Question: t.Publication.Question, Answer: t.Publication.Answer,
			Agency: t.Agency, Category: t.Category, Snippets: map[string][]string{}}
		// The public index files the question as title and the answer as
		// body; the names shown to the public say what they are.
		if f := h.Highlights[search.FieldTitle]; len(f) > 0 {
			hit.Snippets["question"] = f
		}
		if f := h.Highlights[search.FieldBody]; len(f) > 0 {
			hit.Snippets["answer"] = f
		}
		out = append(out, hit)
	}
	return out, max(total, len(out)), nil
}

// Relaxed matching for suggestions. The index requires every word of a
// query (staff narrow with each word they add), but a citizen types a whole
// letter that no published question contains word for word. So the letter
// is cut into pairs of adjacent significant words ("tạm dừng", "dừng đóng",
// "bảo hiểm"), each pair is one query, and an entry is suggested when it
// matches at least minPairs of them, best first by pairs matched and then
// by score. A short query that matches as a whole is answered as is.
const (
	maxPairs = 12
	minPairs = 2
)

func (s *Service) relaxedSearch(ctx context.Context, text string, agencies, categories []string, limit int) (*search.Result, error) {
	q := search.Query{Text: text, PublishedOnly: true, Limit: limit, Highlight: true, Agencies: agencies, Categories: categories}
	res, err := s.Public.Search(ctx, q)
	if err != nil || res.Total > 0 {
		return res, err
	}
	words := search.SignificantWords(search.Doc{Body: text})
	if len(words) < 2 {
		return res, nil
	}
	type acc struct {
		hit   search.Hit
		pairs int
	}
	found := map[string]*acc{}
	for i := 0; i+1 < len(words) && i < maxPairs; i++ {
		pq := q
		pq.Text, pq.Limit = words[i]+" "+words[i+1], search.MaxLimit
		r, err := s.Public.Search(ctx, pq)
		if err != nil {
			return nil, err
		}
		for _, h := range r.Hits {
			a := found[h.ID]
			if a == nil {
				a = &acc{hit: h}
				a.hit.Score = 0
				found[h.ID] = a
			}
			a.pairs++
			a.hit.Score += h.Score
		}
	}
	var keep []*acc
	for _, a := range found {
		if a.pairs >= minPairs {
			keep = append(keep, a)
		}
	}
	sort.Slice(keep, func(i, j int) bool {
		if keep[i].pairs != keep[j].pairs {
			return keep[i].pairs > keep[j].pairs
		}
		return keep[i].hit.Score > keep[j].hit.Score
	})
	out := &search.Result{Total: len(keep)}
	for i, a := range keep {
		if i == limit {
			break
		}
		out.Hits = append(out.Hits, a.hit)
	}
	return out, nil
}
