package store

// The agency inbox (issue 6, area IN): its views, scoped inside this
// package, answered by the read side in use (reads.go): indexed queries
// here, the in-process read model on the embedded store (readmodel.go).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// Inbox views. The default view ("") is every open ticket in scope.
const (
	ViewAll        = ""
	ViewNew        = "new"        // not taken up yet: status triage or new
	ViewMine       = "mine"       // open, assigned to the viewer
	ViewUnassigned = "unassigned" // open, nobody assigned
	ViewOverdue    = "overdue"    // open and flagged overdue or past its due time
	ViewDueSoon    = "due_soon"   // open, not overdue, due by InboxQuery.SoonUntil
	ViewAwaiting   = "awaiting"   // awaiting_citizen (clock paused)
	ViewAnswered   = "answered"   // answered, waiting for the citizen's verdict or closing
)

// InboxViews lists the views in tab order, the default first.
var InboxViews = []string{ViewAll, ViewNew, ViewMine, ViewUnassigned, ViewOverdue, ViewDueSoon, ViewAwaiting, ViewAnswered}

// ValidView reports whether v names an inbox view.
func ValidView(v string) bool { return slices.Contains(InboxViews, v) }

// InboxQuery is one inbox page request. Every view is ordered overdue
// first (tickets the SLA timers or sweep flagged), then by due date.
type InboxQuery struct {
	View     string
	Statuses []desk.Status // optional: narrows the view's statuses (API ?status=)
	Agency   string        // optional: tickets whose agency path holds it (API ?agency=)
	Limit    int           // 1..200, default 50
	Offset   int
	// Now is the time overdue and due soon are judged at; SoonUntil the
	// end of "due soon" (the web layer passes the end of the second
	// working day from now; zero means Now + 48 h).
	Now       time.Time
	SoonUntil time.Time
	// Counts asks for the number of tickets in every view (the tabs).
	Counts bool
}

// InboxRow is one inbox line, as the read model holds it.
type InboxRow struct {
	ID, TrackingCode, Title, Agency string
	Status                          desk.Status
	Assignee                        string
	Channel                         desk.Channel
	Category, Province              string
	CreatedAt, DueAt                time.Time
	Overdue                         bool
	Suspect                         bool // tagged by the spam check
}

// InboxPage is a page of rows, the view's total, and the per-view counts
// when asked for (keyed by view name; "" is the default view).
type InboxPage struct {
	Rows   []InboxRow
	Total  int
	Counts map[string]int
}

