package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// Limits on request shape, checked at the edge before any handler parses
// the request. Together with MaxBody (sizeLimit), the header block's size
// (ReadBufferSize in App) and intake's per-field limits, every input a
// request carries is bounded.
const (
	// MaxHeaders is the most header lines a request may carry. Browsers
	// send about 20; the bound stops a request made of thousands of tiny
	// headers, which the size limit alone allows.
	MaxHeaders = 100
	// MaxLoginEmail and MaxLoginPassword bound the login fields, so an
	// oversized value is refused with a clear message instead of being
	// looked up, hashed or logged.
	MaxLoginEmail    = 254
	MaxLoginPassword = 200
)

// edgeMessages replace Fiber's English texts for the refusals the HTTP
// server makes itself, before any handler runs (errors.go uses them).
var edgeMessages = map[int]string{
	fiber.StatusRequestHeaderFieldsTooLarge: "Phần đầu yêu cầu (header) quá lớn (request headers too large).",
	fiber.StatusRequestEntityTooLarge:       "Nội dung gửi lên quá lớn (request body too large).",
	fiber.StatusRequestTimeout:              "Yêu cầu gửi quá chậm, đã hết thời gian chờ (request timed out).",
}

// headerLimit refuses requests with more than MaxHeaders header lines.
func (s *Server) headerLimit(c *fiber.Ctx) error {
	if n := c.Request().Header.Len(); n > MaxHeaders {
		s.Log.Warn("too many request headers", "path", c.Path(), "headers", n, "limit", MaxHeaders, "ip", c.IP())
		return fiber.NewError(fiber.StatusRequestHeaderFieldsTooLarge,
			"Quá nhiều trường header: tối đa "+itoa(MaxHeaders)+" (more than "+itoa(MaxHeaders)+" request headers).")
	}
	return c.Next()
}

// checkLogin bounds the login fields; over-long values are EINVALID with
// the limit named, and are neither looked up nor logged.
func (s *Server) checkLogin(c *fiber.Ctx, email, password string) error {
	fields := map[string]string{}
	if len(email) > MaxLoginEmail {
		fields["email"] = "Email quá dài: tối đa " + itoa(MaxLoginEmail) + " byte (email too long)."
	}
	if len(password) > MaxLoginPassword {
		fields["password"] = "Mật khẩu quá dài: tối đa " + itoa(MaxLoginPassword) + " byte (password too long)."
	}
	if len(fields) == 0 {
		return nil
	}
	s.Log.Info("login refused: field over its limit", "ip", c.IP(), "email_bytes", len(email), "password_bytes", len(password))
	e := desk.Errorf(desk.EINVALID, "Thông tin đăng nhập quá dài (login field too long).")
	e.Fields = fields
	return e
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = digits[n%10]
		n /= 10
	}
	return string(b[i:])
}
