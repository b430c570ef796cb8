package reports_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/reports"
	"github.com/civicdesk/civicdesk/internal/store"
)

// The fixed clock of the scenario: Friday 27 November 2026, 10:00 in Hà Nội.
var scenarioNow = time.Date(2026, 11, 27, 10, 0, 0, 0, hcm)

func day(t time.Time) string { return t.In(hcm).Format(time.DateOnly) }

// want is what the dashboard must show, computed here from the seed with
// the definitions written out plainly, not by the package's code.
type want struct {
	received, answered, answeredOnTime, transfers, transfersOnTime int
	byChannel, byAgency, byCategory, byProvince, byStatus          map[string]int
	frSamples, ansSamples                                          []int
	ratings                                                        [5]int
	overdue, dueSoon                                               []string
	backlog                                                        map[string]int
	calls, inbound, missed, handled                                int
	handleSecs                                                     int64
}

func isOpen(t *desk.Ticket) bool {
	return slices.Contains(desk.OpenStatuses, t.Status)
}

func expected(cal *calendar.Calendar, tickets []*desk.Ticket, calls []*desk.Call, scope map[string]bool, from, to string, now time.Time) want {
	w := want{byChannel: map[string]int{}, byAgency: map[string]int{}, byCategory: map[string]int{}, byProvince: map[string]int{},
		byStatus: map[string]int{}, backlog: map[string]int{}}
	in := func(a string) bool { return scope == nil || scope[a] }
	soon := cal.AddWorkingDays(now, 2)
	type due struct {
		flag     bool
		at       time.Time
		id, code string
	}
	var overdue, dueSoon []due
	var days []string
	for d := from; d <= to; {
		days = append(days, d)
		x, _ := time.ParseInLocation(time.DateOnly, d, hcm)
		d = day(x.AddDate(0, 0, 1))
	}
	for _, t := range tickets {
		if t.Status == desk.StatusQuarantined {
			continue
		}
		cd := day(t.CreatedAt)
		inPeriod := cd >= from && cd <= to
		for _, c := range t.Custody {
			if inPeriod && !c.Until.IsZero() && in(c.Agency) {
				w.transfers++
				if !c.Until.After(cal.AddWorkingDays(c.Since, 5)) {
					w.transfersOnTime++
				}
			}
		}
		if !in(t.Agency) {
			continue
		}
		// The inbox's definitions: overdue is flagged by the SLA timers or
		// past due; due soon is not flagged and due by the end of the
		// second working day.
		if isOpen(t) {
			d := due{t.OverdueFlag, t.DueAt, t.ID, t.TrackingCode}
			switch {
			case t.OverdueFlag || (!t.DueAt.IsZero() && t.DueAt.Before(now)):
				overdue = append(overdue, d)
			case !t.DueAt.IsZero() && !t.DueAt.After(soon):
				dueSoon = append(dueSoon, d)
			}
		}
		for _, d := range days {
			if cd > d {
				continue
			}
			if isOpen(t) {
				w.backlog[d]++
				continue
			}
			left := t.AnsweredAt
			if left.IsZero() {
				left = t.ClosedAt
			}
			if day(left) > d {
				w.backlog[d]++
			}
		}
		if !inPeriod {
			continue
		}
		w.received++
		w.byChannel[string(t.Channel)]++
		w.byAgency[t.Agency]++
		w.byCategory[t.Category]++
		w.byProvince[t.Citizen.Province]++
		w.byStatus[string(t.Status)]++
		if !t.FirstResponseAt.IsZero() {
			w.frSamples = append(w.frSamples, cal.WorkingDaysBetween(t.CreatedAt, t.FirstResponseAt))
		}
		if !t.AnsweredAt.IsZero() {
			w.answered++
			if !t.AnsweredAt.After(t.DueAt) {
				w.answeredOnTime++
			}
			w.ansSamples = append(w.ansSamples, cal.WorkingDaysBetween(t.CreatedAt, t.AnsweredAt))
		}
		if t.Rating != nil {
			w.ratings[t.Rating.Score-1]++
		}
	}
	for _, l := range []*[]due{&overdue, &dueSoon} {
		sort.Slice(*l, func(i, j int) bool { // the inbox's order: flagged first, then by due date
			a, b := (*l)[i], (*l)[j]
			if a.flag != b.flag {
				return a.flag
			}
			if !a.at.Equal(b.at) {
				return a.at.Before(b.at)
			}
			return a.id < b.id
		})
	}
	for _, d := range overdue {
		w.overdue = append(w.overdue, d.code)
	}
	for _, d := range dueSoon {
		w.dueSoon = append(w.dueSoon, d.code)
	}
	for _, c := range calls {
		if c.Day < from || c.Day > to {
			continue
		}
		w.calls++
		if c.Direction == desk.DirectionIn && !c.Blocked {
			w.inbound++
			if c.Missed {
				w.missed++
			}
		}
		if !c.AnsweredAt.IsZero() && c.EndedAt.After(c.AnsweredAt) {
			w.handled++
			w.handleSecs += int64(c.EndedAt.Sub(c.AnsweredAt) / time.Second)
		}
	}
	return w
}

