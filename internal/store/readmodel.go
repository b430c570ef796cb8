package store

// The agency inbox read model (issue 6, area IN).
//
// FerretDB v1 on SQLite, the embedded store, pushes only a bare {_id}
// filter down to an index: every other query scans the whole tickets
// collection and sorts in memory (2.3 s per inbox page at 10k tickets).
// The embedded store is single-process by construction — one process owns
// the SQLite file and serialises its writes (SerializeWrites) — so an
// in-process model of ticket summaries, fed by this package's own ticket
// writes, is complete and exact. It answers the inbox views and the SLA
// sweep's candidate selection from memory; only the rows actually shown
// are read from the store, by _id.
//
// Exactness rests on two rules:
//   - every write to the tickets collection goes through InsertTicket,
//     InsertTickets or UpdateTicketWith, which put the written document
//     into the model while they still hold the write lock, so the model
//     applies writes in the store's order;
//   - a summary carries the ticket's version and the model keeps the
//     higher one, so the start-up scan, which runs while writes go on, can
//     neither undo a newer write nor miss one (tickets are never deleted).
//
// MongoDB (production) runs several processes against one database; there
// the model is not enabled and the views are indexed queries (inbox.go).

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// summary is what the model keeps of a ticket: what the inbox shows, what
// its views and scoping filter on, and the SLA sweep's next check. About
// 300 bytes plus the title, so 100k tickets take some 40 MB.
type summary struct {
	id, code, title string
	agency          string
	path            []string
	status          desk.Status
	assignee        string
	channel         desk.Channel
	category        string
	province        string
	created, due    time.Time
	updated         time.Time // for the report rollups' refresh (TicketsChangedSince)
	review          string    // spam review state of a quarantined ticket (Quarantine)
	flag            bool      // the stored overdue flag (SLA breach)
	slaNext         time.Time
	hasNext         bool
	suspect         bool
	version         int64
}

func summarize(t *desk.Ticket) *summary {
	s := &summary{id: t.ID, code: t.TrackingCode, title: t.Title, agency: t.Agency, path: slices.Clone(t.AgencyPath),
		status: t.Status, assignee: t.Assignee, channel: t.Channel, category: t.Category, province: t.Citizen.Province,
		created: ms(t.CreatedAt), due: ms(t.DueAt), updated: ms(t.UpdatedAt), flag: t.OverdueFlag, suspect: slices.Contains(t.Tags, desk.TagSpamSuspect),
		version: t.Version}
	if t.SLANextAt != nil {
		s.slaNext, s.hasNext = ms(*t.SLANextAt), true
	}
	if t.Spam != nil {
		s.review = t.Spam.Review
	}
	return s
}

