package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// stepClock is a clock the test moves by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const ctiToken = "cti-test-token-0123456789"

func startHotline(t *testing.T, clock desk.Clock, configure ...func(*config.Config)) *apptest.Env {
	t.Helper()
	return apptest.Start(t, apptest.Options{Clock: clock, Configure: func(c *config.Config) {
		c.CTIToken = ctiToken
		for _, f := range configure {
			f(c)
		}
	}})
}

// cti posts one CTI event, as a form or as JSON, and returns the answer.
func cti(e *apptest.Env, asJSON bool, fields map[string]any) *apptest.Response {
	e.T.Helper()
	return ctiTo(e, ctiToken, asJSON, fields)
}

func ctiTo(e *apptest.Env, token string, asJSON bool, fields map[string]any) *apptest.Response {
	e.T.Helper()
	path := "/api/v1/cti/" + token
	if asJSON {
		return e.Do("POST", path, fields)
	}
	v := url.Values{}
	for k, x := range fields {
		switch x := x.(type) {
		case []string:
			for _, s := range x {
				v.Add(k+"[]", s)
			}
		default:
			v.Set(k, x.(string))
		}
	}
	return e.Do("POST", path, v.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

type callJSON struct {
	CallID       string    `json:"call_id"`
	Phone        string    `json:"phone"`
	Direction    string    `json:"direction"`
	StartedAt    time.Time `json:"started_at"`
	AnsweredAt   time.Time `json:"answered_at"`
	EndedAt      time.Time `json:"ended_at"`
	Operator     string    `json:"operator"`
	OperatorName string    `json:"operator_name"`
	Missed       bool      `json:"missed"`
	Blocked      bool      `json:"blocked"`
	Cause        string    `json:"cause"`
	Outcome      string    `json:"outcome"`
	TicketCode   string    `json:"ticket_code"`
}

func listCalls(e *apptest.Env, token, query string) []callJSON {
	e.T.Helper()
	r := e.Do("GET", "/api/v1/calls?"+query, nil, "Authorization", "Bearer "+token)
	if r.Status != http.StatusOK {
		e.T.Fatalf("list calls: %d %s", r.Status, r.Body)
	}
	var out struct {
		Calls []callJSON `json:"calls"`
	}
	r.JSON(e.T, &out)
	return out.Calls
}

// The three CTI events of an inbound call, form-encoded and as JSON, make
// one call record each with the right start, answer and end times and the
// answering operator; repeats change nothing.
func TestCTIInboundCallFormAndJSON(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC)}
	e := startHotline(t, clock)
	op := e.CreateUser("dtv1@hotline.example.vn", desk.RoleOperator, "")

	for _, enc := range []struct {
		name   string
		json   bool
		callID string
		from   string
	}{{"form", false, "pbx-form-1", "0912 345 678"}, {"json", true, "pbx-json-1", "+84 903 123 456"}} {
		t.Run(enc.name, func(t *testing.T) {
			t0 := clock.Now()
			base := map[string]any{"from": enc.from, "to": "02438234567", "direction": "in", "callId": enc.callID}
			with := func(kv ...any) map[string]any {
				m := map[string]any{}
				for k, v := range base {
					m[k] = v
				}
				for i := 0; i+1 < len(kv); i += 2 {
					m[kv[i].(string)] = kv[i+1]
				}
				return m
			}
			steps := []map[string]any{
				with("event", "newCall", "user", []string{"dtv1@hotline.example.vn"}),
				with("event", "answer", "user", []string{"dtv1@hotline.example.vn"}, "answeringNumber", "101"),
				with("event", "hangup", "cause", "normalClearing", "answeringNumber", "101"),
			}
			gaps := []time.Duration{4 * time.Second, 95 * time.Second, 0}
			for i, ev := range steps {
				r := cti(e, enc.json, ev)
				if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != "{}" {
					t.Fatalf("%v: %d %s", ev["event"], r.Status, r.Body)
				}
				clock.Advance(gaps[i])
			}
			// A PBX retrying the answer later changes nothing.
			if r := cti(e, enc.json, steps[1]); r.Status != http.StatusOK {
				t.Fatalf("repeat answer: %d %s", r.Status, r.Body)
			}
			calls := listCalls(e, op, "phone="+url.QueryEscape(enc.from))
			if len(calls) != 1 {
				t.Fatalf("calls for %s: %+v", enc.from, calls)
			}
			c := calls[0]
			if c.CallID != enc.callID || c.Direction != "in" || c.Missed {
				t.Errorf("call %+v", c)
			}
			if !c.StartedAt.Equal(t0) || !c.AnsweredAt.Equal(t0.Add(4*time.Second)) || !c.EndedAt.Equal(t0.Add(99*time.Second)) {
				t.Errorf("times: start %v answer %v end %v (t0 %v)", c.StartedAt, c.AnsweredAt, c.EndedAt, t0)
			}
			if c.OperatorName != "Cán bộ dtv1@hotline.example.vn" || c.Operator == "" || strings.HasPrefix(c.Operator, "cti:") {
				t.Errorf("answering operator: %q %q", c.Operator, c.OperatorName)
			}
			// The operator's log lands on the same record and keeps the
			// PBX's times.
			r := e.Do("POST", "/api/v1/calls", map[string]any{"call_id": enc.callID, "summary": "Hỏi thủ tục gia hạn thuế.",
				"outcome": "answered_on_call", "answer": "Đã hướng dẫn nộp mẫu 01/GHAN."}, "Authorization", "Bearer "+op)
			if r.Status != http.StatusCreated {
				t.Fatalf("log the CTI call: %d %s", r.Status, r.Body)
			}
			calls = listCalls(e, op, "phone="+url.QueryEscape(enc.from))
			if len(calls) != 1 || calls[0].Outcome != "answered_on_call" || !calls[0].StartedAt.Equal(c.StartedAt) ||
				!calls[0].AnsweredAt.Equal(c.AnsweredAt) || !calls[0].EndedAt.Equal(c.EndedAt) {
				t.Errorf("after logging: %+v (before %+v)", calls, c)
			}
		})
	}
}

