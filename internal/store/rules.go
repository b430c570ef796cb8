package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// Routing rules and calendar overrides are small admin-edited collections:
// a few dozen rules, a few dozen dates a year. They are read whole.

func (s *Store) rules() *mongo.Collection     { return s.db.Collection("routing_rules") }
func (s *Store) overrides() *mongo.Collection { return s.db.Collection("calendar_overrides") }

// Rules returns every routing rule in the order they are tried.
func (s *Store) Rules(ctx context.Context) ([]desk.RoutingRule, error) {
	cur, err := s.rules().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	out := []desk.RoutingRule{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	return out, nil
}

// Rule returns one rule; ENOTFOUND if there is none with id.
func (s *Store) Rule(ctx context.Context, id string) (*desk.RoutingRule, error) {
	var r desk.RoutingRule
	if err := s.rules().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r); err != nil {
		return nil, notFound(err, "quy tắc (rule)")
	}
	return &r, nil
}

// InsertRule stores a new rule. The caller has validated it and set its
// id and order.
func (s *Store) InsertRule(ctx context.Context, r *desk.RoutingRule) error {
	if _, err := s.rules().InsertOne(ctx, r); err != nil {
		return fmt.Errorf("insert rule: %w", err)
	}
	return nil
}

// ReplaceRule overwrites an existing rule; ENOTFOUND if it is gone.
func (s *Store) ReplaceRule(ctx context.Context, r *desk.RoutingRule) error {
	res, err := s.rules().ReplaceOne(ctx, bson.D{{Key: "_id", Value: r.ID}}, r)
	if err != nil {
		return fmt.Errorf("replace rule: %w", err)
	}
	if res.MatchedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Quy tắc không tồn tại (rule not found).")
	}
	return nil
}

// SetRuleOrder moves one rule to position order.
func (s *Store) SetRuleOrder(ctx context.Context, id string, order int, now time.Time) error {
	res, err := s.rules().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "order", Value: order}, {Key: "updated_at", Value: now}}}})
	if err != nil {
		return fmt.Errorf("order rule: %w", err)
	}
	if res.MatchedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Quy tắc không tồn tại (rule not found).")
	}
	return nil
}

// DeleteRule removes a rule; ENOTFOUND if it is gone.
func (s *Store) DeleteRule(ctx context.Context, id string) error {
	res, err := s.rules().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("delete rule: %w", err)
	}
	if res.DeletedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Quy tắc không tồn tại (rule not found).")
	}
	return nil
}

// CalendarOverride is a stored administrator override of one date.
type CalendarOverride struct {
	Date      string                `bson:"_id" json:"date"` // YYYY-MM-DD, Vietnam
	Kind      calendar.OverrideKind `bson:"kind" json:"kind"`
	Note      string                `bson:"note,omitempty" json:"note,omitempty"`
	UpdatedBy string                `bson:"updated_by,omitempty" json:"updated_by,omitempty"`
	UpdatedAt time.Time             `bson:"updated_at" json:"updated_at"`
}

// CalendarOverrides returns every stored override, by date.
func (s *Store) CalendarOverrides(ctx context.Context) ([]CalendarOverride, error) {
	cur, err := s.overrides().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("load calendar overrides: %w", err)
	}
	out := []CalendarOverride{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("load calendar overrides: %w", err)
	}
	return out, nil
}

// Overrides returns the stored overrides in the calendar's own form.
func (s *Store) Overrides(ctx context.Context) ([]calendar.Override, error) {
	stored, err := s.CalendarOverrides(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]calendar.Override, len(stored))
	for i, o := range stored {
		out[i] = calendar.Override{Date: o.Date, Kind: o.Kind, Note: o.Note}
	}
	return out, nil
}

// PutCalendarOverride stores o, replacing any override of the same date.
// The caller has validated it.
func (s *Store) PutCalendarOverride(ctx context.Context, o CalendarOverride) error {
	_, err := s.overrides().ReplaceOne(ctx, bson.D{{Key: "_id", Value: o.Date}}, o, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("store calendar override: %w", err)
	}
	return nil
}

// DeleteCalendarOverride removes the override of date; ENOTFOUND if none.
func (s *Store) DeleteCalendarOverride(ctx context.Context, date string) error {
	res, err := s.overrides().DeleteOne(ctx, bson.D{{Key: "_id", Value: date}})
	if err != nil {
		return fmt.Errorf("delete calendar override: %w", err)
	}
	if res.DeletedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Không có ngày điều chỉnh này (no override for that date).")
	}
	return nil
}
