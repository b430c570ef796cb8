package bleve

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	blevelib "github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/civicdesk/civicdesk/internal/search"
)

// Relevance boosts. Title words say more than body words, and a word typed
// with exactly the diacritics of the ticket (the *_exact fields) beats a
// match that needed folding. A tracking code or phone digits typed in the
// box are near-certain identifications.
const (
	boostTitle      = 2.0
	boostContent    = 1.0
	boostStaffNotes = 0.7
	boostTitleExact = 3.0
	boostBodyExact  = 1.5
	boostTracking   = 8.0
	boostPhone      = 4.0
)

// facetFields maps public facet names to bleve fields.
var facetFields = map[string]string{
	search.FacetAgency:   fAgency,
	search.FacetStatus:   fStatus,
	search.FacetChannel:  fChannel,
	search.FacetCategory: fCategory,
	search.FacetProvince: fProvince,
	search.FacetOverdue:  fOverdue,
}

// maxFacetValues bounds the values counted per facet. It is far above the
// number of agencies, provinces (34) or statuses, so counts are complete.
const maxFacetValues = 1000

// Search implements search.Index.
func (x *Index) Search(ctx context.Context, q search.Query) (*search.Result, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	if search.MatchesNothing(q.Scope) {
		return search.EmptyResult(q), nil
	}
	req := blevelib.NewSearchRequestOptions(buildQuery(q), q.Limit, q.Offset, false)
	req.SortByCustom(sortOrder(q.Sort))
	if q.Sort != search.SortRelevance {
		req.Score = "none" // scores are not used for ordering; skip computing them
	}
	for _, f := range q.Facets {
		req.AddFacet(f, blevelib.NewFacetRequest(facetFields[f], maxFacetValues))
	}
	if q.Highlight {
		req.Fields = highlightFields(q)
	}

	idx, release, err := x.current()
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search/bleve: search: %w", err)
	}

	out := &search.Result{Total: int(res.Total), Facets: map[string]map[string]int{}}
	var hl *search.Highlighter
	if q.Highlight {
		hl = search.NewHighlighter(q.Text)
	}
	for _, m := range res.Hits {
		h := search.Hit{ID: m.ID, Score: m.Score}
		if hl != nil {
			h.Highlights = hl.Fields(
				map[string]string{search.FieldTitle: firstString(m.Fields[fTitle])},
				longFields(m.Fields, req.Fields),
			)
		}
		out.Hits = append(out.Hits, h)
	}
	for _, f := range q.Facets {
		counts := map[string]int{}
		if fr := res.Facets[f]; fr != nil && fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				v := t.Term
				if f == search.FacetOverdue {
					v = fmt.Sprint(v == boolTrueTerm)
				}
				counts[v] = t.Count
			}
		}
		out.Facets[f] = counts
	}
	return out, nil
}

// highlightFields lists the stored fields the query may highlight: exactly
// the fields it may search, so a hit never shows a staff note to someone who
// could not search staff notes.
func highlightFields(q search.Query) []string {
	fields := []string{fTitle, fBody, fMessages}
	if q.IncludeStaffNotes && !q.PublishedOnly {
		fields = append(fields, fStaffNotes)
	}
	return fields
}

// longFields collects the stored values of the fragmented fields.
func longFields(stored map[string]interface{}, allowed []string) map[string][]string {
	out := map[string][]string{}
	for _, f := range allowed {
		if f == fTitle {
			continue
		}
		out[f] = storedStrings(stored[f])
	}
	return out
}

// storedStrings flattens a stored field value: one value comes back as a string,
// several as a slice.
func storedStrings(v interface{}) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []interface{}:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func firstString(v interface{}) string {
	if s := storedStrings(v); len(s) > 0 {
		return s[0]
	}
	return ""
}