// normalize checks q and fills in its defaults.
func (q InboxQuery) normalize() (InboxQuery, error) {
	if !ValidView(q.View) {
		return q, &desk.Error{Code: desk.EINVALID, Message: fmt.Sprintf("Chế độ xem không hợp lệ: %q (unknown inbox view).", q.View),
			Fields: map[string]string{"view": "new, mine, unassigned, overdue, due_soon, awaiting, answered"}}
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	q.Now = ms(q.Now.UTC()) // BSON dates hold milliseconds; both paths judge alike
	if q.SoonUntil.IsZero() {
		q.SoonUntil = q.Now.Add(48 * time.Hour)
	}
	q.SoonUntil = ms(q.SoonUntil.UTC())
	return q, nil
}

// viewStatuses is the statuses a view covers, narrowed by want if given.
func viewStatuses(view string, want []desk.Status) []desk.Status {
	var base []desk.Status
	switch view {
	case ViewNew:
		base = []desk.Status{desk.StatusTriage, desk.StatusNew}
	case ViewAwaiting:
		base = []desk.Status{desk.StatusAwaitingCitizen}
	case ViewAnswered:
		base = []desk.Status{desk.StatusAnswered}
	default:
		base = desk.OpenStatuses
	}
	if len(want) == 0 {
		return base
	}
	if view == ViewAll {
		return want // the API's ?status= alone, as before views existed
	}
	var out []desk.Status
	for _, s := range base {
		if slices.Contains(want, s) {
			out = append(out, s)
		}
	}
	return out
}

// overdueAt is the inbox's notion of overdue: flagged by the SLA timers
// or sweep, or past its due time (before the sweep has caught up).
func overdueAt(flag bool, due, now time.Time) bool {
	return flag || (!due.IsZero() && due.Before(now))
}

// viewMask has bit i set for InboxViews[i].
type viewMask uint8

// classifier returns the in-memory form of every view's filter at once:
// the set of views a summary belongs to. mongoFilter is the same filter
// for the store; the property test in inbox_model_test.go holds the two
// to each other. One pass over the summaries then gives the page and
// every tab's count.
func (q InboxQuery) classifier(actor *desk.User) func(sm *summary) viewMask {
	byStatus := map[desk.Status]viewMask{}
	var mine, unassigned, overdue, dueSoon viewMask
	for i, v := range InboxViews {
		bit := viewMask(1) << i
		for _, st := range viewStatuses(v, q.Statuses) {
			byStatus[st] |= bit
		}
		switch v {
		case ViewMine:
			mine = bit
		case ViewUnassigned:
			unassigned = bit
		case ViewOverdue:
			overdue = bit
		case ViewDueSoon:
			dueSoon = bit
		}
	}
	me := ""
	if actor != nil {
		me = actor.ID
	}
	return func(sm *summary) viewMask {
		m := byStatus[sm.status]
		if m == 0 {
			return 0
		}
		if me == "" || sm.assignee != me {
			m &^= mine
		}
		if sm.assignee != "" {
			m &^= unassigned
		}
		if overdueAt(sm.flag, sm.due, q.Now) {
			m &^= dueSoon
		} else {
			m &^= overdue
			if sm.due.IsZero() || sm.due.After(q.SoonUntil) {
				m &^= dueSoon
			}
		}
		return m
	}
}

// viewBit is view's bit in a viewMask.
func viewBit(view string) viewMask { return viewMask(1) << slices.Index(InboxViews, view) }

// mongoFilter is view's filter as a query, scoped to actor; ok is false
// when it can match nothing.
func (q InboxQuery) mongoFilter(actor *desk.User, view string) (bson.D, bool) {
	sts := viewStatuses(view, q.Statuses)
	if len(sts) == 0 {
		return nil, false
	}
	scope, ok := scopeFilter(bson.D{}, actor)
	if !ok {
		return nil, false
	}
	conds := bson.A{bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: sts}}}}}
	if q.Agency != "" {
		conds = append(conds, bson.D{{Key: "agency_path", Value: q.Agency}})
	}
	switch view {
	case ViewMine:
		if actor == nil || actor.ID == "" {
			return nil, false
		}
		conds = append(conds, bson.D{{Key: "assignee", Value: actor.ID}})
	case ViewUnassigned:
		conds = append(conds, bson.D{{Key: "assignee", Value: bson.D{{Key: "$in", Value: bson.A{nil, ""}}}}})
	case ViewOverdue:
		conds = append(conds, bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "overdue", Value: true}},
			bson.D{{Key: "due_at", Value: bson.D{{Key: "$gt", Value: time.Time{}}, {Key: "$lt", Value: q.Now}}}},
		}}})
	case ViewDueSoon:
		conds = append(conds, bson.D{{Key: "overdue", Value: bson.D{{Key: "$in", Value: bson.A{false, nil}}}}},
			bson.D{{Key: "due_at", Value: bson.D{{Key: "$gte", Value: q.Now}, {Key: "$lte", Value: q.SoonUntil}}}})
	}
	if len(scope) > 0 {
		conds = append(conds, scope)
	}
	return bson.D{{Key: "$and", Value: conds}}, true
}

// Inbox returns one page of actor's inbox: only tickets in actor's scope
// (desk.Scope: their agency and its units; quarantined tickets never for
// agency staff), in the view q names, overdue first then by due date.
func (s *Store) Inbox(ctx context.Context, actor *desk.User, q InboxQuery) (*InboxPage, error) {
	return s.reads.Inbox(ctx, actor, q)
}

// InboxTickets is Inbox with the tickets themselves (without events,
// body and messages), for the JSON API.
func (s *Store) InboxTickets(ctx context.Context, actor *desk.User, q InboxQuery) ([]*desk.Ticket, int, error) {
	return s.reads.InboxTickets(ctx, actor, q)
}

