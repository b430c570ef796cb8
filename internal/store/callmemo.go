package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// callMemo answers call listings (Calls: the operator console's
// missed-call list, the call log by day, operator, outcome or number) on
// the embedded store, where each was a scan and sort of every call ever
// logged: 1.65 s per console page at 30,000 calls. It holds the fields the
// listings filter and sort on; a listing picks its page here and reads
// each call by _id.
//
// Like the ticket read model it is part of the in-process read side
// (memoryReads), which lives only where one process owns the store, and
// is loaded by one projected scan at start (Start); until then listings
// go to the index-backed side. Call writes are
// not versioned and CTI events for one call may race, so a write does not
// hand its own document to the memo: it re-reads the call by _id while
// holding the memo's lock (callWritten). Reads and puts are then ordered,
// and the last put holds a state no older than the last write.
type callMemo struct {
	mu     sync.Mutex
	ready  atomic.Bool
	byID   map[string]callSummary
	loaded map[string]bool // ids put by writes while the load ran: fresher than the scan
}

type callSummary struct {
	id, phone, operator, day string
	outcome                  desk.Outcome
	missed                   bool
	started, updated         time.Time
}

var callSummaryProjection = bson.D{{Key: "phone", Value: 1}, {Key: "operator", Value: 1}, {Key: "day", Value: 1},
	{Key: "outcome", Value: 1}, {Key: "missed", Value: 1}, {Key: "started_at", Value: 1}, {Key: "updated_at", Value: 1}}

func summarizeCall(c *desk.Call) callSummary {
	return callSummary{id: c.ID, phone: c.Phone, operator: c.Operator, day: c.Day, outcome: c.Outcome, missed: c.Missed, started: ms(c.StartedAt), updated: ms(c.UpdatedAt)}
}

func newCallMemo() *callMemo {
	return &callMemo{byID: map[string]callSummary{}, loaded: map[string]bool{}}
}

// callWritten brings the memo's entry for call id up to date after a
// write, by reading the call back under the memo's lock.
func (r *memoryReads) callWritten(ctx context.Context, id string) {
	m := r.calls
	m.mu.Lock()
	defer m.mu.Unlock()
	var c desk.Call
	err := r.s.calls().FindOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(callSummaryProjection)).Decode(&c)
	if err != nil {
		// The write stands; the memo cannot vouch for this call any more,
		// so listings go back to the store until the next start.
		m.ready.Store(false)
		return
	}
	m.byID[id] = summarizeCall(&c)
	if !m.ready.Load() {
		m.loaded[id] = true
	}
}

// callsInserted records new calls as inserted (bulk imports).
func (r *memoryReads) callsInserted(cs []*desk.Call) {
	m := r.calls
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range cs {
		if _, dup := m.byID[c.ID]; !dup && c.ID != "" {
			m.byID[c.ID] = summarizeCall(c)
			if !m.ready.Load() {
				m.loaded[c.ID] = true
			}
		}
	}
}

// loadCallMemo fills the memo with one projected scan of the calls.
func (r *memoryReads) loadCallMemo(ctx context.Context) error {
	m := r.calls
	if m.ready.Load() {
		return nil
	}
	cur, err := r.s.calls().Find(ctx, bson.D{}, options.Find().SetProjection(callSummaryProjection).SetBatchSize(2000))
	if err != nil {
		return fmt.Errorf("load call memo: %w", err)
	}
	err = each(ctx, cur, func(c *desk.Call) error {
		m.mu.Lock()
		if !m.loaded[c.ID] {
			m.byID[c.ID] = summarizeCall(c)
		}
		m.mu.Unlock()
		return nil
	})
	if err != nil {
		return fmt.Errorf("load call memo: %w", err)
	}
	m.mu.Lock()
	m.loaded = map[string]bool{}
	m.ready.Store(true)
	m.mu.Unlock()
	return nil
}

// CallsChangedSince answers from the memo: the distinct days of calls
// updated at or after since, in no order.
func (r *memoryReads) CallsChangedSince(ctx context.Context, since time.Time) ([]string, error) {
	m := r.calls
	if !m.ready.Load() {
		return r.index.CallsChangedSince(ctx, since)
	}
	since = ms(since)
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	out := []string{}
	for _, c := range m.byID {
		if !c.updated.Before(since) && !seen[c.day] {
			seen[c.day] = true
			out = append(out, c.day)
		}
	}
	return out, nil
}

// Calls picks the page from the memo, latest first, and reads each call
// by _id.
func (r *memoryReads) Calls(ctx context.Context, f desk.CallFilter) ([]*desk.Call, error) {
	m := r.calls
	if !m.ready.Load() {
		return r.index.Calls(ctx, f)
	}
	limit := callLimit(f.Limit)
	since := ms(f.Since)
	m.mu.Lock()
	var hits []callSummary
	for _, c := range m.byID {
		if (f.Phone != "" && c.phone != f.Phone) || (f.Operator != "" && c.operator != f.Operator) ||
			(f.Day != "" && c.day != f.Day) || (f.Outcome != "" && c.outcome != f.Outcome) ||
			(f.Missed != nil && c.missed != *f.Missed) || (!f.Since.IsZero() && c.started.Before(since)) {
			continue
		}
		hits = append(hits, c)
	}
	m.mu.Unlock()
	slices.SortFunc(hits, func(a, b callSummary) int {
		if c := b.started.Compare(a.started); c != 0 {
			return c
		}
		if a.id < b.id {
			return -1
		}
		if a.id > b.id {
			return 1
		}
		return 0
	})
	ids := make([]string, 0, min(len(hits), limit))
	for _, c := range hits[:min(len(hits), limit)] {
		ids = append(ids, c.id)
	}
	return byIDs(ctx, r.s.lookupWorkers(), ids, r.s.callByIDForList)
}
