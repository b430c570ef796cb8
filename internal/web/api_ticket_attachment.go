package web

import (
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// inlineSafe are the attachment types a browser may show as they are;
// anything else is sent as application/octet-stream, so a citizen's HTML
// or SVG file can never run script on our origin.
var inlineSafe = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "text/plain": true}

// apiTicketAttachment: GET /api/v1/tickets/:code/attachments/:id, staff
// only. The store checks scope and that the ticket lists the file.
func (s *Server) apiTicketAttachment(c *fiber.Ctx) error {
	code, ok := desk.NormalizeTrackingCode(c.Params("code"))
	if !ok {
		return desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	b, err := s.Store.TicketAttachment(c.UserContext(), userOf(c), code, strings.Clone(c.Params("id")))
	if err != nil {
		return err
	}
	ct := strings.ToLower(b.ContentType)
	if !inlineSafe[ct] {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "sandbox")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": b.Filename}))
	return c.Send(b.Data)
}
