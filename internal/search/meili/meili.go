// Package meili is the Meilisearch ticket search backend, used when a
// Meilisearch server is configured. It talks to the server through
// meilisearch-go and applies the index settings in code at start-up, so the
// schema lives in this repository and not in someone's dashboard clicks.
package meili

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// IndexUID is the versioned index uid. A change to Settings or to the
// document shape bumps it, so a new index is built by reindex instead of
// old documents being searched with new settings.
//
// v2: the "spellings" attribute (vnfold.Canonical, folding version 2).
const IndexUID = "tickets_v2"

// primaryKey is the document field holding the ticket ID.
const primaryKey = "id"

// Options configure an Index.
type Options struct {
	// URL of the Meilisearch server, e.g. "http://127.0.0.1:7700".
	URL string
	// APIKey is sent as a bearer token when set.
	APIKey string
	// IndexUID overrides IndexUID; tests use it to get an isolated index.
	IndexUID string
	// NoWait makes Index and Delete return once Meilisearch has enqueued
	// the task instead of when it is applied. Callers that search right
	// after writing (most do) need the default, read-your-writes.
	NoWait bool
	// PollInterval is how often task status is polled while waiting;
	// 0 means 50ms.
	PollInterval time.Duration
	// HTTPClient replaces the default HTTP client.
	HTTPClient *http.Client
	// SimilarThreshold is the ranking score (0..1) a candidate needs to be
	// reported by Similar; 0 means DefaultSimilarThreshold.
	SimilarThreshold float64
}

// DefaultSimilarThreshold drops candidates that share only a word or two
// with the submission. Meilisearch scores 1.0 for a doc matching every
// query word in order; 0.5 needs a good share of the significant words.
const DefaultSimilarThreshold = 0.5

// Index is the Meilisearch implementation of search.Index and
// search.Rebuilder. It is safe for concurrent use.
type Index struct {
	client  meilisearch.ServiceManager
	uid     string
	created bool // Open created the index (Created)
	opts    Options

	// mu is held for reading by writes and for writing by the swap step of
	// Rebuild, so that the rebuild journal is complete when it is replayed.
	mu        sync.RWMutex
	rebuildMu sync.Mutex
	journalMu sync.Mutex
	journal   map[string]*search.Doc // see bleve.Index.journal
}

var (
	_ search.Index     = (*Index)(nil)
	_ search.Rebuilder = (*Index)(nil)
)

// Open connects to Meilisearch, creates the index if it does not exist and
// applies Settings, waiting until they are in effect.
func Open(ctx context.Context, opts Options) (*Index, error) {
	if opts.URL == "" {
		return nil, errors.New("search/meili: no URL")
	}
	if opts.IndexUID == "" {
		opts.IndexUID = IndexUID
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 50 * time.Millisecond
	}
	if opts.SimilarThreshold <= 0 {
		opts.SimilarThreshold = DefaultSimilarThreshold
	}
	var copts []meilisearch.Option
	if opts.APIKey != "" {
		copts = append(copts, meilisearch.WithAPIKey(opts.APIKey))
	}
	if opts.HTTPClient != nil {
		copts = append(copts, meilisearch.WithCustomClient(opts.HTTPClient))
	}
	x := &Index{client: meilisearch.New(opts.URL, copts...), uid: opts.IndexUID, opts: opts}
	created, err := x.prepare(ctx, x.uid)
	if err != nil {
		return nil, err
	}
	x.created = created
	return x, nil
}

// Created reports whether Open created the index instead of finding it
// (first start, or a new IndexUID after a schema change). The server then
// refills it from the store at start.
func (x *Index) Created() bool { return x.created }

// prepare creates index uid if missing and applies Settings to it. It
// reports whether it created the index.
func (x *Index) prepare(ctx context.Context, uid string) (created bool, err error) {
	if _, err := x.client.GetIndex(ctx, uid); err != nil {
		if !isNotFound(err) {
			return false, fmt.Errorf("search/meili: get index %s: %w", uid, err)
		}
		task, err := x.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: primaryKey})
		if err != nil {
			return false, fmt.Errorf("search/meili: create index %s: %w", uid, err)
		}
		if err := x.wait(ctx, task); err != nil {
			return false, fmt.Errorf("search/meili: create index %s: %w", uid, err)
		}
		created = true
	}
	task, err := x.client.Index(uid).UpdateSettings(ctx, Settings())
	if err != nil {
		return created, fmt.Errorf("search/meili: settings of %s: %w", uid, err)
	}
	if err := x.wait(ctx, task); err != nil {
		return created, fmt.Errorf("search/meili: settings of %s: %w", uid, err)
	}
	return created, nil
}

