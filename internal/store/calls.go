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

// Hotline collections. They are reached through s.db rather than fields of
// Store so that this file stays self-contained.
//
// A call's _id is its call id (the call_id field repeats it for the
// unique index and for readers): every CTI event looks its call up, and
// FerretDB v1 answers _id lookups without scanning the collection, which
// keeps the webhook fast on the embedded store too.
const (
	collCalls    = "calls"
	collBlocked  = "blocked_numbers"
	collSettings = "settings"
	// collCTIMarks holds one document per applied (call id, event).
	collCTIMarks = "cti_events"
)

func (s *Store) calls() *mongo.Collection { return s.db.Collection(collCalls) }

// CTIEvent is one PBX event as the store applies it to a call record.
type CTIEvent struct {
	CallID    string
	Event     string // newCall, answer or hangup
	At        time.Time
	Day       string // the Vietnamese day of At
	Phone     string // the citizen's number
	Direction string
	Line      string
	Queue     string
	// Operator and OperatorName say who answered (answer events).
	Operator, OperatorName, AnsweringNumber string
	Cause                                   string // hangup events
	Blocked                                 bool   // newCall from a blocked number
}

// ApplyCTIEvent records ev on its call, creating the call if this is the
// first event seen for it. Each (call id, event) pair applies once:
// applied is false, and nothing changes, for a repeat. Events may arrive in
// any order: the start is the earliest time seen, the answer the earliest
// answer, the end the latest hang-up, and a call is missed only while no
// answer has been recorded, so a late "answer" clears it.
//
// It needs no transaction, and every read and write goes by _id, which
// FerretDB v1 answers without a scan: a marker document whose _id is
// "call id|event" is inserted first, and the unique _id turns a repeat
// into a duplicate-key error before anything else happens. If applying
// the event then fails, the marker is removed so that the PBX's retry
// applies it.
func (s *Store) ApplyCTIEvent(ctx context.Context, ev CTIEvent) (call *desk.Call, applied bool, err error) {
	marks := s.db.Collection(collCTIMarks)
	key := ev.CallID + "|" + ev.Event
	if _, err := marks.InsertOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "at", Value: ev.At}}); err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			return nil, false, fmt.Errorf("cti event marker: %w", err)
		}
		c, err := s.CallByCallID(ctx, ev.CallID)
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			// The first delivery is still being applied.
			return newCallFromEvent(ev), false, nil
		}
		return c, false, err
	}
	c, err := s.applyCTI(ctx, ev)
	if c != nil {
		// The call changed, whatever happens next: the memo follows it.
		defer s.feed.callWritten(ctx, c.ID)
	}
	if err == nil {
		// Before the marker stands for good: if the caller index fails,
		// the marker goes and the PBX's retry records the call again.
		err = s.noteCallerCall(ctx, c)
	}
	if err != nil {
		if _, derr := marks.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: key}}); derr != nil {
			err = fmt.Errorf("%w (and removing the event marker failed: %v)", err, derr)
		}
		return nil, false, err
	}
	return c, true, nil
}

func (s *Store) applyCTI(ctx context.Context, ev CTIEvent) (*desk.Call, error) {
	for attempt := 0; attempt < 3; attempt++ {
		c, err := s.updateCTI(ctx, ev)
		if err != nil {
			return nil, err
		}
		if c != nil {
			if ev.Event == "hangup" && c.AnsweredAt.IsZero() && c.Direction == desk.DirectionIn && !c.Blocked {
				return s.markMissed(ctx, ev.CallID)
			}
			return c, nil
		}
		c = newCallFromEvent(ev)
		if _, err := s.calls().InsertOne(ctx, c); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				continue // another event for this call got there first
			}
			return nil, fmt.Errorf("insert call: %w", err)
		}
		return c, nil
	}
	return nil, desk.Errorf(desk.ECONFLICT, "call %s changed concurrently; retry", ev.CallID)
}