// modelQuarantine picks a page of quarantined tickets in review state
// review, oldest first (created, then id), and counts them all; ok is
// false when the model is not loaded.
func (s *Store) modelQuarantine(review string, limit, offset int) (ids []string, total int, ok bool) {
	if !s.useModel() {
		return nil, 0, false
	}
	m := s.model
	m.mu.RLock()
	var hits []*summary
	for _, sm := range m.byID {
		if sm.status == desk.StatusQuarantined && sm.review == review {
			hits = append(hits, sm)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(hits, func(a, b *summary) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	for _, sm := range hits[min(offset, len(hits)):min(offset+limit, len(hits))] {
		ids = append(ids, sm.id)
	}
	return ids, len(hits), true
}

// ms cuts t to the millisecond, as BSON stores it, so that a summary made
// from a document in memory compares exactly like the stored one.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// summaryProjection is what the start-up scan reads: the summary's fields
// only, never bodies, messages or events.
var summaryProjection = bson.D{
	{Key: "_id", Value: 1}, {Key: "tracking_code", Value: 1}, {Key: "title", Value: 1}, {Key: "agency", Value: 1},
	{Key: "agency_path", Value: 1}, {Key: "status", Value: 1}, {Key: "assignee", Value: 1}, {Key: "channel", Value: 1},
	{Key: "category", Value: 1}, {Key: "citizen.province", Value: 1}, {Key: "created_at", Value: 1}, {Key: "due_at", Value: 1},
	{Key: "overdue", Value: 1}, {Key: "sla_next_at", Value: 1}, {Key: "tags", Value: 1}, {Key: "version", Value: 1},
	{Key: "updated_at", Value: 1}, {Key: "spam.review", Value: 1},
}

// readModel holds every ticket's summary, by id and by each agency on its
// path, so that agency staff touch only their agency's tickets.
type readModel struct {
	mu       sync.RWMutex
	byID     map[string]*summary
	byAgency map[string]map[string]*summary
	// byCode maps tracking codes to ticket ids, so that a read by code
	// becomes a read by _id, the only read FerretDB v1 serves from an
	// index. A ticket's code never changes.
	byCode map[string]string

	ready    atomic.Bool
	starting atomic.Bool
	loadErr  atomic.Pointer[error]
}

func newReadModel() *readModel {
	return &readModel{byID: map[string]*summary{}, byAgency: map[string]map[string]*summary{}, byCode: map[string]string{}}
}

// put records t unless the model already holds a newer version of it.
func (m *readModel) put(t *desk.Ticket) {
	s := summarize(t)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(s)
}

func (m *readModel) putLocked(s *summary) {
	if old := m.byID[s.id]; old != nil {
		if old.version > s.version {
			return
		}
		for _, a := range old.path {
			delete(m.byAgency[a], s.id)
		}
	}
	m.byID[s.id] = s
	if s.code != "" {
		m.byCode[s.code] = s.id
	}
	for _, a := range s.path {
		b := m.byAgency[a]
		if b == nil {
			b = map[string]*summary{}
			m.byAgency[a] = b
		}
		b[s.id] = s
	}
}

// EnableReadModel turns on the in-process read model. Call it once, right
// after Open and only for a store no other process writes to (the
// embedded one, where SerializeWrites is on too); then StartReadModel
// loads it. Until it is loaded, queries go to the store as before.
func (s *Store) EnableReadModel() {
	if s.model == nil {
		s.model = newReadModel()
		s.subMemo = newSubMemo()
		s.callMemo = newCallMemo()
	}
}

// StartReadModel loads the read model in the background with one scan of
// the tickets collection (summary fields only) and calls done when it is
// ready or has failed; a failed load is retried every 5 s until ctx ends.
// Writes made meanwhile are applied as they happen; the version rule
// keeps whichever is newer. Calling it again does nothing. While loading,
// ReadModelReady reports it (the app's /readyz answers 503) and inbox
// queries use the store's scans, so answers are exact from the start,
// only slow.
func (s *Store) StartReadModel(ctx context.Context, done func(n int, took time.Duration, err error)) {
	m := s.model
	if m == nil || !m.starting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			t0 := time.Now()
			n, err := s.loadReadModel(ctx)
			if err == nil {
				_, err = s.loadSubMemo(ctx)
			}
			if err == nil {
				err = s.loadCallMemo(ctx)
			}
			if err == nil {
				m.ready.Store(true)
				m.loadErr.Store(nil)
			} else {
				m.loadErr.Store(&err)
			}
			if done != nil {
				done(n, time.Since(t0), err)
			}
			if err == nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Second):
			}
		}
	}()
}

