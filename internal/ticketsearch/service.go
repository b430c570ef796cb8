// Package ticketsearch is the product side of search (issue 7): the staff
// keyword search behind GET /api/v1/tickets?q= and /staff/search, and the
// public search over published Q&A.
//
// Scope is decided here, never by the caller's parameters: the agency a
// staff member may see is taken from the signed-in user (desk.Scope) and
// handed to the index as Query.Scope, which every backend applies to hits,
// totals and facet counts alike. An agency parameter can only narrow that
// scope: staff of agency A asking for agency=B get an empty result, not
// B's tickets, and not an error that would confirm B exists.
//
// The index lags Mongo by a task. Between a transfer and its ticket:index
// task, the index still files the ticket under its old agency. So every hit
// is re-read from the store and re-checked with store.Visible before it is
// shown; a stale hit is re-indexed on the spot and the query run once more,
// so that the totals and facet counts of the page the user sees are those
// of the corrected index.
package ticketsearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/workers"
)

// Service runs staff and public searches.
type Service struct {
	Store *store.Store
	Index search.Index
	// Public is the published-Q&A index (workers.PublicDoc); nil turns
	// public search off.
	Public search.Index
	Clock  desk.Clock
	Log    *slog.Logger
	// Reindex queues a ticket:index task; nil re-indexes only inline.
	Reindex func(ctx context.Context, ticketID string) error
	// QAID is the public id of a ticket's Q&A entry (citizen.Service.QAID).
	QAID func(ticketID string) string

	pending pending // pending.go
}

// Input limits. A query is bounded before it reaches the index: every word
// becomes a fuzzy clause, and deep pages cost the index O(offset).
const (
	MaxTextRunes   = 200
	MaxOffset      = 10_000
	MaxFilterVals  = 20
	MaxFilterRunes = 64
)

// Sort names accepted from users, mapped to the index's orders.
var sorts = map[string]string{
	"":          "",
	"relevance": search.SortRelevance,
	"due":       search.SortDueAsc,
	"created":   search.SortCreatedDesc,
	"oldest":    search.SortCreatedAsc,
}

// AllFacets are counted on every staff search.
var AllFacets = []string{search.FacetAgency, search.FacetStatus, search.FacetChannel, search.FacetCategory, search.FacetProvince, search.FacetOverdue}

// Params is a staff search as a user asked for it. Agencies can only
// narrow the caller's scope.
type Params struct {
	Text                                                string
	Agencies, Statuses, Channels, Categories, Provinces []string
	Overdue                                             *bool
	CreatedFrom, CreatedTo                              time.Time
	Sort                                                string // relevance | due | created | oldest
	Offset, Limit                                       int
	IncludeNotes                                        bool
}

// Hit is one ticket found, as the store has it now.
type Hit struct {
	Ticket     *desk.Ticket // listing projection: no events, body or messages
	Score      float64
	Highlights map[string][]string // HTML-escaped fragments with <mark>
}

// Result is one page.
type Result struct {
	Hits   []Hit
	Total  int
	Facets map[string]map[string]int
	Sort   string
	Offset int
	Limit  int
}

// Validate checks p's sizes and values and returns the index query for
// actor, with the scope forced from actor.
func (p Params) query(actor *desk.User) (search.Query, error) {
	q := search.Query{Text: strings.TrimSpace(p.Text), Overdue: p.Overdue, CreatedFrom: p.CreatedFrom, CreatedTo: p.CreatedTo,
		Offset: p.Offset, Limit: p.Limit, Facets: AllFacets, Highlight: true, IncludeStaffNotes: p.IncludeNotes}
	if utf8.RuneCountInString(q.Text) > MaxTextRunes {
		return q, fieldErr("q", fmt.Sprintf("Từ khóa quá dài: tối đa %d ký tự (query over %d characters).", MaxTextRunes, MaxTextRunes))
	}
	if n := len(search.Words(q.Text)); n > search.MaxWords {
		return q, fieldErr("q", fmt.Sprintf("Từ khóa có quá nhiều từ: tối đa %d (too many words).", search.MaxWords))
	}
	sort, ok := sorts[p.Sort]
	if !ok {
		return q, fieldErr("sort", "Cách sắp xếp không hợp lệ: dùng relevance, due, created hoặc oldest (unknown sort; use relevance, due, created or oldest).")
	}
	q.Sort = sort
	if p.Offset < 0 || p.Offset > MaxOffset {
		return q, fieldErr("offset", fmt.Sprintf("Vị trí trang không hợp lệ: từ 0 đến %d (offset must be 0..%d).", MaxOffset, MaxOffset))
	}
	if p.Limit < 0 {
		return q, fieldErr("limit", fmt.Sprintf("Số kết quả mỗi trang không hợp lệ (limit must be 1..%d).", search.MaxLimit))
	}
	// A huge limit is clamped (search.MaxLimit), not refused: it is a
	// harmless request for "as many as you give".
	for _, f := range []struct {
		name string
		in   []string
		out  *[]string
	}{
		{"agency", p.Agencies, &q.Agencies}, {"status", p.Statuses, &q.Statuses}, {"channel", p.Channels, &q.Channels},
		{"category", p.Categories, &q.Categories}, {"province", p.Provinces, &q.Provinces},
	} {
		vals, err := cleanFilter(f.name, f.in)
		if err != nil {
			return q, err
		}
		*f.out = vals
	}
	for _, st := range q.Statuses {
		if !desk.Status(st).Valid() {
			return q, fieldErr("status", "Trạng thái không hợp lệ (unknown status).")
		}
	}
	for _, ch := range q.Channels {
		if !desk.Channel(ch).Valid() {
			return q, fieldErr("channel", "Kênh không hợp lệ (unknown channel).")
		}
	}
	if !q.CreatedFrom.IsZero() && !q.CreatedTo.IsZero() && q.CreatedTo.Before(q.CreatedFrom) {
		return q, fieldErr("to", "Khoảng ngày bị đảo ngược (the date range is reversed).")
	}
	q.Scope = Scope(actor)
	// Agency staff never see quarantined tickets, in Mongo or here.
	if q.Scope != nil && slices.Contains(q.Statuses, string(desk.StatusQuarantined)) {
		q.Scope = []string{}
	}
	return q, nil
}

