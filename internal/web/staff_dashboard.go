package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/reports"
)

// dashboardOf reads the period and agency selector and asks the reports
// service, which applies the caller's scope.
func (s *Server) dashboardOf(c *fiber.Ctx) (*reports.Dashboard, error) {
	p, err := reports.ParsePeriod(c.Query("from"), c.Query("to"), s.Clock.Now(), 30)
	if err != nil {
		s.Log.Info("dashboard: bad period", "from", c.Query("from"), "to", c.Query("to"))
		return nil, err
	}
	return s.Reports.Dashboard(c.UserContext(), userOf(c), p, c.Query("agency"))
}

// dashboard: GET /staff/dashboard?from=&to=&agency=, the staff dashboard.
func (s *Server) dashboard(c *fiber.Ctx) error {
	d, err := s.dashboardOf(c)
	if err != nil {
		return err
	}
	l := s.labeller(c)
	type opt struct {
		Code, Name string
		Selected   bool
	}
	var agencies []opt
	for _, a := range d.Agencies {
		agencies = append(agencies, opt{Code: a, Name: l["agency"](a), Selected: a == d.Agency})
	}
	u := userOf(c)
	scopeName := ""
	if u.Role.AgencyBound() {
		scopeName = l["agency"](u.Agency)
	}
	return s.render(c, "dashboard", s.t(c, "reports.title"), fiber.Map{
		"D": d, "Charts": s.dashboardCharts(c, d), "Agencies": agencies, "ScopeName": scopeName,
		"Lists": []openList{
			{ID: "overdue", Title: s.t(c, "reports.overdue"), Count: d.OverdueCount, Rows: s.openRows(c, d.Overdue)},
			{ID: "due-soon", Title: s.t(c, "reports.due_soon"), Count: d.DueSoonCount, Rows: s.openRows(c, d.DueSoon)},
		},
		"AHT": hms(d.Hotline.AvgHandleSeconds), "Built": d.BuiltAt.In(hcm).Format("02/01/2006 15:04"),
	})
}

// apiDashboard: GET /api/v1/stats/dashboard, the same figures as JSON.
func (s *Server) apiDashboard(c *fiber.Ctx) error {
	d, err := s.dashboardOf(c)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// openList is the overdue or the due-soon list.
type openList struct {
	ID, Title string
	Count     int
	Rows      []openRow
}
