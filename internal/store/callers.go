package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// The callers collection is a per-caller index for the hotline's
// caller-history lookup: one document per E.164 number (its _id) listing
// the caller's latest tickets and calls. The embedded store (FerretDB v1)
// scans a whole collection for every filter except a bare {_id: X}, so a
// lookup by citizen.phone over 10,000 tickets and 30,000 calls took
// seconds; reading this document and then each ticket and call by _id
// never scans.
//
// Entries are strings "time|id" (calls) and "time|id|tracking code"
// (tickets), with the time in a fixed-width UTC layout so that strings sort
// in time order. They are added with $addToSet, so recording the same
// ticket or call twice changes nothing, and concurrent writers never lose
// each other's entries. Beyond CallerKeep entries the oldest are removed
// with $pullAll, which again leaves concurrent additions alone.
//
// Maintained by every writer of tickets and calls: InsertTicket,
// InsertTickets, ApplyCTIEvent, SaveCallLog and InsertCalls, each writing
// the entry before or right after its own write and returning an error
// (so the caller retries) if it fails. A store that predates the
// collection heals on its own: a lookup that finds no document rebuilds
// that caller's from the tickets and calls (RebuildCaller, which scans
// once), and RebuildCallers rebuilds every caller in one pass.
const (
	collCallers = "callers"
	// CallerKeep is how many tickets and how many calls a caller's
	// document keeps, newest first.
	CallerKeep = 200
	refTime    = "20060102T150405.000000000"
)

// CallerRef is a ticket or call listed in a caller's document.
type CallerRef struct {
	ID   string
	Code string // tickets: the tracking code
	At   time.Time
}

// Caller is a caller's document: the latest tickets (by creation) and
// calls (by start), newest first, and the last name the caller gave.
type Caller struct {
	Phone   string
	Name    string
	Tickets []CallerRef
	Calls   []CallerRef
}

type callerDoc struct {
	ID      string   `bson:"_id"`
	Name    string   `bson:"name,omitempty"`
	Tickets []string `bson:"tickets"`
	Calls   []string `bson:"calls"`
}

func (s *Store) callers() *mongo.Collection { return s.db.Collection(collCallers) }

func refKey(at time.Time, id, code string) string {
	k := at.UTC().Format(refTime) + "|" + id
	if code != "" {
		k += "|" + code
	}
	return k
}

// sortRefs orders entries newest first.
func sortRefs(entries []string) []string {
	out := append([]string(nil), entries...)
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

// parseRefs turns entries into refs, newest first, one per id: a call
// whose start moved earlier (events out of order) has two entries, and the
// later one is kept.
func parseRefs(entries []string) []CallerRef {
	out := make([]CallerRef, 0, len(entries))
	seen := map[string]bool{}
	for _, e := range sortRefs(entries) {
		parts := strings.SplitN(e, "|", 3)
		if len(parts) < 2 || seen[parts[1]] {
			continue
		}
		seen[parts[1]] = true
		r := CallerRef{ID: parts[1]}
		r.At, _ = time.Parse(refTime, parts[0])
		if len(parts) == 3 {
			r.Code = parts[2]
		}
		out = append(out, r)
	}
	return out
}

// noteCaller adds ticket and call entries to phone's document, creating
// it, and trims it to CallerKeep of each. A non-empty name replaces the
// stored one. The caller holds the write lock when writes are serialised.
func (s *Store) noteCaller(ctx context.Context, phone, name string, tickets, calls []string) error {
	if phone == "" {
		return nil
	}
	// An empty $each is left out: beside another field, the DocumentDB
	// engine (FerretDB v2) computes a document of ~25 MB for it and refuses
	// the update once the other list holds a few dozen entries.
	add := bson.D{}
	if len(tickets) > 0 {
		add = append(add, bson.E{Key: "tickets", Value: bson.D{{Key: "$each", Value: tickets}}})
	}
	if len(calls) > 0 {
		add = append(add, bson.E{Key: "calls", Value: bson.D{{Key: "$each", Value: calls}}})
	}
	if len(add) == 0 && name == "" {
		return nil
	}
	upd := bson.D{}
	if len(add) > 0 {
		upd = append(upd, bson.E{Key: "$addToSet", Value: add})
	}
	if name != "" {
		upd = append(upd, bson.E{Key: "$set", Value: bson.D{{Key: "name", Value: name}}})
	}
	// Only findAndModify without upsert, and insert, reach the document by
	// _id on FerretDB v1: an upsert, or the update command, scans the
	// collection (16 ms against 1.4 ms with 4,000 callers). So: update, and
	// create the document when there is none; a concurrent creator makes
	// the insert fail with a duplicate key, and the update is tried again.
	var d callerDoc
	for attempt := 0; ; attempt++ {
		err := s.callers().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: phone}}, upd,
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		if err == nil {
			break
		}
		if err != mongo.ErrNoDocuments {
			return fmt.Errorf("caller index: %w", err)
		}
		d = callerDoc{ID: phone, Name: name, Tickets: dedupe(tickets), Calls: dedupe(calls)}
		_, err = s.callers().InsertOne(ctx, d)
		if err == nil {
			break
		}
		if !mongo.IsDuplicateKeyError(err) || attempt == 2 {
			return fmt.Errorf("caller index: %w", err)
		}
	}
	pull := bson.D{}
	if len(d.Tickets) > CallerKeep {
		pull = append(pull, bson.E{Key: "tickets", Value: sortRefs(d.Tickets)[CallerKeep:]})
	}
	if len(d.Calls) > CallerKeep {
		pull = append(pull, bson.E{Key: "calls", Value: sortRefs(d.Calls)[CallerKeep:]})
	}
	if len(pull) > 0 {
		err := s.callers().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: phone}}, bson.D{{Key: "$pullAll", Value: pull}}).Err()
		if err != nil && err != mongo.ErrNoDocuments {
			return fmt.Errorf("caller index trim: %w", err)
		}
	}
	return nil
}