// nearestRank is the p-quantile by nearest rank of samples.
func nearestRank(samples []int, p float64) int {
	s := slices.Clone(samples)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	k := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(k, 0)]
}

func pct1(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(1000*float64(a)/float64(b)) / 10
}

func countsMap(cs []store.Count) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.K] = c.N
	}
	return m
}

func checkDashboard(t *testing.T, who string, got *reports.Dashboard, w want) {
	t.Helper()
	eqi := func(name string, g, x int) {
		t.Helper()
		if g != x {
			t.Errorf("%s: %s = %d, want %d", who, name, g, x)
		}
	}
	eqf := func(name string, g, x float64) {
		t.Helper()
		if g != x {
			t.Errorf("%s: %s = %v, want %v", who, name, g, x)
		}
	}
	eqm := func(name string, g []store.Count, x map[string]int) {
		t.Helper()
		if gm := countsMap(g); fmt.Sprint(gm) != fmt.Sprint(x) {
			t.Errorf("%s: %s = %v, want %v", who, name, gm, x)
		}
	}
	eqi("received", got.Received, w.received)
	eqm("by channel", got.ByChannel, w.byChannel)
	eqm("by agency", got.ByAgency, w.byAgency)
	eqm("by category", got.ByCategory, w.byCategory)
	eqm("by province", got.ByProvince, w.byProvince)
	eqm("by status", got.ByStatus, w.byStatus)
	eqi("answered", got.Answered, w.answered)
	eqi("answered on time", got.AnsweredOnTime, w.answeredOnTime)
	eqf("answer on-time %", got.AnswerOnTimePct, pct1(w.answeredOnTime, w.answered))
	eqi("transfers", got.Transfers, w.transfers)
	eqi("transfers on time", got.TransfersOnTime, w.transfersOnTime)
	eqf("transfer on-time %", got.TransferOnTime, pct1(w.transfersOnTime, w.transfers))
	eqi("first response n", got.FirstResponse.N, len(w.frSamples))
	eqi("first response median", got.FirstResponse.Median, nearestRank(w.frSamples, .5))
	eqi("first response p90", got.FirstResponse.P90, nearestRank(w.frSamples, .9))
	eqi("answer n", got.Answer.N, len(w.ansSamples))
	eqi("answer median", got.Answer.Median, nearestRank(w.ansSamples, .5))
	eqi("answer p90", got.Answer.P90, nearestRank(w.ansSamples, .9))
	eqi("overdue count", got.OverdueCount, len(w.overdue))
	eqi("due soon count", got.DueSoonCount, len(w.dueSoon))
	codes := func(items []store.OpenItem) []string {
		var out []string
		for _, o := range items {
			out = append(out, o.Code)
		}
		return out
	}
	if g, x := codes(got.Overdue), w.overdue[:min(50, len(w.overdue))]; !slices.Equal(g, x) {
		t.Errorf("%s: overdue list %v, want %v", who, g, x)
	}
	if g, x := codes(got.DueSoon), w.dueSoon[:min(50, len(w.dueSoon))]; !slices.Equal(g, x) {
		t.Errorf("%s: due-soon list %v, want %v", who, g, x)
	}
	for _, b := range got.Backlog {
		eqi("backlog "+b.Day, b.N, w.backlog[b.Day])
	}
	if got.Ratings != w.ratings {
		t.Errorf("%s: ratings %v, want %v", who, got.Ratings, w.ratings)
	}
	n, sum := 0, 0
	for i, c := range w.ratings {
		n += c
		sum += (i + 1) * c
	}
	eqi("rating count", got.RatingCount, n)
	eqf("rating avg", got.RatingAvg, math.Round(100*float64(sum)/float64(max(n, 1)))/100)
	eqi("calls", got.Hotline.Calls, w.calls)
	eqi("inbound", got.Hotline.Inbound, w.inbound)
	eqi("missed", got.Hotline.Missed, w.missed)
	eqf("missed rate", got.Hotline.MissedRate, pct1(w.missed, w.inbound))
	eqi("handled", got.Hotline.Handled, w.handled)
	if w.handled > 0 {
		eqi("avg handle s", got.Hotline.AvgHandleSeconds, int(w.handleSecs/int64(w.handled)))
	}
}

