package web

import "github.com/gofiber/fiber/v2"

// home: GET /.
func (s *Server) home(c *fiber.Ctx) error {
	return s.render(c, "home", "", fiber.Map{"Categories": s.Catalog.Catalog().Categories})
}
