package reports

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Charts are drawn on the server as SVG: no script, no library, nothing
// from a CDN, and they print. Every label is escaped here (the result is
// trusted HTML for the template), and every mark carries data-key and
// data-value so that tests — and assistive tools — can read the series.
// Each chart on a page is followed by a table of the same numbers.

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value int
}

// BarChart draws horizontal bars, one per item, scaled to the largest.
func BarChart(id, title string, bars []Bar) template.HTML {
	const width, labelW, rowH = 520, 190, 24
	h := rowH*len(bars) + 10
	if len(bars) == 0 {
		h = 30
	}
	maxV := 0
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" id="%s" role="img" aria-labelledby="%s-t" viewBox="0 0 %d %d" width="100%%" data-series="%d">`,
		esc(id), esc(id), width, h, len(bars))
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title>`, esc(id), esc(title))
	if len(bars) == 0 {
		sb.WriteString(`<text x="4" y="20" fill="#666">—</text>`)
	}
	for i, b := range bars {
		y := 5 + i*rowH
		w := 0
		if maxV > 0 {
			w = b.Value * (width - labelW - 60) / maxV
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#222">%s</text>`, labelW-6, y+16, esc(truncate(b.Label, 26)))
		fmt.Fprintf(&sb, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="#2b6cb0" data-key="%s" data-value="%d"></rect>`,
			labelW, y+2, max(w, 1), rowH-6, esc(b.Label), b.Value)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" fill="#222">%d</text>`, labelW+max(w, 1)+4, y+16, b.Value)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// Point is one point of a line chart.
type Point struct {
	Label string
	Value int
}

// LineChart draws a series over days as a path with one marker per day.
func LineChart(id, title string, pts []Point) template.HTML {
	const width, height, padL, padB, padT = 520, 220, 44, 24, 10
	maxV := 1
	for _, p := range pts {
		maxV = max(maxV, p.Value)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" id="%s" role="img" aria-labelledby="%s-t" viewBox="0 0 %d %d" width="100%%" data-series="%d">`,
		esc(id), esc(id), width, height, len(pts))
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title>`, esc(id), esc(title))
	plotW, plotH := width-padL-10, height-padB-padT
	fmt.Fprintf(&sb, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"></line>`, padL, padT+plotH, padL+plotW, padT+plotH)
	fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#222">%d</text>`, padL-4, padT+8, maxV)
	fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#222">0</text>`, padL-4, padT+plotH)
	var d strings.Builder
	xy := func(i, v int) (int, int) {
		x := padL
		if len(pts) > 1 {
			x = padL + i*plotW/(len(pts)-1)
		}
		return x, padT + plotH - v*plotH/maxV
	}
	for i, p := range pts {
		x, y := xy(i, p.Value)
		if i == 0 {
			fmt.Fprintf(&d, "M%d %d", x, y)
		} else {
			fmt.Fprintf(&d, " L%d %d", x, y)
		}
	}
	if len(pts) > 0 {
		fmt.Fprintf(&sb, `<path class="line" d="%s" fill="none" stroke="#2b6cb0" stroke-width="2" data-points="%d"></path>`, d.String(), len(pts))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" fill="#222">%s</text>`, padL, height-6, esc(pts[0].Label))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#222">%s</text>`, padL+plotW, height-6, esc(pts[len(pts)-1].Label))
	}
	for i, p := range pts {
		x, y := xy(i, p.Value)
		fmt.Fprintf(&sb, `<circle class="pt" cx="%d" cy="%d" r="2" fill="#2b6cb0" data-key="%s" data-value="%d"></circle>`, x, y, esc(p.Label), p.Value)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func esc(s string) string { return html.EscapeString(s) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
