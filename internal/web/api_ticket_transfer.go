package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// moveInput reads the JSON body of route, return and transfer.
func moveInput(c *fiber.Ctx) (tickets.MoveInput, error) {
	var in tickets.MoveInput
	if err := readJSON(c, &in); err != nil {
		return in, err
	}
	return in, nil
}

// apiRoute: POST /api/v1/tickets/:code/route {agency, reason, version};
// a coordinator places a triage ticket (or confirms a return).
func (s *Server) apiRoute(c *fiber.Ctx) error {
	return s.apiMove(c, s.Tickets.Route)
}

// apiReturn: POST /api/v1/tickets/:code/return {reason, suggested_agency,
// version}; the holding agency gives the ticket back as not its competence.
func (s *Server) apiReturn(c *fiber.Ctx) error {
	return s.apiMove(c, s.Tickets.Return)
}

// apiTransfer: POST /api/v1/tickets/:code/transfer {agency, reason,
// version}; the ticket goes straight to another agency.
func (s *Server) apiTransfer(c *fiber.Ctx) error {
	return s.apiMove(c, s.Tickets.Transfer)
}

type moveFunc func(ctx context.Context, actor *desk.User, code string, in tickets.MoveInput) (*desk.Ticket, error)

func (s *Server) apiMove(c *fiber.Ctx, move moveFunc) error {
	in, err := moveInput(c)
	if err != nil {
		return err
	}
	// issue 6 (workspace): the scoped read first, so that a ticket out of
	// scope is 404 whatever the role may do. The tickets service writes
	// the audit entry with the move.
	if _, err := s.wsTicket(c, c.Params("code")); err != nil {
		return err
	}
	t, err := move(wsCtx(c), userOf(c), c.Params("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}
