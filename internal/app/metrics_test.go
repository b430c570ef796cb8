package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
)

// /metrics is served on its own listener, not on the public port: the
// public port answers 404, the metrics address serves the counters, and
// they move when a submission is accepted and processed.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	if r := e.Do("GET", "/metrics", nil); r.Status != http.StatusNotFound {
		t.Fatalf("public /metrics: %d %.200s, want 404", r.Status, r.Body)
	}
	addr := e.App.MetricsAddr()
	if addr == "" {
		t.Fatal("no metrics listener")
	}
	scrape := func() string {
		res, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("metrics: %d %s", res.StatusCode, b)
		}
		return string(b)
	}
	e.Submit(apptest.Submission())
	apptest.WaitFor(t, 10*time.Second, "intake counted", func() bool {
		m := scrape()
		return strings.Contains(m, "civicdesk_submissions_accepted_total") &&
			strings.Contains(m, `civicdesk_tasks_processed_total{outcome="ok",type="intake:process"} 1`)
	})
}