func newCallFromEvent(ev CTIEvent) *desk.Call {
	c := &desk.Call{ID: ev.CallID, CallID: ev.CallID, Phone: ev.Phone, Direction: ev.Direction, Line: ev.Line, Queue: ev.Queue,
		StartedAt: ev.At, Day: ev.Day, Cause: ev.Cause, Blocked: ev.Blocked, CTIEvents: []string{ev.Event}, UpdatedAt: ev.At}
	switch ev.Event {
	case "answer":
		c.AnsweredAt = ev.At
		c.Operator, c.OperatorName, c.AnsweringNumber = ev.Operator, ev.OperatorName, ev.AnsweringNumber
	case "hangup":
		c.EndedAt = ev.At
		c.Missed = c.Direction == desk.DirectionIn && !c.Blocked
	}
	return c
}

// updateCTI applies ev to an existing call, and returns nil when there is
// no such call yet.
func (s *Store) updateCTI(ctx context.Context, ev CTIEvent) (*desk.Call, error) {
	set := bson.D{{Key: "updated_at", Value: ev.At}}
	upd := bson.D{
		{Key: "$min", Value: bson.D{{Key: "started_at", Value: ev.At}}},
		{Key: "$addToSet", Value: bson.D{{Key: "cti_events", Value: ev.Event}}},
	}
	switch ev.Event {
	case "newCall":
		// newCall carries the authoritative numbers, whatever came first.
		set = append(set, bson.E{Key: "phone", Value: ev.Phone}, bson.E{Key: "direction", Value: ev.Direction},
			bson.E{Key: "day", Value: ev.Day}, bson.E{Key: "blocked", Value: ev.Blocked})
		if ev.Line != "" {
			set = append(set, bson.E{Key: "line", Value: ev.Line})
		}
		if ev.Queue != "" {
			set = append(set, bson.E{Key: "queue", Value: ev.Queue})
		}
		if ev.Blocked {
			set = append(set, bson.E{Key: "missed", Value: false})
		}
	case "answer":
		upd[0].Value = append(upd[0].Value.(bson.D), bson.E{Key: "answered_at", Value: ev.At})
		set = append(set, bson.E{Key: "missed", Value: false}, bson.E{Key: "answering_number", Value: ev.AnsweringNumber})
		if ev.Operator != "" {
			set = append(set, bson.E{Key: "operator", Value: ev.Operator}, bson.E{Key: "operator_name", Value: ev.OperatorName})
		}
	case "hangup":
		upd = append(upd, bson.E{Key: "$max", Value: bson.D{{Key: "ended_at", Value: ev.At}}})
		set = append(set, bson.E{Key: "cause", Value: ev.Cause})
	}
	upd = append(upd, bson.E{Key: "$set", Value: set})
	var c desk.Call
	err := s.calls().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: ev.CallID}},
		upd, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("apply cti event: %w", err)
	}
	return &c, nil
}

// markMissed flags an inbound call missed, then looks again: if an answer
// was recorded meanwhile it clears the flag. Every step is a single-document
// update by _id, and an answer always clears the flag itself, so in any
// interleaving the call ends up missed exactly when it has no answer.
func (s *Store) markMissed(ctx context.Context, callID string) (*desk.Call, error) {
	set := func(v bool) (*desk.Call, error) {
		var c desk.Call
		err := s.calls().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: callID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "missed", Value: v}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
		if err != nil {
			return nil, fmt.Errorf("mark missed: %w", err)
		}
		return &c, nil
	}
	c, err := set(true)
	if err != nil || c.AnsweredAt.IsZero() {
		return c, err
	}
	return set(false)
}

// CallByCallID returns the call with that PBX or console call id.
func (s *Store) CallByCallID(ctx context.Context, callID string) (*desk.Call, error) {
	var c desk.Call
	if err := s.calls().FindOne(ctx, bson.D{{Key: "_id", Value: callID}}).Decode(&c); err != nil {
		return nil, notFound(err, "call")
	}
	return &c, nil
}

