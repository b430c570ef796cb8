package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// TestPublicStatsBeforeAnything: before the first roll-up and with nothing
// answered, the public page says the figures are not compiled yet (not
// "01/01/0001") and shows "—" for the on-time share, not "0%"; the JSON
// keeps its numbers.
func TestPublicStatsBeforeAnything(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	r := e.Do("GET", "/thong-ke", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /thong-ke: %d %s", r.Status, r.Body)
	}
	body := string(r.Body)
	if strings.Contains(body, "0001") {
		t.Errorf("built line %q", between(body, `class="muted"`, "</p>"))
	}
	if got := between(body, `id="nat-ontime">`, "</strong>"); got != "—" {
		t.Errorf("national on-time share %q", got)
	}
	if table := between(body, `id="agencies"`, "</table>"); !strings.Contains(table, "<tr data-agency") || strings.Contains(table, ">0%<") {
		t.Errorf("agencies table: %s", table)
	}
	// A period no roll-up covers has no build time at all.
	r = e.Do("GET", "/thong-ke?from=2020-01-01&to=2020-01-31", nil)
	if body := string(r.Body); r.Status != http.StatusOK || strings.Contains(body, "0001") || !strings.Contains(between(body, `class="muted"`, "</p>"), "chưa tổng hợp") {
		t.Errorf("period without roll-ups: %d %q", r.Status, between(body, `class="muted"`, "</p>"))
	}
	var p struct {
		National struct {
			Pct *float64 `json:"answered_on_time_pct"`
		} `json:"national"`
	}
	r = e.Do("GET", "/api/v1/stats/public", nil)
	r.JSON(t, &p)
	if p.National.Pct == nil || *p.National.Pct != 0 {
		t.Errorf("JSON on-time share changed: %s", r.Body)
	}
}