// buildQuery turns q into a bleve query:
//
//	must:   word1 AND word2 AND ... AND scope AND filters
//	should: ranking signals for the words (title, exact diacritics)
//
// Words and filters (scope first) form one conjunction, so that the sparse
// scope and filter postings let the word clauses skip ahead, and the
// optional ranking clauses are only evaluated for docs that passed all of
// them. Filter clauses have boost 0: they restrict, they must not move the
// ranking.
func buildQuery(q search.Query) query.Query {
	words, boosts := textQuery(q)
	if q.Sort != search.SortRelevance {
		boosts = nil // they only change scores, which an explicit sort ignores
	}
	// One flat conjunction: bleve orders its children by posting count and
	// lets the rarest drive; a nested conjunction would hide the scope.
	must := append(words, filterClauses(q)...)
	var core query.Query
	switch len(must) {
	case 0:
		return query.NewMatchAllQuery()
	case 1:
		core = must[0]
	default:
		core = query.NewConjunctionQuery(must)
	}
	if len(boosts) == 0 {
		return core
	}
	return query.NewBooleanQuery([]query.Query{core}, boosts, nil)
}

// textQuery returns the clauses requiring every word of the text to match
// some searchable field (AND across words: staff type few words and expect
// each to narrow), and the optional ranking clauses for those words.
//
// Matching uses one posting list per word (the "content" field holds title,
// body and messages), which keeps the intersection cheap on common words.
// Ranking signals — the word is in the title, or typed with exactly the
// ticket's diacritics — only add score.
func textQuery(q search.Query) (words []query.Query, boosts []query.Query) {
	ws := search.Words(q.Text)
	if len(ws) == 0 {
		return nil, nil
	}
	var conj []query.Query
	for _, w := range ws {
		conj = append(conj, wordQuery(w, q))
		fuzz := 0
		if search.Fuzzy(w) {
			fuzz = 1
		}
		boosts = append(boosts,
			match(fTitle, w, fuzz, boostTitle),
			match(fTitleExact, search.ExactForm(w), 0, boostTitleExact),
			match(fBodyExact, search.ExactForm(w), 0, boostBodyExact))
	}
	if code := trackingCode(q); code != "" {
		// A whole tracking code typed in the box: its words ("PA", ...)
		// need not appear in any text, the code itself identifies. It is
		// an alternative to the words, still under scope and filters.
		tq := query.NewTermQuery(code)
		tq.SetField(fTrackingFull)
		tq.SetBoost(boostTracking)
		var all query.Query = conj[0]
		if len(conj) > 1 {
			all = query.NewConjunctionQuery(conj)
		}
		return []query.Query{query.NewDisjunctionQuery([]query.Query{tq, all})}, boosts
	}
	return conj, boosts
}

// trackingCode returns the query text as a tracking code to look up, or ""
// when it cannot be one (codes have a dash and no spaces, e.g.
// "PA-7KQ2M-XH4RT"). Public search never looks codes up.
func trackingCode(q search.Query) string {
	t := strings.TrimSpace(q.Text)
	if q.PublishedOnly || !strings.Contains(t, "-") || strings.ContainsFunc(t, unicode.IsSpace) {
		return ""
	}
	return strings.ToUpper(t)
}

// match builds a match query on one field. A fuzzy match keeps the first
// letter (prefix 1): Meilisearch counts a typo on the first letter as two,
// and without it a common 5-letter word such as "duong" would expand to
// "luong", "huong", ... and cost several posting lists per word.
func match(field, text string, fuzziness int, boost float64) query.Query {
	mq := query.NewMatchQuery(text)
	mq.SetField(field)
	mq.SetFuzziness(fuzziness)
	if fuzziness > 0 {
		mq.SetPrefix(1)
	}
	mq.SetBoost(boost)
	mq.Operator = query.MatchQueryOperatorAnd
	return mq
}

