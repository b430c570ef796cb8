package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// leakyLetter carries every kind of personal data that reached public
// pages: the ticket's own phone in odd notations, ID, insurance and
// passport numbers, dates of birth, relatives and contacts, an employer
// and its industrial zone.
const leakyLetter = "Tôi là Nguyễn Thị Lan, sinh ngày 12/03/1985 (Ngày sinh: 1985-03-12), CMT số 123.456.789, " +
	"thẻ BHYT DN4010123456789, hộ chiếu B7654321. Tôi làm ở Công ty TNHH Pouyuen Việt Nam, KCN Tân Tạo, nghỉ việc từ tháng 9/2024 " +
	"nhưng chưa nhận trợ cấp thất nghiệp theo Nghị quyết 42/NQ-CP, mức 3.450.000 đồng. Chồng tôi là Trần Văn Hùng. " +
	"Người liên hệ: Lê Thị Hoa. Gọi sđt0987654329, 0987/654/329, 0987,654,329 hoặc ０９８７６５４３２９."

// leaks are what must not appear on a public page, in any form.
var leaks = []string{"0987654329", "0987/654/329", "0987,654,329", "０９８７６５４３２９", "987654", "123.456.789", "DN4010123456789",
	"B7654321", "12/03/1985", "1985-03-12", "Trần Văn Hùng", "Lê Thị Hoa", "Nguyễn Thị Lan", "Pouyuen", "Tân Tạo", "lan.nguyen@example.vn"}

func checkNoLeaks(t *testing.T, where, body string) {
	t.Helper()
	body = html.UnescapeString(body)
	for _, l := range leaks {
		if strings.Contains(body, l) {
			t.Errorf("%s shows %q", where, l)
		}
	}
}

// TestPublicPagesMaskPersonalData: the public tracking API (no ownership
// proof) and the public Q&A after approval mask the ticket's own data in
// every notation, and the other identifiers the letter carries, while
// amounts and legal document numbers stay.
func TestPublicPagesMaskPersonalData(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	e.CreateUser("canbo@tct.example.vn", desk.RoleStaff, "BTC-TCT")
	lead := e.CreateUser("lanhdao@tct.example.vn", desk.RoleLead, "BTC-TCT")
	sub := apptest.Submission()
	sub["name"], sub["phone"], sub["email"] = "Nguyễn Thị Lan", "0987654329", "lan.nguyen@example.vn"
	sub["body"] = leakyLetter
	code := e.Submit(sub)
	czTicket(t, e, code)
	czStaffAct(t, e, "canbo@tct.example.vn", code, "reply",
		"Trả lời bà Nguyễn Thị Lan (sđt0987654329, CMT 123.456.789, thẻ BHYT DN4010123456789, sinh ngày 12/03/1985): "+
			"theo Nghị quyết 42/NQ-CP, bà được hưởng 3.450.000 đồng; Công ty TNHH Pouyuen Việt Nam (KCN Tân Tạo) phải xác nhận. "+
			"Chồng bà là Trần Văn Hùng có thể nộp thay; người liên hệ: Lê Thị Hoa, số 0987/654/329 hoặc ０９８７６５４３２９.")

	r := e.Do("GET", "/api/v1/track/"+code, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "Nghị quyết 42/NQ-CP") || !strings.Contains(string(r.Body), "3.450.000 đồng") {
		t.Fatalf("track: %d %s", r.Status, r.Body)
	}
	checkNoLeaks(t, "/api/v1/track", string(r.Body))
	if pg := newCZBrowser(t, e).get("/track/" + code); pg.Status == 200 {
		checkNoLeaks(t, "/track page", pg.Body)
	}

	tk := czTicket(t, e, code)
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/propose", map[string]any{"version": tk.Version}, czBearer(lead)...); r.Status != 200 {
		t.Fatalf("propose: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/tickets/"+code+"/approve", map[string]any{}, czBearer(lead)...); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	v := newCZBrowser(t, e)
	pg := v.get("/qa")
	checkNoLeaks(t, "/qa", pg.Body)
	id := regexp.MustCompile(`href="/qa/(hd-[a-z0-9]+)"`).FindStringSubmatch(pg.Body)
	if id == nil {
		t.Fatal("/qa links to no entry")
	}
	entry := v.get("/qa/" + id[1])
	if entry.Status != 200 || !strings.Contains(entry.Body, "42/NQ-CP") || !strings.Contains(entry.Body, "3.450.000 đồng") {
		t.Fatalf("/qa/%s: %d", id[1], entry.Status)
	}
	checkNoLeaks(t, "/qa/"+id[1], entry.Body)
	api := e.Do("GET", "/api/v1/qa", nil)
	checkNoLeaks(t, "/api/v1/qa", string(api.Body))
}
