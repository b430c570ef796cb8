// Package reports computes the figures an agency reports and a citizen can
// check: the staff dashboard (scoped by role), the public transparency
// page, and the CSV/XLSX exports.
//
// # Design
//
// Figures come from a rollups collection, one document per (creation day,
// holding agency) for tickets and one per day for hotline calls. Every
// figure in a document is additive — counts, and histograms of whole
// working days — so a period and a set of agencies are read by adding
// documents, and medians and 90th percentiles are exact: durations are
// whole working days, and the histogram of a union is the sum of the
// histograms. The dashboard therefore never reads a ticket; its cost
// grows with days × agencies, not with tickets.
//
// Documents are built in Go from one projected cursor over the tickets
// (FerretDB v1 has no $dateToString or $facet, and computes only one
// accumulator per $group). The day key is computed from CreatedAt in
// Asia/Ho_Chi_Minh, so tickets stored before Ticket.Day existed count
// too. A ticket counts under its current holding agency and status:
// the rollup describes the present state of the tickets received each day,
// which is what a "received in the period, answered so far" report means.
//
// Keeping it current: Roller runs in every worker process and, every
// minute, recomputes the days of tickets and calls whose updated_at moved
// since the last watermark (less a minute of slack for writes in flight).
// Recomputing a day is idempotent, so several rollers at once are
// harmless. Rebuild recomputes everything (`civicdesk reports rebuild`).
package reports

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// TransferDays is the statutory time to hand a ticket on to the competent
// agency, in working days: a hand-over later than this is late.
const TransferDays = 5

// Service computes and serves the report figures.
type Service struct {
	Store    *store.Store
	Catalog  func() *desk.Catalog
	Calendar func() *calendar.Calendar
	Clock    desk.Clock
	Log      *slog.Logger

	cache publicCache // public.go
	rc    rollupCache // cache.go
}

// DayKey is t's calendar day in Vietnam, "2006-01-02".
func DayKey(t time.Time) string { return t.In(calendar.Location()).Format(time.DateOnly) }

// dayStart is 00:00 in Vietnam of day.
func dayStart(day string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, day, calendar.Location())
}

// slack is how far before the watermark a refresh looks again, for
// writes that were in flight when the last refresh read.
const slack = time.Minute

// Rebuild recomputes every rollup from the tickets and calls.
func (s *Service) Rebuild(ctx context.Context) (tickets int, err error) {
	start := s.Clock.Now().UTC()
	n, err := s.rollTickets(ctx, nil)
	if err != nil {
		return 0, err
	}
	if err := s.rollCalls(ctx, nil); err != nil {
		return 0, err
	}
	return n, s.Store.SetRollupWatermark(ctx, start)
}

// Refresh recomputes the days whose tickets or calls changed since the
// last run; the first run rebuilds everything. It returns the number of
// days recomputed.
func (s *Service) Refresh(ctx context.Context) (int, error) {
	start := s.Clock.Now().UTC()
	wm, err := s.Store.RollupWatermark(ctx)
	if err != nil {
		return 0, err
	}
	_, schema, err := s.Store.RollupState(ctx)
	if err != nil {
		return 0, err
	}
	if wm.IsZero() || schema != store.RollupSchema {
		if !wm.IsZero() {
			s.Log.Info("report rollups were built by another version; rebuilding", "schema", schema, "want", store.RollupSchema)
		}
		_, err := s.Rebuild(ctx)
		return -1, err
	}
	since := wm.Add(-slack)
	created, err := s.Store.TicketsChangedSince(ctx, since)
	if err != nil {
		return 0, err
	}
	set := map[string]bool{}
	for _, c := range created {
		set[DayKey(c)] = true
	}
	days := make([]string, 0, len(set))
	for d := range set {
		days = append(days, d)
	}
	sort.Strings(days)
	if len(days) > 0 {
		if _, err := s.rollTickets(ctx, days); err != nil {
			return 0, err
		}
	}
	cdays, err := s.Store.CallsChangedSince(ctx, since)
	if err != nil {
		return 0, err
	}
	if len(cdays) > 0 {
		if err := s.rollCalls(ctx, cdays); err != nil {
			return 0, err
		}
	}
	return len(days) + len(cdays), s.Store.SetRollupWatermark(ctx, start)
}

