package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func ruleCount(e *apptest.Env) int {
	e.T.Helper()
	r := e.Do("GET", "/api/v1/admin/rules", nil, bearer(e.AdminToken())...)
	if r.Status != http.StatusOK {
		e.T.Fatalf("rules: %d %s", r.Status, r.Body)
	}
	var out struct {
		Rules []desk.RoutingRule `json:"rules"`
	}
	r.JSON(e.T, &out)
	return len(out.Rules)
}

// A keyword rule ordered before a category rule wins over it and over the
// category's default agency, whatever the diacritics; the routed event
// names the rule. Without a keyword the category default applies, and a
// ticket nothing places lands in the coordinators' triage queue.
func TestRoutingRulesFirstMatchWins(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	kw := e.Do("POST", "/api/v1/admin/rules", map[string]any{"name": "BHXH theo từ khóa", "enabled": true, "order": 10,
		"keywords": []string{"bảo hiểm xã hội"}, "agency": "BHXH", "priority": "high"}, bearer(admin)...)
	if kw.Status != http.StatusCreated {
		t.Fatalf("create rule: %d %s", kw.Status, kw.Body)
	}
	var rule desk.RoutingRule
	kw.JSON(t, &rule)
	// A later, broader rule: only what the keyword rule leaves reaches it.
	if r := e.Do("POST", "/api/v1/admin/rules", map[string]any{"name": "Thuế qua hotline", "enabled": true, "order": 20,
		"category": "gia-han-thue", "channel": "hotline", "agency": "BTC"}, bearer(admin)...); r.Status != http.StatusCreated {
		t.Fatalf("create rule 2: %d %s", r.Status, r.Body)
	}

	sub := apptest.Submission() // gia-han-thue: default BTC-TCT
	sub["title"] = "Hỏi về bao hiem xa hoi khi gia hạn thuế"
	byRule := e.Submit(sub)
	byCategory := e.Submit(apptest.Submission())
	other := apptest.Submission()
	other["category"] = "khac"
	triage := e.Submit(other)

	got := waitTicket(e, byRule)
	if got.Agency != "BHXH" || got.Priority != desk.PriorityHigh || got.RoutingRule != rule.ID {
		t.Errorf("keyword ticket: agency %q priority %q rule %q", got.Agency, got.Priority, got.RoutingRule)
	}
	if ev := hasEvent(got, desk.EventRouted); ev == nil || ev.To != "BHXH" || !strings.Contains(ev.Note, rule.ID) {
		t.Errorf("routed event does not name the rule: %+v", ev)
	}
	if got := waitTicket(e, byCategory); got.Agency != "BTC-TCT" || got.RoutingRule != "" {
		t.Errorf("category ticket: %q rule %q", got.Agency, got.RoutingRule)
	}
	tr := waitTicket(e, triage)
	if tr.Status != desk.StatusTriage || tr.Agency != "" || len(tr.Custody) != 1 || tr.Custody[0].Agency != "VPCP" {
		t.Errorf("unmatched ticket: status %s agency %q custody %+v", tr.Status, tr.Agency, tr.Custody)
	}
	coord := e.CreateUser("dieu-phoi@vpcp.example.vn", desk.RoleCoordinator, "")
	if l := inbox(e, coord); !inInbox(l, triage) {
		t.Errorf("triage ticket not in the coordinators' inbox")
	}

	// Reordering: moving the category rule first changes nothing for a web
	// ticket (its channel does not match) — first match still wins.
	if n := ruleCount(e); n != 2 {
		t.Fatalf("%d rules", n)
	}
}

