package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

var _ desk.TicketService = (*Store)(nil)

// InsertTicket creates t. A ticket's id is its submission's id, so a second
// insert for the same submission hits the unique _id and reports
// created=false: ticket creation is idempotent however often it is retried.
func (s *Store) InsertTicket(ctx context.Context, t *desk.Ticket) (created bool, err error) {
	// Inbox read model and OnTicketChange (issue 6, IN; inbox.go): hooks run
	// after the write lock is released, the model is fed while it is held.
	defer func() {
		if created {
			s.notifyTicketChange(t.ID)
		}
	}()
	defer s.lockWrite()()
	// The caller index is written first: if it fails nothing is stored and
	// the retry starts over, and if the insert then fails the entry points
	// at no ticket, which readers skip (callers.go).
	if err := s.noteCallerTicket(ctx, t); err != nil {
		return false, err
	}
	if _, err := s.tickets.InsertOne(ctx, t); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		return false, fmt.Errorf("insert ticket: %w", err)
	}
	s.feed.ticketsWritten(t)
	return true, nil
}

// TicketByID reads a ticket with no scoping; for workers and internal use.
func (s *Store) TicketByID(ctx context.Context, id string) (*desk.Ticket, error) {
	var t desk.Ticket
	if err := s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&t); err != nil {
		return nil, notFound(err, "ticket")
	}
	return &t, nil
}

// scopeFilter appends the agency restriction for actor. ok is false when
// the actor may see nothing at all.
func scopeFilter(f bson.D, actor *desk.User) (bson.D, bool) {
	scope := desk.Scope(actor)
	switch {
	case scope == nil:
		return f, true
	case len(scope) == 0:
		return f, false
	}
	// Quarantined tickets belong to no agency, and agency staff never see
	// them even if one were to carry an agency path. $and keeps this
	// condition apart from any status condition the caller already set.
	return append(f, bson.E{Key: "agency_path", Value: bson.D{{Key: "$in", Value: scope}}},
		bson.E{Key: "$and", Value: bson.A{bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: desk.StatusQuarantined}}}}}}), true
}

// TicketByCode returns the ticket with that code if actor may see it. Out of
// scope answers ENOTFOUND, exactly like a code that does not exist, so codes
// cannot be probed across agencies.
func (s *Store) TicketByCode(ctx context.Context, actor *desk.User, code string) (*desk.Ticket, error) {
	return s.reads.TicketByCode(ctx, actor, code)
}

// TicketByCode reads by the unique index on tracking_code, scoped.
func (r *indexReads) TicketByCode(ctx context.Context, actor *desk.User, code string) (*desk.Ticket, error) {
	s := r.s
	f, ok := scopeFilter(bson.D{{Key: "tracking_code", Value: code}}, actor)
	if !ok {
		return nil, notFound(mongo.ErrNoDocuments, "ticket")
	}
	var t desk.Ticket
	if err := s.tickets.FindOne(ctx, f).Decode(&t); err != nil {
		return nil, notFound(err, "ticket")
	}
	return &t, nil
}

// PublicTicket returns a ticket by code for the public tracking page, with
// no scoping; the caller must strip personal data.
func (s *Store) PublicTicket(ctx context.Context, code string) (*desk.Ticket, error) {
	return s.reads.PublicTicket(ctx, code)
}

// PublicTicket reads by the unique index on tracking_code.
func (r *indexReads) PublicTicket(ctx context.Context, code string) (*desk.Ticket, error) {
	s := r.s
	var t desk.Ticket
	if err := s.tickets.FindOne(ctx, bson.D{{Key: "tracking_code", Value: code}}).Decode(&t); err != nil {
		return nil, notFound(err, "ticket")
	}
	return &t, nil
}

// listProjection leaves out the heavy fields a listing never shows.
var listProjection = bson.D{{Key: "events", Value: 0}, {Key: "body", Value: 0}, {Key: "messages", Value: 0}}

// Tickets lists tickets in actor's scope, earliest due first: overdue
// tickets have the earliest due times, so they lead. It returns one page and
// the total matching count.
func (s *Store) Tickets(ctx context.Context, actor *desk.User, tf desk.TicketFilter) ([]*desk.Ticket, int, error) {
	statuses := tf.Statuses
	if len(statuses) == 0 {
		statuses = desk.OpenStatuses
	}
	f := bson.D{}
	if tf.Agency != "" {
		f = append(f, bson.E{Key: "agency_path", Value: tf.Agency})
	}
	f = append(f, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}})
	f, ok := scopeFilter(f, actor)
	if !ok {
		return nil, 0, nil
	}
	limit := tf.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	// The page and the count are independent queries; running them side by
	// side halves the wait on a store that scans (FerretDB) and costs
	// nothing on MongoDB, where both are served by the same index.
	var n int64
	var cerr error
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		n, cerr = s.tickets.CountDocuments(ctx, f)
	}()
	var out []*desk.Ticket
	cur, err := s.tickets.Find(ctx, f, options.Find().
		SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetSkip(int64(tf.Offset)).SetLimit(int64(limit)).SetProjection(listProjection))
	if err == nil {
		err = cur.All(ctx, &out)
	}
	<-counted
	if err != nil {
		return nil, 0, fmt.Errorf("list tickets: %w", err)
	}
	if cerr != nil {
		return nil, 0, fmt.Errorf("count tickets: %w", cerr)
	}
	return out, int(n), nil
}

