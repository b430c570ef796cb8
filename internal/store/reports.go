package store

// Reports (issue 9): the rollups collection the dashboard and the public
// transparency page read, and the cursors that build it and that exports
// stream from.
//
// FerretDB v1 has no $dateToString and no $facet, and its $group computes
// only the first accumulator correctly, while a rollup needs some twenty
// figures per group. So grouping happens in Go (internal/reports) from one
// projected cursor, and the store only reads and writes whole rollup
// documents by _id.

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

const (
	collRollups     = "rollups"
	collReportState = "report_state"
)

// Rollup kinds.
const (
	RollupTickets = "t" // one document per (creation day, holding agency)
	RollupCalls   = "c" // one document per call day
)

// Count is one labelled count; label sets are stored as arrays of pairs
// rather than maps because labels such as "TP. Hồ Chí Minh" contain dots,
// which are not allowed in field names.
type Count struct {
	K string `bson:"k" json:"key"`
	N int    `bson:"n" json:"count"`
}

// Bin is one bucket of a histogram of whole working days (or calendar
// days for ResolvedAfter): N tickets took V days.
type Bin struct {
	V int `bson:"v" json:"v"`
	N int `bson:"n" json:"n"`
}

// OpenItem is an open ticket as the dashboard's overdue and due-soon lists
// show it. No citizen data and no ticket text: the lists link to the
// ticket page. (The lists come from the inbox, not from rollups.)
type OpenItem struct {
	Code   string    `bson:"code" json:"code"`
	Agency string    `bson:"agency" json:"agency"`
	Status string    `bson:"status" json:"status"`
	Due    time.Time `bson:"due" json:"due"`
}

// Rollup is the pre-aggregated figures of one (day, agency) for tickets or
// of one day for calls. Every figure is additive across documents, which
// is what lets the dashboard add up any period and any set of agencies;
// medians come from the histograms, which add up too.
type Rollup struct {
	ID     string `bson:"_id"`
	Kind   string `bson:"kind"`
	Day    string `bson:"day"`
	Agency string `bson:"agency"`

	Received       int     `bson:"received,omitempty"`
	ByChannel      []Count `bson:"by_channel,omitempty"`
	ByCategory     []Count `bson:"by_category,omitempty"`
	ByProvince     []Count `bson:"by_province,omitempty"`
	ByStatus       []Count `bson:"by_status,omitempty"`
	Answered       int     `bson:"answered,omitempty"`
	AnsweredOnTime int     `bson:"answered_on_time,omitempty"`
	// Transfers are hand-overs made by this agency of tickets received
	// that day; on time when within the transfer deadline.
	Transfers       int   `bson:"transfers,omitempty"`
	TransfersOnTime int   `bson:"transfers_on_time,omitempty"`
	FirstResponseWD []Bin `bson:"first_response_wd,omitempty"`
	AnswerWD        []Bin `bson:"answer_wd,omitempty"`
	// Ratings[i] counts scores of i+1.
	Ratings []int `bson:"ratings,omitempty"`
	// ResolvedAfter counts tickets that have left the open statuses, by
	// calendar days from the creation day to the day they left: the
	// backlog of any day follows from it.
	ResolvedAfter []Bin `bson:"resolved_after,omitempty"`

	// Calls (kind "c").
	Calls         int   `bson:"calls,omitempty"`
	Inbound       int   `bson:"inbound,omitempty"`
	Missed        int   `bson:"missed,omitempty"`
	Handled       int   `bson:"handled,omitempty"`
	HandleSeconds int64 `bson:"handle_seconds,omitempty"`

	BuiltAt time.Time `bson:"built_at"`
}

// reportProjection is what a rollup reads of a ticket: no text, no
// messages, no events, no personal data but the province.
var reportProjection = bson.D{
	{Key: "tracking_code", Value: 1}, {Key: "status", Value: 1}, {Key: "channel", Value: 1},
	{Key: "category", Value: 1}, {Key: "agency", Value: 1}, {Key: "citizen.province", Value: 1},
	{Key: "created_at", Value: 1}, {Key: "updated_at", Value: 1}, {Key: "due_at", Value: 1},
	{Key: "first_response_at", Value: 1}, {Key: "answered_at", Value: 1}, {Key: "closed_at", Value: 1},
	{Key: "rating.score", Value: 1}, {Key: "custody", Value: 1}, {Key: "transfer_due_at", Value: 1}, {Key: "day", Value: 1},
}

// TimeRange is a half-open interval [From, To).
type TimeRange struct{ From, To time.Time }