// dedupe returns entries without repeats, as $addToSet would store them.
func dedupe(entries []string) []string {
	out := make([]string, 0, len(entries))
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// noteCallerTicket records t in its citizen's caller document.
func (s *Store) noteCallerTicket(ctx context.Context, t *desk.Ticket) error {
	if t.Citizen.Phone == "" {
		return nil
	}
	return s.noteCaller(ctx, t.Citizen.Phone, t.Citizen.Name, []string{refKey(t.CreatedAt, t.ID, t.TrackingCode)}, nil)
}

// noteCallerCall records c in its caller's document, taking the write lock.
func (s *Store) noteCallerCall(ctx context.Context, c *desk.Call) error {
	if c == nil || c.Phone == "" {
		return nil
	}
	defer s.lockWrite()()
	return s.noteCaller(ctx, c.Phone, c.CallerName, nil, []string{refKey(c.StartedAt, c.ID, "")})
}

// noteCallerTickets records a batch of tickets, one write per number; the
// caller holds the write lock.
func (s *Store) noteCallerTickets(ctx context.Context, ts []*desk.Ticket) error {
	entries, names := map[string][]string{}, map[string]string{}
	for _, t := range ts {
		if p := t.Citizen.Phone; p != "" {
			entries[p] = append(entries[p], refKey(t.CreatedAt, t.ID, t.TrackingCode))
			if t.Citizen.Name != "" {
				names[p] = t.Citizen.Name
			}
		}
	}
	for p, e := range entries {
		if err := s.noteCaller(ctx, p, names[p], e, nil); err != nil {
			return err
		}
	}
	return nil
}

// noteCallerCalls records a batch of calls, one write per number, taking
// the write lock for each.
func (s *Store) noteCallerCalls(ctx context.Context, cs []*desk.Call) error {
	entries, names := map[string][]string{}, map[string]string{}
	for _, c := range cs {
		if c.Phone != "" {
			entries[c.Phone] = append(entries[c.Phone], refKey(c.StartedAt, c.ID, ""))
			if c.CallerName != "" {
				names[c.Phone] = c.CallerName
			}
		}
	}
	for p, e := range entries {
		if err := func() error {
			defer s.lockWrite()()
			return s.noteCaller(ctx, p, names[p], nil, e)
		}(); err != nil {
			return err
		}
	}
	return nil
}

// Caller returns phone's document, or nil when it has none.
func (s *Store) Caller(ctx context.Context, phone string) (*Caller, error) {
	var d callerDoc
	err := s.callers().FindOne(ctx, bson.D{{Key: "_id", Value: phone}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("caller: %w", err)
	}
	return &Caller{Phone: d.ID, Name: d.Name, Tickets: parseRefs(d.Tickets), Calls: parseRefs(d.Calls)}, nil
}

// RebuildCaller writes phone's document from its tickets and calls, with
// two queries that scan on the embedded store, and returns it with the
// number of database round trips made. It only adds entries, so it is safe
// alongside the writers that maintain the document.
func (s *Store) RebuildCaller(ctx context.Context, phone string) (*Caller, int, error) {
	tickets, calls, name, err := s.callerEntries(ctx, bson.D{{Key: "citizen.phone", Value: phone}}, bson.D{{Key: "phone", Value: phone}}, CallerKeep)
	if err != nil {
		return nil, 2, err
	}
	if err := func() error {
		defer s.lockWrite()()
		return s.noteCaller(ctx, phone, name[phone], tickets[phone], calls[phone])
	}(); err != nil {
		return nil, 3, err
	}
	return &Caller{Phone: phone, Name: name[phone], Tickets: parseRefs(tickets[phone]), Calls: parseRefs(calls[phone])}, 3, nil
}

// RebuildCallers writes every caller's document from all tickets and
// calls: one pass over each collection, then one write per caller. Run it
// once on a store that predates the collection; until then lookups
// rebuild callers one at a time.
func (s *Store) RebuildCallers(ctx context.Context) (int, error) {
	tickets, calls, name, err := s.callerEntries(ctx, bson.D{{Key: "citizen.phone", Value: bson.D{{Key: "$gt", Value: ""}}}},
		bson.D{{Key: "phone", Value: bson.D{{Key: "$gt", Value: ""}}}}, 0)
	if err != nil {
		return 0, err
	}
	phones := map[string]bool{}
	for p := range tickets {
		phones[p] = true
	}
	for p := range calls {
		phones[p] = true
	}
	for p := range phones {
		ts, cs := sortRefs(tickets[p]), sortRefs(calls[p])
		ts, cs = ts[:min(len(ts), CallerKeep)], cs[:min(len(cs), CallerKeep)]
		if err := func() error {
			defer s.lockWrite()()
			return s.noteCaller(ctx, p, name[p], ts, cs)
		}(); err != nil {
			return 0, err
		}
	}
	return len(phones), nil
}

// callerEntries reads the entries of the tickets matching tf and the calls
// matching cf, grouped by number, with each number's newest ticket name.
// limit bounds each query (0: none).
func (s *Store) callerEntries(ctx context.Context, tf, cf bson.D, limit int) (tickets, calls map[string][]string, name map[string]string, err error) {
	tickets, calls, name = map[string][]string{}, map[string][]string{}, map[string]string{}
	nameAt := map[string]time.Time{}
	topt := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "tracking_code", Value: 1}, {Key: "created_at", Value: 1}, {Key: "citizen", Value: 1}}).
		SetSort(bson.D{{Key: "created_at", Value: -1}})
	copt := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "phone", Value: 1}, {Key: "started_at", Value: 1}, {Key: "caller_name", Value: 1}}).
		SetSort(bson.D{{Key: "started_at", Value: -1}})
	if limit > 0 {
		topt.SetLimit(int64(limit))
		copt.SetLimit(int64(limit))
	}
	var ts []struct {
		ID        string       `bson:"_id"`
		Code      string       `bson:"tracking_code"`
		CreatedAt time.Time    `bson:"created_at"`
		Citizen   desk.Citizen `bson:"citizen"`
	}
	cur, err := s.tickets.Find(ctx, tf, topt)
	if err == nil {
		err = cur.All(ctx, &ts)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("caller tickets: %w", err)
	}
	for _, t := range ts {
		p := t.Citizen.Phone
		tickets[p] = append(tickets[p], refKey(t.CreatedAt, t.ID, t.Code))
		if t.Citizen.Name != "" && t.CreatedAt.After(nameAt[p]) {
			name[p], nameAt[p] = t.Citizen.Name, t.CreatedAt
		}
	}
	var cs []struct {
		ID         string    `bson:"_id"`
		Phone      string    `bson:"phone"`
		StartedAt  time.Time `bson:"started_at"`
		CallerName string    `bson:"caller_name"`
	}
	cur, err = s.calls().Find(ctx, cf, copt)
	if err == nil {
		err = cur.All(ctx, &cs)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("caller calls: %w", err)
	}
	for _, c := range cs {
		calls[c.Phone] = append(calls[c.Phone], refKey(c.StartedAt, c.ID, ""))
		if c.CallerName != "" && c.StartedAt.After(nameAt[c.Phone]) {
			name[c.Phone], nameAt[c.Phone] = c.CallerName, c.StartedAt
		}
	}
	return tickets, calls, name, nil
}

