package store

// The in-process read side (memoryReads) and its ticket views: the agency
// inbox read model.
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
//     InsertTickets or UpdateTicketWith, which feed the written document
//     to the model (viewFeed) while they still hold the write lock, so the
//     model applies writes in the store's order;
//   - a summary carries the ticket's version and the model keeps the
//     higher one, so the start-up scan, which runs while writes go on, can
//     neither undo a newer write nor miss one (tickets are never deleted).
//
// MongoDB (production) runs several processes against one database; there
// the app uses the index-backed read side instead (reads.go), and nothing
// here exists.

import (
	"cmp"
	"context"
	"errors"
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

// quarantinePage picks a page of quarantined tickets in review state
// review, oldest first (created, then id), and counts them all.
func (m *readModel) quarantinePage(review string, limit, offset int) (ids []string, total int) {
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
	return ids, len(hits)
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

// memoryReads is the in-process read side: views of tickets (the read
// model above), submissions (submemo.go) and calls (callmemo.go) held in
// memory and fed by the store's own write paths (viewFeed). Only for a
// store no other process writes to: the embedded one, where
// SerializeWrites is on too. Until a view is loaded, and whenever it
// cannot vouch for an answer, the query goes to index, the index-backed
// side: exact, only slow on FerretDB.
type memoryReads struct {
	s       *Store
	index   ReadSide
	tickets *readModel
	subs    *subMemo
	calls   *callMemo
}

var (
	_ ReadSide = (*memoryReads)(nil)
	_ viewFeed = (*memoryReads)(nil)
)

// NewMemoryReads returns the in-process read side of s, for the embedded
// store. Hand it to s.UseReads at once, so that no write goes unseen;
// Start loads it.
func NewMemoryReads(s *Store) ReadSide {
	return &memoryReads{s: s, index: NewIndexReads(s), tickets: newReadModel(), subs: newSubMemo(), calls: newCallMemo()}
}

// Start loads the views in the background with one scan of each
// collection (summary fields only) and calls done when they are ready or
// a try has failed; a failed load is retried every 5 s until ctx ends.
// Writes made meanwhile are applied as they happen; the version rule
// keeps whichever is newer. Calling it again does nothing. While loading,
// Ready reports it (the app's /readyz answers 503) and queries go to the
// index-backed side, so answers are exact from the start, only slow.
func (r *memoryReads) Start(ctx context.Context, done func(n int, took time.Duration, err error)) {
	m := r.tickets
	if !m.starting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		for {
			t0 := time.Now()
			n, err := r.loadTickets(ctx)
			if err == nil {
				_, err = r.loadSubMemo(ctx)
			}
			if err == nil {
				err = r.loadCallMemo(ctx)
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

func (r *memoryReads) loadTickets(ctx context.Context) (int, error) {
	m := r.tickets
	cur, err := r.s.tickets.Find(ctx, bson.D{}, options.Find().SetProjection(summaryProjection).SetBatchSize(2000))
	if err != nil {
		return 0, fmt.Errorf("load inbox read model: %w", err)
	}
	defer cur.Close(ctx)
	n := 0
	batch := make([]*summary, 0, 2000)
	flush := func() {
		m.mu.Lock()
		for _, sm := range batch {
			m.putLocked(sm)
		}
		m.mu.Unlock()
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

// Ready reports nil when the views answer queries; otherwise why not yet.
func (r *memoryReads) Ready() error {
	m := r.tickets
	if m.ready.Load() {
		return nil
	}
	if p := m.loadErr.Load(); p != nil {
		return fmt.Errorf("inbox read model: load failed, retrying: %w", *p)
	}
	return fmt.Errorf("inbox read model: loading")
}

// ticketsWritten is called by the three ticket write paths, while they
// still hold the write lock, with the documents as written.
func (r *memoryReads) ticketsWritten(ts ...*desk.Ticket) {
	ss := make([]*summary, len(ts))
	for i, t := range ts {
		ss[i] = summarize(t)
	}
	m := r.tickets
	m.mu.Lock()
	for _, sm := range ss {
		m.putLocked(sm)
	}
	m.mu.Unlock()
}

// Inbox answers from the read model once it is loaded.
func (r *memoryReads) Inbox(ctx context.Context, actor *desk.User, q InboxQuery) (*InboxPage, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	if !r.tickets.ready.Load() {
		return r.index.Inbox(ctx, actor, q)
	}
	rows, total, counts := r.tickets.query(actor, q)
	return &InboxPage{Rows: rows, Total: total, Counts: counts}, nil
}

// InboxTickets picks the page in memory and reads its tickets by _id, the
// one lookup FerretDB serves from an index.
func (r *memoryReads) InboxTickets(ctx context.Context, actor *desk.User, q InboxQuery) ([]*desk.Ticket, int, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, 0, err
	}
	if !r.tickets.ready.Load() {
		return r.index.InboxTickets(ctx, actor, q)
	}
	q.Counts = false
	rows, total, _ := r.tickets.query(actor, q)
	// One point read per row. Sequential on purpose: side-by-side reads
	// measured slower on FerretDB (2.0 s against 0.8 s for 50 rows on a
	// loaded machine).
	out := make([]*desk.Ticket, 0, len(rows))
	for _, row := range rows {
		var t desk.Ticket
		err := r.s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: row.ID}}, options.FindOne().SetProjection(listProjection)).Decode(&t)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue // cannot happen: tickets are never deleted
		}
		if err != nil {
			return nil, 0, fmt.Errorf("inbox tickets: %w", err)
		}
		out = append(out, &t)
	}
	return out, total, nil
}

// SLADue picks the candidates in memory and reads them by _id; a ticket
// that changed in between and no longer qualifies is left out, as the
// query would.
func (r *memoryReads) SLADue(ctx context.Context, now time.Time, limit int) ([]*desk.Ticket, error) {
	if !r.tickets.ready.Load() {
		return r.index.SLADue(ctx, now, limit)
	}
	var out []*desk.Ticket
	for _, id := range r.tickets.slaDue(now, limit) {
		var t desk.Ticket
		err := r.s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(slaProjection)).Decode(&t)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sla due: %w", err)
		}
		if t.Open() && t.SLANextAt != nil && !t.SLANextAt.After(now) {
			out = append(out, &t)
		}
	}
	return out, nil
}