// EachReportTicket streams the projected tickets created within any of
// ranges (all tickets when ranges is empty) to fn, one at a time: the
// rollup never holds more than one ticket in memory.
func (s *Store) EachReportTicket(ctx context.Context, ranges []TimeRange, fn func(*desk.Ticket) error) error {
	f := bson.D{}
	if len(ranges) > 0 {
		or := bson.A{}
		for _, r := range ranges {
			or = append(or, bson.D{{Key: "created_at", Value: bson.D{{Key: "$gte", Value: r.From}, {Key: "$lt", Value: r.To}}}})
		}
		f = bson.D{{Key: "$or", Value: or}}
	}
	cur, err := s.tickets.Find(ctx, f, options.Find().SetProjection(reportProjection).SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("report tickets: %w", err)
	}
	return each(ctx, cur, fn)
}

// TicketsChangedSince returns the creation times of tickets updated at or
// after since: the days whose rollups must be recomputed.
//
// On the embedded store the in-process read model answers it (readmodel.go).
func (s *Store) TicketsChangedSince(ctx context.Context, since time.Time) ([]time.Time, error) {
	return s.reads.TicketsChangedSince(ctx, since)
}

// TicketsChangedSince asks the store.
func (r *indexReads) TicketsChangedSince(ctx context.Context, since time.Time) ([]time.Time, error) {
	s := r.s
	cur, err := s.tickets.Find(ctx, bson.D{{Key: "updated_at", Value: bson.D{{Key: "$gte", Value: since}}}},
		options.Find().SetProjection(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("changed tickets: %w", err)
	}
	defer cur.Close(ctx)
	var out []time.Time
	for cur.Next(ctx) {
		var t struct {
			CreatedAt time.Time `bson:"created_at"`
		}
		if err := cur.Decode(&t); err != nil {
			return nil, err
		}
		out = append(out, t.CreatedAt)
	}
	return out, cur.Err()
}

// CallsChangedSince returns the days of calls updated at or after since.
//
// On the embedded store the call memo answers it (callmemo.go).
func (s *Store) CallsChangedSince(ctx context.Context, since time.Time) ([]string, error) {
	return s.reads.CallsChangedSince(ctx, since)
}

// CallsChangedSince asks the store.
func (r *indexReads) CallsChangedSince(ctx context.Context, since time.Time) ([]string, error) {
	s := r.s
	cur, err := s.calls().Find(ctx, bson.D{{Key: "updated_at", Value: bson.D{{Key: "$gte", Value: since}}}},
		options.Find().SetProjection(bson.D{{Key: "day", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("changed calls: %w", err)
	}
	defer cur.Close(ctx)
	seen := map[string]bool{}
	var out []string
	for cur.Next(ctx) {
		var c struct {
			Day string `bson:"day"`
		}
		if err := cur.Decode(&c); err != nil {
			return nil, err
		}
		if !seen[c.Day] {
			seen[c.Day] = true
			out = append(out, c.Day)
		}
	}
	return out, cur.Err()
}

// EachReportCall streams calls of the given days (all when days is nil),
// without what was said and without the caller's number.
func (s *Store) EachReportCall(ctx context.Context, days []string, fn func(*desk.Call) error) error {
	f := bson.D{}
	if days != nil {
		f = bson.D{{Key: "day", Value: bson.D{{Key: "$in", Value: days}}}}
	}
	proj := bson.D{{Key: "day", Value: 1}, {Key: "direction", Value: 1}, {Key: "missed", Value: 1},
		{Key: "blocked", Value: 1}, {Key: "started_at", Value: 1}, {Key: "answered_at", Value: 1}, {Key: "ended_at", Value: 1}}
	cur, err := s.calls().Find(ctx, f, options.Find().SetProjection(proj).SetBatchSize(1000))
	if err != nil {
		return fmt.Errorf("report calls: %w", err)
	}
	return each(ctx, cur, fn)
}

// ReplaceRollups makes the stored rollups of kind for days exactly docs:
// each document is replaced by _id (upserted), then documents of those
// days that no longer exist are deleted. Readers never see a day missing
// in between, only an old or a new version of each document. With days
// nil (a full rebuild) every document of kind is replaced in bulk.
//
// It returns the rollups' new generation: every replacement bumps a counter
// in report_state, so that readers holding rollups in memory learn, with
// one read by _id, whether any changed (RollupGeneration).
func (s *Store) ReplaceRollups(ctx context.Context, kind string, days []string, docs []*Rollup) (gen int64, err error) {
	defer s.lockWrite()()
	if err := s.replaceRollups(ctx, kind, days, docs); err != nil {
		return 0, err
	}
	var st reportState
	err = incrementByID(ctx, s.db.Collection(collReportState), "rollups",
		bson.D{{Key: "$inc", Value: bson.D{{Key: "gen", Value: int64(1)}}}}, bson.D{{Key: "gen", Value: int64(0)}}, &st)
	if err != nil {
		return 0, fmt.Errorf("rollup generation: %w", err)
	}
	return st.Gen, nil
}

func (s *Store) replaceRollups(ctx context.Context, kind string, days []string, docs []*Rollup) error {
	coll := s.db.Collection(collRollups)
	if days == nil {
		// A full rebuild replaces everything: delete and insert in bulk.
		// Upserting each document by _id instead costs a collection scan
		// per document on FerretDB. Readers see no figures for the moment
		// in between, which an explicit rebuild may cost.
		if _, err := coll.DeleteMany(ctx, bson.D{{Key: "kind", Value: kind}}); err != nil {
			return fmt.Errorf("clear rollups: %w", err)
		}
		for i := 0; i < len(docs); i += 500 {
			batch := make([]any, 0, 500)
			for _, d := range docs[i:min(i+500, len(docs))] {
				d.Kind = kind
				batch = append(batch, d)
			}
			if _, err := coll.InsertMany(ctx, batch); err != nil {
				return fmt.Errorf("write rollups: %w", err)
			}
		}
		return nil
	}
	ids := make([]string, 0, len(docs))
	for i := 0; i < len(docs); i += 500 {
		end := min(i+500, len(docs))
		models := make([]mongo.WriteModel, 0, end-i)
		for _, d := range docs[i:end] {
			d.Kind = kind
			models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: d.ID}}).SetReplacement(d).SetUpsert(true))
			ids = append(ids, d.ID)
		}
		if _, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("write rollups: %w", err)
		}
	}
	del := bson.D{{Key: "kind", Value: kind}, {Key: "_id", Value: bson.D{{Key: "$nin", Value: ids}}}}
	if days != nil {
		del = append(del, bson.E{Key: "day", Value: bson.D{{Key: "$in", Value: days}}})
	}
	if _, err := coll.DeleteMany(ctx, del); err != nil {
		return fmt.Errorf("prune rollups: %w", err)
	}
	return nil
}

