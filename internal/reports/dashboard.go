package reports

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// MaxPeriodDays bounds a report period: three years of days.
const MaxPeriodDays = 3 * 366

// DueSoonDays is how many working days ahead the due-soon list looks.
const DueSoonDays = 2

// ListLimit is how many tickets the overdue and due-soon lists show; the
// counts above them are complete.
const ListLimit = 50

// Period is an inclusive range of calendar days in Vietnam.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ParsePeriod validates from and to ("2006-01-02"); an empty to is today
// and an empty from is defaultDays-1 days before to.
func ParsePeriod(from, to string, now time.Time, defaultDays int) (Period, error) {
	bad := func() (Period, error) {
		return Period{}, &desk.Error{Code: desk.EINVALID,
			Message: "Khoảng thời gian không hợp lệ: dùng dạng YYYY-MM-DD, từ ngày không sau đến ngày, tối đa 3 năm. (Invalid period: use YYYY-MM-DD, from not after to, at most 3 years.)",
			Fields:  map[string]string{"from": from, "to": to}}
	}
	if len(from) > 10 || len(to) > 10 {
		return bad()
	}
	if to == "" {
		to = DayKey(now)
	}
	t, err := dayStart(to)
	if err != nil {
		return bad()
	}
	if from == "" {
		from = DayKey(t.AddDate(0, 0, -(defaultDays - 1)))
	}
	f, err := dayStart(from)
	if err != nil || f.After(t) || t.Sub(f) > MaxPeriodDays*24*time.Hour {
		return bad()
	}
	return Period{From: from, To: to}, nil
}

// Days lists the days of the period.
func (p Period) Days() []string {
	f, _ := dayStart(p.From)
	var out []string
	for d := f; DayKey(d) <= p.To; d = d.AddDate(0, 0, 1) {
		out = append(out, DayKey(d))
	}
	return out
}

// Durations are the median and 90th percentile of a set of whole
// working-day durations (nearest rank: the smallest value with at least
// p·N values at or below it). Zero N means no data.
type Durations struct {
	N      int `json:"n"`
	Median int `json:"median_wd"`
	P90    int `json:"p90_wd"`
}

// DayCount is one point of a trend.
type DayCount struct {
	Day string `json:"day"`
	N   int    `json:"count"`
}

// Hotline is the call-center figures of a period.
type Hotline struct {
	Calls   int `json:"calls"`
	Inbound int `json:"inbound"`
	Missed  int `json:"missed"`
	// MissedRate is Missed/Inbound in percent, one decimal.
	MissedRate float64 `json:"missed_rate_pct"`
	Handled    int     `json:"handled"`
	// AvgHandleSeconds is the mean answer-to-hang-up time, whole seconds.
	AvgHandleSeconds int `json:"avg_handle_seconds"`
}

// Dashboard is every figure of the staff dashboard.
type Dashboard struct {
	Period Period `json:"period"`
	// Agency is the agency selected ("" = all in scope); Agencies the
	// choices the selector offers (empty for agency-bound users: they see
	// their own).
	Agency   string   `json:"agency"`
	Agencies []string `json:"-"`

	Received   int           `json:"received"`
	ByChannel  []store.Count `json:"by_channel"`
	ByAgency   []store.Count `json:"by_agency"`
	ByCategory []store.Count `json:"by_category"`
	ByProvince []store.Count `json:"by_province"`
	ByStatus   []store.Count `json:"by_status"`

	Answered        int     `json:"answered"`
	AnsweredOnTime  int     `json:"answered_on_time"`
	AnswerOnTimePct float64 `json:"answer_on_time_pct"`
	Transfers       int     `json:"transfers"`
	TransfersOnTime int     `json:"transfers_on_time"`
	TransferOnTime  float64 `json:"transfer_on_time_pct"`

	FirstResponse Durations `json:"first_response"`
	Answer        Durations `json:"answer"`

	OverdueCount int              `json:"overdue_count"`
	Overdue      []store.OpenItem `json:"overdue"`
	DueSoonCount int              `json:"due_soon_count"`
	DueSoon      []store.OpenItem `json:"due_soon"`

	Backlog []DayCount `json:"backlog"`

	Ratings     [5]int  `json:"ratings"`
	RatingCount int     `json:"rating_count"`
	RatingAvg   float64 `json:"rating_avg"`

	Hotline Hotline `json:"hotline"`

	// Now is the time the lists were cut at; BuiltAt the oldest rollup
	// read, which says how current the figures are.
	Now     time.Time `json:"now"`
	BuiltAt time.Time `json:"built_at,omitzero"`
}