func (s *Store) loadReadModel(ctx context.Context) (int, error) {
	cur, err := s.tickets.Find(ctx, bson.D{}, options.Find().SetProjection(summaryProjection).SetBatchSize(2000))
	if err != nil {
		return 0, fmt.Errorf("load inbox read model: %w", err)
	}
	defer cur.Close(ctx)
	n := 0
	batch := make([]*summary, 0, 2000)
	flush := func() {
		s.model.mu.Lock()
		for _, sm := range batch {
			s.model.putLocked(sm)
		}
		s.model.mu.Unlock()
		batch = batch[:0]
	}
	for cur.Next(ctx) {
		var t desk.Ticket
		if err := cur.Decode(&t); err != nil {
			return n, fmt.Errorf("load inbox read model: %w", err)
		}
		batch = append(batch, summarize(&t))
		n++
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	if err := cur.Err(); err != nil {
		return n, fmt.Errorf("load inbox read model: %w", err)
	}
	return n, nil
}

// ReadModelReady reports nil when the read model answers queries, or
// when the store has none (MongoDB: indexes serve the views); otherwise
// why not yet. The app's /readyz includes it.
func (s *Store) ReadModelReady() error {
	m := s.model
	if m == nil || m.ready.Load() {
		return nil
	}
	if p := m.loadErr.Load(); p != nil {
		return fmt.Errorf("inbox read model: load failed, retrying: %w", *p)
	}
	return fmt.Errorf("inbox read model: loading")
}

// useModel reports whether queries may be answered from the model.
func (s *Store) useModel() bool { return s.model != nil && s.model.ready.Load() }

// ticketsWritten is called by the three ticket write paths, while they
// still hold the write lock, with the documents as written.
func (s *Store) ticketsWritten(ts ...*desk.Ticket) {
	if s.model == nil {
		return
	}
	ss := make([]*summary, len(ts))
	for i, t := range ts {
		ss[i] = summarize(t)
	}
	s.model.mu.Lock()
	for _, sm := range ss {
		s.model.putLocked(sm)
	}
	s.model.mu.Unlock()
}

// insertedOf returns the tickets of an unordered InsertMany that were
// stored: all but those its write errors name.
func insertedOf(ts []*desk.Ticket, err error) []*desk.Ticket {
	if err == nil {
		return ts
	}
	var bwe mongo.BulkWriteException
	if !asBulk(err, &bwe) {
		return nil // unknown outcome: the next load or write corrects it
	}
	failed := map[int]bool{}
	for _, we := range bwe.WriteErrors {
		failed[we.Index] = true
	}
	out := make([]*desk.Ticket, 0, len(ts))
	for i, t := range ts {
		if !failed[i] {
			out = append(out, t)
		}
	}
	return out
}

// modelQuery answers an inbox query from the model: the rows of the page,
// the total, and the count of every view when asked.
func (s *Store) modelQuery(actor *desk.User, q InboxQuery) ([]InboxRow, int, map[string]int) {
	m := s.model
	scope := desk.Scope(actor)
	if scope != nil && len(scope) == 0 {
		return nil, 0, emptyCounts(q)
	}
	classify := q.classifier(actor)
	want := viewBit(q.View)
	var counts map[string]int
	var perView [8]int
	m.mu.RLock()
	defer m.mu.RUnlock()
	// The page is the first offset+limit hits in inbox order: kept in a
	// bounded max-heap rather than sorting every hit (a coordinator's
	// default view holds every open ticket).
	k := q.Offset + q.Limit
	top := make(inboxHeap, 0, min(k, 1024))
	total := 0
	visit := func(sm *summary) {
		if scope != nil && sm.status == desk.StatusQuarantined {
			return // agency staff never see what the spam check holds
		}
		if q.Agency != "" && !slices.Contains(sm.path, q.Agency) {
			return
		}
		vm := classify(sm)
		if vm == 0 {
			return
		}
		if q.Counts {
			for i := range InboxViews {
				if vm&(1<<i) != 0 {
					perView[i]++
				}
			}
		}
		if vm&want == 0 {
			return
		}
		total++
		top.offer(sm, k)
	}
	switch {
	case scope == nil:
		for _, sm := range m.byID {
			visit(sm)
		}
	case len(scope) == 1:
		for _, sm := range m.byAgency[scope[0]] {
			visit(sm)
		}
	default:
		seen := map[string]bool{}
		for _, a := range scope {
			for id, sm := range m.byAgency[a] {
				if !seen[id] {
					seen[id] = true
					visit(sm)
				}
			}
		}
	}
	if q.Counts {
		counts = make(map[string]int, len(InboxViews))
		for i, v := range InboxViews {
			counts[v] = perView[i]
		}
	}
	hits := []*summary(top)
	slices.SortFunc(hits, compareInbox)
	var rows []InboxRow
	if q.Offset < len(hits) {
		rows = make([]InboxRow, 0, len(hits)-q.Offset)
		for _, sm := range hits[q.Offset:] {
			rows = append(rows, sm.row(q.Now))
		}
	}
	return rows, total, counts
}

// compareInbox is the inbox order: flagged overdue first, then by due
// date, then by id so that pages never overlap.
func compareInbox(a, b *summary) int {
	if a.flag != b.flag {
		if a.flag {
			return -1
		}
		return 1
	}
	if c := a.due.Compare(b.due); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

func (sm *summary) row(now time.Time) InboxRow {
	return InboxRow{ID: sm.id, TrackingCode: sm.code, Title: sm.title, Agency: sm.agency, Status: sm.status,
		Assignee: sm.assignee, Channel: sm.channel, Category: sm.category, Province: sm.province,
		CreatedAt: sm.created, DueAt: sm.due, Suspect: sm.suspect,
		Overdue: slices.Contains(desk.OpenStatuses, sm.status) && overdueAt(sm.flag, sm.due, now)}
}

// modelSLADue picks, from the model, up to limit open tickets whose SLA
// check is due by now, earliest first — what SLADue's query selects.
func (s *Store) modelSLADue(now time.Time, limit int) []string {
	m := s.model
	m.mu.RLock()
	var hits []*summary
	for _, sm := range m.byID {
		if sm.hasNext && !sm.slaNext.After(now) && slices.Contains(desk.OpenStatuses, sm.status) {
			hits = append(hits, sm)
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(hits, func(a, b *summary) int {
		if c := a.slaNext.Compare(b.slaNext); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]string, len(hits))
	for i, sm := range hits {
		ids[i] = sm.id
	}
	return ids
}

// inboxHeap holds the k first summaries in inbox order seen so far, as a
// max-heap: its root is the last of them.
type inboxHeap []*summary

func (h *inboxHeap) offer(sm *summary, k int) {
	if k <= 0 {
		return
	}
	s := *h
	if len(s) < k {
		s = append(s, sm)
		for i := len(s) - 1; i > 0; { // sift up
			p := (i - 1) / 2
			if compareInbox(s[i], s[p]) <= 0 {
				break
			}
			s[i], s[p] = s[p], s[i]
			i = p
		}
		*h = s
		return
	}
	if compareInbox(sm, s[0]) >= 0 {
		return
	}
	s[0] = sm
	for i := 0; ; { // sift down
		l, r, big := 2*i+1, 2*i+2, i
		if l < len(s) && compareInbox(s[l], s[big]) > 0 {
			big = l
		}
		if r < len(s) && compareInbox(s[r], s[big]) > 0 {
			big = r
		}
		if big == i {
			break
		}
		s[i], s[big] = s[big], s[i]
		i = big
	}
}

// idByCode returns the id of the ticket with that tracking code; known is
// false when the model is not loaded and cannot tell. A loaded model
// holds every ticket, so an id of "" means there is no such ticket: an
// unknown or mistyped code, or a ticket not created yet, costs no scan
// (each one used to scan the tickets collection: 0.6 s at 10k tickets, on
// a public page).
func (s *Store) idByCode(code string) (id string, known bool) {
	if !s.useModel() {
		return "", false
	}
	s.model.mu.RLock()
	defer s.model.mu.RUnlock()
	return s.model.byCode[code], true
}