// Inbox answers with queries, served on MongoDB by the indexes
// "inbox_overdue", "inbox", "assignee_open" and "status_overdue_due".
// With the tab counts, a page is two or three round trips: one aggregate
// counts every view (and the flagged part of this one, which places the
// page), then one find, or two when the page straddles the flagged part.
func (r *indexReads) Inbox(ctx context.Context, actor *desk.User, q InboxQuery) (*InboxPage, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	s := r.s
	p := &InboxPage{}
	if q.Counts && !s.engineV1() {
		c, err := s.inboxCounts(ctx, actor, q)
		if err != nil {
			return nil, err
		}
		p.Counts, p.Total = c.views, c.views[q.View]
		if f, ok := q.mongoFilter(actor, q.View); ok {
			ts, err := s.inboxSlice(ctx, f, q.Offset, q.Limit, c.flagged, c.views[q.View])
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				p.Rows = append(p.Rows, summarize(t).row(q.Now))
			}
		}
		return p, nil
	}
	if f, ok := q.mongoFilter(actor, q.View); ok {
		ts, total, err := s.mongoPage(ctx, f, q.Offset, q.Limit)
		if err != nil {
			return nil, err
		}
		p.Total = total
		for _, t := range ts {
			p.Rows = append(p.Rows, summarize(t).row(q.Now))
		}
	}
	if q.Counts {
		// FerretDB v1 computes only the first accumulator of a $group
		// (the others come back 0), so the embedded store counts each
		// view on its own while its in-process views load.
		p.Counts = emptyCounts(q)
		for _, v := range InboxViews {
			f, ok := q.mongoFilter(actor, v)
			if !ok {
				continue
			}
			n, err := s.tickets.CountDocuments(ctx, f)
			if err != nil {
				return nil, fmt.Errorf("count inbox view %q: %w", v, err)
			}
			p.Counts[v] = int(n)
		}
	}
	return p, nil
}

// InboxTickets is the page of Inbox with its tickets, by the same queries.
func (r *indexReads) InboxTickets(ctx context.Context, actor *desk.User, q InboxQuery) ([]*desk.Ticket, int, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, 0, err
	}
	f, ok := q.mongoFilter(actor, q.View)
	if !ok {
		return nil, 0, nil
	}
	if q.Offset > 0 && !r.s.engineV1() {
		// A later page: one aggregate tells where the flagged part ends
		// and the total, instead of a count of each part.
		c, err := r.s.inboxCounts(ctx, actor, q)
		if err != nil {
			return nil, 0, err
		}
		ts, err := r.s.inboxSlice(ctx, f, q.Offset, q.Limit, c.flagged, c.views[q.View])
		return ts, c.views[q.View], err
	}
	return r.s.mongoPage(ctx, f, q.Offset, q.Limit)
}

// inboxCountsResult is every view's count, and how many of the asked
// view's tickets are flagged overdue (they come first in its order).
type inboxCountsResult struct {
	views   map[string]int
	flagged int
}

