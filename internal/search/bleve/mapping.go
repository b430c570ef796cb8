package bleve

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // registers the "custom" analyzer type used below
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	_ "github.com/blevesearch/bleve/v2/analysis/token/shingle"
	_ "github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	_ "github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// IndexName is the versioned name of the index directory. Any change to the
// mapping or analyzers below must bump it: an index built with another
// schema is then simply not found, a new one is created, and `civicdesk
// reindex` fills it, instead of queries silently running against terms
// analysed the old way.
//
// The folding version (vnfold.Version) is part of the name, so that a change
// to vnfold.Canonical also leads to a fresh index; the server refills a
// fresh index at start (Index.Created). A test holds the two together.
const IndexName = "tickets-v1-fold2"

// Analysis component names. The NFC filter is ours and is registered with
// bleve's global registry in init, because a stored index refers to its
// char filters by name when it is reopened.
const (
	nfcCharFilter  = "civicdesk_nfc"
	foldFilter     = "civicdesk_vn_canonical"
	foldedAnalyzer = "civicdesk_vn_folded"
	exactAnalyzer  = "civicdesk_vn_exact"
	bigramAnalyzer = "civicdesk_vn_bigram"
	stopTokenMap   = "civicdesk_vn_stop"
	stopFilter     = "civicdesk_vn_stop_filter"
	bigramFilter   = "civicdesk_vn_bigram_filter"
)

// Field names in the bleve documents.
const (
	fTitle        = search.FieldTitle
	fBody         = search.FieldBody
	fMessages     = search.FieldMessages
	fStaffNotes   = search.FieldStaffNotes
	fTitleExact   = "title_exact"
	fBodyExact    = "body_exact"
	fContent      = "content" // body and messages, folded: one field to match instead of two
	fSimilar      = "similar"
	fTracking     = "tracking_code"
	fTrackingFull = "tracking_full" // the whole code, upper case, as one term
	fPhone        = "phone_last4"
	fAgency       = "agency"
	fAgencyPath   = "agency_path"
	fStatus       = "status"
	fChannel      = "channel"
	fCategory     = "category"
	fProvince     = "province"
	fPriority     = "priority"
	fOverdue      = "overdue"
	fPublished    = "published"
	fCreatedAt    = "created_at"
	fDueAt        = "due_at"
	fAnsweredAt   = "answered_at"
	fCreatedSort  = "created_sort"
	fDueSort      = "due_sort"
	docTypeName   = "ticket"
	boolTrueTerm  = "T" // how bleve indexes a true boolean field value
)

// nfcFilter composes text to NFC before tokenizing, so that the combining
// marks of NFD text (as typed on some phones and macOS) stay inside their
// word and the exact fields of "Đà Nẵng" typed in NFD match NFC queries.
type nfcFilter struct{}

// Filter implements analysis.CharFilter.
func (nfcFilter) Filter(in []byte) []byte { return norm.NFC.Bytes(in) }

// canonicalFilter folds each token with vnfold.Canonical, the fold used by
// queries, the highlighter and routing, so that "kĩ thuật" and "kỹ thuật"
// index to the same terms. Folding per token (rather than bleve's
// asciifolding char filter) is what lets the i/y spelling rule see whole
// syllables.
type canonicalFilter struct{}

// Filter implements analysis.TokenFilter.
func (canonicalFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = []byte(vnfold.Canonical(string(t.Term)))
	}
	return in
}

func init() {
	err := registry.RegisterCharFilter(nfcCharFilter,
		func(map[string]interface{}, *registry.Cache) (analysis.CharFilter, error) { return nfcFilter{}, nil })
	if err != nil {
		panic(err)
	}
	err = registry.RegisterTokenFilter(foldFilter,
		func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
			return canonicalFilter{}, nil
		})
	if err != nil {
		panic(err)
	}
}

