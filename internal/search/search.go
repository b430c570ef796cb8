// Package search defines the ticket search contract shared by every search
// backend (embedded bleve, Meilisearch) and the helpers they have in common.
//
// Mongo holds the truth. An index holds a searchable projection of tickets
// and answers with ticket IDs only; it can be dropped and rebuilt from Mongo
// at any time (see Rebuilder). Scope is part of Query, not an afterthought of
// the caller: an unscoped search leaks tickets of other agencies, so every
// backend must apply Query.Scope to hits, totals and facet counts alike.
package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// Doc is the searchable projection of one ticket. It is built from the Mongo
// ticket whenever the ticket changes and carries nothing that cannot be
// rebuilt from Mongo.
type Doc struct {
	ID           string   // ticket id
	TrackingCode string   // e.g. "PA-7KQ2M-XH4RT"
	Title, Body  string   // the citizen's submission
	Messages     []string // citizen messages and public replies
	StaffNotes   []string // internal notes: searchable only when Query.IncludeStaffNotes
	Category     string   // category code
	Agency       string   // the owning agency code (e.g. "MOLISA")
	// AgencyPath is the owning agency and all its ancestors, e.g.
	// ["MOF","MOF-GDT"]; Query.Scope is matched against it.
	AgencyPath                          []string
	Province, Channel, Status, Priority string
	Overdue                             bool
	Published                           bool // an approved public Q&A
	CreatedAt, DueAt, AnsweredAt        time.Time
	PhoneLast4                          string
}

// Query is one search request. The zero value lists every ticket, newest
// first, so callers serving staff must always set Scope (nil means
// unrestricted and is meant for coordinators and administrators only).
type Query struct {
	Text string
	// Scope restricts hits to docs whose AgencyPath contains one of these
	// codes. nil = unrestricted; a non-nil empty slice matches nothing, so a
	// user with no agency sees nothing rather than everything.
	Scope []string
	// PublishedOnly is the public search: only Published docs, and only
	// Title, Body and Messages are searched and highlighted.
	PublishedOnly bool
	// IncludeStaffNotes makes StaffNotes searchable (and highlightable).
	// It is rejected together with PublishedOnly.
	IncludeStaffNotes bool
	// Filters: AND across fields, OR within a field.
	Agencies, Statuses, Channels, Categories, Provinces []string
	Overdue                                             *bool
	// CreatedFrom and CreatedTo bound CreatedAt, both inclusive; zero = open.
	CreatedFrom, CreatedTo time.Time
	// Sort is one of the Sort* constants; "" picks SortRelevance when Text
	// is set and SortCreatedDesc otherwise.
	Sort string
	// Offset and Limit page through hits; Limit 0 means DefaultLimit and
	// values above MaxLimit are clamped.
	Offset, Limit int
	// Facets names the facets to count, any of the Facet* constants.
	Facets []string
	// Highlight asks for Hit.Highlights.
	Highlight bool
}

// Sort orders accepted in Query.Sort.
const (
	SortRelevance   = "relevance"
	SortDueAsc      = "due_asc"
	SortCreatedDesc = "created_desc"
	SortCreatedAsc  = "created_asc"
)

// Facet names accepted in Query.Facets and used as keys of Result.Facets.
const (
	FacetAgency   = "agency"
	FacetStatus   = "status"
	FacetChannel  = "channel"
	FacetCategory = "category"
	FacetProvince = "province"
	FacetOverdue  = "overdue" // values "true" and "false"
)

// Highlightable field names used as keys of Hit.Highlights.
const (
	FieldTitle      = "title"
	FieldBody       = "body"
	FieldMessages   = "messages"
	FieldStaffNotes = "staff_notes"
)

// Paging limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// MaxWords bounds the number of words in Query.Text: every word becomes
	// a fuzzy clause, so an unbounded query is an easy denial of service.
	MaxWords = 32
	// MaxSimilar is the most hits Similar returns.
	MaxSimilar = 5
)

// ErrInvalidQuery is returned (wrapped) for a Query or SimilarQuery that
// names an unknown sort or facet, carries an empty filter value, or is
// otherwise malformed. Handlers map it to HTTP 400.
var ErrInvalidQuery = errors.New("search: invalid query")

// Hit is one matching ticket.
type Hit struct {
	ID    string
	Score float64
	// Highlights maps a field name (Field* constants) to fragments in which
	// matches are wrapped in <mark>…</mark> and everything else is
	// HTML-escaped, so fragments can be inserted into a page as they are.
	Highlights map[string][]string
	// Title and Body are the candidate's indexed title and body; Similar
	// fills them so that intake can confirm a candidate without reading
	// the ticket from the store (Search leaves them empty).
	Title, Body string
}