// Admin-only, validated on save: an unknown agency is 400 with the field
// named and nothing stored; staff are refused.
func TestRoutingRuleValidation(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	for _, body := range []map[string]any{
		{"name": "x", "enabled": true, "category": "khac", "agency": "BKHCN"},
		{"name": "x", "enabled": true, "agency": "BHXH"},
		{"name": "x", "enabled": true, "category": "khac", "agency": "BHXH", "unit": "BTC-TCT"},
	} {
		r := e.Do("POST", "/api/v1/admin/rules", body, bearer(admin)...)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"fields"`) {
			t.Errorf("%v: %d %s", body, r.Status, r.Body)
		}
	}
	if r := e.Do("POST", "/api/v1/admin/rules", "{", bearer(admin)...); r.Status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", r.Status)
	}
	if n := ruleCount(e); n != 0 {
		t.Fatalf("%d rules stored after refusals", n)
	}
	staff := e.CreateUser("staff@bhxh.example.vn", desk.RoleStaff, "BHXH")
	if r := e.Do("POST", "/api/v1/admin/rules", map[string]any{"name": "x", "enabled": true, "category": "khac", "agency": "BHXH"}, bearer(staff)...); r.Status != http.StatusForbidden {
		t.Errorf("staff creating a rule: %d", r.Status)
	}
	if r := e.Do("GET", "/api/v1/admin/rules", nil, bearer(staff)...); r.Status != http.StatusForbidden {
		t.Errorf("staff listing rules: %d", r.Status)
	}
	// Update and delete of a good rule.
	r := e.Do("POST", "/api/v1/admin/rules", map[string]any{"name": "x", "enabled": true, "category": "khac", "agency": "BHXH"}, bearer(admin)...)
	var rule desk.RoutingRule
	r.JSON(t, &rule)
	if r := e.Do("PUT", "/api/v1/admin/rules/"+rule.ID, map[string]any{"name": "y", "enabled": true, "category": "khac", "agency": "NOPE"}, bearer(admin)...); r.Status != http.StatusBadRequest {
		t.Errorf("bad update: %d", r.Status)
	}
	if r := e.Do("PUT", "/api/v1/admin/rules/"+rule.ID, map[string]any{"name": "y", "enabled": true, "category": "khac", "agency": "BYT"}, bearer(admin)...); r.Status != http.StatusOK {
		t.Errorf("update: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", "/api/v1/admin/rules/"+rule.ID, nil, bearer(admin)...); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d", r.Status)
	}
	if r := e.Do("DELETE", "/api/v1/admin/rules/"+rule.ID, nil, bearer(admin)...); r.Status != http.StatusNotFound {
		t.Errorf("delete again: %d", r.Status)
	}
}

type moveResult struct {
	status int
	t      desk.Ticket
	body   string
}

func move(e *apptest.Env, tok, code, action string, body map[string]any) moveResult {
	e.T.Helper()
	r := e.Do("POST", "/api/v1/tickets/"+code+"/"+action, body, bearer(tok)...)
	out := moveResult{status: r.Status, body: string(r.Body)}
	if r.Status == http.StatusOK {
		r.JSON(e.T, &out.t)
	}
	return out
}

// BTC-TCT returns a ticket as not its competence, the coordinators route it
// to BLDTBXH, which transfers it straight on to NHCSXH. Each hop is on the
// ticket with who and why, the custody chain has every holder with how
// long it held the ticket, each former holder's staff get 404, and the
// public timeline shows the hops by agency with no staff names.
func TestReturnRouteTransferCustodyChain(t *testing.T) {
	clock := apptest.NewClock(slaStart)
	e := apptest.Start(t, apptest.Options{Clock: clock, Configure: sweepOff})
	tct := e.CreateUser("thue@mof.example.vn", desk.RoleStaff, "BTC-TCT")
	mof := e.CreateUser("bo@mof.example.vn", desk.RoleLead, "BTC")
	ldtb := e.CreateUser("ldtb@molisa.example.vn", desk.RoleStaff, "BLDTBXH")
	nhcs := e.CreateUser("nhcs@vbsp.example.vn", desk.RoleStaff, "NHCSXH")
	coord := e.CreateUser("dieu-phoi@vpcp.example.vn", desk.RoleCoordinator, "")
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)

	clock.Advance(2 * time.Hour) // sessions last 12 h: move by hours
	r := move(e, tct, code, "return", map[string]any{"reason": "Nội dung về trợ cấp lao động, không thuộc thẩm quyền ngành thuế.", "suggested_agency": "BLDTBXH", "version": tk.Version})
	if r.status != http.StatusOK || r.t.Status != desk.StatusTriage || r.t.SuggestedAgency != "BLDTBXH" {
		t.Fatalf("return: %d %s", r.status, r.body)
	}
	for name, tok := range map[string]string{"unit staff": tct, "ministry lead": mof} {
		if g := e.Do("GET", "/api/v1/tickets/"+code, nil, bearer(tok)...); g.Status != http.StatusNotFound {
			t.Errorf("%s still sees the returned ticket: %d", name, g.Status)
		}
	}

	clock.Advance(3 * time.Hour)
	r = move(e, coord, code, "route", map[string]any{"agency": "BLDTBXH", "reason": "Đồng ý đề xuất", "version": r.t.Version})
	if r.status != http.StatusOK || r.t.Status != desk.StatusNew || r.t.Agency != "BLDTBXH" {
		t.Fatalf("route: %d %s", r.status, r.body)
	}

	clock.Advance(4 * time.Hour)
	transferAt := clock.Now()
	r = move(e, ldtb, code, "transfer", map[string]any{"agency": "NHCSXH", "reason": "Khoản vay trả lương do Ngân hàng CSXH giải quyết", "version": r.t.Version})
	if r.status != http.StatusOK || r.t.Agency != "NHCSXH" {
		t.Fatalf("transfer: %d %s", r.status, r.body)
	}
	if g := e.Do("GET", "/api/v1/tickets/"+code, nil, bearer(ldtb)...); g.Status != http.StatusNotFound {
		t.Errorf("the old agency still sees the ticket: %d", g.Status)
	}
	if g := e.Do("GET", "/api/v1/tickets/"+code, nil, bearer(nhcs)...); g.Status != http.StatusOK {
		t.Errorf("the new agency does not see the ticket: %d", g.Status)
	}
	// Old staff cannot act on it either.
	if m := move(e, ldtb, code, "transfer", map[string]any{"agency": "BYT", "reason": "x", "version": r.t.Version}); m.status != http.StatusNotFound {
		t.Errorf("old agency transferring: %d", m.status)
	}

	got := staffTicket(e, code)
	wantChain := []string{"BTC-TCT", "VPCP", "BLDTBXH", "NHCSXH"}
	if len(got.Custody) != len(wantChain) {
		t.Fatalf("custody %+v", got.Custody)
	}
	for i, c := range got.Custody {
		if c.Agency != wantChain[i] {
			t.Errorf("custody[%d] = %s, want %s", i, c.Agency, wantChain[i])
		}
		last := i == len(got.Custody)-1
		if last != c.Until.IsZero() {
			t.Errorf("custody[%d] until %v", i, c.Until)
		}
		if !last && c.Held(clock.Now()) <= 0 {
			t.Errorf("custody[%d] held %v", i, c.Held(clock.Now()))
		}
	}
	if h := got.Custody[0].Held(clock.Now()); h != 2*time.Hour {
		t.Errorf("BTC-TCT held it %v, want 2h", h)
	}
	wantHops := []string{desk.HopRouted, desk.HopReturned, desk.HopRouted, desk.HopTransferred}
	if len(got.Hops) != len(wantHops) {
		t.Fatalf("hops %+v", got.Hops)
	}
	for i, h := range got.Hops {
		if h.Kind != wantHops[i] || h.Actor == "" || h.Reason == "" || h.At.IsZero() || h.To != wantChain[i] {
			t.Errorf("hop %d: %+v", i, h)
		}
	}
	// The answer clock restarted at NHCSXH; the receive time stays.
	if !got.CreatedAt.Equal(tk.CreatedAt) || !got.ClockStartedAt.Equal(transferAt) || !got.DueAt.Equal(e.App.Cal().AddWorkingDays(transferAt, 10)) {
		t.Errorf("created %v (was %v), clock %v, due %v", got.CreatedAt, tk.CreatedAt, got.ClockStartedAt, got.DueAt)
	}

	pub := e.Do("GET", "/api/v1/track/"+code, nil)
	body := string(pub.Body)
	for _, typ := range []string{`"returned"`, `"transferred"`, "Ngân hàng Chính sách xã hội"} {
		if !strings.Contains(body, typ) {
			t.Errorf("public timeline lacks %s: %s", typ, body)
		}
	}
	for _, leak := range []string{"Cán bộ", "@molisa", "@mof", "không thuộc thẩm quyền ngành thuế", got.Hops[1].Actor} {
		if strings.Contains(body, leak) {
			t.Errorf("public timeline leaks %q", leak)
		}
	}
	page := e.Do("GET", "/track/"+code, nil)
	if !strings.Contains(string(page.Body), "Chuyển cơ quan có thẩm quyền") || strings.Contains(string(page.Body), "@molisa") {
		t.Errorf("tracking page does not show the transfer, or shows staff: %s", page.Body)
	}
}

// Bad moves get a clear 4xx and change nothing.
func TestTransferBadInput(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	tct := e.CreateUser("thue@mof.example.vn", desk.RoleStaff, "BTC-TCT")
	other := e.CreateUser("yte@moh.example.vn", desk.RoleStaff, "BYT")
	op := e.CreateUser("tongdai@vpcp.example.vn", desk.RoleOperator, "")
	coord := e.CreateUser("dieu-phoi@vpcp.example.vn", desk.RoleCoordinator, "")
	code := e.Submit(apptest.Submission())
	tk := waitTicket(e, code)
	v := tk.Version
	cases := []struct {
		name, tok, action string
		body              map[string]any
		status            int
		field             string
	}{
		{"same agency", tct, "transfer", map[string]any{"agency": "BTC-TCT", "reason": "x", "version": v}, 400, "agency"},
		{"no reason", tct, "transfer", map[string]any{"agency": "BYT", "reason": "  ", "version": v}, 400, "reason"},
		{"unknown agency", tct, "transfer", map[string]any{"agency": "BKHCN", "reason": "x", "version": v}, 400, "agency"},
		{"no version", tct, "transfer", map[string]any{"agency": "BYT", "reason": "x"}, 400, "version"},
		{"stale version", tct, "transfer", map[string]any{"agency": "BYT", "reason": "x", "version": v + 5}, 409, ""},
		{"out of scope", other, "transfer", map[string]any{"agency": "BHXH", "reason": "x", "version": v}, 404, ""},
		{"operator", op, "transfer", map[string]any{"agency": "BYT", "reason": "x", "version": v}, 403, ""},
		{"route a routed ticket", coord, "route", map[string]any{"agency": "BYT", "reason": "x", "version": v}, 400, ""},
		{"staff route", tct, "route", map[string]any{"agency": "BYT", "reason": "x", "version": v}, 403, ""},
		{"return unknown suggestion", tct, "return", map[string]any{"reason": "x", "suggested_agency": "NOPE", "version": v}, 400, "suggested_agency"},
		{"unknown code", tct, "transfer", map[string]any{"agency": "BYT", "reason": "x", "version": v}, 404, ""},
	}
	for _, c := range cases {
		target := code
		if c.name == "unknown code" {
			target = "PA-22222-22222"
		}
		r := move(e, c.tok, target, c.action, c.body)
		if r.status != c.status || (c.field != "" && !strings.Contains(r.body, `"`+c.field+`"`)) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/transfer", "not json", bearer(tct)...); r.Status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", r.Status)
	}
	after := staffTicket(e, code)
	if after.Version != v || after.Agency != "BTC-TCT" || len(after.Hops) != 1 || len(after.Events) != len(tk.Events) {
		t.Errorf("a refused move changed the ticket: version %d→%d agency %s hops %d", v, after.Version, after.Agency, len(after.Hops))
	}
}

// Calendar overrides: an invalid date is 400 and nothing is stored; a
// make-up Saturday is stored and this process's calendar uses it at once.
func TestCalendarOverrides(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	for _, body := range []map[string]any{
		{"date": "2027-02-30", "kind": "day_off"},
		{"date": "30/01/2027", "kind": "day_off"},
		{"date": "2027-02-06", "kind": "holiday"},
	} {
		r := e.Do("POST", "/api/v1/admin/calendar/overrides", body, bearer(admin)...)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%v: %d %s", body, r.Status, r.Body)
		}
	}
	list := func() string {
		return string(e.Do("GET", "/api/v1/admin/calendar/overrides", nil, bearer(admin)...).Body)
	}
	if l := list(); l != `{"overrides":[]}` {
		t.Fatalf("stored after refusals: %s", l)
	}
	sat := time.Date(2027, 2, 20, 10, 0, 0, 0, time.UTC) // a Saturday
	if e.App.Cal().IsWorkingDay(sat) {
		t.Fatal("a Saturday is a working day before the override")
	}
	r := e.Do("POST", "/api/v1/admin/calendar/overrides", map[string]any{"date": "2027-02-20", "kind": "working_day", "note": "Làm bù"}, bearer(admin)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("override: %d %s", r.Status, r.Body)
	}
	if !e.App.Cal().IsWorkingDay(sat) {
		t.Error("the override did not reach the calendar")
	}
	staff := e.CreateUser("s@byt.example.vn", desk.RoleStaff, "BYT")
	if r := e.Do("POST", "/api/v1/admin/calendar/overrides", map[string]any{"date": "2027-02-27", "kind": "working_day"}, bearer(staff)...); r.Status != http.StatusForbidden {
		t.Errorf("staff override: %d", r.Status)
	}
	if r := e.Do("DELETE", "/api/v1/admin/calendar/overrides/2027-02-20", nil, bearer(admin)...); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d", r.Status)
	}
	if e.App.Cal().IsWorkingDay(sat) {
		t.Error("the deleted override is still in the calendar")
	}
	_ = context.Background()
}
