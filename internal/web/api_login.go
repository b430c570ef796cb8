package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
)

// apiLogin: POST /api/v1/login {email, password} → {token}.
func (s *Server) apiLogin(c *fiber.Ctx) error {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if err := s.checkLogin(c, req.Email, req.Password); err != nil {
		return err
	}
	tok, u, err := s.Auth.LoginFrom(c.UserContext(), req.Email, req.Password, "api", c.IP())
	if err != nil {
		s.setRetryAfter(c, err)
		return err
	}
	return c.JSON(fiber.Map{"token": tok, "expires_at": s.Clock.Now().Add(auth.SessionTTL).UTC().Format(time.RFC3339), "user": u})
}
