package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// The audit log is append-only: this file has an insert and reads, and no
// other code in the application touches the collection, so nothing in the
// app can edit or delete an entry.

// InsertAudit appends one entry; an empty ID gets a new one.
func (s *Store) InsertAudit(ctx context.Context, e *desk.AuditEntry) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	defer s.lockWrite()()
	if _, err := s.db.Collection("audit").InsertOne(ctx, e); err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

// AuditFilter narrows an audit listing; zero fields match everything.
type AuditFilter struct {
	Actor, Action, Target string
	Since, Until          time.Time
	Limit, Offset         int
}

// AuditEntries lists entries newest first.
func (s *Store) AuditEntries(ctx context.Context, af AuditFilter) ([]desk.AuditEntry, error) {
	f := bson.D{}
	if af.Actor != "" {
		f = append(f, bson.E{Key: "actor", Value: af.Actor})
	}
	if af.Action != "" {
		f = append(f, bson.E{Key: "action", Value: af.Action})
	}
	if af.Target != "" {
		f = append(f, bson.E{Key: "target", Value: af.Target})
	}
	rng := bson.D{}
	if !af.Since.IsZero() {
		rng = append(rng, bson.E{Key: "$gte", Value: af.Since})
	}
	if !af.Until.IsZero() {
		rng = append(rng, bson.E{Key: "$lt", Value: af.Until})
	}
	if len(rng) > 0 {
		f = append(f, bson.E{Key: "at", Value: rng})
	}
	limit := af.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	cur, err := s.db.Collection("audit").Find(ctx, f, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(af.Offset)).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	var out []desk.AuditEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return out, nil
}