// Scope is desk.Scope in the index's terms: an agency-bound user with no
// agency gets the non-nil empty scope, which matches nothing.
func Scope(actor *desk.User) []string {
	s := desk.Scope(actor)
	if s == nil {
		return nil
	}
	out := []string{}
	for _, a := range s {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

func cleanFilter(name string, vals []string) ([]string, error) {
	var out []string
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if utf8.RuneCountInString(part) > MaxFilterRunes {
				return nil, fieldErr(name, "Giá trị lọc quá dài (filter value too long).")
			}
			if !slices.Contains(out, part) {
				out = append(out, part)
			}
		}
	}
	if len(out) > MaxFilterVals {
		return nil, fieldErr(name, fmt.Sprintf("Quá nhiều giá trị lọc: tối đa %d (too many filter values).", MaxFilterVals))
	}
	return out, nil
}

func fieldErr(field, msg string) error {
	return &desk.Error{Code: desk.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// Search runs a staff keyword search for actor.
func (s *Service) Search(ctx context.Context, actor *desk.User, p Params) (*Result, error) {
	if actor == nil {
		return nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (sign in first).")
	}
	q, err := p.query(actor)
	if err != nil {
		s.Log.Info("search: invalid query", "user", actor.ID, "err", err)
		return nil, err
	}
	if q.Scope != nil {
		// Scoped counts must not include a ticket this process just moved
		// out of the scope (pending.go).
		if err := s.flush(ctx); err != nil {
			s.Log.Warn("search: re-indexing pending changes failed", "err", err)
		}
	}
	res, hits, stale, err := s.run(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	if stale > 0 {
		// The index was behind for some hits (fixed inline by run): the
		// second run's totals and facets are the corrected ones.
		if res, hits, _, err = s.run(ctx, actor, q); err != nil {
			return nil, err
		}
	}
	nq, _ := q.Normalize()
	return &Result{Hits: hits, Total: res.Total, Facets: res.Facets, Sort: nq.Sort, Offset: nq.Offset, Limit: nq.Limit}, nil
}

// run searches once and re-checks every hit against the store. stale counts
// the hits the index had wrong; they are re-indexed before run returns.
func (s *Service) run(ctx context.Context, actor *desk.User, q search.Query) (*search.Result, []Hit, int, error) {
	res, err := s.Index.Search(ctx, q)
	if errors.Is(err, search.ErrInvalidQuery) {
		return nil, nil, 0, &desk.Error{Code: desk.EINVALID, Message: "Yêu cầu tìm kiếm không hợp lệ (invalid search request).",
			Fields: map[string]string{"q": strings.TrimPrefix(err.Error(), "search: ")}}
	}
	if err != nil {
		return nil, nil, 0, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	got, err := s.Store.TicketsByIDs(ctx, ids)
	if err != nil {
		return nil, nil, 0, err
	}
	hits := make([]Hit, 0, len(res.Hits))
	stale := 0
	for _, h := range res.Hits {
		t := got[h.ID]
		if t == nil || !store.Visible(actor, t) {
			stale++
			res.Total--
			s.refresh(ctx, h.ID)
			continue
		}
		hits = append(hits, Hit{Ticket: t, Score: h.Score, Highlights: h.Highlights})
	}
	res.Total = max(res.Total, len(hits))
	return res, hits, stale, nil
}

// Refile brings a ticket's index entry up to date before it returns. The
// ticket service calls it after a route, return or transfer: the entry
// files the ticket under an agency, and every process's scoped search
// (facet counts included, which are not re-checked against the store)
// must see the new one at once rather than when the index task runs. On
// Meilisearch the write is awaited. A task is queued as well, so that a
// concurrent later change cannot be overwritten by this one for long.
func (s *Service) Refile(ctx context.Context, id string) {
	s.reindexNow(ctx, id)
}

// refresh brings one ticket's index entry up to date now, and queues a
// task as well in case this write is lost.
func (s *Service) refresh(ctx context.Context, id string) {
	s.Log.Info("search: index was stale for a hit; re-indexing", "ticket", id)
	s.reindexNow(ctx, id)
}

func (s *Service) reindexNow(ctx context.Context, id string) {
	t, err := s.Store.TicketByID(ctx, id)
	switch {
	case desk.ErrorCode(err) == desk.ENOTFOUND:
		err = s.Index.Delete(ctx, id)
	case err == nil:
		err = s.Index.Index(ctx, workers.TicketDoc(t, s.Clock.Now()))
	}
	if err != nil {
		s.Log.Warn("search: inline re-index failed", "ticket", id, "err", err)
	}
	if s.Reindex != nil {
		if err := s.Reindex(ctx, id); err != nil {
			s.Log.Warn("search: enqueue index failed", "ticket", id, "err", err)
		}
	}
}