// Result is one page of hits. Total counts every match of the query
// (including Scope), not only this page.
type Result struct {
	Hits   []Hit
	Total  int
	Facets map[string]map[string]int // facet -> value -> count
}

// SimilarQuery asks for likely duplicates of a new submission.
type SimilarQuery struct {
	// Scope is applied exactly as Query.Scope.
	Scope []string
	// Agency restricts candidates to one owning agency; "" uses Doc.Agency.
	Agency string
	// Since drops candidates created before it; zero means no bound.
	Since time.Time
	// Limit is the most hits wanted, at most MaxSimilar; 0 means MaxSimilar.
	Limit int
	// ExcludeIDs are never returned (the doc's own ID is always excluded).
	ExcludeIDs []string
}

// Index is a ticket search backend.
type Index interface {
	// Index upserts docs.
	Index(ctx context.Context, docs ...Doc) error
	// Delete removes docs by ID; unknown IDs are ignored.
	Delete(ctx context.Context, ids ...string) error
	// Search runs q; invalid queries fail with ErrInvalidQuery.
	Search(ctx context.Context, q Query) (*Result, error)
	// Count returns the number of docs in the index.
	Count(ctx context.Context) (int, error)
	// Similar returns likely duplicates of d: same agency, similar wording
	// of title and body, recent.
	Similar(ctx context.Context, d Doc, q SimilarQuery) ([]Hit, error)
	// Close releases the index.
	Close() error
}

// Rebuilder is implemented by backends that can rebuild their index for
// `civicdesk reindex`: a fresh generation is filled from feed and then
// swapped in atomically, while searches keep being served by the old one.
type Rebuilder interface {
	// Rebuild fills a new generation. total is the expected number of docs
	// (for progress only, 0 if unknown); feed calls put with batches of docs;
	// progress, if not nil, receives a human-readable progress display.
	Rebuild(ctx context.Context, total int, feed func(ctx context.Context, put func(...Doc) error) error, progress io.Writer) error
}

var (
	validSorts  = []string{SortRelevance, SortDueAsc, SortCreatedDesc, SortCreatedAsc}
	validFacets = []string{FacetAgency, FacetStatus, FacetChannel, FacetCategory, FacetProvince, FacetOverdue}
)

