package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// apiTickets: GET /api/v1/tickets, staff only, scoped to the caller's
// agency by the store. Query: view (new, mine, unassigned, overdue,
// due_soon, awaiting, answered; default every open ticket), status
// (comma-separated), agency, limit, offset. Order: overdue first, then by
// due date (Store.InboxTickets).
func (s *Server) apiTickets(c *fiber.Ctx) error {
	// Search (issue 7, SE) branches off here on ?q=.
	if c.Query("q") != "" {
		return s.apiSearchTickets(c) // api_search.go
	}
	f, err := ticketFilter(c)
	if err != nil {
		return err
	}
	q, err := s.inboxQuery(c)
	if err != nil {
		return err
	}
	q.Statuses, q.Agency, q.Limit, q.Offset = f.Statuses, f.Agency, f.Limit, f.Offset
	tickets, total, err := s.Store.InboxTickets(c.UserContext(), userOf(c), q)
	if err != nil {
		return err
	}
	if tickets == nil {
		tickets = []*desk.Ticket{}
	}
	view := q.View
	if view == store.ViewAll {
		view = "all"
	}
	return c.JSON(fiber.Map{"tickets": tickets, "total": total, "limit": f.Limit, "offset": f.Offset, "view": view})
}

func ticketFilter(c *fiber.Ctx) (desk.TicketFilter, error) {
	f := desk.TicketFilter{Agency: c.Query("agency"), Limit: 50}
	if v := c.Query("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			st := desk.Status(strings.TrimSpace(st))
			if !st.Valid() {
				return f, desk.Errorf(desk.EINVALID, "Trạng thái không hợp lệ: %q (unknown status).", st)
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := c.Query(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > 200)) || n > 1_000_000 {
				return f, desk.Errorf(desk.EINVALID, "Tham số %s không hợp lệ (invalid %s).", name, name)
			}
			*dst = n
		}
	}
	return f, nil
}

// apiTicket: GET /api/v1/tickets/:code. Out of scope answers 404, exactly
// like a code that does not exist.
func (s *Server) apiTicket(c *fiber.Ctx) error {
	code, ok := desk.NormalizeTrackingCode(c.Params("code"))
	if !ok {
		return desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	t, err := s.Store.TicketByCode(c.UserContext(), userOf(c), code)
	if err != nil {
		return err
	}
	// issue 6: reading a ticket's personal data is audited (workspace).
	s.Audit.Record(c.UserContext(), audit.Entry{Actor: userOf(c), Action: "ticket.view", Target: t.TrackingCode, IP: c.IP(), Note: "api"})
	return c.JSON(t)
}