// Rollups reads the rollups of kind ("" for every kind) from day from to
// day to inclusive (either "" for no bound), for the given agencies (all
// when agencies is nil).
func (s *Store) Rollups(ctx context.Context, kind, from, to string, agencies []string) ([]*Rollup, error) {
	f := bson.D{}
	if kind != "" {
		f = append(f, bson.E{Key: "kind", Value: kind})
	}
	day := bson.D{}
	if from != "" {
		day = append(day, bson.E{Key: "$gte", Value: from})
	}
	if to != "" {
		day = append(day, bson.E{Key: "$lte", Value: to})
	}
	if len(day) > 0 {
		f = append(f, bson.E{Key: "day", Value: day})
	}
	if agencies != nil {
		f = append(f, bson.E{Key: "agency", Value: bson.D{{Key: "$in", Value: agencies}}})
	}
	cur, err := s.db.Collection(collRollups).Find(ctx, f, options.Find().SetBatchSize(1000))
	if err != nil {
		return nil, fmt.Errorf("read rollups: %w", err)
	}
	var out []*Rollup
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read rollups: %w", err)
	}
	return out, nil
}

// reportState is the rollup job's bookkeeping: its watermark, the
// generation ReplaceRollups bumps, and the rollup schema the documents
// were built with.
type reportState struct {
	ID      string    `bson:"_id"`
	Through time.Time `bson:"through"`
	Gen     int64     `bson:"gen"`
	Schema  int       `bson:"schema"`
}

// RollupSchema is the version of the rollup documents; a store whose
// rollups were built with another is rebuilt by the next refresh.
// 2: the open-ticket lists left the documents.
const RollupSchema = 2

// RollupState returns the rollups' generation and schema (zeros when they
// were never built): one read by _id.
func (s *Store) RollupState(ctx context.Context) (gen int64, schema int, err error) {
	var st reportState
	err = s.db.Collection(collReportState).FindOne(ctx, bson.D{{Key: "_id", Value: "rollups"}}).Decode(&st)
	if err == mongo.ErrNoDocuments {
		return 0, 0, nil
	}
	return st.Gen, st.Schema, err
}

