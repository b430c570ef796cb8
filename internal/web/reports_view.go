package web

// Reports (issue 9): view models shared by the staff dashboard, the public
// transparency page and their JSON. The figures and the scoping are
// computed in internal/reports; this file only labels and draws them.

import (
	"fmt"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/reports"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/templates"
)

// chartView is one chart with the table that states the same numbers.
type chartView struct {
	ID, Title string
	SVG       template.HTML
	Head      [2]string
	Rows      []reports.Bar
}

func (s *Server) labeller(c *fiber.Ctx) map[string]func(string) string {
	lang := langOf(c)
	cat := s.Catalog.Catalog()
	agency := func(k string) string {
		if k == "" {
			return templates.Message(lang, "reports.triage")
		}
		if a := cat.Agency(k); a != nil {
			return a.Name
		}
		return k
	}
	category := func(k string) string {
		if ct := cat.Category(k); ct != nil {
			return ct.Name
		}
		return k
	}
	province := func(k string) string {
		if k == "" {
			return templates.Message(lang, "reports.unknown")
		}
		return k
	}
	return map[string]func(string) string{
		"channel":  func(k string) string { return templates.Message(lang, "channel."+k) },
		"status":   func(k string) string { return templates.Message(lang, "status."+k) },
		"agency":   agency,
		"category": category,
		"province": province,
	}
}

func barsOf(cs []store.Count, label func(string) string) []reports.Bar {
	out := make([]reports.Bar, 0, len(cs))
	for _, c := range cs {
		out = append(out, reports.Bar{Label: label(c.K), Value: c.N})
	}
	return out
}

func barChart(id, title, keyHead, valHead string, bars []reports.Bar) chartView {
	return chartView{ID: id, Title: title, SVG: reports.BarChart(id, title, bars), Head: [2]string{keyHead, valHead}, Rows: bars}
}

// dashboardCharts draws every chart of the dashboard.
func (s *Server) dashboardCharts(c *fiber.Ctx, d *reports.Dashboard) []chartView {
	t := func(k string) string { return s.t(c, k) }
	l := s.labeller(c)
	n := t("reports.count")
	ratings := make([]reports.Bar, 5)
	for i := range ratings {
		ratings[i] = reports.Bar{Label: strconv.Itoa(i+1) + " ★", Value: d.Ratings[i]}
	}
	pts := make([]reports.Point, len(d.Backlog))
	backlog := make([]reports.Bar, len(d.Backlog))
	for i, b := range d.Backlog {
		pts[i] = reports.Point{Label: b.Day, Value: b.N}
		backlog[i] = reports.Bar{Label: b.Day, Value: b.N}
	}
	return []chartView{
		barChart("chart-channel", t("reports.by_channel"), t("reports.channel"), n, barsOf(d.ByChannel, l["channel"])),
		barChart("chart-agency", t("reports.by_agency"), t("reports.agency"), n, barsOf(d.ByAgency, l["agency"])),
		barChart("chart-category", t("reports.by_category"), t("reports.category"), n, barsOf(d.ByCategory, l["category"])),
		barChart("chart-province", t("reports.by_province"), t("reports.province"), n, barsOf(d.ByProvince, l["province"])),
		barChart("chart-status", t("reports.by_status"), t("reports.status"), n, barsOf(d.ByStatus, l["status"])),
		{ID: "chart-backlog", Title: t("reports.backlog"), SVG: reports.LineChart("chart-backlog", t("reports.backlog"), pts),
			Head: [2]string{t("reports.day"), t("reports.open")}, Rows: backlog},
		barChart("chart-ratings", t("reports.ratings"), t("reports.score"), n, ratings),
	}
}

// openRow is a line of the overdue and due-soon lists.
type openRow struct {
	Code, Agency, Status string
	Due                  string
}

func (s *Server) openRows(c *fiber.Ctx, items []store.OpenItem) []openRow {
	l := s.labeller(c)
	out := make([]openRow, 0, len(items))
	for _, o := range items {
		out = append(out, openRow{Code: o.Code, Agency: l["agency"](o.Agency), Status: l["status"](o.Status),
			Due: o.Due.In(hcm).Format("02/01/2006 15:04")})
	}
	return out
}

// hms formats seconds as m:ss.
func hms(secs int) string { return fmt.Sprintf("%d:%02d", secs/60, secs%60) }
