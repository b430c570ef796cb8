package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

var callIDField = regexp.MustCompile(`name="call_id" id="call_id" value="([^"]+)"`)

// TestConsoleLogCallShowsWhatWasSaved: after a call is logged the console
// says "call saved" (and names the ticket when one was made), never the
// internal call id; the ticket made from a long call note gets a short
// title cut at a word, and with no category it reads "Chưa phân loại".
func TestConsoleLogCallShowsWhatWasSaved(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	op := e.CreateUser("dtv-log@hotline.example.vn", desk.RoleOperator, "")
	b := newBrowserish(t, e)
	b.mustLogin("dtv-log@hotline.example.vn", userPassword)

	callID := func() string {
		t.Helper()
		m := callIDField.FindStringSubmatch(b.get("/staff/console").body)
		if m == nil {
			t.Fatal("no call id on the console")
		}
		return m[1]
	}

	id := callID()
	r := b.post("/staff/console/calls", url.Values{"call_id": {id}, "phone": {"0912 345 678"},
		"summary": {"Hỏi giờ làm việc của bộ phận một cửa."}, "outcome": {"answered_on_call"}, "answer": {"Từ 7 giờ 30 đến 17 giờ."}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("log answered call: %d %s", r.status, r.body)
	}
	p := b.get(r.header.Get("Location"))
	if !strings.Contains(p.body, "Đã lưu cuộc gọi.") || strings.Contains(p.body, id) {
		t.Errorf("after an answered call the console shows %q (call id %s)", between(p.body, `id="done"`, "</p>"), id)
	}

	note := "Người dân phản ánh đèn đường trên tuyến phố chính của phường đã hỏng hơn hai tuần, buổi tối rất tối và nguy hiểm cho người đi bộ và trẻ em đi học về; đề nghị cơ quan chức năng kiểm tra và sửa chữa sớm"
	r = b.post("/staff/console/calls", url.Values{"call_id": {callID()}, "phone": {"0912 345 678"}, "name": {"Lê Văn Cường"},
		"province": {"Hà Nội"}, "category": {"khac"}, "summary": {note}, "outcome": {"new_ticket"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("log new ticket call: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	code := strings.TrimPrefix(loc, "/staff/console?done=")
	if code == loc || code == "" {
		t.Fatalf("redirect %q does not name the ticket", loc)
	}
	p = b.get(loc)
	if done := between(p.body, `id="done"`, "</p>"); !strings.Contains(done, "Đã lưu cuộc gọi") || !strings.Contains(done, `href="/staff/tickets/`+code+`"`) {
		t.Errorf("after a new ticket the console shows %q", done)
	}

	triageTitle := ""
	var ticket desk.Ticket
	apptest.WaitFor(t, 10*time.Second, "the hotline ticket", func() bool {
		r := e.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+op)
		if r.Status != http.StatusOK {
			return false
		}
		r.JSON(t, &ticket)
		return true
	})
	// Cut before "tuần", at a word, within about 80 characters.
	if ticket.Title != "Người dân phản ánh đèn đường trên tuyến phố chính của phường đã hỏng hơn hai…" || utf8.RuneCountInString(ticket.Title) > 81 {
		t.Errorf("title %q", ticket.Title)
	}
	if ticket.Body != note {
		t.Errorf("body %q", ticket.Body)
	}
	triageAgency := ticket.Agency
	triageTitle = ticket.Title
	r2 := e.Do("POST", "/api/v1/calls", map[string]any{"phone": "0912 345 678", "outcome": "new_ticket", "name": "Lê Văn Cường", "province": "Hà Nội", "category": "khac",
		"summary": "Xin cấp lại giấy xác nhận cư trú. Tôi đã nộp hồ sơ từ tháng trước nhưng chưa có kết quả."},
		"Authorization", "Bearer "+op)
	var made struct {
		TrackingCode string `json:"tracking_code"`
	}
	r2.JSON(t, &made)
	apptest.WaitFor(t, 10*time.Second, "the second hotline ticket", func() bool {
		r := e.Do("GET", "/api/v1/tickets/"+made.TrackingCode, nil, "Authorization", "Bearer "+op)
		if r.Status != http.StatusOK {
			return false
		}
		r.JSON(t, &ticket)
		return true
	})
	if ticket.Title != "Xin cấp lại giấy xác nhận cư trú." {
		t.Errorf("first-sentence title %q", ticket.Title)
	}

	// "khac" (other) has no agency: the ticket waits for the coordinators.
	if triageAgency != "" {
		t.Fatalf("a call in category khac was routed to %s", triageAgency)
	}
	admin := newBrowserish(t, e)
	admin.mustLogin(apptest.AdminEmail, apptest.AdminPassword)
	p = admin.get("/staff/tickets/" + code)
	if ag := between(p.body, `id="ticket-agency">`, "</strong>"); ag != "Chưa phân loại" {
		t.Errorf("triage ticket's agency reads %q", ag)
	}
	p = admin.get("/staff/inbox")
	if row := between(p.body, triageTitle, "</tr>"); !strings.Contains(row, "<td>Chưa phân loại</td>") {
		t.Errorf("triage ticket's inbox row %q", row)
	}
}

// between is the text after the first from and before the next to.
func between(s, from, to string) string {
	_, s, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	s, _, _ = strings.Cut(s, to)
	return s
}
