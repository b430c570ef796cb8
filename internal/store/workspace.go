package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// The agency workspace (issue 6, internal/workspace) writes tickets only
// through UpdateTicketWith: WorkFields below are the extra $set entries of
// its actions, so the compare-and-set, the event and the change hooks stay
// in one place.

// The workspace's indexes join store.Indexes here rather than in
// store.go, so that the shared map is not edited by several people at once;
// EnsureIndexes and the README list read the map after init.
func init() {
	Indexes["tickets"] = append(Indexes["tickets"],
		// The ticket page's "other tickets of this citizen" when only an
		// email is known (TicketsByEmail).
		mongo.IndexModel{Keys: bson.D{{Key: "citizen.email", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("citizen_email")})
	Indexes["users"] = append(Indexes["users"],
		// The assign form's list of an agency's staff (UsersInAgencies).
		mongo.IndexModel{Keys: bson.D{{Key: "agency", Value: 1}, {Key: "name", Value: 1}}, Options: options.Index().SetName("agency_name")})
	Indexes["canned_responses"] = append(Indexes["canned_responses"],
		// By agency, then title; _id breaks ties as CannedFor sorts.
		mongo.IndexModel{Keys: bson.D{{Key: "agency", Value: 1}, {Key: "title", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("agency_title_id")})
}

// WorkFields are the workspace fields an action sets. A nil pointer leaves
// that field alone; a pointer to the zero time clears it (a reopened
// ticket is no longer closed).
type WorkFields struct {
	Assignee        *string
	FirstResponseAt *time.Time
	AnsweredAt      *time.Time
	ClosedAt        *time.Time
}

// Set returns the $set entries for f, to append to TicketChange.Set.
func (f WorkFields) Set() bson.D {
	var d bson.D
	if f.Assignee != nil {
		d = append(d, bson.E{Key: "assignee", Value: *f.Assignee})
	}
	for _, e := range []struct {
		key string
		at  *time.Time
	}{{"first_response_at", f.FirstResponseAt}, {"answered_at", f.AnsweredAt}, {"closed_at", f.ClosedAt}} {
		if e.at != nil {
			d = append(d, bson.E{Key: e.key, Value: e.at.UTC()})
		}
	}
	return d
}

// UsersInAgencies returns the active staff accounts (agency_staff and
// agency_lead) of those agencies, by name: the people a ticket held by one
// of them may be assigned to. Index: users {agency}. The users collection
// is small (hundreds), so even a scan on the embedded store is cheap.
func (s *Store) UsersInAgencies(ctx context.Context, agencies []string) ([]*desk.User, error) {
	out := []*desk.User{}
	if len(agencies) == 0 {
		return out, nil
	}
	f := bson.D{
		{Key: "agency", Value: bson.D{{Key: "$in", Value: agencies}}},
		{Key: "role", Value: bson.D{{Key: "$in", Value: bson.A{desk.RoleStaff, desk.RoleLead}}}},
		{Key: "disabled", Value: bson.D{{Key: "$ne", Value: true}}},
	}
	cur, err := s.users.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}).
		SetProjection(bson.D{{Key: "password_hash", Value: 0}}).SetLimit(500))
	if err != nil {
		return nil, fmt.Errorf("users in agencies: %w", err)
	}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("users in agencies: %w", err)
	}
	return out, nil
}

// TicketsByEmail returns the tickets of the citizen with that (lower-cased)
// email that actor may see, newest first, at most limit, without bodies,
// messages and events. Index: tickets {citizen.email, created_at}. The
// ticket page uses it only when the citizen gave no phone number; phone
// look-ups go through the per-caller document instead (callers.go).
func (s *Store) TicketsByEmail(ctx context.Context, actor *desk.User, email string, limit int) ([]*desk.Ticket, error) {
	out := []*desk.Ticket{}
	f, ok := scopeFilter(bson.D{{Key: "citizen.email", Value: email}}, actor)
	if !ok || email == "" {
		return out, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	cur, err := s.tickets.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).
		SetLimit(int64(limit)).SetProjection(listProjection))
	if err != nil {
		return nil, fmt.Errorf("tickets by email: %w", err)
	}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("tickets by email: %w", err)
	}
	return out, nil
}