// RollupWatermark returns the time up to which ticket and call changes are
// in the rollups; zero when they were never built.
func (s *Store) RollupWatermark(ctx context.Context) (time.Time, error) {
	var st reportState
	err := s.db.Collection(collReportState).FindOne(ctx, bson.D{{Key: "_id", Value: "rollups"}}).Decode(&st)
	if err == mongo.ErrNoDocuments {
		return time.Time{}, nil
	}
	return st.Through, err
}

// SetRollupWatermark records the watermark, and the schema the rollups
// now have.
func (s *Store) SetRollupWatermark(ctx context.Context, through time.Time) error {
	defer s.lockWrite()()
	_, err := s.db.Collection(collReportState).UpdateOne(ctx, bson.D{{Key: "_id", Value: "rollups"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "through", Value: through}, {Key: "schema", Value: RollupSchema}}}},
		options.UpdateOne().SetUpsert(true))
	return err
}

// ExportFilter narrows a ticket export: the inbox's filters plus a
// creation-date range [From, To).
type ExportFilter struct {
	Statuses []desk.Status
	Agency   string
	From, To time.Time
}

// exportProjection leaves out what an export never carries: text bodies,
// messages, events, and the citizen's contact details.
var exportProjection = bson.D{{Key: "events", Value: 0}, {Key: "body", Value: 0}, {Key: "messages", Value: 0},
	{Key: "citizen.name", Value: 0}, {Key: "citizen.phone", Value: 0}, {Key: "citizen.email", Value: 0},
	{Key: "attachments", Value: 0}, {Key: "spam", Value: 0}, {Key: "hops", Value: 0}, {Key: "publication", Value: 0}}

// EachExportTicket streams the tickets in actor's scope matching f
// through a cursor in batches: an export of any size holds one
// batch in memory. Scoping is the inbox's (scopeFilter).
func (s *Store) EachExportTicket(ctx context.Context, actor *desk.User, ef ExportFilter, fn func(*desk.Ticket) error) error {
	f := bson.D{}
	if ef.Agency != "" {
		f = append(f, bson.E{Key: "agency_path", Value: ef.Agency})
	}
	if len(ef.Statuses) > 0 {
		f = append(f, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: ef.Statuses}}})
	} else {
		f = append(f, bson.E{Key: "status", Value: bson.D{{Key: "$ne", Value: desk.StatusQuarantined}}})
	}
	created := bson.D{}
	if !ef.From.IsZero() {
		created = append(created, bson.E{Key: "$gte", Value: ef.From})
	}
	if !ef.To.IsZero() {
		created = append(created, bson.E{Key: "$lt", Value: ef.To})
	}
	if len(created) > 0 {
		f = append(f, bson.E{Key: "created_at", Value: created})
	}
	f, ok := scopeFilter(f, actor)
	if !ok {
		return nil
	}
	// No sort: a sort that no index serves makes the server collect every
	// match first (FerretDB always, being embedded, in this process's
	// memory), which is what streaming is meant to avoid. Rows come in
	// storage order, which is roughly the order received.
	cur, err := s.tickets.Find(ctx, f, options.Find().SetProjection(exportProjection).SetBatchSize(500))
	if err != nil {
		return fmt.Errorf("export tickets: %w", err)
	}
	return each(ctx, cur, fn)
}

// The reports' indexes are added here rather than in the shared table in
// store.go so that this file stays self-contained.
func init() {
	Indexes["rollups"] = []mongo.IndexModel{
		// Dashboard: kind, agencies in scope, days of the period.
		{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "agency", Value: 1}, {Key: "day", Value: 1}}, Options: options.Index().SetName("kind_agency_day")},
		// National figures and pruning: kind and days.
		{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "day", Value: 1}}, Options: options.Index().SetName("kind_day")},
	}
	Indexes["tickets"] = append(Indexes["tickets"],
		// The rollup job's change scan (TicketsChangedSince).
		mongo.IndexModel{Keys: bson.D{{Key: "updated_at", Value: 1}}, Options: options.Index().SetName("updated")},
		// Rollups of given days (EachReportTicket) and unscoped exports.
		mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("created")},
		// Scoped exports: agency_path = X, by creation time.
		mongo.IndexModel{Keys: bson.D{{Key: "agency_path", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("agency_created")},
	)
	Indexes["calls"] = append(Indexes["calls"],
		mongo.IndexModel{Keys: bson.D{{Key: "updated_at", Value: 1}}, Options: options.Index().SetName("updated")})
}