// SaveCallLog records what the operator logged on call c.CallID: it
// updates the call the PBX already reported, or creates it for a call
// logged by hand. Times already reported by the PBX are kept; c's times
// only fill gaps. Saving the same log twice leaves one call.
func (s *Store) SaveCallLog(ctx context.Context, c *desk.Call) (*desk.Call, error) {
	for attempt := 0; attempt < 3; attempt++ {
		set := bson.D{
			{Key: "outcome", Value: c.Outcome}, {Key: "answer", Value: c.Answer}, {Key: "summary", Value: c.Summary},
			{Key: "caller_name", Value: c.CallerName}, {Key: "province", Value: c.Province}, {Key: "category", Value: c.Category},
			{Key: "ticket_code", Value: c.TicketCode}, {Key: "operator", Value: c.Operator}, {Key: "operator_name", Value: c.OperatorName},
			{Key: "logged_at", Value: c.LoggedAt}, {Key: "updated_at", Value: c.UpdatedAt}, {Key: "missed", Value: false},
		}
		if c.Phone != "" {
			set = append(set, bson.E{Key: "phone", Value: c.Phone})
		}
		upd := bson.D{{Key: "$set", Value: set}}
		// A logged call was answered; if the PBX never said so, the
		// operator's start time stands in.
		mins := bson.D{{Key: "started_at", Value: c.StartedAt}}
		if !c.AnsweredAt.IsZero() {
			mins = append(mins, bson.E{Key: "answered_at", Value: c.AnsweredAt})
		}
		upd = append(upd, bson.E{Key: "$min", Value: mins})
		if !c.EndedAt.IsZero() {
			upd = append(upd, bson.E{Key: "$max", Value: bson.D{{Key: "ended_at", Value: c.EndedAt}}})
		}
		var out desk.Call
		err := s.calls().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: c.CallID}}, upd,
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
		if err == nil {
			if err := s.noteCallerCall(ctx, &out); err != nil {
				return nil, err
			}
			s.feed.callWritten(ctx, out.ID)
			return &out, nil
		}
		if err != mongo.ErrNoDocuments {
			return nil, fmt.Errorf("save call log: %w", err)
		}
		c.ID = c.CallID
		if _, err := s.calls().InsertOne(ctx, c); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
			return nil, fmt.Errorf("insert call: %w", err)
		}
		if err := s.noteCallerCall(ctx, c); err != nil {
			return nil, err
		}
		s.feed.callWritten(ctx, c.ID)
		return c, nil
	}
	return nil, desk.Errorf(desk.ECONFLICT, "call %s changed concurrently; retry", c.CallID)
}

// Calls lists calls matching f, latest first. Each filter shape has an
// index in Indexes: phone, operator+day, day, outcome, missed, or none.
func (s *Store) Calls(ctx context.Context, f desk.CallFilter) ([]*desk.Call, error) {
	return s.reads.Calls(ctx, f)
}

// callLimit is a listing's page size: 1..5000, 100 by default.
func callLimit(limit int) int {
	if limit <= 0 || limit > 5000 {
		return 100
	}
	return limit
}