// lookupWorkers bounds the concurrent reads of one history lookup on
// MongoDB. The embedded store reads one at a time: FerretDB v1 on SQLite
// answers a lone read by _id in about 1.4 ms, but eight at once took
// 40–160 ms each (BenchmarkCallerHistory: 680 ms a lookup at 1,000 tickets
// with eight readers, the same reads in sequence a few milliseconds).
const lookupWorkers = 8

func (s *Store) lookupWorkers() int {
	if s.serial {
		return 1
	}
	return lookupWorkers
}

// byIDs reads each id with get, workers at a time, and returns the
// results in the order of ids, leaving out those get reports as nil.
func byIDs[T any](ctx context.Context, workers int, ids []string, get func(context.Context, string) (*T, error)) ([]*T, error) {
	res := make([]*T, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res[i], errs[i] = get(ctx, id)
		}()
	}
	wg.Wait()
	out := make([]*T, 0, len(ids))
	for i, r := range res {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// ticketVisible applies desk.Scope(actor) to one ticket, as scopeFilter
// does to a query.
func ticketVisible(t *desk.Ticket, actor *desk.User) bool {
	scope := desk.Scope(actor)
	if scope == nil {
		return true
	}
	if t.Status == desk.StatusQuarantined {
		return false
	}
	for _, a := range t.AgencyPath {
		for _, sc := range scope {
			if a == sc {
				return true
			}
		}
	}
	return false
}

// CallerTickets reads the tickets with those ids, each by _id, without
// their bodies, messages and events, keeping those actor may see whose
// citizen still has that phone number (an entry outlives an edit of the
// number). Order follows ids.
func (s *Store) CallerTickets(ctx context.Context, actor *desk.User, phone string, ids []string) ([]*desk.Ticket, error) {
	if !s.engineV1() {
		// MongoDB: one round trip for the whole list, through _id.
		found, err := inIDs[desk.Ticket](ctx, s.tickets, ids, listProjection, func(t *desk.Ticket) string { return t.ID })
		if err != nil {
			return nil, fmt.Errorf("caller tickets: %w", err)
		}
		out := make([]*desk.Ticket, 0, len(found))
		for _, t := range found {
			if t.Citizen.Phone == phone && ticketVisible(t, actor) {
				out = append(out, t)
			}
		}
		return out, nil
	}
	return byIDs(ctx, s.lookupWorkers(), ids, func(ctx context.Context, id string) (*desk.Ticket, error) {
		var t desk.Ticket
		err := s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(listProjection)).Decode(&t)
		if err == mongo.ErrNoDocuments {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("caller ticket: %w", err)
		}
		if t.Citizen.Phone != phone || !ticketVisible(&t, actor) {
			return nil, nil
		}
		return &t, nil
	})
}

