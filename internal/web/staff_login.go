package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// loginForm: GET /staff/login.
func (s *Server) loginForm(c *fiber.Ctx) error {
	if userOf(c) != nil {
		return c.Redirect("/staff/inbox", fiber.StatusSeeOther)
	}
	return s.render(c, "login", s.t(c, "login.title"), fiber.Map{})
}

// loginPost: POST /staff/login.
func (s *Server) loginPost(c *fiber.Ctx) error {
	email := clone(c.FormValue("email"))
	if err := s.checkLogin(c, email, c.FormValue("password")); err != nil {
		c.Status(fiber.StatusBadRequest)
		return s.render(c, "login", s.t(c, "login.title"), fiber.Map{"Error": desk.ErrorMessage(err)})
	}
	tok, _, err := s.Auth.LoginFrom(c.UserContext(), email, c.FormValue("password"), "web", c.IP())
	if err != nil {
		switch desk.ErrorCode(err) {
		case desk.EUNAUTH:
			c.Status(fiber.StatusUnauthorized)
		case desk.ELIMITED: // account locked (auth/lockout.go)
			s.setRetryAfter(c, err)
			c.Status(fiber.StatusTooManyRequests)
		default:
			return err
		}
		return s.render(c, "login", s.t(c, "login.title"), fiber.Map{"Error": desk.ErrorMessage(err), "Email": email})
	}
	c.Cookie(&fiber.Cookie{Name: cookieSession, Value: tok, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: s.SecureTLS, MaxAge: int(auth.SessionTTL.Seconds())})
	return c.Redirect("/staff/inbox", fiber.StatusSeeOther)
}

// logout: POST /staff/logout revokes the session server-side.
func (s *Server) logout(c *fiber.Ctx) error {
	if tok, _ := c.Locals(localToken).(string); tok != "" {
		if err := s.Auth.Logout(c.UserContext(), tok, userOf(c), c.IP()); err != nil {
			return err
		}
	}
	c.ClearCookie(cookieSession)
	return c.Redirect("/", fiber.StatusSeeOther)
}
