package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
)

// With CIVICDESK_SEARCH=none every search answers 503 with a message
// naming the setting, and everything else works: submissions become
// routed tickets, the inbox lists them, /readyz says ready.
func TestSearchTurnedOff(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.Search = config.SearchNone }})
	code := e.Submit(apptest.Submission())
	admin := "Bearer " + e.AdminToken()
	apptest.WaitFor(t, 30*time.Second, "the ticket in the inbox", func() bool {
		r := e.Do("GET", "/api/v1/tickets", nil, "Authorization", admin)
		return r.Status == http.StatusOK && strings.Contains(string(r.Body), code)
	})
	if r := e.Do("GET", "/readyz", nil); r.Status != http.StatusOK {
		t.Errorf("readyz with search off: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/api/v1/tickets?q=thu%E1%BA%BF", "/api/v1/qa/search?q=thu%E1%BA%BF"} {
		r := e.Do("GET", path, nil, "Authorization", admin)
		var p struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
			Code   string `json:"code"`
		}
		if r.Status != http.StatusServiceUnavailable || json.Unmarshal(r.Body, &p) != nil {
			t.Fatalf("%s: %d %s; want 503 problem+json", path, r.Status, r.Body)
		}
		if !strings.Contains(p.Detail, "CIVICDESK_SEARCH=none") || !strings.Contains(p.Detail, "Tìm kiếm đang tắt") || p.Code != "unavailable" {
			t.Errorf("%s: unclear problem %+v", path, p)
		}
		if r.Header.Get("Retry-After") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: headers %v", path, r.Header)
		}
	}
	b := newBrowserish(t, e)
	b.mustLogin(apptest.AdminEmail, apptest.AdminPassword)
	if r := b.get("/staff/search?q=thu%E1%BA%BF"); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "Tìm kiếm đang tắt") {
		t.Errorf("staff search page: %d %s", r.status, r.body)
	}
	if r := b.get("/staff/search"); r.status != http.StatusOK {
		t.Errorf("staff search form without a query: %d", r.status)
	}
}
