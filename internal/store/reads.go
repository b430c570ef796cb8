package store

// The read side: one interface, two implementations.
//
// The listings and look-ups below are the queries that are not reads by
// _id. On MongoDB (and any server with real secondary indexes) the
// index-backed implementation, indexReads, answers them with the queries
// whose filters and sorts the indexes in Indexes serve. FerretDB v1 on
// SQLite, the embedded store, scans for every one of them; there the
// in-process views, memoryReads (readmodel.go, submemo.go, callmemo.go),
// answer from memory fed by this package's own write paths, and hand every
// query to the index-backed implementation until they are loaded. The app
// picks one when it wires the store (UseReads); the agreement tests ask
// both the same questions through this interface.

import (
	"context"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// ReadSide answers the store's listings and look-ups by something other
// than _id. Store methods of the same names delegate to the one in use.
type ReadSide interface {
	// Inbox is Store.Inbox: a page of actor's inbox view.
	Inbox(ctx context.Context, actor *desk.User, q InboxQuery) (*InboxPage, error)
	// InboxTickets is Inbox with the tickets (without events, body and
	// messages) and the view's total.
	InboxTickets(ctx context.Context, actor *desk.User, q InboxQuery) ([]*desk.Ticket, int, error)
	// SLADue is the SLA sweep's candidates: up to limit open tickets whose
	// next SLA check is due by now, earliest first.
	SLADue(ctx context.Context, now time.Time, limit int) ([]*desk.Ticket, error)
	// Quarantine is a page of quarantined tickets in review state review,
	// oldest first, and their total. The caller checks who may see it.
	Quarantine(ctx context.Context, review string, limit, offset int) ([]*desk.Ticket, int, error)
	// TicketsChangedSince is the creation times of tickets updated at or
	// after since (the report rollups' days to recompute).
	TicketsChangedSince(ctx context.Context, since time.Time) ([]time.Time, error)
	// TicketByCode is the ticket with that code if actor may see it,
	// ENOTFOUND otherwise; PublicTicket the same without scoping.
	TicketByCode(ctx context.Context, actor *desk.User, code string) (*desk.Ticket, error)
	PublicTicket(ctx context.Context, code string) (*desk.Ticket, error)
	// SameBodySenders is the spam check's count of other senders of the
	// same normalised body in [since, sub.ReceivedAt].
	SameBodySenders(ctx context.Context, sub *desk.Submission, since time.Time) (int, error)
	// StaleSubmissions is the reconciler's list: submissions still
	// received that arrived before cutoff, oldest first.
	StaleSubmissions(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
	// SubmissionByCode is the submission with that tracking code.
	SubmissionByCode(ctx context.Context, code string) (*desk.Submission, error)
	// Calls is the call listings, latest first; CallsChangedSince the days
	// of calls updated at or after since.
	Calls(ctx context.Context, f desk.CallFilter) ([]*desk.Call, error)
	CallsChangedSince(ctx context.Context, since time.Time) ([]string, error)

	// Start prepares the implementation in the background and calls done
	// when it is ready or a try failed (n: documents loaded); one with
	// nothing to prepare never calls it. Ready says
	// nil once it answers at full speed, otherwise why not yet; answers
	// are exact either way.
	Start(ctx context.Context, done func(n int, took time.Duration, err error))
	Ready() error
}

// viewFeed is what the store's write paths tell an implementation that
// keeps views of its own; they call it while they hold the write lock,
// with the documents as written.
type viewFeed interface {
	ticketsWritten(ts ...*desk.Ticket)
	submissionsWritten(subs ...*desk.Submission)
	submissionDone(id string)
	callWritten(ctx context.Context, id string)
	callsInserted(cs []*desk.Call)
}

// noFeed is the feed of an implementation that keeps nothing.
type noFeed struct{}

func (noFeed) ticketsWritten(...*desk.Ticket)         {}
func (noFeed) submissionsWritten(...*desk.Submission) {}
func (noFeed) submissionDone(string)                  {}
func (noFeed) callWritten(context.Context, string)    {}
func (noFeed) callsInserted([]*desk.Call)             {}

// indexReads is the index-backed read side: queries served by the
// indexes in Indexes. It keeps no state; every process of a MongoDB
// deployment can use it.
type indexReads struct{ s *Store }

var _ ReadSide = (*indexReads)(nil)

// NewIndexReads returns the index-backed read side of s: for MongoDB and
// any store several processes write to. A store opened by Open uses it
// until UseReads says otherwise.
func NewIndexReads(s *Store) ReadSide { return &indexReads{s: s} }

// Start has nothing to load, so it never calls done.
func (*indexReads) Start(context.Context, func(int, time.Duration, error)) {}

// Ready is always nil: the indexes are the store's own.
func (*indexReads) Ready() error { return nil }

// UseReads makes r the store's read side. Call it once, right after Open
// and before the store is used; r must have been made for s. An
// implementation that keeps views (NewMemoryReads) is fed by s's writes
// from then on.
func (s *Store) UseReads(r ReadSide) {
	s.reads = r
	s.feed = noFeed{}
	if f, ok := r.(viewFeed); ok {
		s.feed = f
	}
}

// Reads returns the read side in use.
func (s *Store) Reads() ReadSide { return s.reads }

// StartReadModel starts the read side (ReadSide.Start): the in-process
// views load with one scan per collection; the index-backed side has
// nothing to load.
func (s *Store) StartReadModel(ctx context.Context, done func(n int, took time.Duration, err error)) {
	s.reads.Start(ctx, done)
}

// ReadModelReady is the read side's Ready; the app's /readyz includes it.
func (s *Store) ReadModelReady() error { return s.reads.Ready() }
