package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/reports"
)

// publicStatsOf reads the period (default: the last 365 days) and returns
// the public figures, which carry counts and durations only.
func (s *Server) publicStatsOf(c *fiber.Ctx) (*reports.Public, error) {
	p, err := reports.ParsePeriod(c.Query("from"), c.Query("to"), s.Clock.Now(), 365)
	if err != nil {
		s.Log.Info("public stats: bad period", "from", c.Query("from"), "to", c.Query("to"))
		return nil, err
	}
	return s.Reports.Public(c.UserContext(), p)
}

// publicStats: GET /thong-ke, the public transparency page.
func (s *Server) publicStats(c *fiber.Ctx) error {
	p, err := s.publicStatsOf(c)
	if err != nil {
		return err
	}
	l := s.labeller(c)
	bars := barsOf(p.National.ByChannel, l["channel"])
	built := "" // no roll-up yet: the template says so instead of year 1
	if !p.BuiltAt.IsZero() {
		built = p.BuiltAt.In(hcm).Format("02/01/2006 15:04")
	}
	return s.render(c, "stats_public", s.t(c, "stats.title"), fiber.Map{
		"P": p, "Channels": barChart("chart-public-channel", s.t(c, "stats.by_channel"), s.t(c, "reports.channel"), s.t(c, "reports.count"), bars),
		"Built": built,
	})
}

// apiPublicStats: GET /api/v1/stats/public. Public, rate-limited, and
// cacheable for a minute (the figures themselves are at most a minute old).
func (s *Server) apiPublicStats(c *fiber.Ctx) error {
	p, err := s.publicStatsOf(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(p)
}
