package web

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

type inboxRow struct {
	TrackingCode, Title, AgencyName, Status string
	CreatedAt, DueAt                        time.Time
	Overdue                                 bool
	// Suspect marks tickets the spam check tagged; shown to coordinators
	// and admins only, so that agency staff are not biased against the
	// citizen.
	Suspect bool
}

// inbox: GET /staff/inbox, the agency's open tickets, most urgent due date
// first (overdue tickets lead because their due dates are earliest).
func (s *Server) inbox(c *fiber.Ctx) error {
	u := userOf(c)
	f, err := ticketFilter(c)
	if err != nil {
		return err
	}
	tickets, total, err := s.Store.Tickets(c.UserContext(), u, f)
	if err != nil {
		return err
	}
	cat := s.Catalog.Catalog()
	now := s.Clock.Now()
	rows := make([]inboxRow, 0, len(tickets))
	for _, t := range tickets {
		r := inboxRow{TrackingCode: t.TrackingCode, Title: t.Title, Status: string(t.Status), CreatedAt: t.CreatedAt, DueAt: t.DueAt, Overdue: t.Overdue(now)}
		if a := cat.Agency(t.Agency); a != nil {
			r.AgencyName = a.Name
		}
		r.Suspect = !u.Role.AgencyBound() && slices.Contains(t.Tags, desk.TagSpamSuspect)
		rows = append(rows, r)
	}
	var agencyName string
	if a := cat.Agency(u.Agency); a != nil && u.Role.AgencyBound() {
		agencyName = a.Name
	}
	return s.render(c, "inbox", s.t(c, "inbox.title"), fiber.Map{"Tickets": rows, "Total": total, "AgencyName": agencyName})
}
