package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

type apiTicket struct {
	ID           string `json:"id"`
	TrackingCode string `json:"tracking_code"`
	Version      int64  `json:"version"`
	Status       string `json:"status"`
	Topic        string `json:"topic"`
	Messages     []struct {
		Kind string `json:"kind"`
		Body string `json:"body"`
	} `json:"messages"`
}

func getTicket(t *testing.T, env *apptest.Env, token, code string) apiTicket {
	t.Helper()
	r := env.Do("GET", "/api/v1/tickets/"+code, nil, "Authorization", "Bearer "+token)
	if r.Status != http.StatusOK {
		t.Fatalf("ticket %s: %d %s", code, r.Status, r.Body)
	}
	var tk apiTicket
	r.JSON(t, &tk)
	return tk
}

// TestPublicQASearchShowsPublishedOnly: the public search finds a
// published answer by the words of its masked question, with or without
// diacritics, and answers only masked text, agency, category and the
// public id; a ticket with the same words that is not published is never
// found, and withdrawing the entry removes it.
func TestPublicQASearchShowsPublishedOnly(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	s := apptest.Submission()
	s["category"], s["title"] = "ho-tro-lao-dong", "Chậm chi trả trợ cấp thất nghiệp"
	s["body"] = "Tôi là Trần Thị Bình, số điện thoại 0987654321, đã có quyết định hưởng trợ cấp thất nghiệp nhưng chưa nhận được tiền."
	s["name"], s["phone"] = "Trần Thị Bình", "0987654321"
	pub := submitSearchable(t, env, admin, s)
	secret := submitSearchable(t, env, admin, s) // same words, never published
	tk := getTicket(t, env, admin, pub)
	must := func(path string, body any, want int) []byte {
		t.Helper()
		r := env.Do("POST", path, body, "Authorization", "Bearer "+admin)
		if r.Status != want {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		return r.Body
	}
	must("/api/v1/tickets/"+pub+"/reply", map[string]any{"version": tk.Version, "body": "Trung tâm dịch vụ việc làm đã chi trả trợ cấp thất nghiệp vào tài khoản của bà."}, 200)
	must("/api/v1/tickets/"+pub+"/propose", map[string]any{}, 200)
	must("/api/v1/tickets/"+pub+"/approve", map[string]any{}, 200)

	type qa struct {
		Results []map[string]any `json:"results"`
		Total   int              `json:"total"`
	}
	find := func(q string) qa {
		r := env.Do("GET", "/api/v1/qa/search?q="+url.QueryEscape(q), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("qa search %q: %d %s", q, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "0987654321") || strings.Contains(string(r.Body), "Bình") ||
			strings.Contains(string(r.Body), pub) || strings.Contains(string(r.Body), secret) {
			t.Fatalf("qa search %q leaks personal data or codes: %s", q, r.Body)
		}
		var out qa
		r.JSON(t, &out)
		return out
	}
	apptest.WaitFor(t, 10*time.Second, "published entry searchable", func() bool { return find("trợ cấp thất nghiệp").Total == 1 })
	res := find("tro cap that nghiep chua nhan tien")
	if res.Total != 1 || len(res.Results) != 1 {
		t.Fatalf("want the one published entry, got %+v", res)
	}
	for k := range res.Results[0] {
		switch k {
		case "id", "question", "answer", "agency", "category", "highlights":
		default:
			t.Errorf("public result carries field %q", k)
		}
	}
	if id, _ := res.Results[0]["id"].(string); !strings.HasPrefix(id, "hd-") {
		t.Errorf("public id %v", res.Results[0]["id"])
	}
	if n := find("Bình 0987654321").Total; n != 0 {
		t.Errorf("personal data is searchable in public search: %d hits", n)
	}
	if n := find(secret).Total + find(pub).Total; n != 0 {
		t.Errorf("tracking codes are searchable in public search: %d hits", n)
	}
	// Withdrawn: gone from public search.
	must("/api/v1/tickets/"+pub+"/withdraw", map[string]any{}, 200)
	apptest.WaitFor(t, 10*time.Second, "withdrawn entry gone", func() bool { return find("trợ cấp thất nghiệp").Total == 0 })
	// Limits: over-long queries are refused, short ones answer nothing.
	if r := env.Do("GET", "/api/v1/qa/search?q="+strings.Repeat("a", 300), nil); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("long query: %d", r.Status)
	}
	if find("ab").Total != 0 {
		t.Error("two letters searched")
	}
}

// TestTopicAnswersEveryOpenTicket: staff group tickets under a topic and
// answer it once; every open ticket gets the answer as its own reply, a
// closed one is skipped, and another agency's staff can neither see the
// topic nor add their tickets to it.
func TestTopicAnswersEveryOpenTicket(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	admin := env.AdminToken()
	staff := env.CreateUser("lead@molisa.test", desk.RoleLead, "BLDTBXH")
	other := env.CreateUser("staff@bhxh.test", desk.RoleStaff, "BHXH")
	var codes []string
	for i := range 4 {
		s := apptest.Submission()
		s["category"], s["title"], s["body"] = "ho-tro-lao-dong", latePayment[i][0], latePayment[i][1]
		codes = append(codes, submitSearchable(t, env, admin, s))
	}
	s := apptest.Submission()
	s["category"] = "tam-dung-bhxh"
	foreign := submitSearchable(t, env, admin, s)

	post := func(token, path string, body any) *apptest.Response {
		return env.Do("POST", path, body, "Authorization", "Bearer "+token)
	}
	r := post(staff, "/api/v1/topics", map[string]any{"title": "Chậm chi trả trợ cấp thất nghiệp tháng 3", "codes": codes[:3]})
	if r.Status != http.StatusCreated {
		t.Fatalf("create topic: %d %s", r.Status, r.Body)
	}
	var topic desk.Topic
	r.JSON(t, &topic)
	if len(topic.Tickets) != 3 || topic.Agency != "BLDTBXH" {
		t.Fatalf("topic %+v", topic)
	}
	// Out of scope looks like not found, for tickets and for the topic.
	if r := post(staff, "/api/v1/topics/"+topic.ID+"/tickets", map[string]any{"codes": []string{foreign}}); r.Status != http.StatusNotFound {
		t.Errorf("adding another agency's ticket: %d %s", r.Status, r.Body)
	}
	if r := env.Do("GET", "/api/v1/topics/"+topic.ID, nil, "Authorization", "Bearer "+other); r.Status != http.StatusNotFound {
		t.Errorf("other agency reads the topic: %d %s", r.Status, r.Body)
	}
	if r := post(other, "/api/v1/topics/"+topic.ID+"/answer", map[string]any{"body": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("other agency answers the topic: %d %s", r.Status, r.Body)
	}
	if r := post(staff, "/api/v1/topics", map[string]any{"title": "", "codes": codes[:1]}); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty title: %d %s", r.Status, r.Body)
	}
	if r := post(staff, "/api/v1/topics/"+topic.ID+"/tickets", map[string]any{"codes": []string{codes[3]}}); r.Status != http.StatusOK {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	// One ticket is closed before the answer: it is skipped.
	tk := getTicket(t, env, admin, codes[3])
	if r := post(admin, "/api/v1/tickets/"+codes[3]+"/close", map[string]any{"version": tk.Version, "body": "Trùng lặp"}); r.Status != http.StatusOK {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	if r := post(staff, "/api/v1/topics/"+topic.ID+"/answer", map[string]any{"body": "  "}); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty answer: %d %s", r.Status, r.Body)
	}
	answer := "Bảo hiểm xã hội tỉnh đã chi trả trợ cấp thất nghiệp tháng 3 cho toàn bộ người lao động ngày 15."
	r = post(staff, "/api/v1/topics/"+topic.ID+"/answer", map[string]any{"body": answer})
	if r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	var res struct {
		Answered, Skipped []string
		Failed            map[string]string
	}
	r.JSON(t, &res)
	if len(res.Answered) != 3 || len(res.Skipped) != 1 || res.Skipped[0] != codes[3] || len(res.Failed) != 0 {
		t.Fatalf("answer result %+v", res)
	}
	for _, c := range codes[:3] {
		tk := getTicket(t, env, staff, c)
		if tk.Status != string(desk.StatusAnswered) || tk.Topic != topic.ID {
			t.Errorf("%s: status %s topic %q", c, tk.Status, tk.Topic)
		}
		n := 0
		for _, m := range tk.Messages {
			if m.Kind == "reply" && m.Body == answer {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s has %d copies of the answer", c, n)
		}
	}
}
