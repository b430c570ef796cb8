package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// apiCreateUser: POST /api/v1/admin/users, admin only.
func (s *Server) apiCreateUser(c *fiber.Ctx) error {
	var req struct {
		Email    string    `json:"email"`
		Password string    `json:"password"`
		Name     string    `json:"name"`
		Role     desk.Role `json:"role"`
		Agency   string    `json:"agency"`
	}
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	u, err := s.Auth.CreateUserFrom(c.UserContext(), userOf(c), auth.NewUser{Email: req.Email, Password: req.Password, Name: req.Name, Role: req.Role, Agency: req.Agency}, c.IP())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}
