package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/calendar"
)

// apiOverrides: GET /api/v1/admin/calendar/overrides, admin only.
func (s *Server) apiOverrides(c *fiber.Ctx) error {
	ov, err := s.Tickets.Overrides(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"overrides": ov})
}

// apiPutOverride: POST /api/v1/admin/calendar/overrides {date, kind,
// note}; kind is day_off or working_day (a make-up Saturday). An invalid
// date is 400 and nothing is stored.
func (s *Server) apiPutOverride(c *fiber.Ctx) error {
	var req struct {
		Date string                `json:"date"`
		Kind calendar.OverrideKind `json:"kind"`
		Note string                `json:"note"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	o, err := s.Tickets.PutOverride(c.UserContext(), userOf(c), req.Date, req.Kind, req.Note)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

// apiDeleteOverride: DELETE /api/v1/admin/calendar/overrides/:date.
func (s *Server) apiDeleteOverride(c *fiber.Ctx) error {
	if err := s.Tickets.DeleteOverride(c.UserContext(), userOf(c), c.Params("date")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
