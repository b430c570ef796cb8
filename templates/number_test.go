package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/reports"
)

// The public statistics page writes its figures the way each language
// does: Vietnamese groups thousands with "." and uses "," for decimals.
func TestPublicStatsNumbers(t *testing.T) {
	s, err := Parse()
	if err != nil {
		t.Fatal(err)
	}
	p := &reports.Public{
		National: reports.National{Received: 20000, Answered: 12345, AnsweredOnTime: 10000, AnswerOnTimePct: 81, HotlineCalls: 1500, RatingCount: 2000, RatingAvg: 4.25},
		Agencies: []reports.AgencyFigures{{Code: "BHXH", Name: "BHXH", Received: 1234, Answered: 4, AnsweredOnTime: 1, AnswerOnTimePct: 2.5, RatingCount: 2, RatingAvg: 3.5}},
	}
	for _, c := range []struct{ lang, received, ontime, rating, agency string }{
		{"vi", "20.000", "10.000 (81%)", "4,25 (2.000)", "<td>1.234</td><td>4</td><td>1</td><td>2,5%</td>"},
		{"en", "20,000", "10,000 (81%)", "4.25 (2,000)", "<td>1,234</td><td>4</td><td>1</td><td>2.5%</td>"},
	} {
		var b bytes.Buffer
		if err := s.Render(&b, "stats_public", &Page{Lang: c.lang, Data: map[string]any{"P": p, "Built": "08/12/2026 05:00"}}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{`id="nat-received">` + c.received + "<", `id="nat-ontime">` + c.ontime + "<", `id="nat-rating">` + c.rating + "<", c.agency} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: %q missing from %s", c.lang, want, between(out, `id="national"`, "</table>"))
			}
		}
	}
}

func between(s, from, to string) string {
	_, s, _ = strings.Cut(s, from)
	s, _, _ = strings.Cut(s, to)
	return s
}
