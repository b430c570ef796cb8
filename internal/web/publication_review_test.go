package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// TestPublicationRejectAndEdit: the lead's approval page shows the masked
// text in editable boxes and a rejection form. A rejection needs a reason
// (without one nothing changes), is audited, publishes nothing, and the
// ticket may be proposed again; an approval with an edited text publishes
// the edit, masked again.
func TestPublicationRejectAndEdit(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	staff := e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	e.CreateUser("lanhdao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	sub := apptest.Submission()
	sub["phone"] = "0987654329"
	code := e.Submit(sub)
	czTicket(t, e, code)
	czStaffAct(t, e, "canbo@tct.example.vn", code, "reply", "Hồ sơ gia hạn nộp thuế của ông đã được chấp thuận theo Nghị định 64/2024/NĐ-CP.")
	propose := func() {
		t.Helper()
		if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{}, czBearer(staff)...); r.Status != 200 {
			t.Fatalf("propose: %d %s", r.Status, r.Body)
		}
	}
	propose()

	// The lead's page: editable text and the rejection form.
	b := newBrowserish(t, e)
	b.mustLogin("lanhdao@tct.example.vn", userPassword)
	pg := b.get("/staff/tickets/" + code)
	if pg.status != 200 || !strings.Contains(pg.body, `<textarea name="answer"`) || !strings.Contains(pg.body, `id="form-reject"`) {
		t.Fatalf("approval page: %d, editable answer %v, reject form %v", pg.status, strings.Contains(pg.body, `name="answer"`), strings.Contains(pg.body, `id="form-reject"`))
	}
	version := func() string { return strconv.FormatInt(czTicket(t, e, code).Version, 10) }

	// No reason: 400 with the message, nothing changes.
	before := czTicket(t, e, code)
	if p := b.post("/staff/tickets/"+code+"/reject", url.Values{"version": {version()}, "reason": {"  "}}); p.status != 400 || !strings.Contains(html.UnescapeString(p.body), "Cần nêu lý do") {
		t.Fatalf("reject without a reason: %d", p.status)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/reject", map[string]any{"reason": "Sai lĩnh vực"}, czBearer(staff)...); r.Status != 403 {
		t.Fatalf("staff rejects: %d %s", r.Status, r.Body)
	}
	if after := czTicket(t, e, code); after.Version != before.Version || after.Publication.State != desk.PublicationProposed {
		t.Fatalf("refused rejections changed the ticket: %+v", after.Publication)
	}
	reason := "Câu trả lời nêu sai số hiệu nghị định; đề nghị sửa rồi đề xuất lại."
	if p := b.post("/staff/tickets/"+code+"/reject", url.Values{"version": {version()}, "reason": {reason}}); p.status != http.StatusSeeOther {
		t.Fatalf("reject: %d %s", p.status, p.body)
	}
	tk := czTicket(t, e, code)
	if tk.Publication.State != desk.PublicationRejected || tk.Publication.RejectReason != reason || czEvent(tk, "publication_rejected") == nil {
		t.Fatalf("after reject: %+v", tk.Publication)
	}
	if a, ok := czAudit(t, e, code)["publication.reject"]; !ok || !strings.Contains(a.After, "sai số hiệu") {
		t.Errorf("reject audit: %+v", a)
	}
	if pg := newCZBrowser(t, e).get("/qa"); !strings.Contains(pg.Body, `id="qa-none"`) {
		t.Error("/qa lists a rejected proposal")
	}
	if pg := b.get("/staff/tickets/" + code); !strings.Contains(html.UnescapeString(pg.body), reason) {
		t.Error("the ticket page does not show the rejection's reason")
	}

	// Proposed again; the lead approves an edited answer, with a phone
	// number typed into it.
	propose()
	edited := "Hồ sơ gia hạn của ông đã được chấp thuận theo Nghị định 64/2024/NĐ-CP; cần hỏi thêm xin gọi ông theo số 0987 654 329."
	if p := b.post("/staff/tickets/"+code+"/approve", url.Values{"version": {version()}, "question": {czTicket(t, e, code).Publication.Question}, "answer": {edited}}); p.status != http.StatusSeeOther {
		t.Fatalf("approve with an edit: %d %s", p.status, p.body)
	}
	tk = czTicket(t, e, code)
	if tk.Publication.State != desk.PublicationPublished || !tk.Publication.Edited || !strings.Contains(tk.Publication.Answer, "cần hỏi thêm") {
		t.Fatalf("after approving the edit: %+v", tk.Publication)
	}
	api := e.Do("GET", "/api/v1/qa", nil)
	var list struct {
		Entries []struct{ Answer string } `json:"entries"`
	}
	if err := json.Unmarshal(api.Body, &list); err != nil || len(list.Entries) != 1 {
		t.Fatalf("/api/v1/qa: %v %s", err, api.Body)
	}
	if a := list.Entries[0].Answer; !strings.Contains(a, "cần hỏi thêm") || strings.Contains(a, "0987") || strings.Contains(a, "654 329") {
		t.Errorf("published answer: %q", a)
	}
	if a, ok := czAudit(t, e, code)["publication.approve"]; !ok || !strings.Contains(a.After, `"edited":true`) {
		t.Errorf("approve audit: %+v", a)
	}
}