// Calls asks the index that serves f's shape.
func (r *indexReads) Calls(ctx context.Context, f desk.CallFilter) ([]*desk.Call, error) {
	s := r.s
	q := bson.D{}
	if f.Phone != "" {
		q = append(q, bson.E{Key: "phone", Value: f.Phone})
	}
	if f.Operator != "" {
		q = append(q, bson.E{Key: "operator", Value: f.Operator})
	}
	if f.Day != "" {
		q = append(q, bson.E{Key: "day", Value: f.Day})
	}
	if f.Outcome != "" {
		q = append(q, bson.E{Key: "outcome", Value: f.Outcome})
	}
	if f.Missed != nil {
		q = append(q, bson.E{Key: "missed", Value: *f.Missed})
	}
	if !f.Since.IsZero() {
		q = append(q, bson.E{Key: "started_at", Value: bson.D{{Key: "$gte", Value: f.Since}}})
	}
	limit := callLimit(f.Limit)
	cur, err := s.calls().Find(ctx, q, options.Find().SetSort(bson.D{{Key: "started_at", Value: -1}}).SetLimit(int64(limit)).
		SetBatchSize(int32(limit)).SetProjection(bson.D{{Key: "cti_events", Value: 0}}))
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	out := []*desk.Call{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	return out, nil
}

// InsertCalls bulk-inserts calls, unordered, for benchmarks and demo data.
func (s *Store) InsertCalls(ctx context.Context, calls []*desk.Call) error {
	if len(calls) == 0 {
		return nil
	}
	docs := make([]any, len(calls))
	for i, c := range calls {
		docs[i] = c
	}
	if err := s.noteCallerCalls(ctx, calls); err != nil {
		return err
	}
	_, err := s.calls().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("insert calls: %w", err)
	}
	s.feed.callsInserted(calls)
	return nil
}

// TicketsByPhone returns the tickets of the citizen with that E.164 number
// that actor may see, newest first, at most limit, without their bodies,
// messages and events. Index: tickets {citizen.phone, created_at}.
func (s *Store) TicketsByPhone(ctx context.Context, actor *desk.User, phone string, limit int) ([]*desk.Ticket, error) {
	f, ok := scopeFilter(bson.D{{Key: "citizen.phone", Value: phone}}, actor)
	if !ok {
		return []*desk.Ticket{}, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	cur, err := s.tickets.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).
		SetLimit(int64(limit)).SetBatchSize(int32(limit)).SetProjection(listProjection))
	if err != nil {
		return nil, fmt.Errorf("tickets by phone: %w", err)
	}
	out := []*desk.Ticket{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("tickets by phone: %w", err)
	}
	return out, nil
}

// BlockNumber adds or replaces the block on b.Phone.
func (s *Store) BlockNumber(ctx context.Context, b *desk.BlockedNumber) error {
	_, err := s.db.Collection(collBlocked).ReplaceOne(ctx, bson.D{{Key: "_id", Value: b.Phone}}, b, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("block number: %w", err)
	}
	return nil
}

// UnblockNumber lifts the block on phone, if any.
func (s *Store) UnblockNumber(ctx context.Context, phone string) error {
	_, err := s.db.Collection(collBlocked).DeleteOne(ctx, bson.D{{Key: "_id", Value: phone}})
	return err
}

// BlockedNumber returns the block on phone, or nil when there is none.
// Expired blocks are returned too; callers check Active, since the
// embedded store has no TTL indexes to remove them.
func (s *Store) BlockedNumber(ctx context.Context, phone string) (*desk.BlockedNumber, error) {
	var b desk.BlockedNumber
	err := s.db.Collection(collBlocked).FindOne(ctx, bson.D{{Key: "_id", Value: phone}}).Decode(&b)
	if err == mongo.ErrNoDocuments {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("blocked number: %w", err)
	}
	return &b, nil
}

// BlockedNumbers lists every block, newest first; the list is short.
func (s *Store) BlockedNumbers(ctx context.Context) ([]*desk.BlockedNumber, error) {
	cur, err := s.db.Collection(collBlocked).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(500))
	if err != nil {
		return nil, err
	}
	out := []*desk.BlockedNumber{}
	return out, cur.All(ctx, &out)
}

// EnsureSetting returns the stored value of key, storing value first if
// the key has none. Concurrent callers all get the value that won the
// insert, so every process agrees on a generated secret.
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	coll := s.db.Collection(collSettings)
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "value", Value: value}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	var doc struct {
		Value string `bson:"value"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc); err != nil {
		return "", fmt.Errorf("setting %s: %w", key, err)
	}
	return doc.Value, nil
}
