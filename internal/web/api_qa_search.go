package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// apiQASearch: GET /api/v1/qa/search?q=…[&agency=][&category=][&limit=]
// (issue 7). Public and rate-limited (the Q&A budget). It searches the
// published Q&A only and answers the masked question and answer, agency,
// category and the entry's public id — nothing else of a ticket. The
// portal's submission form calls it while the citizen types
// (static/similar.js).
func (s *Server) apiQASearch(c *fiber.Ctx) error {
	if s.Search == nil {
		return c.JSON(fiber.Map{"results": []any{}, "total": 0})
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	hits, total, err := s.Search.PublicSearch(c.UserContext(), c.Query("q"), c.Query("agency"), c.Query("category"), limit)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"results": hits, "total": total})
}
