package reports

import (
	"strings"
	"testing"
	"time"
)

// Chart labels come from data (agency and province names); they are
// escaped, and every bar carries its value for readers and tests.
func TestBarChartEscapesLabels(t *testing.T) {
	svg := string(BarChart("c1", `T<i>tle`, []Bar{{Label: `<script>alert(1)</script>`, Value: 3}, {Label: "Hà Nội", Value: 1}}))
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<i>") {
		t.Fatalf("unescaped label: %s", svg)
	}
	if strings.Count(svg, `data-value="3"`) != 1 || strings.Count(svg, `data-value="1"`) != 1 || !strings.Contains(svg, "Hà Nội") {
		t.Fatalf("bars: %s", svg)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	p, err := ParsePeriod("", "", now, 30)
	if err != nil || p.From != "2026-10-29" || p.To != "2026-11-27" || len(p.Days()) != 30 {
		t.Fatalf("default period %+v %v (%d days)", p, err, len(p.Days()))
	}
	for _, bad := range [][2]string{{"2026-11-28", "2026-11-27"}, {"2020-01-01", "2026-01-01"}, {"2026-02-30", ""}, {"yesterday", ""}, {strings.Repeat("9", 40), ""}} {
		if _, err := ParsePeriod(bad[0], bad[1], now, 30); err == nil {
			t.Errorf("period %v accepted", bad)
		}
	}
}

// Nearest-rank percentiles from a histogram equal those of the samples.
func TestDurationsNearestRank(t *testing.T) {
	h := map[int]int{0: 2, 3: 5, 7: 2, 12: 1} // 10 samples
	d := durations(h)
	if d.N != 10 || d.Median != 3 || d.P90 != 7 {
		t.Fatalf("%+v", d)
	}
	if d := durations(map[int]int{}); d.N != 0 {
		t.Fatalf("%+v", d)
	}
}