// wordQuery matches one query word in any field the query may search.
// Fuzziness is applied to the folded fields only, and only to long
// letter-only words (search.Fuzzy): fuzzy expansion is the expensive part.
func wordQuery(w string, q search.Query) query.Query {
	fuzz := 0
	if search.Fuzzy(w) {
		fuzz = 1
	}
	dis := []query.Query{match(fContent, w, fuzz, boostContent)}
	if q.IncludeStaffNotes && !q.PublishedOnly {
		dis = append(dis, match(fStaffNotes, w, fuzz, boostStaffNotes))
	}
	if !q.PublishedOnly {
		// Tracking codes and phone digits identify a citizen's ticket; the
		// public search must not answer "is there a ticket with phone ...".
		// A code segment has five characters; nothing else is looked up.
		if utf8.RuneCountInString(w) == trackingSegmentLen {
			dis = append(dis, match(fTracking, w, 0, boostTracking))
		}
		if utf8.RuneCountInString(w) == 4 && isDigits(w) {
			tq := query.NewTermQuery(w)
			tq.SetField(fPhone)
			tq.SetBoost(boostPhone)
			dis = append(dis, tq)
		}
	}
	if len(dis) == 1 {
		return dis[0]
	}
	return query.NewDisjunctionQuery(dis)
}

// trackingSegmentLen is the length of the random parts of a tracking code
// ("7KQ2M" in "PA-7KQ2M-XH4RT").
const trackingSegmentLen = 5

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// filterClauses builds the restrictions, each with boost 0. Scope comes
// first and is never skipped: the caller-supplied Agencies filter narrows
// within the scope, it cannot widen it, because both must hold.
func filterClauses(q search.Query) []query.Query {
	var must []query.Query
	if q.Scope != nil {
		must = append(must, anyTerm(fAgencyPath, q.Scope))
	}
	if q.PublishedOnly {
		must = append(must, boolQuery(fPublished, true))
	}
	for _, f := range []struct {
		field string
		vals  []string
	}{
		{fAgency, q.Agencies}, {fStatus, q.Statuses}, {fChannel, q.Channels},
		{fCategory, q.Categories}, {fProvince, q.Provinces},
	} {
		if len(f.vals) > 0 {
			must = append(must, anyTerm(f.field, f.vals))
		}
	}
	if q.Overdue != nil {
		must = append(must, boolQuery(fOverdue, *q.Overdue))
	}
	if !q.CreatedFrom.IsZero() || !q.CreatedTo.IsZero() {
		must = append(must, dateRange(fCreatedAt, q.CreatedFrom, q.CreatedTo))
	}
	return must
}

// anyTerm matches docs whose keyword field holds one of vals.
func anyTerm(field string, vals []string) query.Query {
	terms := make([]query.Query, 0, len(vals))
	for _, v := range vals {
		tq := query.NewTermQuery(v)
		tq.SetField(field)
		tq.SetBoost(0)
		terms = append(terms, tq)
	}
	if len(terms) == 1 {
		return terms[0]
	}
	dq := query.NewDisjunctionQuery(terms)
	dq.SetBoost(0)
	return dq
}

func boolQuery(field string, v bool) query.Query {
	bq := query.NewBoolFieldQuery(v)
	bq.SetField(field)
	bq.SetBoost(0)
	return bq
}

// dateRange matches from..to inclusive; a zero bound is open.
func dateRange(field string, from, to time.Time) query.Query {
	yes := true
	var start, end time.Time
	if !from.IsZero() {
		start = from.UTC()
	}
	if !to.IsZero() {
		end = to.UTC()
	}
	dq := query.NewDateRangeInclusiveQuery(start, end, &yes, &yes)
	dq.SetField(field)
	dq.SetBoost(0)
	return dq
}