// CannedResponse is a reply template of one agency. Body may hold the
// placeholders internal/workspace expands ({{ten_cong_dan}}, {{ma_phieu}},
// {{co_quan}} and their English spellings).
type CannedResponse struct {
	ID        string    `bson:"_id" json:"id"`
	Agency    string    `bson:"agency" json:"agency"`
	Title     string    `bson:"title" json:"title"`
	Body      string    `bson:"body" json:"body"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
	UpdatedBy string    `bson:"updated_by,omitempty" json:"-"`
}

func (s *Store) canned() *mongo.Collection { return s.db.Collection("canned_responses") }

// CannedFor lists the canned responses of those agencies (all when
// agencies is nil), by agency then title. Index: canned_responses
// {agency, title}.
//
// Every ticket page asks, so the answer is kept per agency list for
// cannedTTL: a response saved or deleted through this process shows at
// once (the cache is dropped), one edited through another process within
// cannedTTL.
func (s *Store) CannedFor(ctx context.Context, agencies []string) ([]CannedResponse, error) {
	key := "*"
	if agencies != nil {
		key = strings.Join(agencies, "\x00")
	}
	if list, ok := s.cannedMemo.get(key); ok {
		return list, nil
	}
	gen := s.cannedMemo.generation()
	list, err := s.readCanned(ctx, agencies)
	if err != nil {
		return nil, err
	}
	s.cannedMemo.put(key, gen, list)
	return slices.Clone(list), nil
}

// cannedTTL bounds how stale another process's canned responses may be on
// a ticket page.
const cannedTTL = 10 * time.Second

// cannedCache holds CannedFor's answers. A write bumps gen, so a read that
// began before the write does not store its older answer.
type cannedCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]cannedEntry
}

type cannedEntry struct {
	list []CannedResponse
	at   time.Time
	gen  uint64
}

func (c *cannedCache) get(key string) ([]CannedResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.gen != c.gen || time.Since(e.at) > cannedTTL {
		return nil, false
	}
	return slices.Clone(e.list), true // callers filter in place
}

func (c *cannedCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *cannedCache) put(key string, gen uint64, list []CannedResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil {
		c.m = map[string]cannedEntry{}
	}
	c.m[key] = cannedEntry{list: slices.Clone(list), at: time.Now(), gen: gen}
}

// drop forgets every answer; called after each write.
func (c *cannedCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

func (s *Store) readCanned(ctx context.Context, agencies []string) ([]CannedResponse, error) {
	f := bson.D{}
	if agencies != nil {
		f = bson.D{{Key: "agency", Value: bson.D{{Key: "$in", Value: agencies}}}}
	}
	cur, err := s.canned().Find(ctx, f, options.Find().SetSort(bson.D{{Key: "agency", Value: 1}, {Key: "title", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, fmt.Errorf("canned responses: %w", err)
	}
	out := []CannedResponse{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("canned responses: %w", err)
	}
	return out, nil
}

// CannedByID returns one canned response; ENOTFOUND when there is none.
func (s *Store) CannedByID(ctx context.Context, id string) (*CannedResponse, error) {
	var c CannedResponse
	if err := s.canned().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c); err != nil {
		return nil, notFound(err, "mẫu trả lời (canned response)")
	}
	return &c, nil
}

// SaveCanned inserts c, or replaces the response with its id.
func (s *Store) SaveCanned(ctx context.Context, c *CannedResponse) error {
	defer s.lockWrite()()
	defer s.cannedMemo.drop()
	if c.ID == "" {
		c.ID = NewID()
	}
	if _, err := s.canned().ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, c, options.Replace().SetUpsert(true)); err != nil {
		return fmt.Errorf("save canned response: %w", err)
	}
	return nil
}

// DeleteCanned removes a canned response; ENOTFOUND when it is gone.
func (s *Store) DeleteCanned(ctx context.Context, id string) error {
	defer s.lockWrite()()
	defer s.cannedMemo.drop()
	res, err := s.canned().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("delete canned response: %w", err)
	}
	if res.DeletedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Mẫu trả lời không tồn tại (canned response not found).")
	}
	return nil
}
