package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// subMemo answers, on the embedded store, the three submission queries
// that are not reads by _id and that run on every submission: the spam
// rule's "same body from other senders" (intake), the reconciler's
// "still waiting" (every few seconds) and the tracking page's "by code"
// while the ticket is being made (public). FerretDB scans the collection
// for each of them, and the submissions collection only grows, so without
// the memo intake slows down with every submission ever received (measured
// on a burst of 500 submissions into an empty store: p99 from 202 to
// searchable 11.9 s with the scans, 4.8 s without; docs/search.md).
//
// Like the ticket read model (readmodel.go) it is part of the in-process
// read side (memoryReads), which lives only where one process owns the
// store; it is fed by the submission write paths while they hold the write
// lock, and is loaded by one projected scan at start; until it is loaded,
// the queries go to the index-backed side, as on MongoDB.
type subMemo struct {
	mu    sync.Mutex
	ready atomic.Bool
	// byHash lists, per normalised body, the submissions with that body in
	// arrival order; entries older than memoHorizon before the newest are
	// dropped, and prunedBefore says from when a list is incomplete.
	byHash       map[string]*hashList
	byCode       map[string]string    // tracking code → submission id
	waiting      map[string]time.Time // received, not yet processed: id → received_at
	doneInFlight map[string]bool      // processed while the load ran
}

type hashList struct {
	entries      []subEntry
	prunedBefore time.Time
}

type subEntry struct {
	id  string
	at  time.Time
	who desk.Citizen // phone and e-mail only
	ip  string
}

// memoHorizon is how much history a body's list keeps; queries reaching
// further back go to the store.
const memoHorizon = 30 * 24 * time.Hour

func newSubMemo() *subMemo {
	return &subMemo{byHash: map[string]*hashList{}, byCode: map[string]string{},
		waiting: map[string]time.Time{}, doneInFlight: map[string]bool{}}
}

// addLocked records one stored submission; m.mu is held.
func (m *subMemo) addLocked(sub *desk.Submission) {
	if sub.TrackingCode != "" {
		m.byCode[sub.TrackingCode] = sub.ID
	}
	// Times as the store holds them (milliseconds), so that the memo and
	// the store's queries draw the same boundaries.
	at := ms(sub.ReceivedAt)
	if sub.Status == desk.SubmissionReceived && !m.doneInFlight[sub.ID] {
		m.waiting[sub.ID] = at
	}
	if sub.BodyHash == "" {
		return
	}
	l := m.byHash[sub.BodyHash]
	if l == nil {
		l = &hashList{}
		m.byHash[sub.BodyHash] = l
	}
	if slices.ContainsFunc(l.entries, func(e subEntry) bool { return e.id == sub.ID }) {
		return
	}
	e := subEntry{id: sub.ID, at: at, who: desk.Citizen{Phone: sub.Citizen.Phone, Email: sub.Citizen.Email}, ip: sub.RemoteIP}
	i, _ := slices.BinarySearchFunc(l.entries, e.at, func(x subEntry, t time.Time) int { return x.at.Compare(t) })
	l.entries = slices.Insert(l.entries, i, e)
	cut := l.entries[len(l.entries)-1].at.Add(-memoHorizon)
	drop := 0
	for drop < len(l.entries) && l.entries[drop].at.Before(cut) {
		drop++
	}
	if drop > 0 {
		l.entries = slices.Delete(l.entries, 0, drop)
		l.prunedBefore = cut
	}
}

// submissionsWritten feeds the memo; the caller holds the write lock.
func (r *memoryReads) submissionsWritten(subs ...*desk.Submission) {
	m := r.subs
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sub := range subs {
		m.addLocked(sub)
	}
}

// submissionDone records that a submission left "received".
func (r *memoryReads) submissionDone(id string) {
	m := r.subs
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.waiting, id)
	if !m.ready.Load() {
		m.doneInFlight[id] = true
	}
}

var subMemoProjection = bson.D{{Key: "tracking_code", Value: 1}, {Key: "status", Value: 1}, {Key: "received_at", Value: 1},
	{Key: "body_hash", Value: 1}, {Key: "citizen.phone", Value: 1}, {Key: "citizen.email", Value: 1}, {Key: "remote_ip", Value: 1}}