// acc accumulates one rollup document in maps before it is stored.
type acc struct {
	r                          *store.Rollup
	channel, category, prov    map[string]int
	status                     map[string]int
	fr, ans, resolved          map[int]int
	ratings                    [5]int
	hasRatings                 bool
	calls, inbound, missed, hd int
	hsecs                      int64
}

func newAcc(day, agency, kind string) *acc {
	id := kind + "|" + day
	if kind == store.RollupTickets {
		id += "|" + agency
	}
	return &acc{r: &store.Rollup{ID: id, Kind: kind, Day: day, Agency: agency},
		channel: map[string]int{}, category: map[string]int{}, prov: map[string]int{}, status: map[string]int{},
		fr: map[int]int{}, ans: map[int]int{}, resolved: map[int]int{}}
}

// rollTickets recomputes the ticket rollups of days (every day when nil).
func (s *Service) rollTickets(ctx context.Context, days []string) (int, error) {
	var ranges []store.TimeRange
	for _, d := range days {
		from, err := dayStart(d)
		if err != nil {
			return 0, fmt.Errorf("rollup day %q: %w", d, err)
		}
		ranges = append(ranges, store.TimeRange{From: from.UTC(), To: from.AddDate(0, 0, 1).UTC()})
	}
	each := func(fn func(*desk.Ticket) error) error { return s.Store.EachReportTicket(ctx, ranges, fn) }
	return s.rollTicketsFrom(ctx, days, each)
}

// rollTicketsFrom builds the ticket rollups of days (every day when nil)
// from the tickets each yields, and stores them.
func (s *Service) rollTicketsFrom(ctx context.Context, days []string, each func(func(*desk.Ticket) error) error) (int, error) {
	want := map[string]bool{}
	for _, d := range days {
		want[d] = true
	}
	cal := s.Calendar()
	accs := map[string]*acc{}
	get := func(day, agency string) *acc {
		k := day + "|" + agency
		a := accs[k]
		if a == nil {
			a = newAcc(day, agency, store.RollupTickets)
			accs[k] = a
		}
		return a
	}
	n := 0
	err := each(func(t *desk.Ticket) error {
		day := DayKey(t.CreatedAt)
		if days != nil && !want[day] {
			return nil
		}
		if t.Status == desk.StatusQuarantined {
			return nil // spam belongs to no agency and to no figure
		}
		n++
		addTicket(cal, get, day, t)
		return nil
	})
	if err != nil {
		return 0, err
	}
	now := s.Clock.Now().UTC()
	docs := make([]*store.Rollup, 0, len(accs))
	for _, a := range accs {
		docs = append(docs, a.finish(now))
	}
	s.rc.writing.Add(1)
	defer s.rc.writing.Add(-1)
	gen, err := s.Store.ReplaceRollups(ctx, store.RollupTickets, days, docs)
	if err != nil {
		return 0, err
	}
	s.applied(store.RollupTickets, days, docs, gen)
	return n, nil
}

// addTicket adds one ticket's contribution to the rollups of its day. It
// is the single definition of every ticket figure.
func addTicket(cal *calendar.Calendar, get func(day, agency string) *acc, day string, t *desk.Ticket) {
	a := get(day, t.Agency)
	r := a.r
	r.Received++
	a.channel[string(t.Channel)]++
	a.category[t.Category]++
	a.prov[t.Citizen.Province]++
	a.status[string(t.Status)]++
	if !t.FirstResponseAt.IsZero() {
		a.fr[cal.WorkingDaysBetween(t.CreatedAt, t.FirstResponseAt)]++
	}
	if !t.AnsweredAt.IsZero() {
		r.Answered++
		if t.DueAt.IsZero() || !t.AnsweredAt.After(t.DueAt) {
			r.AnsweredOnTime++
		}
		a.ans[cal.WorkingDaysBetween(t.CreatedAt, t.AnsweredAt)]++
	}
	if t.Rating != nil && t.Rating.Score >= 1 && t.Rating.Score <= 5 {
		a.ratings[t.Rating.Score-1]++
		a.hasRatings = true
	}
	if !t.Open() {
		a.resolved[calendarDays(t.CreatedAt, leftOpenAt(t))]++
	}
	// Each hand-over counts for the agency that handed the ticket on.
	for _, c := range t.Custody {
		if c.Until.IsZero() {
			continue
		}
		h := get(day, c.Agency).r
		h.Transfers++
		if !c.Until.After(cal.AddWorkingDays(c.Since, TransferDays)) {
			h.TransfersOnTime++
		}
	}
}

