package meili

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// Filter builds the Meilisearch filter expression for q (already
// normalized). Scope is always the first clause when set, joined with AND to
// everything else, so no other filter can widen it. Exported for the
// contract test and for debugging; "" means no filter.
func Filter(q search.Query) string {
	var parts []string
	if q.Scope != nil {
		parts = append(parts, in(aAgencyPath, q.Scope))
	}
	if q.PublishedOnly {
		parts = append(parts, aPublished+" = true")
	}
	for _, f := range []struct {
		attr string
		vals []string
	}{
		{aAgency, q.Agencies}, {aStatus, q.Statuses}, {aChannel, q.Channels},
		{aCategory, q.Categories}, {aProvince, q.Provinces},
	} {
		if len(f.vals) > 0 {
			parts = append(parts, in(f.attr, f.vals))
		}
	}
	if q.Overdue != nil {
		parts = append(parts, aOverdue+" = "+strconv.FormatBool(*q.Overdue))
	}
	if !q.CreatedFrom.IsZero() {
		parts = append(parts, fmt.Sprintf("%s >= %d", aCreatedAt, q.CreatedFrom.Unix()))
	}
	if !q.CreatedTo.IsZero() {
		parts = append(parts, fmt.Sprintf("%s <= %d", aCreatedAt, q.CreatedTo.Unix()))
	}
	return strings.Join(parts, " AND ")
}

// in renders `attr IN ["v1", "v2"]` with every value quoted.
func in(attr string, vals []string) string {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = quote(v)
	}
	return attr + " IN [" + strings.Join(quoted, ", ") + "]"
}

// quote makes v a Meilisearch filter string literal: double quotes, with
// backslash and double quote escaped by a backslash. Values come from
// users (filters in a URL), so nothing is ever spliced in unquoted: a value
// like `MOF"] OR agency_path EXISTS` stays one harmless string.
func quote(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `"`, `\"`)
	return `"` + v + `"`
}

// sortParam maps a sort name to Meilisearch sort expressions. Every order
// ends with the id so that pages never overlap on ties.
func sortParam(s string) []string {
	switch s {
	case search.SortDueAsc:
		return []string{aDueAt + ":asc", aCreatedAt + ":desc", aID + ":asc"}
	case search.SortCreatedAsc:
		return []string{aCreatedAt + ":asc", aID + ":asc"}
	case search.SortCreatedDesc:
		return []string{aCreatedAt + ":desc", aID + ":asc"}
	}
	return nil // relevance: the ranking rules decide
}

// searchOn lists the attributes q may search: the public search never
// touches notes, codes or phone digits; staff search notes only on request.
func searchOn(q search.Query) []string {
	if q.PublishedOnly {
		return []string{aTitle, aBody, aMessages, aSpellings}
	}
	attrs := []string{aTracking, aTitle, aBody, aMessages}
	if q.IncludeStaffNotes {
		attrs = append(attrs, aStaffNotes)
	}
	return append(attrs, aPhone, aSpellings)
}

// queryText joins the query words for Meilisearch, each word whose official
// spelling varies (kỹ/kĩ) in its canonical form, which the documents'
// spellings attribute holds; other words are sent as typed.
func queryText(text string) string {
	ws := search.Words(text)
	for i, w := range ws {
		if c := vnfold.Canonical(w); c != vnfold.Fold(w) {
			ws[i] = c
		}
	}
	return strings.Join(ws, " ")
}

// Request builds the Meilisearch search request for q (already
// normalized). Exported for the contract test.
//
// Paging uses page/hitsPerPage rather than offset/limit because only that
// mode returns an exact totalHits (offset/limit returns an estimate), and
// Result.Total is shown to staff. An offset that is not a multiple of the
// limit is served from a first page of offset+limit hits.
func Request(q search.Query) (req *meilisearch.SearchRequest, skip int) {
	page, perPage := int64(q.Offset/q.Limit+1), int64(q.Limit)
	if q.Offset%q.Limit != 0 {
		page, perPage, skip = 1, int64(q.Offset+q.Limit), q.Offset
	}
	req = &meilisearch.SearchRequest{
		Query:                queryText(q.Text),
		Page:                 page,
		HitsPerPage:          &perPage,
		Filter:               nil,
		Sort:                 sortParam(q.Sort),
		Facets:               facetAttrs(q.Facets),
		AttributesToSearchOn: searchOn(q),
		AttributesToRetrieve: []string{aID},
		// Every word must match, as in the embedded backend: staff add
		// words to narrow a search, never to widen it.
		MatchingStrategy: meilisearch.All,
		ShowRankingScore: true,
	}
	if f := Filter(q); f != "" {
		req.Filter = f
	}
	if q.Highlight {
		req.AttributesToRetrieve = append([]string{aID}, highlightAttrs(q)...)
	}
	return req, skip
}

// highlightAttrs are the stored attributes highlighted for q: exactly those
// it may search, so highlights never reveal a staff note.
func highlightAttrs(q search.Query) []string {
	attrs := []string{aTitle, aBody, aMessages}
	if q.IncludeStaffNotes && !q.PublishedOnly {
		attrs = append(attrs, aStaffNotes)
	}
	return attrs
}

