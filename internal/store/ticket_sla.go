package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// SLAFields are a ticket's deadline fields. They are always written
// together, so a ticket's deadlines, level and next check never disagree.
type SLAFields struct {
	ClockStartedAt     time.Time
	TransferDueAt      time.Time
	FirstResponseDueAt time.Time
	DueAt              time.Time
	WarnAt             time.Time
	EscalateAt         time.Time
	PausedAt           time.Time // zero: the clock runs
	NextAt             *time.Time
	Level              string
	Overdue            bool
}

// SLAOf reads the deadline fields of t.
func SLAOf(t *desk.Ticket) SLAFields {
	return SLAFields{ClockStartedAt: t.ClockStartedAt, TransferDueAt: t.TransferDueAt, FirstResponseDueAt: t.FirstResponseDueAt,
		DueAt: t.DueAt, WarnAt: t.WarnAt, EscalateAt: t.EscalateAt, PausedAt: t.PausedAt, NextAt: t.SLANextAt,
		Level: t.SLALevel, Overdue: t.OverdueFlag}
}

// ApplyTo copies f onto t, for building a ticket before its insert.
func (f SLAFields) ApplyTo(t *desk.Ticket) {
	t.ClockStartedAt, t.TransferDueAt, t.FirstResponseDueAt = f.ClockStartedAt, f.TransferDueAt, f.FirstResponseDueAt
	t.DueAt, t.WarnAt, t.EscalateAt, t.PausedAt = f.DueAt, f.WarnAt, f.EscalateAt, f.PausedAt
	t.SLANextAt, t.SLALevel, t.OverdueFlag = f.NextAt, f.Level, f.Overdue
}

// Set returns the $set entries for f, to append to TicketChange.Set.
// Zero times are stored as absent-equivalent zero dates except NextAt,
// which is null so the sweep's range query never matches it.
func (f SLAFields) Set() bson.D {
	var next any // nil pointer → BSON null
	if f.NextAt != nil {
		next = f.NextAt.UTC()
	}
	return bson.D{
		{Key: "clock_started_at", Value: f.ClockStartedAt.UTC()},
		{Key: "transfer_due_at", Value: f.TransferDueAt.UTC()},
		{Key: "first_response_due_at", Value: f.FirstResponseDueAt.UTC()},
		{Key: "due_at", Value: f.DueAt.UTC()},
		{Key: "warn_at", Value: f.WarnAt.UTC()},
		{Key: "escalate_at", Value: f.EscalateAt.UTC()},
		{Key: "paused_at", Value: f.PausedAt.UTC()},
		{Key: "sla_next_at", Value: next},
		{Key: "sla_level", Value: f.Level},
		{Key: "overdue", Value: f.Overdue},
	}
}

// CustodyFields move a ticket to another agency: who holds it, who may see
// it (agency_path), the hop history and the custody chain, all replaced
// whole. That is safe because every change is a compare-and-set on the
// version the caller read them at.
type CustodyFields struct {
	Agency          string
	AgencyPath      []string
	Hops            []desk.Hop
	Custody         []desk.Custody
	SuggestedAgency string
}

// Set returns the $set entries for f, to append to TicketChange.Set.
func (f CustodyFields) Set() bson.D {
	path := f.AgencyPath
	if path == nil {
		path = []string{}
	}
	return bson.D{
		{Key: "agency", Value: f.Agency},
		{Key: "agency_path", Value: path},
		{Key: "hops", Value: f.Hops},
		{Key: "custody", Value: f.Custody},
		{Key: "suggested_agency", Value: f.SuggestedAgency},
	}
}

// slaProjection is what the SLA checks read: deadlines and identity, not
// the heavy text fields.
var slaProjection = bson.D{{Key: "events", Value: 0}, {Key: "body", Value: 0}, {Key: "messages", Value: 0}, {Key: "citizen", Value: 0}}

// SLADue returns up to limit open tickets whose SLA level may have changed
// by now (sla_next_at <= now), earliest first. The sweep calls it; the
// (status, sla_next_at) index serves it on MongoDB.
func (s *Store) SLADue(ctx context.Context, now time.Time, limit int) ([]*desk.Ticket, error) {
	return s.reads.SLADue(ctx, now, limit)
}

// SLADue selects with one query on the index "sla_next".
func (r *indexReads) SLADue(ctx context.Context, now time.Time, limit int) ([]*desk.Ticket, error) {
	s := r.s
	f := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: desk.OpenStatuses}}},
		{Key: "sla_next_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}},
	}
	cur, err := s.tickets.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "sla_next_at", Value: 1}}).
		SetLimit(int64(limit)).SetProjection(slaProjection))
	if err != nil {
		return nil, fmt.Errorf("sla due: %w", err)
	}
	var out []*desk.Ticket
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("sla due: %w", err)
	}
	return out, nil
}
