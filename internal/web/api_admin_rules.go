package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// apiRules: GET /api/v1/admin/rules, admin only; in the order tried.
func (s *Server) apiRules(c *fiber.Ctx) error {
	rules, err := s.Tickets.Rules(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": rules})
}

func ruleBody(c *fiber.Ctx) (desk.RoutingRule, error) {
	var r desk.RoutingRule
	if err := readJSON(c, &r); err != nil {
		return r, err
	}
	return r, nil
}

// apiCreateRule: POST /api/v1/admin/rules {name, enabled, category,
// keywords, province, channel, agency, unit, priority, order}.
func (s *Server) apiCreateRule(c *fiber.Ctx) error {
	r, err := ruleBody(c)
	if err != nil {
		return err
	}
	out, err := s.Tickets.CreateRule(c.UserContext(), userOf(c), r)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// apiUpdateRule: PUT /api/v1/admin/rules/:id, the whole rule.
func (s *Server) apiUpdateRule(c *fiber.Ctx) error {
	r, err := ruleBody(c)
	if err != nil {
		return err
	}
	out, err := s.Tickets.UpdateRule(c.UserContext(), userOf(c), c.Params("id"), r)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiDeleteRule: DELETE /api/v1/admin/rules/:id.
func (s *Server) apiDeleteRule(c *fiber.Ctx) error {
	if err := s.Tickets.DeleteRule(c.UserContext(), userOf(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