// newMapping returns the index mapping. Only declared fields are indexed
// (no dynamic mapping, no _all field): every field is there for a reason
// and unused ones would cost disk and indexing time at 100k+ tickets.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultAnalyzer = foldedAnalyzer
	im.DefaultType = docTypeName

	if err := im.AddCustomAnalyzer(foldedAnalyzer, map[string]interface{}{
		"type":          "custom",
		"char_filters":  []interface{}{nfcCharFilter},
		"tokenizer":     unicode.Name,
		"token_filters": []interface{}{foldFilter},
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(exactAnalyzer, map[string]interface{}{
		"type":          "custom",
		"char_filters":  []interface{}{nfcCharFilter},
		"tokenizer":     unicode.Name,
		"token_filters": []interface{}{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	stops := make([]interface{}, 0)
	for _, w := range search.StopWords() {
		stops = append(stops, w)
	}
	if err := im.AddCustomTokenMap(stopTokenMap, map[string]interface{}{"type": "custom", "tokens": stops}); err != nil {
		return nil, err
	}
	if err := im.AddCustomTokenFilter(stopFilter, map[string]interface{}{"type": "stop_tokens", "stop_token_map": stopTokenMap}); err != nil {
		return nil, err
	}
	// Vietnamese words are mostly two syllables ("trợ cấp", "thất nghiệp"),
	// and single syllables are shared by unrelated words, so duplicates are
	// found on syllable pairs.
	if err := im.AddCustomTokenFilter(bigramFilter, map[string]interface{}{
		"type": "shingle", "min": 2.0, "max": 2.0, "output_original": false, "separator": " ",
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(bigramAnalyzer, map[string]interface{}{
		"type":          "custom",
		"char_filters":  []interface{}{nfcCharFilter},
		"tokenizer":     unicode.Name,
		"token_filters": []interface{}{foldFilter, stopFilter, bigramFilter},
	}); err != nil {
		return nil, err
	}

	text := func(analyzer string, store bool) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store = store // stored only where highlighting needs the text back
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}
	// Body and messages are matched through "content" and kept only for
	// highlighting, which needs them apart. (Title is indexed on its own
	// too, for the title boost.)
	storedOnly := func() *mapping.FieldMapping {
		fm := text(foldedAnalyzer, true)
		fm.Index = false
		return fm
	}
	keyword := func() *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		fm.DocValues = true // facets read doc values
		fm.SkipFreqNorm = true
		return fm
	}
	// Fields only ever looked up by term need no doc values (those serve
	// facets and sorting).
	lookupOnly := func(fm *mapping.FieldMapping) *mapping.FieldMapping {
		fm.DocValues = false
		return fm
	}
	boolean := func() *mapping.FieldMapping {
		fm := mapping.NewBooleanFieldMapping()
		fm.Store = false
		fm.IncludeInAll = false
		fm.DocValues = true
		return fm
	}
	// Dates are indexed as datetime for range filters, without doc values:
	// a datetime doc value holds a term per precision step (16 per date),
	// and decoding them for every candidate dominated sorted queries. Sorts
	// use the single-term *_sort keyword fields instead.
	date := func() *mapping.FieldMapping {
		fm := mapping.NewDateTimeFieldMapping()
		fm.Store = false
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}

	dm := mapping.NewDocumentStaticMapping()
	for name, fm := range map[string]*mapping.FieldMapping{
		fTitle: text(foldedAnalyzer, true), fContent: text(foldedAnalyzer, false),
		fBody: storedOnly(), fMessages: storedOnly(), fStaffNotes: text(foldedAnalyzer, true),
		fTitleExact: text(exactAnalyzer, false), fBodyExact: text(exactAnalyzer, false),
		fSimilar: text(bigramAnalyzer, false), fTracking: text(foldedAnalyzer, false),
		fTrackingFull: lookupOnly(keyword()),
		fPhone:        keyword(), fAgency: keyword(), fAgencyPath: keyword(), fStatus: keyword(),
		fChannel: keyword(), fCategory: keyword(), fProvince: keyword(), fPriority: keyword(),
		fOverdue: boolean(), fPublished: boolean(),
		fCreatedAt: date(), fDueAt: date(), fAnsweredAt: date(),
		fCreatedSort: keyword(), fDueSort: keyword(),
	} {
		fm.Name = name
		dm.AddFieldMappingsAt(name, fm)
	}
	im.DefaultMapping = dm
	return im, im.Validate()
}

// toDoc converts a ticket to the map bleve indexes. Empty values and zero
// times are left out so that "missing" sorts last and is not a facet value.
func toDoc(d search.Doc) map[string]interface{} {
	m := map[string]interface{}{
		fOverdue:   d.Overdue,
		fPublished: d.Published,
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	setList := func(k string, v []string) {
		if len(v) > 0 {
			m[k] = v
		}
	}
	setTime := func(k string, t time.Time) {
		if !t.IsZero() {
			m[k] = t.UTC()
		}
	}
	set(fTitle, d.Title)
	set(fBody, d.Body)
	set(fTitleExact, d.Title)
	set(fBodyExact, d.Body)
	set(fSimilar, d.Title+"\n"+d.Body)
	setList(fMessages, d.Messages)
	if content := append([]string{d.Title, d.Body}, d.Messages...); d.Title != "" || d.Body != "" || len(d.Messages) > 0 {
		m[fContent] = content
	}
	setList(fStaffNotes, d.StaffNotes)
	set(fTracking, d.TrackingCode)
	set(fTrackingFull, strings.ToUpper(d.TrackingCode))
	set(fPhone, d.PhoneLast4)
	set(fAgency, d.Agency)
	setList(fAgencyPath, search.ScopePath(d))
	set(fStatus, d.Status)
	set(fChannel, d.Channel)
	set(fCategory, d.Category)
	set(fProvince, d.Province)
	set(fPriority, d.Priority)
	setTime(fCreatedAt, d.CreatedAt)
	setTime(fDueAt, d.DueAt)
	setTime(fAnsweredAt, d.AnsweredAt)
	// Sorting reads one short doc value per candidate: doc values are
	// stored in snappy-compressed chunks of 1024 docs, and decoding them was
	// most of the cost of a sorted query. So each order has a single key
	// with its tie-breaker built in, in a compact fixed-width form.
	if !d.CreatedAt.IsZero() {
		m[fCreatedSort] = sortKey(d.CreatedAt)
	}
	// Due first; no due date sorts after every date; then newest first.
	due := noDueKey
	if !d.DueAt.IsZero() {
		due = sortKey(d.DueAt)
	}
	m[fDueSort] = due + invSortKey(d.CreatedAt)
	return m
}

// sortKey renders t so that string order is time order: Unix seconds from
// year 1, in base 36, zero-padded to sortKeyLen characters (36^8 seconds
// is some 89,000 years).
func sortKey(t time.Time) string {
	return pad36(uint64(t.Unix() + unixToYear0))
}

// invSortKey is sortKey in reverse order: later times sort first.
func invSortKey(t time.Time) string {
	return pad36(maxSortKey - uint64(t.Unix()+unixToYear0))
}

func pad36(v uint64) string {
	s := strconv.FormatUint(v, 36)
	return strings.Repeat("0", max(0, sortKeyLen-len(s))) + s
}

const (
	sortKeyLen = 8
	maxSortKey = 36*36*36*36*36*36*36*36 - 1 // "zzzzzzzz"
)

// noDueKey sorts after every real due date.
var noDueKey = pad36(maxSortKey)

// unixToYear0 is the number of seconds from 0001-01-01 to the Unix epoch.
const unixToYear0 = 62135596800