// Quarantine picks the page in memory and reads each ticket by _id.
func (r *memoryReads) Quarantine(ctx context.Context, review string, limit, offset int) ([]*desk.Ticket, int, error) {
	if !r.tickets.ready.Load() {
		return r.index.Quarantine(ctx, review, limit, offset)
	}
	ids, total := r.tickets.quarantinePage(review, limit, offset)
	out, err := byIDs(ctx, r.s.lookupWorkers(), ids, func(ctx context.Context, id string) (*desk.Ticket, error) {
		var t desk.Ticket
		err := r.s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(quarantineProjection)).Decode(&t)
		if err == mongo.ErrNoDocuments {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("quarantine: %w", err)
		}
		return &t, nil
	})
	return out, total, err
}

// TicketsChangedSince answers from the read model: the query is a scan of
// every ticket on FerretDB, and the report roller asks every minute.
func (r *memoryReads) TicketsChangedSince(ctx context.Context, since time.Time) ([]time.Time, error) {
	if !r.tickets.ready.Load() {
		return r.index.TicketsChangedSince(ctx, since)
	}
	m := r.tickets
	since = ms(since) // as the query would send it: BSON dates hold milliseconds
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []time.Time
	for _, sm := range m.byID {
		if !sm.updated.Before(since) {
			out = append(out, sm.created)
		}
	}
	return out, nil
}

// TicketByCode turns the code into an id in memory, reads by _id and
// applies the same scope check in Go (callers.go) instead of a scan for
// the code.
func (r *memoryReads) TicketByCode(ctx context.Context, actor *desk.User, code string) (*desk.Ticket, error) {
	id, known := r.tickets.idByCode(code)
	if !known {
		return r.index.TicketByCode(ctx, actor, code)
	}
	if id == "" {
		return nil, notFound(mongo.ErrNoDocuments, "ticket")
	}
	t, err := r.s.TicketByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.TrackingCode != code || !ticketVisible(t, actor) {
		return nil, notFound(mongo.ErrNoDocuments, "ticket")
	}
	return t, nil
}

// PublicTicket is TicketByCode with no scoping.
func (r *memoryReads) PublicTicket(ctx context.Context, code string) (*desk.Ticket, error) {
	id, known := r.tickets.idByCode(code)
	if !known {
		return r.index.PublicTicket(ctx, code)
	}
	if id == "" {
		return nil, notFound(mongo.ErrNoDocuments, "ticket")
	}
	t, err := r.s.TicketByID(ctx, id)
	if err == nil && t.TrackingCode != code {
		return nil, notFound(mongo.ErrNoDocuments, "ticket")
	}
	return t, err
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

// query answers an inbox query from the model: the rows of the page, the
// total, and the count of every view when asked.
func (m *readModel) query(actor *desk.User, q InboxQuery) ([]InboxRow, int, map[string]int) {
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

// slaDue picks, from the model, up to limit open tickets whose SLA check
// is due by now, earliest first — what SLADue's query selects.
func (m *readModel) slaDue(now time.Time, limit int) []string {
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
func (m *readModel) idByCode(code string) (id string, known bool) {
	if !m.ready.Load() {
		return "", false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.byCode[code], true
}