func isNotFound(err error) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.StatusCode == http.StatusNotFound
}

// wait blocks until task has been processed and reports its failure.
func (x *Index) wait(ctx context.Context, task *meilisearch.TaskInfo) error {
	t, err := x.client.WaitForTask(ctx, task.TaskUID, x.opts.PollInterval)
	if err != nil {
		return err
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("task %d %s: %s (%s)", t.UID, t.Status, t.Error.Message, t.Error.Code)
	}
	return nil
}

// Settings returns the index settings applied at start-up. They are the
// schema of the index: every attribute a query filters, sorts or facets on
// must be declared here, and the contract test holds them to the exact
// JSON Meilisearch documents.
func Settings() *meilisearch.Settings {
	return &meilisearch.Settings{
		// Order matters for the "attribute" ranking rule: a tracking code is
		// an identification, a title says more than a body, a body more
		// than the conversation.
		SearchableAttributes: []string{aTracking, aTitle, aBody, aMessages, aStaffNotes, aPhone, aSpellings},
		FilterableAttributes: []string{aID, aAgency, aAgencyPath, aStatus, aChannel, aCategory, aProvince, aOverdue, aPublished, aCreatedAt},
		SortableAttributes:   []string{aCreatedAt, aDueAt, aID},
		// "sort" first: when staff pick an order (due date), they expect it
		// strictly, not only among equally relevant hits. Without a sort
		// parameter the rule does nothing and relevance decides.
		RankingRules: []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: search.FuzzyMinLen, TwoTypos: 9},
			DisableOnWords:      []string{},
			// A tracking code or phone digits one character off is
			// another citizen's ticket, not a typo.
			DisableOnAttributes: []string{aTracking, aPhone},
			DisableOnNumbers:    true,
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: 1000, // all agencies and provinces, not the default top 100
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		// Exact totals for filtered staff lists up to this many hits.
		Pagination:          &meilisearch.Pagination{MaxTotalHits: 10000},
		DisplayedAttributes: []string{aID, aTitle, aBody, aMessages, aStaffNotes},
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{{Locales: []string{"vie"}, AttributePatterns: []string{"*"}}},
	}
}

// Attribute names of the Meilisearch documents.
const (
	aID         = "id"
	aTracking   = "tracking_code"
	aTitle      = search.FieldTitle
	aBody       = search.FieldBody
	aMessages   = search.FieldMessages
	aStaffNotes = search.FieldStaffNotes
	aPhone      = "phone_last4"
	aSpellings  = "spellings"
	aAgency     = "agency"
	aAgencyPath = "agency_path"
	aStatus     = "status"
	aChannel    = "channel"
	aCategory   = "category"
	aProvince   = "province"
	aPriority   = "priority"
	aOverdue    = "overdue"
	aPublished  = "published"
	aCreatedAt  = "created_at"
	aDueAt      = "due_at"
	aAnsweredAt = "answered_at"
)

// document is a ticket as stored in Meilisearch. Times are Unix seconds,
// the form Meilisearch can filter and sort numerically; a zero time is left
// out so that it sorts after every real date.
type document struct {
	ID           string   `json:"id"`
	TrackingCode string   `json:"tracking_code,omitempty"`
	Title        string   `json:"title,omitempty"`
	Body         string   `json:"body,omitempty"`
	Messages     []string `json:"messages,omitempty"`
	StaffNotes   []string `json:"staff_notes,omitempty"`
	Category     string   `json:"category,omitempty"`
	Agency       string   `json:"agency,omitempty"`
	AgencyPath   []string `json:"agency_path"`
	Province     string   `json:"province,omitempty"`
	Channel      string   `json:"channel,omitempty"`
	Status       string   `json:"status,omitempty"`
	Priority     string   `json:"priority,omitempty"`
	Overdue      bool     `json:"overdue"`
	Published    bool     `json:"published"`
	CreatedAt    *int64   `json:"created_at,omitempty"`
	DueAt        *int64   `json:"due_at,omitempty"`
	AnsweredAt   *int64   `json:"answered_at,omitempty"`
	PhoneLast4   string   `json:"phone_last4,omitempty"`
	// Spellings holds, for the words of title, body and messages whose
	// official spelling varies (kỹ/kĩ, quy/qui: vnfold.Canonical), the
	// canonical form. Meilisearch folds diacritics itself but knows nothing
	// of i/y, so queries send those words in canonical form (queryText)
	// and find them here. Staff notes are left out: they are searched only
	// when asked for, and this attribute is searched always.
	Spellings string `json:"spellings,omitempty"`
}

