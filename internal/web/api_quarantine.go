package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/quarantine"
)

// reviewInput reads {"version": n, "note": "…"}; unknown fields are errors.
func reviewInput(c *fiber.Ctx) (quarantine.Input, error) {
	var in quarantine.Input
	if err := readJSONStrict(c, &in); err != nil {
		return in, err
	}
	return in, nil
}

// apiRelease: POST /api/v1/tickets/:code/release, coordinators and admins.
// Routes a quarantined ticket normally; answers the routed ticket.
func (s *Server) apiRelease(c *fiber.Ctx) error {
	in, err := reviewInput(c)
	if err != nil {
		return err
	}
	t, err := s.Quarantine.Release(c.UserContext(), userOf(c), c.Params("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// apiConfirmSpam: POST /api/v1/tickets/:code/confirm-spam, coordinators
// and admins. Keeps the ticket quarantined as confirmed spam.
func (s *Server) apiConfirmSpam(c *fiber.Ctx) error {
	in, err := reviewInput(c)
	if err != nil {
		return err
	}
	t, err := s.Quarantine.ConfirmSpam(c.UserContext(), userOf(c), c.Params("code"), in)
	if err != nil {
		return err
	}
	return c.JSON(t)
}