// inboxCounts counts every inbox view in scope with one aggregate: a
// $match on the union of the views' statuses (with the agency and the
// scope, as in mongoFilter), then a $group of the tickets by the few
// facts the views tell apart — status, flagged, whose (nobody, the viewer,
// someone else) and when due (past, soon, later or never) — at most a
// hundred small groups, summed into each view here (viewOf). One
// conditional sum per view measured 180 ms over 20,000 open tickets on
// the DocumentDB server, the grouping a fraction of that: the cost is per
// expression per ticket. The agreement tests hold the answers to the
// in-process views'.
func (s *Store) inboxCounts(ctx context.Context, actor *desk.User, q InboxQuery) (inboxCountsResult, error) {
	out := inboxCountsResult{views: emptyCounts(q)}
	if out.views == nil {
		out.views = map[string]int{}
	}
	var union []desk.Status
	for _, v := range InboxViews {
		for _, st := range viewStatuses(v, q.Statuses) {
			if !slices.Contains(union, st) {
				union = append(union, st)
			}
		}
	}
	scope, ok := scopeFilter(bson.D{}, actor)
	if !ok || len(union) == 0 {
		return out, nil
	}
	conds := bson.A{bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: union}}}}}
	if q.Agency != "" {
		conds = append(conds, bson.D{{Key: "agency_path", Value: q.Agency}})
	}
	if len(scope) > 0 {
		conds = append(conds, scope)
	}
	me := ""
	if actor != nil {
		me = actor.ID
	}
	cond := func(c, a, b any) bson.D { return bson.D{{Key: "$cond", Value: bson.A{c, a, b}}} }
	op := func(name string, a, b any) bson.D { return bson.D{{Key: name, Value: bson.A{a, b}}} }
	key := bson.D{
		{Key: "s", Value: "$status"},
		{Key: "f", Value: op("$eq", "$overdue", true)},
		{Key: "w", Value: cond(op("$eq", bson.D{{Key: "$ifNull", Value: bson.A{"$assignee", ""}}}, ""), whoNobody,
			cond(op("$eq", "$assignee", me), whoMe, whoOther))},
		{Key: "d", Value: cond(op("$lt", "$due_at", q.Now),
			cond(op("$gt", "$due_at", time.Time{}), duePast, dueNever),
			cond(op("$lte", "$due_at", q.SoonUntil), dueSoon, dueLater))},
	}
	cur, err := s.tickets.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: "$and", Value: conds}}}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: key}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return out, fmt.Errorf("count inbox views: %w", err)
	}
	var groups []struct {
		Key struct {
			Status desk.Status `bson:"s"`
			Flag   bool        `bson:"f"`
			Who    int         `bson:"w"`
			Due    int         `bson:"d"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return out, fmt.Errorf("count inbox views: %w", err)
	}
	for _, g := range groups {
		k := g.Key
		for _, v := range InboxViews {
			if q.viewOf(v, me, k.Status, k.Flag, k.Who, k.Due) {
				out.views[v] += g.N
				if v == q.View && k.Flag {
					out.flagged += g.N
				}
			}
		}
	}
	return out, nil
}

// The groups inboxCounts sorts tickets into: whose a ticket is, and when
// it is due relative to the query's Now and SoonUntil.
const (
	whoNobody, whoMe, whoOther           = 0, 1, 2
	duePast, dueSoon, dueLater, dueNever = 0, 1, 2, 3
)

// viewOf is mongoFilter's per-view condition (and the classifier's) for a
// group of tickets: the status, then the view's own test.
func (q InboxQuery) viewOf(view, me string, st desk.Status, flag bool, who, due int) bool {
	if !slices.Contains(viewStatuses(view, q.Statuses), st) {
		return false
	}
	switch view {
	case ViewMine:
		return me != "" && who == whoMe
	case ViewUnassigned:
		return who == whoNobody
	case ViewOverdue:
		return flag || due == duePast
	case ViewDueSoon:
		return !flag && due == dueSoon
	}
	return true
}

// inboxParts splits f into its flagged part, which comes first in inbox
// order, and the rest. MongoDB cannot sort "flagged first" on a field that
// is sometimes false and sometimes absent, so a page is read from the two
// parts, each by due date: two range scans of
// {agency_path, status, overdue, due_at}.
func inboxParts(f bson.D) (flagged, others bson.D) {
	return bson.D{{Key: "$and", Value: bson.A{f, bson.D{{Key: "overdue", Value: true}}}}},
		bson.D{{Key: "$and", Value: bson.A{f, bson.D{{Key: "overdue", Value: bson.D{{Key: "$in", Value: bson.A{false, nil}}}}}}}}
}

// inboxFind reads n tickets of f in due-date order after skipping skip.
func (s *Store) inboxFind(ctx context.Context, f bson.D, skip, n int) ([]*desk.Ticket, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []*desk.Ticket
	cur, err := s.tickets.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetSkip(int64(skip)).SetLimit(int64(n)).SetProjection(listProjection))
	if err == nil {
		err = cur.All(ctx, &out)
	}
	if err != nil {
		return nil, fmt.Errorf("list inbox: %w", err)
	}
	return out, nil
}

// inboxSlice reads the page [offset, offset+limit) of f in inbox order
// when its flagged count nf and its total are known: one find, or two
// when the page straddles the end of the flagged part.
func (s *Store) inboxSlice(ctx context.Context, f bson.D, offset, limit, nf, total int) ([]*desk.Ticket, error) {
	flagged, others := inboxParts(f)
	if offset >= nf {
		return s.inboxFind(ctx, others, offset-nf, limit)
	}
	a, err := s.inboxFind(ctx, flagged, offset, limit)
	if err != nil || len(a) >= limit || total <= nf {
		return a, err
	}
	b, err := s.inboxFind(ctx, others, 0, limit-len(a))
	return append(a, b...), err
}

// mongoPage pages through f in inbox order (inboxParts) when nothing is
// known of its counts yet.
func (s *Store) mongoPage(ctx context.Context, f bson.D, offset, limit int) ([]*desk.Ticket, int, error) {
	flagged, others := inboxParts(f)
	count := func(f bson.D) (int, error) {
		n, err := s.tickets.CountDocuments(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("count inbox: %w", err)
		}
		return int(n), nil
	}
	if offset == 0 {
		// The first page, which is nearly every request: the pages
		// themselves tell how many flagged tickets there are when they
		// run short, and the total when both do, so the counts are
		// asked only when a page comes back full (2–3 round trips, not
		// 3–4).
		a, err := s.inboxFind(ctx, flagged, 0, limit)
		if err != nil {
			return nil, 0, err
		}
		if len(a) == limit {
			total, err := count(f)
			return a, total, err
		}
		b, err := s.inboxFind(ctx, others, 0, limit-len(a))
		if err != nil {
			return nil, 0, err
		}
		out := append(a, b...)
		if len(b) < limit-len(a) {
			return out, len(out), nil
		}
		no, err := count(others)
		return out, len(a) + no, err
	}
	nf, err := count(flagged)
	if err != nil {
		return nil, 0, err
	}
	no, err := count(others)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.inboxSlice(ctx, f, offset, limit, nf, nf+no)
	return out, nf + no, err
}

func emptyCounts(q InboxQuery) map[string]int {
	if !q.Counts {
		return nil
	}
	m := make(map[string]int, len(InboxViews))
	for _, v := range InboxViews {
		m[v] = 0
	}
	return m
}

func asBulk(err error, bwe *mongo.BulkWriteException) bool { return errors.As(err, bwe) }

// ticketHooks are the functions OnTicketChange registered.
type ticketHooks struct {
	mu  sync.RWMutex
	fns []func(ids ...string)
}

// OnTicketChange registers fn to be told the ids of tickets this process
// has just inserted or changed, after each successful InsertTicket,
// InsertTickets and UpdateTicketWith. fn runs on the writer's goroutine
// after the write lock is released; it must be quick and must not block
// (hand work to a goroutine or a queue). Only this process's writes are
// reported: on MongoDB other processes write too.
func (s *Store) OnTicketChange(fn func(ids ...string)) {
	s.hooks.mu.Lock()
	s.hooks.fns = append(s.hooks.fns, fn)
	s.hooks.mu.Unlock()
}

func (s *Store) notifyTicketChange(ids ...string) {
	if len(ids) == 0 {
		return
	}
	s.hooks.mu.RLock()
	fns := s.hooks.fns
	s.hooks.mu.RUnlock()
	for _, fn := range fns {
		fn(ids...)
	}
}

// SetAssigneeChange is the change that sets a ticket's assignee ("" to
// unassign), for UpdateTicketWith; the workspace's claim and assign
// actions and tests use it.
func SetAssigneeChange(assignee, actor, note string) TicketChange {
	return TicketChange{Set: bson.D{{Key: "assignee", Value: assignee}},
		Event: desk.Event{Actor: actor, Type: "assigned", To: assignee, Note: note}}
}

// InboxAssignees lists the active agency staff and leads actor may assign
// tickets to, by name, at most 300: their own agency's for an agency
// lead, every agency's for coordinators and admins, nobody otherwise.
// The users collection is small, so the scan FerretDB makes is cheap;
// on MongoDB it reads the collection once per inbox page of a lead.
func (s *Store) InboxAssignees(ctx context.Context, actor *desk.User) ([]*desk.User, error) {
	f := bson.D{{Key: "role", Value: bson.D{{Key: "$in", Value: bson.A{desk.RoleStaff, desk.RoleLead}}}},
		{Key: "disabled", Value: bson.D{{Key: "$ne", Value: true}}}}
	switch {
	case actor == nil:
		return nil, nil
	case actor.Role == desk.RoleLead:
		f = append(f, bson.E{Key: "agency", Value: actor.Agency})
	case actor.Role == desk.RoleCoordinator || actor.Role == desk.RoleAdmin:
	default:
		return nil, nil
	}
	cur, err := s.users.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "name", Value: 1}}).SetLimit(300).
		SetProjection(bson.D{{Key: "password_hash", Value: 0}}))
	if err != nil {
		return nil, fmt.Errorf("assignees: %w", err)
	}
	var out []*desk.User
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("assignees: %w", err)
	}
	return out, nil
}