func getJSON(t *testing.T, e *apptest.Env, path, token string, v any) {
	t.Helper()
	r := e.Do("GET", path, nil, "Authorization", "Bearer "+token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	r.JSON(t, v)
}

// Acceptance 1 and 2: a seeded scenario with a fixed clock gives exact
// figures on the dashboard (all agencies, one agency selected, agency
// staff's own scope) and on the public page; agency staff see only their
// agency; nothing personal reaches the public page or its JSON.
func TestReportsScenario(t *testing.T) {
	clock := apptest.NewClock(scenarioNow)
	e := apptest.Start(t, apptest.Options{Clock: clock})
	tickets := seedTickets(400, scenarioNow, 1)
	calls := seedCalls(120, scenarioNow, 1)
	insertSeed(t, e, tickets, calls)
	cal, err := calendar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	admin := e.AdminToken()
	btc := e.CreateUser("canbo@btc.example.vn", desk.RoleStaff, "BTC")
	from, to := "2026-10-15", "2026-11-27"
	q := "?from=" + from + "&to=" + to

	var all reports.Dashboard
	getJSON(t, e, "/api/v1/stats/dashboard"+q, admin, &all)
	wAll := expected(cal, tickets, calls, nil, from, to, scenarioNow)
	if wAll.received < 150 || wAll.transfers < 20 || len(wAll.overdue) < 5 || len(wAll.dueSoon) < 1 || wAll.answered < 50 {
		t.Fatalf("the seed does not exercise the figures: %+v", wAll)
	}
	checkDashboard(t, "admin", &all, wAll)

	var bhxh reports.Dashboard
	getJSON(t, e, "/api/v1/stats/dashboard"+q+"&agency=BHXH", admin, &bhxh)
	checkDashboard(t, "admin, BHXH selected", &bhxh, expected(cal, tickets, calls, map[string]bool{"BHXH": true}, from, to, scenarioNow))

	// Agency staff: BTC and its unit BTC-TCT, nothing else.
	var own reports.Dashboard
	getJSON(t, e, "/api/v1/stats/dashboard"+q, btc, &own)
	wBTC := expected(cal, tickets, calls, map[string]bool{"BTC": true, "BTC-TCT": true}, from, to, scenarioNow)
	checkDashboard(t, "BTC staff", &own, wBTC)
	for _, c := range own.ByAgency {
		if c.K != "BTC" && c.K != "BTC-TCT" {
			t.Errorf("BTC staff see agency %q", c.K)
		}
	}
	if r := e.Do("GET", "/api/v1/stats/dashboard"+q+"&agency=BHXH", nil, "Authorization", "Bearer "+btc); r.Status != http.StatusNotFound {
		t.Errorf("BTC staff selecting BHXH: %d %s, want 404", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/stats/dashboard?from=2026-13-01", nil, "Authorization", "Bearer "+admin); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad period: %d", r.Status)
	}

	// The HTML page shows the same numbers, and BTC staff's shows no
	// other agency's tickets.
	wc := webLogin(t, e, "canbo@btc.example.vn", "user-password-123")
	st, html := wc.get("/staff/dashboard" + q)
	if st != 200 {
		t.Fatalf("dashboard page: %d %s", st, html)
	}
	for _, frag := range []string{
		`id="kpi-received">` + strconv.Itoa(wBTC.received) + `<`,
		`id="kpi-answered">` + strconv.Itoa(wBTC.answered) + `<`,
		`id="overdue-count">` + strconv.Itoa(len(wBTC.overdue)) + `<`,
		`id="hl-calls">` + strconv.Itoa(wBTC.calls) + `<`,
	} {
		if !contains(html, frag) {
			t.Errorf("BTC dashboard page lacks %s", frag)
		}
	}
	for _, tk := range tickets {
		if tk.Agency != "BTC" && tk.Agency != "BTC-TCT" && contains(html, tk.TrackingCode) {
			t.Errorf("BTC dashboard page shows %s of %q", tk.TrackingCode, tk.Agency)
			break
		}
	}

	// Public figures: per agency and national, over the default year.
	var pub reports.Public
	r := e.Do("GET", "/api/v1/stats/public", nil)
	if r.Status != 200 {
		t.Fatalf("public stats: %d %s", r.Status, r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); !contains(cc, "max-age=60") {
		t.Errorf("public stats Cache-Control %q", cc)
	}
	r.JSON(t, &pub)
	pubFrom := day(scenarioNow.AddDate(0, 0, -364))
	if pub.Period.From != pubFrom || pub.Period.To != "2026-11-27" {
		t.Errorf("public period %+v", pub.Period)
	}
	wNat := expected(cal, tickets, calls, nil, pubFrom, "2026-11-27", scenarioNow)
	if pub.National.Received != wNat.received || pub.National.Answered != wNat.answered ||
		pub.National.AnsweredOnTime != wNat.answeredOnTime || pub.National.HotlineCalls != wNat.calls ||
		fmt.Sprint(countsMap(pub.National.ByChannel)) != fmt.Sprint(wNat.byChannel) {
		t.Errorf("national %+v, want received %d answered %d on time %d calls %d channels %v", pub.National,
			wNat.received, wNat.answered, wNat.answeredOnTime, wNat.calls, wNat.byChannel)
	}
	if pub.National.AnswerOnTimePct != pct1(wNat.answeredOnTime, wNat.answered) {
		t.Errorf("national on-time %% %v", pub.National.AnswerOnTimePct)
	}
	byCode := map[string]reports.AgencyFigures{}
	for _, a := range pub.Agencies {
		byCode[a.Code] = a
	}
	for _, ag := range []string{"BTC", "BTC-TCT", "BHXH", "BYT", "BLDTBXH"} {
		w := expected(cal, tickets, calls, map[string]bool{ag: true}, pubFrom, "2026-11-27", scenarioNow)
		g, ok := byCode[ag]
		if !ok {
			t.Errorf("public page lacks %s", ag)
			continue
		}
		n, sum := 0, 0
		for i, c := range w.ratings {
			n += c
			sum += (i + 1) * c
		}
		var med *int
		if len(w.ansSamples) > 0 {
			m := nearestRank(w.ansSamples, .5)
			med = &m
		}
		if g.Received != w.received || g.Answered != w.answered || g.AnsweredOnTime != w.answeredOnTime ||
			fmt.Sprint(deref(g.MedianAnswerDays)) != fmt.Sprint(deref(med)) || g.RatingCount != n ||
			g.RatingAvg != math.Round(100*float64(sum)/float64(max(n, 1)))/100 {
			t.Errorf("public %s: %+v (median %v), want received %d answered %d on time %d median %v ratings %d/%d",
				ag, g, deref(g.MedianAnswerDays), w.received, w.answered, w.answeredOnTime, deref(med), n, sum)
		}
	}

	// No personal data and no ticket text on the public page or its JSON.
	st, page := webGet(t, e, "/thong-ke")
	if st != 200 {
		t.Fatalf("/thong-ke: %d", st)
	}
	if !contains(page, `id="nat-received">`+strconv.Itoa(wNat.received)+`<`) || !contains(page, `id="nat-calls">`+strconv.Itoa(wNat.calls)+`<`) {
		t.Errorf("public page lacks the national figures")
	}
	for _, body := range []string{string(r.Body), page} {
		for _, tk := range tickets {
			for _, secret := range []string{tk.Citizen.Name, tk.Citizen.Phone, tk.Citizen.Email, tk.Title, tk.Body, tk.TrackingCode} {
				if contains(body, secret) {
					t.Fatalf("public output carries %q", secret)
				}
			}
			if tk.Rating != nil && contains(body, tk.Rating.Comment) {
				t.Fatalf("public output carries a rating comment")
			}
		}
		for _, c := range calls {
			if contains(body, c.Phone) || contains(body, c.CallerName) {
				t.Fatalf("public output carries a caller")
			}
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func webGet(t *testing.T, e *apptest.Env, path string) (int, string) {
	t.Helper()
	r := e.Do("GET", path, nil)
	return r.Status, string(r.Body)
}

// The periodic job picks up a change: a ticket answered after the
// rollups were built shows on the dashboard after Refresh.
func TestReportsRefreshPicksUpChanges(t *testing.T) {
	clock := apptest.NewClock(scenarioNow)
	e := apptest.Start(t, apptest.Options{Clock: clock})
	tickets := seedTickets(60, scenarioNow, 2)
	insertSeed(t, e, tickets, nil)
	admin := e.AdminToken()
	var before reports.Dashboard
	getJSON(t, e, "/api/v1/stats/dashboard?from=2026-09-01", admin, &before)

	var open *desk.Ticket
	for _, tk := range tickets {
		if isOpen(tk) && tk.Agency != "" {
			open = tk
			break
		}
	}
	clock.Advance(2 * time.Hour)
	now := clock.Now().UTC()
	if _, err := e.App.Store.UpdateTicketWith(t.Context(), open.ID, open.Version,
		store.TicketChange{Status: desk.StatusAnswered, Event: desk.Event{Actor: "system", Type: desk.EventStatus}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Reports().Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	var after reports.Dashboard
	getJSON(t, e, "/api/v1/stats/dashboard?from=2026-09-01", admin, &after)
	b, a := countsMap(before.ByStatus), countsMap(after.ByStatus)
	if a[string(desk.StatusAnswered)] != b[string(desk.StatusAnswered)]+1 || a[string(open.Status)] != b[string(open.Status)]-1 {
		t.Errorf("status counts before %v after %v (changed %s from %s)", b, a, open.TrackingCode, open.Status)
	}
	if after.Received != before.Received {
		t.Errorf("received changed %d → %d", before.Received, after.Received)
	}
}

// Rollups written by another process (a separate worker on MongoDB): the
// web process's in-memory rollups follow the store's generation, so the
// dashboard shows the change within a request or two, without a restart.
func TestReportsCacheFollowsAnotherWriter(t *testing.T) {
	clock := apptest.NewClock(scenarioNow)
	e := apptest.Start(t, apptest.Options{Clock: clock, Mode: apptest.WebOnly})
	tickets := seedTickets(60, scenarioNow, 3)
	insertSeed(t, e, tickets, nil)
	admin := e.AdminToken()
	var before reports.Dashboard
	getJSON(t, e, "/api/v1/stats/dashboard?from=2026-09-01", admin, &before)

	// The "worker": its own reports service over the same store.
	worker := &reports.Service{Store: e.App.Store, Catalog: e.App.Catalog, Calendar: e.App.Cal, Clock: clock, Log: e.App.Log}
	var open *desk.Ticket
	for _, tk := range tickets {
		if isOpen(tk) && tk.Agency != "" {
			open = tk
			break
		}
	}
	clock.Advance(time.Hour)
	if _, err := e.App.Store.UpdateTicketWith(t.Context(), open.ID, open.Version,
		store.TicketChange{Status: desk.StatusAnswered, Event: desk.Event{Actor: "system", Type: desk.EventStatus}}, clock.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := countsMap(before.ByStatus)[string(desk.StatusAnswered)] + 1
	deadline := time.Now().Add(10 * time.Second)
	for {
		var after reports.Dashboard
		getJSON(t, e, "/api/v1/stats/dashboard?from=2026-09-01", admin, &after)
		if countsMap(after.ByStatus)[string(desk.StatusAnswered)] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("answered still %d after the worker's refresh, want %d", countsMap(after.ByStatus)[string(desk.StatusAnswered)], want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var _ = strings.Contains
var _ = json.Marshal
