package store

// Reads for search (issue 7): re-checking index hits against the truth, and
// the id listing the periodic index consistency check compares.

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// Visible reports whether actor may see t: exactly the rule scopeFilter
// applies in queries, applied in Go to a ticket already read. Search uses it
// to re-check index hits, because the index can lag behind a transfer.
func Visible(actor *desk.User, t *desk.Ticket) bool {
	scope := desk.Scope(actor)
	switch {
	case t == nil:
		return false
	case scope == nil:
		return true
	case len(scope) == 0 || t.Status == desk.StatusQuarantined:
		return false
	}
	for _, a := range scope {
		if a != "" && slices.Contains(t.AgencyPath, a) {
			return true
		}
	}
	return false
}

// TicketsByIDs reads the listed tickets (without events, body and
// messages) by _id, a few at a time. Each read is a bare {_id} filter,
// the only shape FerretDB answers from an index; one {_id: {$in: …}}
// would scan the whole collection there. Missing ids are left out of the
// map. No scoping: the caller filters with Visible.
func (s *Store) TicketsByIDs(ctx context.Context, ids []string) (map[string]*desk.Ticket, error) {
	out := make(map[string]*desk.Ticket, len(ids))
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, min(4, s.lookupWorkers())) // one at a time on the embedded store: see lookupWorkers
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func(id string) {
			defer func() { <-sem; wg.Done() }()
			var t desk.Ticket
			err := s.tickets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(listProjection)).Decode(&t)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				out[id] = &t
			case desk.ErrorCode(notFound(err, "ticket")) == desk.ENOTFOUND:
			case firstErr == nil:
				firstErr = fmt.Errorf("read ticket %s: %w", id, err)
			}
		}(id)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// TicketRef is a ticket's id and whether its Q&A entry is published: what
// the index consistency check needs for both search indexes.
type TicketRef struct {
	ID        string
	Published bool
}

// TicketRefs lists every ticket's id and publication state. The projection
// keeps it cheap even where the store scans (FerretDB); the consistency
// check calls it every few minutes, not per request.
func (s *Store) TicketRefs(ctx context.Context) ([]TicketRef, error) {
	cur, err := s.tickets.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "publication.state", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list ticket ids: %w", err)
	}
	defer cur.Close(ctx)
	var out []TicketRef
	for cur.Next(ctx) {
		var r struct {
			ID  string `bson:"_id"`
			Pub *struct {
				State string `bson:"state"`
			} `bson:"publication"`
		}
		if err := cur.Decode(&r); err != nil {
			return nil, err
		}
		out = append(out, TicketRef{ID: r.ID, Published: r.Pub != nil && r.Pub.State == desk.PublicationPublished})
	}
	return out, cur.Err()
}
