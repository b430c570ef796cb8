package web

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// apiSpamRules: GET /api/v1/admin/spam-rules, admin only. Answers the
// rules document in force exactly as stored (or the built-in one), so an
// administrator can save it, edit it and PUT it back; X-Rules-Version and
// X-Rules-Source (stored|builtin) say which it is.
func (s *Server) apiSpamRules(c *fiber.Ctx) error {
	d, err := s.Quarantine.Rules(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	src := "builtin"
	if d.Stored {
		src = "stored"
	}
	c.Set("X-Rules-Version", strconv.Itoa(d.Version))
	c.Set("X-Rules-Source", src)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(d.Document)
}

// apiPutSpamRules: PUT /api/v1/admin/spam-rules, admin only. The body is
// a whole rules document (see internal/spam default_rules.json) with a
// version above the current one. It is validated completely before
// anything is stored: a malformed or invalid document is 400 with every
// problem listed, a stale version 409.
func (s *Server) apiPutSpamRules(c *fiber.Ctx) error {
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return desk.Errorf(desk.EINVALID, "Cần Content-Type: application/json (JSON body expected).")
	}
	raw := c.Body()
	if !utf8.Valid(raw) {
		return desk.Errorf(desk.EINVALID, "Nội dung gửi lên không phải UTF-8 hợp lệ (request body is not valid UTF-8).")
	}
	r, err := s.Quarantine.PutRules(c.UserContext(), userOf(c), append([]byte(nil), raw...))
	if err != nil {
		if desk.ErrorCode(err) == desk.EINVALID {
			s.Log.Info("spam rules refused", "err", err)
		}
		return err
	}
	return c.JSON(fiber.Map{"version": r.Version, "stored": true})
}