// spellings returns the canonical forms of the words of texts whose
// canonical form differs from the plain fold, space-separated, each once.
func spellings(texts ...string) string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, w := range search.Words(t) {
			if c := vnfold.Canonical(w); c != vnfold.Fold(w) && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return strings.Join(out, " ")
}

// validID is what Meilisearch accepts as a document id.
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,511}$`)

func unix(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

func toDocument(d search.Doc) (document, error) {
	if !validID.MatchString(d.ID) {
		return document{}, fmt.Errorf("search/meili: invalid document id %q", d.ID)
	}
	path := search.ScopePath(d)
	if path == nil {
		path = []string{} // an empty array, never null: filters treat both as "no value"
	}
	return document{
		ID: d.ID, TrackingCode: d.TrackingCode, Title: d.Title, Body: d.Body,
		Messages: d.Messages, StaffNotes: d.StaffNotes, Category: d.Category,
		Agency: d.Agency, AgencyPath: path, Province: d.Province, Channel: d.Channel,
		Status: d.Status, Priority: d.Priority, Overdue: d.Overdue, Published: d.Published,
		CreatedAt: unix(d.CreatedAt), DueAt: unix(d.DueAt), AnsweredAt: unix(d.AnsweredAt),
		PhoneLast4: d.PhoneLast4,
		Spellings:  spellings(append([]string{d.Title, d.Body}, d.Messages...)...),
	}, nil
}

// batchSize bounds documents per request, keeping payloads well under
// Meilisearch's default 100 MB limit.
const batchSize = 1000

// Index implements search.Index.
func (x *Index) Index(ctx context.Context, docs ...search.Doc) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if err := x.addDocuments(ctx, x.uid, docs, !x.opts.NoWait); err != nil {
		return err
	}
	x.record(docs, nil)
	return nil
}

// addDocuments upserts docs into index uid in batches, waiting for the
// tasks if wait is set.
func (x *Index) addDocuments(ctx context.Context, uid string, docs []search.Doc, wait bool) error {
	pk := primaryKey
	var tasks []*meilisearch.TaskInfo
	for len(docs) > 0 {
		n := min(batchSize, len(docs))
		batch := make([]document, 0, n)
		for _, d := range docs[:n] {
			md, err := toDocument(d)
			if err != nil {
				return err
			}
			batch = append(batch, md)
		}
		task, err := x.client.Index(uid).AddDocuments(ctx, batch, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("search/meili: add documents: %w", err)
		}
		tasks = append(tasks, task)
		docs = docs[n:]
	}
	if wait {
		for _, t := range tasks {
			if err := x.wait(ctx, t); err != nil {
				return fmt.Errorf("search/meili: add documents: %w", err)
			}
		}
	}
	return nil
}

// Delete implements search.Index.
func (x *Index) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if err := x.deleteDocuments(ctx, x.uid, ids, !x.opts.NoWait); err != nil {
		return err
	}
	x.record(nil, ids)
	return nil
}

func (x *Index) deleteDocuments(ctx context.Context, uid string, ids []string, wait bool) error {
	task, err := x.client.Index(uid).DeleteDocuments(ctx, ids, nil)
	if err != nil {
		return fmt.Errorf("search/meili: delete documents: %w", err)
	}
	if wait {
		if err := x.wait(ctx, task); err != nil {
			return fmt.Errorf("search/meili: delete documents: %w", err)
		}
	}
	return nil
}

// record adds writes to the rebuild journal if a rebuild is running.
func (x *Index) record(docs []search.Doc, deleted []string) {
	x.journalMu.Lock()
	defer x.journalMu.Unlock()
	search.Journal(x.journal).Record(docs, deleted)
}

// Count implements search.Index.
func (x *Index) Count(ctx context.Context) (int, error) {
	st, err := x.client.Index(x.uid).GetStats(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("search/meili: stats: %w", err)
	}
	return int(st.NumberOfDocuments), nil
}

// Close implements search.Index. The HTTP client holds nothing to release.
func (x *Index) Close() error { return nil }
