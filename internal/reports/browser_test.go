package reports_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// chartSeries counts, per chart on the page, the marks that carry a data
// value and how many of them are non-zero.
const chartSeries = `(() => {
  const out = {};
  for (const svg of document.querySelectorAll('svg.chart')) {
    const marks = svg.querySelectorAll('[data-value]');
    let nonzero = 0;
    for (const m of marks) { if (Number(m.getAttribute('data-value')) > 0) nonzero++; }
    out[svg.id] = [marks.length, nonzero];
  }
  return out;
})()`

// Acceptance 5: the dashboard and the public page render their charts in
// a real browser — SVG present, each with a non-empty series — and are
// screenshotted (PNG files in the test's temp dir, or in
// $CIVICDESK_SCREENSHOTS when set).
func TestBrowserReports(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Clock: apptest.NewClock(scenarioNow)})
	insertSeed(t, e, seedTickets(300, scenarioNow, 6), seedCalls(80, scenarioNow, 6))
	e.CreateUser("lanhdao@btc.example.vn", desk.RoleLead, "BTC")
	ctx := apptest.Browser(t)
	dir := os.Getenv("CIVICDESK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}

	shoot := func(name, url, waitFor string, wantCharts []string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(waitFor))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		series, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][2]int](chartSeries))
		if err != nil {
			t.Fatalf("%s: charts: %v", name, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		if len(png) < 1000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Fatalf("%s: screenshot is not a PNG (%d bytes)", name, len(png))
		}
		file := filepath.Join(dir, name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes, charts %v", file, len(png), series)
		for _, id := range wantCharts {
			s, ok := series[id]
			if !ok {
				t.Errorf("%s: no SVG chart %s", name, id)
				continue
			}
			if s[0] == 0 || s[1] == 0 {
				t.Errorf("%s: chart %s has an empty series (%d marks, %d non-zero)", name, id, s[0], s[1])
			}
		}
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/staff/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "lanhdao@btc.example.vn"),
		chromedp.SendKeys(chromedp.CSS("#password"), "user-password-123"),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shoot("dashboard", e.URL+"/staff/dashboard?from=2026-10-01&to=2026-11-27", "#chart-channel",
		[]string{"chart-channel", "chart-agency", "chart-category", "chart-province", "chart-status", "chart-backlog", "chart-ratings"})
	shoot("thong-ke", e.URL+"/thong-ke", "#chart-public-channel", []string{"chart-public-channel"})
}