// loadSubMemo fills the memo with one projected scan of the submissions.
func (r *memoryReads) loadSubMemo(ctx context.Context) (int, error) {
	m := r.subs
	if m.ready.Load() {
		return 0, nil
	}
	cur, err := r.s.subs.Find(ctx, bson.D{}, options.Find().SetProjection(subMemoProjection).SetBatchSize(2000))
	if err != nil {
		return 0, fmt.Errorf("load submission memo: %w", err)
	}
	n, batch := 0, make([]*desk.Submission, 0, 2000)
	flush := func() {
		m.mu.Lock()
		for _, sub := range batch {
			m.addLocked(sub)
		}
		m.mu.Unlock()
		batch = batch[:0]
	}
	err = each(ctx, cur, func(sub *desk.Submission) error {
		batch = append(batch, sub)
		n++
		if len(batch) == cap(batch) {
			flush()
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("load submission memo: %w", err)
	}
	flush()
	m.mu.Lock()
	m.doneInFlight = map[string]bool{}
	m.ready.Store(true)
	m.mu.Unlock()
	return n, nil
}

// sameBody returns the submissions with hash received in [since, until],
// newest first, at most limit; ok is false when the memo cannot answer
// (not loaded, or the period reaches past what it keeps).
func (m *subMemo) sameBody(hash string, since, until time.Time, limit int) (rows []desk.Submission, ok bool) {
	if !m.ready.Load() {
		return nil, false
	}
	since, until = ms(since), ms(until)
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.byHash[hash]
	if l == nil {
		return nil, true
	}
	if since.Before(l.prunedBefore) {
		return nil, false
	}
	for i := len(l.entries) - 1; i >= 0 && len(rows) < limit; i-- {
		e := l.entries[i]
		if e.at.After(until) || e.at.Before(since) {
			continue
		}
		rows = append(rows, desk.Submission{ID: e.id, ReceivedAt: e.at, Citizen: e.who, RemoteIP: e.ip})
	}
	return rows, true
}

// waitingBefore returns the ids of submissions still waiting that arrived
// before cutoff, oldest first, at most limit.
func (m *subMemo) waitingBefore(cutoff time.Time, limit int) ([]string, bool) {
	if !m.ready.Load() {
		return nil, false
	}
	cutoff = ms(cutoff)
	m.mu.Lock()
	type w struct {
		id string
		at time.Time
	}
	var ws []w
	for id, at := range m.waiting {
		if at.Before(cutoff) {
			ws = append(ws, w{id, at})
		}
	}
	m.mu.Unlock()
	slices.SortFunc(ws, func(a, b w) int { return a.at.Compare(b.at) })
	ids := make([]string, 0, min(len(ws), limit))
	for _, x := range ws[:min(len(ws), limit)] {
		ids = append(ids, x.id)
	}
	return ids, true
}

// submissionID returns the id of the submission with code; known is
// false when the memo cannot answer.
func (m *subMemo) submissionID(code string) (id string, known bool) {
	if !m.ready.Load() {
		return "", false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byCode[code], true
}

// SameBodySenders counts from the memo when it keeps the whole period.
func (r *memoryReads) SameBodySenders(ctx context.Context, sub *desk.Submission, since time.Time) (int, error) {
	if sub.BodyHash == "" {
		return 0, nil
	}
	rows, ok := r.subs.sameBody(sub.BodyHash, since.UTC(), sub.ReceivedAt.UTC(), maxSameBodyScan)
	if !ok {
		return r.index.SameBodySenders(ctx, sub, since)
	}
	return countOtherSenders(sub, rows), nil
}

// StaleSubmissions answers from the memo's waiting list.
func (r *memoryReads) StaleSubmissions(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	if ids, ok := r.subs.waitingBefore(cutoff, limit); ok {
		return ids, nil
	}
	return r.index.StaleSubmissions(ctx, cutoff, limit)
}

// SubmissionByCode turns the code into an id in memory and reads by _id.
func (r *memoryReads) SubmissionByCode(ctx context.Context, code string) (*desk.Submission, error) {
	id, known := r.subs.submissionID(code)
	if !known {
		return r.index.SubmissionByCode(ctx, code)
	}
	if id == "" {
		return nil, notFound(mongo.ErrNoDocuments, "submission")
	}
	var sub desk.Submission
	if err := r.s.subs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sub); err != nil {
		return nil, notFound(err, "submission")
	}
	return &sub, nil
}
