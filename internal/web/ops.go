package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/civicdesk/civicdesk/templates"
)

// healthz says the process is up; it touches no backend.
func (s *Server) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// readyz says every backend answers, so a load balancer can hold traffic
// back from a process that cannot store submissions.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			s.Log.Warn("not ready", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).SendString("not ready: " + err.Error())
		}
	}
	return c.SendString("ready")
}

func (s *Server) static() fiber.Handler {
	return filesystem.New(filesystem.Config{Root: http.FS(templates.Static()), PathPrefix: "", MaxAge: 3600})
}