// leftOpenAt is when a ticket that is no longer open left the open
// statuses: its answer, else its closing, else its last change.
func leftOpenAt(t *desk.Ticket) time.Time {
	switch {
	case !t.AnsweredAt.IsZero():
		return t.AnsweredAt
	case !t.ClosedAt.IsZero():
		return t.ClosedAt
	}
	return t.UpdatedAt
}

// calendarDays is the number of calendar days in Vietnam from a's date to
// b's date (0 on the same day, never negative).
func calendarDays(a, b time.Time) int {
	da, _ := dayStart(DayKey(a))
	db, _ := dayStart(DayKey(b))
	n := int(db.Sub(da).Hours()/24 + 0.5)
	return max(n, 0)
}

func counts(m map[string]int) []store.Count {
	out := make([]store.Count, 0, len(m))
	for k, n := range m {
		out = append(out, store.Count{K: k, N: n})
	}
	slices.SortFunc(out, func(a, b store.Count) int {
		if a.K < b.K {
			return -1
		}
		if a.K > b.K {
			return 1
		}
		return 0
	})
	return out
}

func bins(m map[int]int) []store.Bin {
	out := make([]store.Bin, 0, len(m))
	for v, n := range m {
		out = append(out, store.Bin{V: v, N: n})
	}
	slices.SortFunc(out, func(a, b store.Bin) int { return a.V - b.V })
	return out
}

func (a *acc) finish(now time.Time) *store.Rollup {
	r := a.r
	r.ByChannel, r.ByCategory, r.ByProvince, r.ByStatus = counts(a.channel), counts(a.category), counts(a.prov), counts(a.status)
	r.FirstResponseWD, r.AnswerWD, r.ResolvedAfter = bins(a.fr), bins(a.ans), bins(a.resolved)
	if a.hasRatings {
		r.Ratings = a.ratings[:]
	}
	r.Calls, r.Inbound, r.Missed, r.Handled, r.HandleSeconds = a.calls, a.inbound, a.missed, a.hd, a.hsecs
	r.BuiltAt = now
	return r
}

// rollCalls recomputes the call rollups of days (every day when nil).
func (s *Service) rollCalls(ctx context.Context, days []string) error {
	accs := map[string]*acc{}
	for _, d := range days {
		accs[d] = newAcc(d, "", store.RollupCalls) // a day whose calls all went stays, at zero
	}
	err := s.Store.EachReportCall(ctx, days, func(c *desk.Call) error {
		a := accs[c.Day]
		if a == nil {
			a = newAcc(c.Day, "", store.RollupCalls)
			accs[c.Day] = a
		}
		addCall(a, c)
		return nil
	})
	if err != nil {
		return err
	}
	now := s.Clock.Now().UTC()
	docs := make([]*store.Rollup, 0, len(accs))
	for _, a := range accs {
		docs = append(docs, a.finish(now))
	}
	s.rc.writing.Add(1)
	defer s.rc.writing.Add(-1)
	gen, err := s.Store.ReplaceRollups(ctx, store.RollupCalls, days, docs)
	if err != nil {
		return err
	}
	s.applied(store.RollupCalls, days, docs, gen)
	return nil
}

// addCall is the single definition of the hotline figures: every call
// counts; the missed-call rate is over inbound calls that were not
// blocked; the handling time is answer to hang-up of calls that have both.
func addCall(a *acc, c *desk.Call) {
	a.calls++
	if c.Direction == desk.DirectionIn && !c.Blocked {
		a.inbound++
		if c.Missed {
			a.missed++
		}
	}
	if d := c.Duration(); d > 0 {
		a.hd++
		a.hsecs += int64(d / time.Second)
	}
}

// itoa is strconv.Itoa, for templates and CSV cells.
func itoa(n int) string { return strconv.Itoa(n) }

func locVN() *time.Location { return calendar.Location() }
