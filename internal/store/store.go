// Package store implements the desk services on MongoDB through the
// official v2 driver. It is the only package that knows BSON.
//
// It sticks to the subset that both MongoDB and FerretDB v1 (the embedded
// default) run correctly: single-document atomic updates, unique indexes
// enforced on insert, no transactions, no $lookup or $facet. Every query's
// filter and sort is served by an index declared in EnsureIndexes, so that
// on MongoDB nothing scans; FerretDB scans regardless, which is why the
// embedded mode has a documented ceiling.
package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// Store holds the database handle and its collections.
type Store struct {
	client     *mongo.Client
	db         *mongo.Database
	subs       *mongo.Collection
	tickets    *mongo.Collection
	users      *mongo.Collection
	sessions   *mongo.Collection
	agencies   *mongo.Collection
	categories *mongo.Collection

	// writeMu serialises writes when SerializeWrites is on.
	writeMu sync.Mutex
	serial  bool

	// reads answers listings and look-ups other than by _id (reads.go);
	// feed tells it of this process's writes when it keeps views.
	reads ReadSide
	feed  viewFeed
	// hooks are the OnTicketChange functions (inbox.go).
	hooks ticketHooks
	// cannedMemo keeps the ticket page's canned responses briefly (workspace.go).
	cannedMemo cannedCache
}

// SerializeWrites makes this process send one write at a time. The
// embedded store is SQLite, which takes one writer at a time and makes the
// others sleep and retry with growing back-offs; queueing writers on a Go
// mutex instead measured 40% more inserts per second and a p99 ten times
// lower (BenchmarkAccept). Only for a store no other process writes to.
func (s *Store) SerializeWrites() { s.serial = true }

// engineV1 reports whether the store is the embedded FerretDB v1, the one
// store whose writes this process serialises. Queries that need what it
// lacks and every MongoDB-compatible server has ($lookup, a $group keyed by
// expressions, one $in read instead of reads by _id) ask this, not
// whether writes are serialised.
func (s *Store) engineV1() bool { return s.serial }

// lockWrite takes the write lock when writes are serialised; call the
// returned func to release it: defer s.lockWrite()().
func (s *Store) lockWrite() func() {
	if !s.serial {
		return func() {}
	}
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

// Open connects to uri and selects database name. It does not create
// indexes; call EnsureIndexes once at start. opts adjust the client, for
// example to attach a command monitor that counts round trips.
func Open(ctx context.Context, uri, name string, opts ...func(*options.ClientOptions)) (*Store, error) {
	co := options.Client().ApplyURI(uri).SetTimeout(30 * time.Second)
	for _, o := range opts {
		o(co)
	}
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("mongo connect: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo ping: %w", err)
	}
	db := client.Database(name)
	s := &Store{
		client:     client,
		db:         db,
		subs:       db.Collection("submissions"),
		tickets:    db.Collection("tickets"),
		users:      db.Collection("users"),
		sessions:   db.Collection("sessions"),
		agencies:   db.Collection("agencies"),
		categories: db.Collection("categories"),
	}
	s.UseReads(NewIndexReads(s))
	return s, nil
}

// Close disconnects.
func (s *Store) Close(ctx context.Context) error { return s.client.Disconnect(ctx) }

// Ping checks the database answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error { return s.client.Ping(ctx, nil) }