// facetAttrs maps facet names to attributes (they are spelled the same).
func facetAttrs(facets []string) []string {
	if len(facets) == 0 {
		return nil
	}
	return append([]string(nil), facets...)
}

// Search implements search.Index.
func (x *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if search.MatchesNothing(q.Scope) {
		return search.EmptyResult(q), nil
	}
	req, skip := Request(q)
	resp, err := x.client.Index(x.uid).Search(ctx, req.Query, req)
	if err != nil {
		return nil, fmt.Errorf("search/meili: search: %w", err)
	}
	out := &search.Result{Total: int(resp.TotalHits), Facets: map[string]map[string]int{}}
	hits := resp.Hits
	if skip < len(hits) {
		hits = hits[skip:]
	} else {
		hits = nil
	}
	var hl *search.Highlighter
	if q.Highlight {
		hl = search.NewHighlighter(q.Text)
	}
	for _, raw := range hits {
		var h hitDoc
		if err := raw.DecodeInto(&h); err != nil {
			return nil, fmt.Errorf("search/meili: decode hit: %w", err)
		}
		hit := search.Hit{ID: h.ID, Score: h.RankingScore}
		if hl != nil {
			long := map[string][]string{aBody: {h.Body}, aMessages: h.Messages}
			if q.IncludeStaffNotes && !q.PublishedOnly {
				long[aStaffNotes] = h.StaffNotes
			}
			hit.Highlights = hl.Fields(map[string]string{aTitle: h.Title}, long)
		}
		out.Hits = append(out.Hits, hit)
	}
	var dist map[string]map[string]int
	if len(resp.FacetDistribution) > 0 {
		if err := json.Unmarshal(resp.FacetDistribution, &dist); err != nil {
			return nil, fmt.Errorf("search/meili: facets: %w", err)
		}
	}
	for _, f := range q.Facets {
		counts := map[string]int{}
		for v, n := range dist[f] {
			counts[v] = n
		}
		out.Facets[f] = counts
	}
	return out, nil
}

// hitDoc is the part of a hit we read back.
type hitDoc struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Body         string   `json:"body"`
	Messages     []string `json:"messages"`
	StaffNotes   []string `json:"staff_notes"`
	RankingScore float64  `json:"_rankingScore"`
}

// maxSimilarWords bounds the words sent to find duplicates; the first
// significant words of a submission (title first) carry its subject.
const maxSimilarWords = 16

// SimilarRequest builds the request Similar sends (exported for the
// contract test). Candidates must share the agency and be recent; the
// significant words of title and body are matched with the "frequency"
// strategy, which drops the most common words first when not all match,
// and rankingScoreThreshold drops weak matches.
func (x *Index) SimilarRequest(d search.Doc, sq search.SimilarQuery) (*meilisearch.SearchRequest, error) {
	agency := sq.Agency
	if agency == "" {
		agency = d.Agency
	}
	if agency == "" {
		return nil, fmt.Errorf("%w: similar needs an agency", search.ErrInvalidQuery)
	}
	words := search.SignificantWords(d)
	if len(words) == 0 {
		return nil, nil
	}
	words = words[:min(len(words), maxSimilarWords)]
	parts := []string{in(aAgency, []string{agency})}
	if sq.Scope != nil {
		parts = append(parts, in(aAgencyPath, sq.Scope))
	}
	if !sq.Since.IsZero() {
		parts = append(parts, fmt.Sprintf("%s >= %d", aCreatedAt, sq.Since.Unix()))
	}
	exclude := append([]string{d.ID}, sq.ExcludeIDs...)
	parts = append(parts, "NOT "+in(aID, exclude))
	limit := int64(sq.Limit)
	return &meilisearch.SearchRequest{
		Query:                 strings.Join(words, " "),
		Page:                  1,
		HitsPerPage:           &limit,
		Filter:                strings.Join(parts, " AND "),
		AttributesToSearchOn:  []string{aTitle, aBody, aSpellings}, // words are canonical (search.SignificantWords)
		AttributesToRetrieve:  []string{aID, aTitle, aBody},
		MatchingStrategy:      meilisearch.Frequency,
		ShowRankingScore:      true,
		RankingScoreThreshold: x.opts.SimilarThreshold,
	}, nil
}

// Similar implements search.Index.
func (x *Index) Similar(ctx context.Context, d search.Doc, sq search.SimilarQuery) ([]search.Hit, error) {
	sq, err := sq.Normalize()
	if err != nil {
		return nil, err
	}
	if search.MatchesNothing(sq.Scope) {
		return nil, nil
	}
	req, err := x.SimilarRequest(d, sq)
	if err != nil || req == nil {
		return nil, err
	}
	resp, err := x.client.Index(x.uid).Search(ctx, req.Query, req)
	if err != nil {
		return nil, fmt.Errorf("search/meili: similar: %w", err)
	}
	out := make([]search.Hit, 0, len(resp.Hits))
	for _, raw := range resp.Hits {
		var h hitDoc
		if err := raw.DecodeInto(&h); err != nil {
			return nil, fmt.Errorf("search/meili: decode hit: %w", err)
		}
		out = append(out, search.Hit{ID: h.ID, Score: h.RankingScore, Title: h.Title, Body: h.Body})
	}
	return out, nil
}
