package web

import "github.com/gofiber/fiber/v2"

type agencyJSON struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	Parent string `json:"parent"`
}

type categoryJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en,omitempty"`
	Agency     string `json:"agency"`
	AnswerDays int    `json:"answer_days"`
}

// apiAgencies: GET /api/v1/agencies, public.
func (s *Server) apiAgencies(c *fiber.Ctx) error {
	cat := s.Catalog.Catalog()
	out := make([]agencyJSON, 0, len(cat.Agencies))
	for _, a := range cat.Agencies {
		out = append(out, agencyJSON{Code: a.Code, Name: a.Name, NameEN: a.NameEN, Parent: a.Parent})
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(fiber.Map{"agencies": out})
}

// apiCategories: GET /api/v1/categories, public.
func (s *Server) apiCategories(c *fiber.Ctx) error {
	cat := s.Catalog.Catalog()
	out := make([]categoryJSON, 0, len(cat.Categories))
	for _, k := range cat.Categories {
		out = append(out, categoryJSON{Code: k.Code, Name: k.Name, NameEN: k.NameEN, Agency: k.Agency, AnswerDays: k.AnswerDays})
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(fiber.Map{"categories": out})
}

// apiProvinces: GET /api/v1/provinces, public; the values the province
// field accepts.
func (s *Server) apiProvinces(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.JSON(fiber.Map{"provinces": s.Catalog.Provinces()})
}