// Indexes lists every index the queries in this package rely on. The README
// quotes this list for MongoDB operators.
var Indexes = map[string][]mongo.IndexModel{
	"submissions": {
		{Keys: bson.D{{Key: "key", Value: 1}}, Options: options.Index().SetUnique(true).SetName("key_unique")},
		{Keys: bson.D{{Key: "tracking_code", Value: 1}}, Options: options.Index().SetUnique(true).SetName("code_unique")},
		// The reconciler: status = received AND received_at < cutoff.
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "received_at", Value: 1}}, Options: options.Index().SetName("status_received")},
		// The spam check: identical normalised bodies, most recent first (spam.go).
		{Keys: bson.D{{Key: "body_hash", Value: 1}, {Key: "received_at", Value: -1}}, Options: options.Index().SetName("body_hash_received")},
	},
	"tickets": {
		{Keys: bson.D{{Key: "tracking_code", Value: 1}}, Options: options.Index().SetUnique(true).SetName("code_unique")},
		// The agency inbox: agency_path = X, status in open, sorted by due.
		{Keys: bson.D{{Key: "agency_path", Value: 1}, {Key: "status", Value: 1}, {Key: "due_at", Value: 1}}, Options: options.Index().SetName("inbox")},
		// The coordinator's and admin's inbox across all agencies.
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "due_at", Value: 1}}, Options: options.Index().SetName("status_due")},
		// Agency inbox views (issue 6, IN; inbox.go). Each page is "flagged
		// overdue by due date" then "the rest by due date": overdue = true,
		// then overdue in [false, null], each walked in due_at order.
		// Agency staff: agency_path = X, status in the view's statuses.
		{Keys: bson.D{{Key: "agency_path", Value: 1}, {Key: "status", Value: 1}, {Key: "overdue", Value: 1}, {Key: "due_at", Value: 1}}, Options: options.Index().SetName("inbox_overdue")},
		// Coordinators and admins: the same without the agency.
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "overdue", Value: 1}, {Key: "due_at", Value: 1}}, Options: options.Index().SetName("status_overdue_due")},
		// "mine" (assignee = me) and "unassigned" (assignee in [null, ""]).
		{Keys: bson.D{{Key: "assignee", Value: 1}, {Key: "status", Value: 1}, {Key: "overdue", Value: 1}, {Key: "due_at", Value: 1}}, Options: options.Index().SetName("assignee_open")},
		// The quarantine review: status = quarantined, by review state, oldest first (spam.go).
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "spam.review", Value: 1}, {Key: "created_at", Value: 1}}, Options: options.Index().SetName("quarantine")},
		// The SLA sweep (ticket_sla.go): status in open AND sla_next_at <= now.
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "sla_next_at", Value: 1}}, Options: options.Index().SetName("sla_next")},
		// A caller's history: every ticket with that number, newest first.
		{Keys: bson.D{{Key: "citizen.phone", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("citizen_phone")},
	},
	// Hotline calls (calls.go): one index per filter shape of Calls.
	"calls": {
		{Keys: bson.D{{Key: "call_id", Value: 1}}, Options: options.Index().SetUnique(true).SetName("call_unique")},
		{Keys: bson.D{{Key: "phone", Value: 1}, {Key: "started_at", Value: -1}}, Options: options.Index().SetName("phone_started")},
		{Keys: bson.D{{Key: "operator", Value: 1}, {Key: "day", Value: 1}, {Key: "started_at", Value: -1}}, Options: options.Index().SetName("operator_day")},
		{Keys: bson.D{{Key: "day", Value: 1}, {Key: "started_at", Value: -1}}, Options: options.Index().SetName("day_started")},
		{Keys: bson.D{{Key: "missed", Value: 1}, {Key: "started_at", Value: -1}}, Options: options.Index().SetName("missed_started")},
		{Keys: bson.D{{Key: "outcome", Value: 1}, {Key: "started_at", Value: -1}}, Options: options.Index().SetName("outcome_started")},
		{Keys: bson.D{{Key: "started_at", Value: -1}}, Options: options.Index().SetName("started")},
	},
	"users": {
		{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).SetName("email_unique")},
		// The coordinators' assign list: every active account of some roles, by name.
		{Keys: bson.D{{Key: "role", Value: 1}, {Key: "name", Value: 1}}, Options: options.Index().SetName("role_name")},
	},
	// The operators' block list, newest first (calls.go).
	collBlocked: {
		{Keys: bson.D{{Key: "created_at", Value: -1}}, Options: options.Index().SetName("created")},
	},
	"sessions": {
		{Keys: bson.D{{Key: "user_id", Value: 1}}, Options: options.Index().SetName("user")},
		// #6 AU: listing API tokens (accounts.go), all or one user's, newest first.
		{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("kind_created")},
	},
	// The audit log (audit.go): newest first, by actor, by target.
	"audit": {
		// The admin page, newest first; _id breaks ties in the same order.
		{Keys: bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("at_id")},
		// Filtered by action (sign-ins, ticket views, exports), newest first.
		{Keys: bson.D{{Key: "action", Value: 1}, {Key: "at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("action_at")},
		{Keys: bson.D{{Key: "actor", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("actor_at")},
		{Keys: bson.D{{Key: "target", Value: 1}, {Key: "at", Value: -1}}, Options: options.Index().SetName("target_at")},
	},
	// Routing rules (rules.go) are read whole, in order.
	"routing_rules": {
		{Keys: bson.D{{Key: "order", Value: 1}}, Options: options.Index().SetName("order")},
	},
}

// Collections names every collection the store uses. EnsureIndexes creates
// the missing ones at start, so that none is created implicitly by a first
// insert while the system runs: FerretDB v1 on SQLite creates a table and
// its metadata row in two steps, and a process killed between them (the
// restart test does exactly that) leaves a table FerretDB will not adopt,
// refusing every later insert into that collection.
var Collections = []string{
	"submissions", "tickets", "users", "sessions", "agencies", "categories",
	collCalls, collBlocked, collSettings, collCTIMarks, collCallers,
	"routing_rules", "calendar_overrides", "spam_rules", "spam_senders",
	collMailIDs, collAttachments, collIMAPState,
	"audit", "login_guards", "canned_responses", "topics",
	collCitizenLinks, collPublishedQA, collRollups, collReportState,
}

// ensureCollections creates the collections in Collections that do not
// exist yet.
func (s *Store) ensureCollections(ctx context.Context) error {
	have, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	exists := map[string]bool{}
	for _, n := range have {
		exists[n] = true
	}
	for _, n := range Collections {
		if exists[n] {
			continue
		}
		if err := s.db.CreateCollection(ctx, n); err != nil {
			var ce mongo.CommandError
			if errors.As(err, &ce) && ce.Code == 48 { // NamespaceExists: another process made it
				continue
			}
			return fmt.Errorf("create collection %s: %w", n, err)
		}
	}
	return nil
}

// EnsureIndexes creates the indexes in Indexes that do not exist yet. It
// asks first rather than re-creating: FerretDB v1 on SQLite fails on a
// createIndexes for indexes it already has.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := s.ensureCollections(ctx); err != nil {
		return err
	}
	for coll, models := range Indexes {
		iv := s.db.Collection(coll).Indexes()
		specs, err := iv.ListSpecifications(ctx)
		if err != nil {
			return fmt.Errorf("list indexes on %s: %w", coll, err)
		}
		have := map[string]bool{}
		for _, sp := range specs {
			have[sp.Name] = true
		}
		var missing []mongo.IndexModel
		for _, m := range models {
			var o options.IndexOptions
			for _, set := range m.Options.List() {
				_ = set(&o)
			}
			if o.Name == nil || !have[*o.Name] {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if _, err := iv.CreateMany(ctx, missing); err != nil {
			return fmt.Errorf("indexes on %s: %w", coll, err)
		}
	}
	return nil
}

// notFound turns the driver's no-documents error into ENOTFOUND.
func notFound(err error, what string) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return desk.Errorf(desk.ENOTFOUND, "%s không tồn tại (not found)", what)
	}
	return err
}

// each decodes every document of cur into a T and hands it to fn, stopping
// at the first error; it closes cur.
func each[T any](ctx context.Context, cur *mongo.Cursor, fn func(*T) error) error {
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			return err
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return cur.Err()
}

// NewID returns a new document id as a hex string.
func NewID() string { return bson.NewObjectID().Hex() }