// ScopeAgencies returns the agency codes whose figures actor may see:
// nil for every agency (coordinators, admins), else the actor's agency
// and its units. This is the one place reports apply scoping; handlers
// cannot widen it.
func (s *Service) ScopeAgencies(actor *desk.User) ([]string, error) {
	if actor == nil {
		return nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	switch {
	case actor.Role == desk.RoleAdmin || actor.Role == desk.RoleCoordinator:
		return nil, nil
	case actor.Role.AgencyBound():
		return s.subtree(actor.Agency), nil
	}
	return nil, desk.Errorf(desk.EFORBIDDEN, "Báo cáo dành cho cán bộ cơ quan, điều phối viên và quản trị viên. (Reports are for agency staff, coordinators and admins.)")
}

// subtree is code and every agency below it.
func (s *Service) subtree(code string) []string {
	cat := s.Catalog()
	out := []string{code}
	for i := 0; i < len(out); i++ {
		for _, a := range cat.Agencies {
			if a.Parent == out[i] && !slices.Contains(out, a.Code) {
				out = append(out, a.Code)
			}
		}
	}
	return out
}

// narrow applies the agency selector within the actor's scope. A choice
// outside the scope answers ENOTFOUND, like an agency that does not exist.
func (s *Service) narrow(actor *desk.User, agency string) ([]string, error) {
	scope, err := s.ScopeAgencies(actor)
	if err != nil || agency == "" {
		return scope, err
	}
	if len(agency) > 64 || s.Catalog().Agency(agency) == nil || (scope != nil && !slices.Contains(scope, agency)) {
		return nil, desk.Errorf(desk.ENOTFOUND, "Cơ quan không tồn tại (agency not found).")
	}
	return s.subtree(agency), nil
}

// Dashboard computes the dashboard for actor over p, for agency (and its
// units) or, with agency "", everything in the actor's scope.
func (s *Service) Dashboard(ctx context.Context, actor *desk.User, p Period, agency string) (*Dashboard, error) {
	agencies, err := s.narrow(actor, agency)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now().UTC()
	d := &Dashboard{Period: p, Agency: agency, Now: now}
	if scope, _ := s.ScopeAgencies(actor); scope == nil {
		for _, a := range s.Catalog().Agencies {
			d.Agencies = append(d.Agencies, a.Code)
		}
	}
	// Every ticket rollup in scope up to the period's end, from memory
	// (cache.go): days before the period feed only the backlog.
	rs, err := s.rollups(ctx, store.RollupTickets, "", p.To, agencies)
	if err != nil {
		return nil, err
	}
	calls, err := s.rollups(ctx, store.RollupCalls, p.From, p.To, nil)
	if err != nil {
		return nil, err
	}
	dueSoonAt := s.Calendar().AddWorkingDays(now, DueSoonDays)
	if err := s.openLists(ctx, actor, agency, now, dueSoonAt, d); err != nil {
		return nil, err
	}
	ch, ag, ct, pv, st := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	fr, an := map[int]int{}, map[int]int{}
	days := p.Days()
	idx := make(map[string]int, len(days))
	for i, day := range days {
		idx[day] = i
	}
	// Backlog(D) = Σ over creation days C ≤ D of received(C) minus those
	// of them that left the open statuses by D: a difference array over
	// the period's days.
	diff := make([]int, len(days)+1)
	for _, r := range rs {
		if d.BuiltAt.IsZero() || r.BuiltAt.Before(d.BuiltAt) {
			d.BuiltAt = r.BuiltAt
		}
		start := 0 // first period day at or after the creation day
		if r.Day >= p.From {
			start = idx[r.Day]
		}
		diff[start] += r.Received
		c0, _ := dayStart(r.Day)
		for _, b := range r.ResolvedAfter {
			leftDay := DayKey(c0.AddDate(0, 0, b.V))
			switch {
			case leftDay < p.From:
				diff[0] -= b.N
			case leftDay <= p.To:
				diff[idx[leftDay]] -= b.N
			}
		}
		if r.Day < p.From {
			continue
		}
		d.Received += r.Received
		add(ch, r.ByChannel)
		add(ct, r.ByCategory)
		add(pv, r.ByProvince)
		add(st, r.ByStatus)
		if r.Received > 0 {
			ag[r.Agency] += r.Received
		}
		d.Answered += r.Answered
		d.AnsweredOnTime += r.AnsweredOnTime
		d.Transfers += r.Transfers
		d.TransfersOnTime += r.TransfersOnTime
		addBins(fr, r.FirstResponseWD)
		addBins(an, r.AnswerWD)
		for i, n := range r.Ratings {
			if i < 5 {
				d.Ratings[i] += n
			}
		}
	}
	open := 0
	for i, day := range days {
		open += diff[i]
		d.Backlog = append(d.Backlog, DayCount{Day: day, N: open})
	}
	d.ByChannel, d.ByAgency, d.ByCategory, d.ByProvince, d.ByStatus = ranked(ch), ranked(ag), ranked(ct), ranked(pv), ranked(st)
	d.AnswerOnTimePct = pct(d.AnsweredOnTime, d.Answered)
	d.TransferOnTime = pct(d.TransfersOnTime, d.Transfers)
	d.FirstResponse, d.Answer = durations(fr), durations(an)
	sum := 0
	for i, n := range d.Ratings {
		d.RatingCount += n
		sum += (i + 1) * n
	}
	d.RatingAvg = round(float64(sum)/float64(max(d.RatingCount, 1)), 2)
	d.Hotline = hotline(calls)
	return d, nil
}

// openLists fills the overdue and due-soon lists and counts. They are
// about now, whatever the period, and are the agency inbox's own views
// (store.ViewOverdue: flagged by the SLA timers or past due;
// store.ViewDueSoon: not flagged, due by the end of the DueSoonDays-th
// working day), in the inbox's order and within the actor's scope, so the
// dashboard and the inbox never disagree. The inbox is served by the read
// model on the embedded store and by indexes on MongoDB.
func (s *Service) openLists(ctx context.Context, actor *desk.User, agency string, now, soon time.Time, d *Dashboard) error {
	for _, v := range []struct {
		view  string
		count *int
		list  *[]store.OpenItem
	}{{store.ViewOverdue, &d.OverdueCount, &d.Overdue}, {store.ViewDueSoon, &d.DueSoonCount, &d.DueSoon}} {
		page, err := s.Store.Inbox(ctx, actor, store.InboxQuery{View: v.view, Agency: agency, Limit: ListLimit, Now: now, SoonUntil: soon})
		if err != nil {
			return err
		}
		*v.count = page.Total
		*v.list = make([]store.OpenItem, 0, len(page.Rows))
		for _, r := range page.Rows {
			*v.list = append(*v.list, store.OpenItem{Code: r.TrackingCode, Agency: r.Agency, Status: string(r.Status), Due: r.DueAt})
		}
	}
	return nil
}

func hotline(calls []*store.Rollup) Hotline {
	var h Hotline
	var secs int64
	for _, c := range calls {
		h.Calls += c.Calls
		h.Inbound += c.Inbound
		h.Missed += c.Missed
		h.Handled += c.Handled
		secs += c.HandleSeconds
	}
	h.MissedRate = pct(h.Missed, h.Inbound)
	if h.Handled > 0 {
		h.AvgHandleSeconds = int(secs / int64(h.Handled))
	}
	return h
}

func add(m map[string]int, cs []store.Count) {
	for _, c := range cs {
		m[c.K] += c.N
	}
}

func addBins(m map[int]int, bs []store.Bin) {
	for _, b := range bs {
		m[b.V] += b.N
	}
}

// ranked lists counts largest first, ties by key.
func ranked(m map[string]int) []store.Count {
	out := counts(m)
	slices.SortStableFunc(out, func(a, b store.Count) int { return b.N - a.N })
	return out
}

// durations computes nearest-rank percentiles from a histogram.
func durations(h map[int]int) Durations {
	vals := make([]int, 0, len(h))
	n := 0
	for v, c := range h {
		vals = append(vals, v)
		n += c
	}
	if n == 0 {
		return Durations{}
	}
	slices.Sort(vals)
	rank := func(p float64) int {
		want := int(math.Ceil(p * float64(n)))
		seen := 0
		for _, v := range vals {
			seen += h[v]
			if seen >= want {
				return v
			}
		}
		return vals[len(vals)-1]
	}
	return Durations{N: n, Median: rank(0.5), P90: rank(0.9)}
}

// pct is part/whole in percent with one decimal; 0 when whole is 0.
func pct(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return round(100*float64(part)/float64(whole), 1)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