// TicketChange is one compare-and-set change: fields to set, an optional
// message to append, and the event that records it.
type TicketChange struct {
	Status  desk.Status // "" leaves the status alone
	Set     bson.D      // other fields, for callers inside this package
	Message *desk.Message
	Event   desk.Event
}

// errStale is the answer to a compare-and-set on an old version.
var errStale = desk.Errorf(desk.ECONFLICT, "Phiếu đã được người khác cập nhật; hãy tải lại trang và thử lại. (The ticket changed since you opened it; reload and try again.)")

// UpdateTicketWith applies ch if the ticket is still at version, bumps the
// version and appends ch.Event with the new sequence number (and
// ch.Message), all in one atomic single-document update. A stale version
// gives ECONFLICT and changes nothing.
func (s *Store) UpdateTicketWith(ctx context.Context, id string, version int64, ch TicketChange, now time.Time) (*desk.Ticket, error) {
	changed := false // issue 6, IN: OnTicketChange after the lock is released
	defer func() {
		if changed {
			s.notifyTicketChange(id)
		}
	}()
	defer s.lockWrite()()
	ev := ch.Event
	ev.Seq = version + 1
	if ev.At.IsZero() {
		ev.At = now
	}
	set := append(ch.Set, bson.E{Key: "updated_at", Value: now})
	if ch.Status != "" {
		set = append(set, bson.E{Key: "status", Value: ch.Status})
	}
	push := bson.D{{Key: "events", Value: ev}}
	if ch.Message != nil {
		push = append(push, bson.E{Key: "messages", Value: *ch.Message})
	}
	filter := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}}
	if s.serial {
		// FerretDB on SQLite pushes only a bare {_id} filter down to an
		// index; {_id, version} scans the whole collection (measured: ~2 s
		// per update at 10k tickets under load). With writes serialised in
		// this process (the only writer of an embedded store), checking the
		// version on a read by _id and then updating by _id is the same
		// compare-and-set.
		cur, err := s.TicketByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if cur.Version != version {
			return nil, errStale
		}
		filter = bson.D{{Key: "_id", Value: id}}
	}
	var t desk.Ticket
	err := s.tickets.FindOneAndUpdate(ctx,
		filter,
		bson.D{
			{Key: "$set", Value: set},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
			{Key: "$push", Value: push},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&t)
	if err == mongo.ErrNoDocuments {
		if _, gerr := s.TicketByID(ctx, id); gerr != nil {
			return nil, gerr
		}
		return nil, errStale
	}
	if err != nil {
		return nil, fmt.Errorf("update ticket: %w", err)
	}
	s.feed.ticketsWritten(&t)
	changed = true
	return &t, nil
}

// CountTickets counts all tickets; used by reports and the reindex check.
func (s *Store) CountTickets(ctx context.Context) (int64, error) {
	return s.tickets.CountDocuments(ctx, bson.D{})
}

// EachTicket streams every ticket (without events) to fn in id order.
func (s *Store) EachTicket(ctx context.Context, fn func(*desk.Ticket) error) error {
	cur, err := s.tickets.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetProjection(bson.D{{Key: "events", Value: 0}}))
	if err != nil {
		return err
	}
	return each(ctx, cur, fn)
}

// InsertTickets bulk-inserts tickets, unordered, for demo data and
// benchmarks. Tickets that already exist are skipped.
func (s *Store) InsertTickets(ctx context.Context, ts []*desk.Ticket) error {
	var inserted []string // issue 6, IN: OnTicketChange after the lock is released
	defer func() { s.notifyTicketChange(inserted...) }()
	defer s.lockWrite()()
	if len(ts) == 0 {
		return nil
	}
	if err := s.noteCallerTickets(ctx, ts); err != nil {
		return err
	}
	docs := make([]any, len(ts))
	for i, t := range ts {
		docs[i] = t
	}
	_, err := s.tickets.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	done := insertedOf(ts, err)
	s.feed.ticketsWritten(done...)
	for _, t := range done {
		inserted = append(inserted, t.ID)
	}
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("insert tickets: %w", err)
	}
	return nil
}