// Logging a call with outcome new_ticket makes a hotline ticket through
// the queue, routed and given a due date like a portal ticket; logging the
// same call again makes no second ticket. added_to_ticket appends the
// call to the caller's ticket.
func TestCallNewTicketThroughQueue(t *testing.T) {
	e := startHotline(t, nil)
	op := e.CreateUser("dtv2@hotline.example.vn", desk.RoleOperator, "")
	call := map[string]any{"call_id": "pbx-77", "phone": "0987 654 321", "name": "Trần Thị Bình", "province": "Hà Nội",
		"category": "gia-han-thue", "summary": "Doanh nghiệp hỏi vì sao hồ sơ gia hạn nộp thuế chưa được duyệt sau 30 ngày.",
		"outcome": "new_ticket"}
	r := e.Do("POST", "/api/v1/calls", call, "Authorization", "Bearer "+op)
	if r.Status != http.StatusCreated {
		t.Fatalf("log call: %d %s", r.Status, r.Body)
	}
	var first struct {
		TrackingCode string   `json:"tracking_code"`
		Call         callJSON `json:"call"`
	}
	r.JSON(t, &first)
	if first.TrackingCode == "" || first.Call.TicketCode != first.TrackingCode || first.Call.Outcome != "new_ticket" {
		t.Fatalf("first log: %s", r.Body)
	}
	var ticket desk.Ticket
	apptest.WaitFor(t, 10*time.Second, "the hotline ticket", func() bool {
		r := e.Do("GET", "/api/v1/tickets/"+first.TrackingCode, nil, "Authorization", "Bearer "+op)
		if r.Status != http.StatusOK {
			return false
		}
		r.JSON(t, &ticket)
		return true
	})
	if ticket.Channel != desk.ChannelHotline || ticket.Agency != "BTC-TCT" || ticket.Status != desk.StatusNew || ticket.DueAt.IsZero() {
		t.Errorf("ticket channel %s agency %s status %s due %v", ticket.Channel, ticket.Agency, ticket.Status, ticket.DueAt)
	}
	if ticket.Citizen.Phone != "+84987654321" || ticket.Citizen.Name != "Trần Thị Bình" {
		t.Errorf("citizen %+v", ticket.Citizen)
	}

	r = e.Do("POST", "/api/v1/calls", call, "Authorization", "Bearer "+op)
	var again struct {
		TrackingCode string `json:"tracking_code"`
		Duplicate    bool   `json:"duplicate"`
	}
	r.JSON(t, &again)
	if r.Status != http.StatusOK || again.TrackingCode != first.TrackingCode || !again.Duplicate {
		t.Fatalf("second log of the same call: %d %s", r.Status, r.Body)
	}
	if calls := listCalls(e, op, "phone=0987654321"); len(calls) != 1 {
		t.Errorf("one call expected, got %+v", calls)
	}

	// A later call adds to the same ticket.
	add := map[string]any{"call_id": "pbx-78", "phone": "84987654321", "summary": "Gọi lại bổ sung: đã nộp thêm bản sao hợp đồng.",
		"outcome": "added_to_ticket", "ticket": strings.ToLower(first.TrackingCode)}
	r = e.Do("POST", "/api/v1/calls", add, "Authorization", "Bearer "+op)
	if r.Status != http.StatusCreated {
		t.Fatalf("added_to_ticket: %d %s", r.Status, r.Body)
	}
	apptest.WaitFor(t, 10*time.Second, "the call appended to the ticket", func() bool {
		r := e.Do("GET", "/api/v1/tickets/"+first.TrackingCode, nil, "Authorization", "Bearer "+op)
		var tk desk.Ticket
		r.JSON(t, &tk)
		for _, m := range tk.Messages {
			if m.Channel == desk.ChannelHotline && strings.Contains(m.Body, "hợp đồng") {
				return true
			}
		}
		return false
	})
	h := history(e, op, "0987654321")
	if len(h.Tickets) != 1 || len(h.Calls) != 2 {
		t.Errorf("history: %d tickets, %d calls", len(h.Tickets), len(h.Calls))
	}

	// Bad logs: 400 with a message per field, nothing stored.
	for name, bad := range map[string]map[string]any{
		"unknown outcome":         {"phone": "0987654321", "summary": "x", "outcome": "lost"},
		"no summary":              {"phone": "0987654321", "outcome": "dropped"},
		"answered without answer": {"phone": "0987654321", "summary": "hỏi", "outcome": "answered_on_call"},
		"bad phone":               {"phone": "12ab", "summary": "hỏi", "outcome": "dropped"},
		"unknown ticket":          {"phone": "0987654321", "summary": "hỏi", "outcome": "added_to_ticket", "ticket": "PA-AAAAA-AAAAA"},
	} {
		r := e.Do("POST", "/api/v1/calls", bad, "Authorization", "Bearer "+op)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"fields"`) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if calls := listCalls(e, op, "phone=0987654321"); len(calls) != 2 {
		t.Errorf("bad logs stored calls: %+v", calls)
	}

	// Agency staff do not see calls.
	staff := e.CreateUser("canbo@btc.example.vn", desk.RoleStaff, "BTC")
	if r := e.Do("GET", "/api/v1/calls", nil, "Authorization", "Bearer "+staff); r.Status != http.StatusForbidden {
		t.Errorf("agency staff listing calls: %d", r.Status)
	}
	if r := e.Do("GET", "/api/v1/callers/0987654321", nil, "Authorization", "Bearer "+staff); r.Status != http.StatusForbidden {
		t.Errorf("agency staff caller history: %d", r.Status)
	}
}

type historyJSON struct {
	Phone   string `json:"phone"`
	Name    string `json:"name"`
	Tickets []struct {
		TrackingCode string      `json:"tracking_code"`
		Status       desk.Status `json:"status"`
		Channel      string      `json:"channel"`
		DueAt        time.Time   `json:"due_at"`
	} `json:"tickets"`
	Calls []callJSON `json:"calls"`
}

func history(e *apptest.Env, token, phone string) historyJSON {
	e.T.Helper()
	r := e.Do("GET", "/api/v1/callers/"+url.PathEscape(phone), nil, "Authorization", "Bearer "+token)
	if r.Status != http.StatusOK {
		e.T.Fatalf("caller %s: %d %s", phone, r.Status, r.Body)
	}
	var h historyJSON
	r.JSON(e.T, &h)
	return h
}

// 0912345678, +84912345678 and 84 912 345 678 are one caller: a portal
// ticket and a hotline call show up under each spelling, open tickets
// first.
func TestCallerHistoryAnySpelling(t *testing.T) {
	e := startHotline(t, nil)
	op := e.CreateUser("dtv3@hotline.example.vn", desk.RoleOperator, "")
	sub := apptest.Submission()
	sub["phone"] = "0912345678"
	code := e.Submit(sub)
	apptest.WaitFor(t, 10*time.Second, "the portal ticket", func() bool {
		return e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+op).Status == http.StatusOK
	})
	// An older, closed ticket for the same number, put straight in the store.
	old := &desk.Ticket{ID: "closed-1", TrackingCode: desk.NewTrackingCode(), Version: 1, Status: desk.StatusClosed, Channel: desk.ChannelEmail,
		Category: "y-te", Citizen: desk.Citizen{Name: "Nguyễn Văn An", Phone: "+84912345678"}, Title: "Cũ", AgencyPath: []string{"BYT"},
		CreatedAt: time.Now().Add(time.Hour), UpdatedAt: time.Now()}
	if err := e.App.Store.InsertTickets(context.Background(), []*desk.Ticket{old}); err != nil {
		t.Fatal(err)
	}
	r := e.Do("POST", "/api/v1/calls", map[string]any{"phone": "+84 912 345 678", "name": "Nguyễn Văn An", "summary": "Hỏi tiến độ.",
		"outcome": "answered_on_call", "answer": "Đã hướng dẫn tra cứu bằng mã số."}, "Authorization", "Bearer "+op)
	if r.Status != http.StatusCreated {
		t.Fatalf("log call: %d %s", r.Status, r.Body)
	}
	var want string
	for _, spelling := range []string{"0912345678", "+84912345678", "84 912 345 678"} {
		h := history(e, op, spelling)
		if h.Phone != "+84912345678" || h.Name != "Nguyễn Văn An" || len(h.Tickets) != 2 || len(h.Calls) != 1 {
			t.Fatalf("%q: %+v", spelling, h)
		}
		if h.Tickets[0].TrackingCode != code || h.Tickets[0].Status != desk.StatusNew || h.Tickets[0].DueAt.IsZero() {
			t.Errorf("%q: the open ticket should lead: %+v", spelling, h.Tickets)
		}
		b, _ := json.Marshal(h)
		if want == "" {
			want = string(b)
		} else if string(b) != want {
			t.Errorf("%q gives a different history:\n%s\n%s", spelling, b, want)
		}
	}
	if r := e.Do("GET", "/api/v1/callers/hello", nil, "Authorization", "Bearer "+op); r.Status != http.StatusBadRequest {
		t.Errorf("non-numeric caller: %d", r.Status)
	}
}

// An inbound hang-up with no answer (noAnswer, cancel) is a missed call in
// the call-back list; an answered one is not. A blocked number gets
// {"action":"reject"} and its call is no missed call.
func TestMissedCallsAndBlockedNumbers(t *testing.T) {
	e := startHotline(t, nil)
	op := e.CreateUser("dtv4@hotline.example.vn", desk.RoleOperator, "")
	call := func(id, from string, answered bool, cause string) {
		t.Helper()
		evs := []map[string]any{{"event": "newCall", "from": from, "to": "1900123", "direction": "in", "callId": id}}
		if answered {
			evs = append(evs, map[string]any{"event": "answer", "from": from, "to": "1900123", "direction": "in", "callId": id, "user": []string{"Lan"}})
		}
		evs = append(evs, map[string]any{"event": "hangup", "from": from, "to": "1900123", "direction": "in", "callId": id, "cause": cause})
		for _, ev := range evs {
			if r := cti(e, false, ev); r.Status != http.StatusOK {
				t.Fatalf("%s %v: %d %s", id, ev["event"], r.Status, r.Body)
			}
		}
	}
	call("m1", "0911000001", false, "noAnswer")
	call("m2", "0911000002", false, "cancel")
	call("a1", "0911000003", true, "normalClearing")
	missed := listCalls(e, op, "missed=true")
	ids := map[string]bool{}
	for _, c := range missed {
		ids[c.CallID] = true
	}
	if len(missed) != 2 || !ids["m1"] || !ids["m2"] {
		t.Errorf("missed list: %+v", missed)
	}
	if a := listCalls(e, op, "phone=0911000003"); len(a) != 1 || a[0].Missed || a[0].OperatorName != "Lan" || a[0].Operator != "cti:Lan" {
		t.Errorf("answered call: %+v", a)
	}

	r := e.Do("POST", "/api/v1/blocked-numbers", map[string]any{"phone": "0911 000 009", "reason": "Gọi quấy rối nhiều lần", "days": 7},
		"Authorization", "Bearer "+op)
	if r.Status != http.StatusCreated {
		t.Fatalf("block: %d %s", r.Status, r.Body)
	}
	for _, asJSON := range []bool{false, true} {
		id := "b-form"
		if asJSON {
			id = "b-json"
		}
		r := cti(e, asJSON, map[string]any{"event": "newCall", "from": "+84911000009", "to": "1900123", "direction": "in", "callId": id})
		var reply map[string]string
		r.JSON(t, &reply)
		if r.Status != http.StatusOK || reply["action"] != "reject" {
			t.Errorf("blocked newCall (json=%v): %d %s", asJSON, r.Status, r.Body)
		}
		cti(e, asJSON, map[string]any{"event": "hangup", "from": "+84911000009", "direction": "in", "callId": id, "cause": "cancel"})
	}
	if m := listCalls(e, op, "missed=true"); len(m) != 2 {
		t.Errorf("blocked calls must not be missed calls: %+v", m)
	}
	if b := listCalls(e, op, "phone=0911000009"); len(b) != 2 || !b[0].Blocked {
		t.Errorf("blocked calls are still logged: %+v", b)
	}
	// Unblocked, the number rings through again.
	if r := e.Do("DELETE", "/api/v1/blocked-numbers/0911000009", nil, "Authorization", "Bearer "+op); r.Status != http.StatusNoContent {
		t.Fatalf("unblock: %d", r.Status)
	}
	if r := cti(e, true, map[string]any{"event": "newCall", "from": "0911000009", "direction": "in", "callId": "b-3"}); strings.TrimSpace(string(r.Body)) != "{}" {
		t.Errorf("after unblock: %s", r.Body)
	}
}

// Bad CTI input gets a clear 4xx and stores nothing: a wrong token, an
// unknown event, a missing callId, a 10 KB from, a non-numeric number.
func TestCTIBadInput(t *testing.T) {
	e := startHotline(t, nil)
	admin := e.AdminToken()
	good := func() map[string]any {
		return map[string]any{"event": "newCall", "from": "0912345678", "to": "1900123", "direction": "in", "callId": "bad-1"}
	}
	cases := []struct {
		name   string
		token  string
		change func(m map[string]any)
		status int
		detail string
	}{
		{"wrong token", "not-the-token", nil, http.StatusUnauthorized, "CTI"},
		{"empty-ish token", "x", nil, http.StatusUnauthorized, "CTI"},
		{"unknown event", ctiToken, func(m map[string]any) { m["event"] = "transfer" }, http.StatusBadRequest, "event"},
		{"missing event", ctiToken, func(m map[string]any) { delete(m, "event") }, http.StatusBadRequest, "event"},
		{"missing callId", ctiToken, func(m map[string]any) { delete(m, "callId") }, http.StatusBadRequest, "callId"},
		{"10 KB from", ctiToken, func(m map[string]any) { m["from"] = strings.Repeat("9", 10<<10) }, http.StatusBadRequest, "from"},
		{"non-numeric from", ctiToken, func(m map[string]any) { m["from"] = "anonymous'; DROP" }, http.StatusBadRequest, "from"},
		{"non-numeric to", ctiToken, func(m map[string]any) { m["to"] = "abc" }, http.StatusBadRequest, "to"},
		{"bad direction", ctiToken, func(m map[string]any) { m["direction"] = "sideways" }, http.StatusBadRequest, "direction"},
		{"bad callId", ctiToken, func(m map[string]any) { m["callId"] = "a b<c>" }, http.StatusBadRequest, "callId"},
	}
	for _, tc := range cases {
		for _, asJSON := range []bool{false, true} {
			m := good()
			if tc.change != nil {
				tc.change(m)
			}
			r := ctiTo(e, tc.token, asJSON, m)
			if r.Status != tc.status || !strings.Contains(string(r.Body), tc.detail) || !strings.Contains(r.Header.Get("Content-Type"), "problem+json") {
				t.Errorf("%s (json=%v): %d %s", tc.name, asJSON, r.Status, r.Body)
			}
		}
	}
	// Malformed JSON and a body over the CTI limit.
	if r := e.Do("POST", "/api/v1/cti/"+ctiToken, "{not json", "Content-Type", "application/json"); r.Status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", r.Status)
	}
	big := url.Values{"event": {"newCall"}, "callId": {"big"}, "from": {"0912345678"}, "queue": {strings.Repeat("q", 20<<10)}}
	if r := e.Do("POST", "/api/v1/cti/"+ctiToken, big.Encode(), "Content-Type", "application/x-www-form-urlencoded"); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized event: %d", r.Status)
	}
	if calls := listCalls(e, admin, ""); len(calls) != 0 {
		t.Errorf("bad input stored calls: %+v", calls)
	}
}

// Without CIVICDESK_CTI_TOKEN a token is generated once, stored, and shown
// to admins only; it then works as the webhook's credential.
func TestCTITokenGenerated(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	admin := e.AdminToken()
	op := e.CreateUser("dtv5@hotline.example.vn", desk.RoleOperator, "")
	if r := e.Do("GET", "/api/v1/admin/cti", nil, "Authorization", "Bearer "+op); r.Status != http.StatusForbidden {
		t.Errorf("operator reading the CTI token: %d", r.Status)
	}
	var info struct {
		Token, URL string
	}
	r := e.Do("GET", "/api/v1/admin/cti", nil, "Authorization", "Bearer "+admin)
	r.JSON(t, &info)
	if r.Status != http.StatusOK || len(info.Token) < 32 || !strings.HasSuffix(info.URL, "/api/v1/cti/"+info.Token) {
		t.Fatalf("admin cti info: %d %s", r.Status, r.Body)
	}
	var again struct{ Token string }
	e.Do("GET", "/api/v1/admin/cti", nil, "Authorization", "Bearer "+admin).JSON(t, &again)
	if again.Token != info.Token {
		t.Errorf("token changed: %s then %s", info.Token, again.Token)
	}
	if r := ctiTo(e, info.Token, true, map[string]any{"event": "newCall", "from": "0912345678", "direction": "in", "callId": "g-1"}); r.Status != http.StatusOK {
		t.Errorf("generated token refused: %d %s", r.Status, r.Body)
	}
}

// newCall events are rate-limited per calling number.
func TestCTIRateLimitPerNumber(t *testing.T) {
	e := startHotline(t, nil, func(c *config.Config) { c.LimitCTI = "2/1m" })
	for i, want := range []int{200, 200, 429} {
		r := cti(e, true, map[string]any{"event": "newCall", "from": "0912345678", "direction": "in", "callId": "rl-" + string(rune('a'+i))})
		if r.Status != want {
			t.Errorf("call %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := cti(e, true, map[string]any{"event": "newCall", "from": "0912345679", "direction": "in", "callId": "rl-other"}); r.Status != 200 {
		t.Errorf("another number is not limited: %d", r.Status)
	}
}