// CallerCalls reads the calls with those ids, each by _id, keeping those
// still on that phone number. Order follows ids.
func (s *Store) CallerCalls(ctx context.Context, phone string, ids []string) ([]*desk.Call, error) {
	if !s.engineV1() {
		found, err := inIDs[desk.Call](ctx, s.calls(), ids, bson.D{{Key: "cti_events", Value: 0}}, func(c *desk.Call) string { return c.ID })
		if err != nil {
			return nil, fmt.Errorf("caller calls: %w", err)
		}
		out := make([]*desk.Call, 0, len(found))
		for _, c := range found {
			if c.Phone == phone {
				out = append(out, c)
			}
		}
		return out, nil
	}
	return byIDs(ctx, s.lookupWorkers(), ids, func(ctx context.Context, id string) (*desk.Call, error) {
		c, err := s.callByIDForList(ctx, id)
		if c == nil || err != nil || c.Phone != phone {
			return nil, err
		}
		return c, nil
	})
}

// inIDs reads the documents with those ids in one query and returns them
// in the order of ids, leaving out those that do not exist. The embedded
// store reads one id at a time instead (byIDs): FerretDB v1 serves only a
// bare _id equality from its index.
func inIDs[T any](ctx context.Context, coll *mongo.Collection, ids []string, proj any, id func(*T) string) ([]*T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, options.Find().SetProjection(proj))
	if err != nil {
		return nil, err
	}
	var docs []*T
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	byID := make(map[string]*T, len(docs))
	for _, d := range docs {
		byID[id(d)] = d
	}
	out := make([]*T, 0, len(docs))
	for _, i := range ids {
		if d := byID[i]; d != nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// callByIDForList reads one call by _id without its CTI event list; nil
// when there is none.
func (s *Store) callByIDForList(ctx context.Context, id string) (*desk.Call, error) {
	var c desk.Call
	err := s.calls().FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "cti_events", Value: 0}})).Decode(&c)
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read call: %w", err)
	}
	return &c, nil
}