// Normalize validates q and returns a copy with defaults applied: Sort
// resolved, Limit defaulted and clamped, Facets de-duplicated, filter values
// trimmed. Backends call it first so that every backend accepts and rejects
// exactly the same queries.
func (q Query) Normalize() (Query, error) {
	if q.Sort == "" {
		if strings.TrimSpace(q.Text) != "" {
			q.Sort = SortRelevance
		} else {
			q.Sort = SortCreatedDesc
		}
	}
	if !slices.Contains(validSorts, q.Sort) {
		return q, fmt.Errorf("%w: unknown sort %q", ErrInvalidQuery, q.Sort)
	}
	if q.Sort == SortRelevance && strings.TrimSpace(q.Text) == "" {
		// Without text every score is equal; newest first is what a
		// person expects from "relevance" on an empty box.
		q.Sort = SortCreatedDesc
	}
	var facets []string
	for _, f := range q.Facets {
		if !slices.Contains(validFacets, f) {
			return q, fmt.Errorf("%w: unknown facet %q", ErrInvalidQuery, f)
		}
		if !slices.Contains(facets, f) {
			facets = append(facets, f)
		}
	}
	q.Facets = facets
	if q.Offset < 0 || q.Limit < 0 {
		return q, fmt.Errorf("%w: negative offset or limit", ErrInvalidQuery)
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	if q.PublishedOnly && q.IncludeStaffNotes {
		return q, fmt.Errorf("%w: staff notes cannot be searched in public search", ErrInvalidQuery)
	}
	if !q.CreatedFrom.IsZero() && !q.CreatedTo.IsZero() && q.CreatedTo.Before(q.CreatedFrom) {
		return q, fmt.Errorf("%w: created range is reversed", ErrInvalidQuery)
	}
	var err error
	for _, f := range []struct {
		name string
		vals *[]string
	}{
		{"scope", &q.Scope}, {"agency", &q.Agencies}, {"status", &q.Statuses},
		{"channel", &q.Channels}, {"category", &q.Categories}, {"province", &q.Provinces},
	} {
		if *f.vals, err = cleanValues(f.name, *f.vals); err != nil {
			return q, err
		}
	}
	if n := len(Words(q.Text)); n > MaxWords {
		return q, fmt.Errorf("%w: %d words in query, at most %d", ErrInvalidQuery, n, MaxWords)
	}
	return q, nil
}

// cleanValues trims filter values and rejects empty ones: an empty value is
// always a caller bug, and silently dropping it could widen a filter. A nil
// slice stays nil and a non-nil one stays non-nil, which matters for Scope.
func cleanValues(name string, vals []string) ([]string, error) {
	if vals == nil {
		return nil, nil
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, fmt.Errorf("%w: empty %s value", ErrInvalidQuery, name)
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Normalize validates sq and applies its defaults (see Query.Normalize).
func (sq SimilarQuery) Normalize() (SimilarQuery, error) {
	if sq.Limit < 0 || sq.Limit > MaxSimilar {
		return sq, fmt.Errorf("%w: similar limit must be 0..%d", ErrInvalidQuery, MaxSimilar)
	}
	if sq.Limit == 0 {
		sq.Limit = MaxSimilar
	}
	var err error
	if sq.Scope, err = cleanValues("scope", sq.Scope); err != nil {
		return sq, err
	}
	sq.Agency = strings.TrimSpace(sq.Agency)
	return sq, nil
}

// MatchesNothing reports whether a scope lets nothing through: a non-nil
// empty scope. Backends short-circuit it instead of sending a query whose
// filter a bug could drop.
func MatchesNothing(scope []string) bool {
	return scope != nil && len(scope) == 0
}

// EmptyResult is the result of a query that matches nothing, with an empty
// count map for each requested facet so callers need not nil-check.
func EmptyResult(q Query) *Result {
	r := &Result{Facets: map[string]map[string]int{}}
	for _, f := range q.Facets {
		r.Facets[f] = map[string]int{}
	}
	return r
}

// Words splits text into query words: maximal runs of letters, digits and
// combining marks, in NFC. Punctuation, including the dashes of a tracking
// code, separates words, the same way the backends' tokenizers do.
func Words(text string) []string {
	text = norm.NFC.String(text)
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
}

// FuzzyMinLen is the folded length from which one typo is forgiven. Shorter
// Vietnamese syllables differ from each other by one letter all the time
// ("tra"/"tro"), so fuzzing them would match nonsense.
const FuzzyMinLen = 5

// Fuzzy reports whether a query word may match with one edit: its folded form
// has at least FuzzyMinLen letters and no digits. Words with digits are codes
// (tracking codes, phone digits, numbers) and must match exactly. The edit is
// never on the first letter, which Meilisearch also counts as two typos.
func Fuzzy(word string) bool {
	f := vnfold.Canonical(word)
	if utf8.RuneCountInString(f) < FuzzyMinLen {
		return false
	}
	for _, r := range f {
		if unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// ExactForm is the form of a word kept in the diacritic-preserving fields:
// NFC and lower case. It is what makes "bảo hiểm" rank a ticket written with
// diacritics above one written "bao hiem" (and the other way round).
func ExactForm(word string) string {
	return strings.ToLower(norm.NFC.String(word))
}

// stopWords are folded Vietnamese function words and salutations that say
// nothing about what a submission is about. They are left out of the terms
// used to find similar tickets, where they would make every polite letter
// look like every other. "chi" is deliberately absent: it is also "chi trả"
// (to pay), which matters in payment complaints.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		a ah ai ba bi boi cac cai can cang cho chu chua cua da dang
		day de den deu di do duoc em gi giup hay hoac hon khi khong kinh
		la lai lam len luc ma minh mot nao nay neu nhe nhieu nhu nhung o oi
		ong qua ra rang rat roi sao se thi thua toi tren tu va van vao ve vi
		voi vui xin cam on gui quy co nen nua trong
	`) {
		stopWords[vnfold.Canonical(w)] = true // "qui" and "quy" alike
	}
}

// IsStopWord reports whether the folded word is a Vietnamese function word.
func IsStopWord(folded string) bool { return stopWords[folded] }

// StopWords returns the folded stop words, sorted, for backends that need
// them as an index setting.
func StopWords() []string {
	out := make([]string, 0, len(stopWords))
	for w := range stopWords {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

// SignificantWords returns the distinct folded words of d's title and body
// that are not stop words and not single characters, in order of first
// appearance. Backends without a better notion of significance use them to
// look for duplicates.
func SignificantWords(d Doc) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range Words(d.Title + "\n" + d.Body) {
		f := vnfold.Canonical(w)
		if utf8.RuneCountInString(f) < 2 || stopWords[f] || seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, f)
	}
	return out
}

// ScopePath returns the agency codes a doc is found under by Scope: its
// AgencyPath plus its own Agency if the caller left it out. Adding the owner
// can only make a ticket visible to its own agency, never to another one.
func ScopePath(d Doc) []string {
	path := slices.Clone(d.AgencyPath)
	if d.Agency != "" && !slices.Contains(path, d.Agency) {
		path = append(path, d.Agency)
	}
	return path
}