// sortOrder maps a sort name to bleve sort fields, one per order (the keys
// embed their tie-breakers, see toDoc). Docs equal to the second, and
// equal relevance scores, keep index order, which is stable while the index
// does not change, so pages do not overlap or skip; an ID tie-breaker would
// cost a stored-field read per candidate.
func sortOrder(s string) bsearch.SortOrder {
	created := func(desc bool) *bsearch.SortField {
		return &bsearch.SortField{Field: fCreatedSort, Desc: desc, Type: bsearch.SortFieldAsString, Missing: bsearch.SortFieldMissingLast}
	}
	switch s {
	case search.SortDueAsc:
		// Tickets without a due date are not urgent: their key sorts last,
		// newest first among themselves.
		return bsearch.SortOrder{&bsearch.SortField{Field: fDueSort, Type: bsearch.SortFieldAsString, Missing: bsearch.SortFieldMissingLast}}
	case search.SortCreatedAsc:
		return bsearch.SortOrder{created(false)}
	case search.SortCreatedDesc:
		return bsearch.SortOrder{created(true)}
	}
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
}

// Similar implements search.Index: docs of the same agency, created since
// sq.Since, sharing enough syllable pairs of title and body with d.
func (x *Index) Similar(ctx context.Context, d search.Doc, sq search.SimilarQuery) ([]search.Hit, error) {
	sq, err := sq.Normalize()
	if err != nil {
		return nil, err
	}
	if search.MatchesNothing(sq.Scope) {
		return nil, nil
	}
	agency := sq.Agency
	if agency == "" {
		agency = d.Agency
	}
	if agency == "" {
		return nil, fmt.Errorf("%w: similar needs an agency", search.ErrInvalidQuery)
	}
	pairs := x.bigrams(d.Title + "\n" + d.Body)
	if len(pairs) == 0 {
		return nil, nil
	}
	var should []query.Query
	for _, p := range pairs {
		tq := query.NewTermQuery(p)
		tq.SetField(fSimilar)
		should = append(should, tq)
	}
	dis := query.NewDisjunctionQuery(should)
	dis.SetMin(float64(minShared(len(pairs))))

	filters := []query.Query{anyTerm(fAgency, []string{agency})}
	if sq.Scope != nil {
		filters = append(filters, anyTerm(fAgencyPath, sq.Scope))
	}
	if !sq.Since.IsZero() {
		filters = append(filters, dateRange(fCreatedAt, sq.Since, time.Time{}))
	}
	bq := query.NewBooleanQuery(nil, nil, nil)
	bq.AddMust(dis)
	bq.AddFilter(query.NewConjunctionQuery(filters))
	exclude := append(slices.Clone(sq.ExcludeIDs), d.ID)
	bq.AddMustNot(query.NewDocIDQuery(exclude))

	req := blevelib.NewSearchRequestOptions(bq, sq.Limit, 0, false)
	req.Fields = []string{fTitle, fBody}
	idx, release, err := x.current()
	if err != nil {
		return nil, err
	}
	defer release()
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search/bleve: similar: %w", err)
	}
	hits := make([]search.Hit, 0, len(res.Hits))
	for _, m := range res.Hits {
		hits = append(hits, search.Hit{ID: m.ID, Score: m.Score, Title: firstString(m.Fields[fTitle]), Body: firstString(m.Fields[fBody])})
	}
	return hits, nil
}

// minShared is how many syllable pairs a candidate must share with a doc of
// n pairs: two at least (one shared pair such as "hồ sơ" is chance), growing
// with the text, capped so that a long letter still finds a short one.
func minShared(n int) int {
	return max(min(n, 2), min(4, int(math.Ceil(0.15*float64(n)))))
}

// bigrams returns the distinct syllable pairs of text, analysed exactly as
// the similar field is indexed.
func (x *Index) bigrams(text string) []string {
	an := x.mapping.AnalyzerNamed(bigramAnalyzer)
	if an == nil {
		return nil
	}
	var out []string
	for _, t := range an.Analyze([]byte(text)) {
		term := string(t.Term)
		if !slices.Contains(out, term) {
			out = append(out, term)
		}
	}
	return out
}
