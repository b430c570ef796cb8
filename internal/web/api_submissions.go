package web

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
)

type submissionRequest struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	Province string `json:"province"`
	Category string `json:"category"`
	Title    string `json:"title"`
	Body     string `json:"body"`
}

// apiSubmit: POST /api/v1/submissions. Answers 202 with the tracking code
// once the submission is durable; the ticket is made by the queue.
func (s *Server) apiSubmit(c *fiber.Ctx) error {
	raw := c.Body()
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD and store
	// something the citizen never wrote; refuse it instead.
	if !utf8.Valid(raw) {
		s.reject(c, "bad_utf8")
		return desk.Errorf(desk.EINVALID, "Nội dung gửi lên không phải UTF-8 hợp lệ (request body is not valid UTF-8).")
	}
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		s.reject(c, "content_type")
		return desk.Errorf(desk.EINVALID, "Cần Content-Type: application/json (JSON body expected).")
	}
	var req submissionRequest
	if err := readJSONStrict(c, &req); err != nil {
		s.reject(c, "bad_json")
		return err
	}
	if err := s.limitSender(c, req.Phone, req.Email); err != nil {
		return err
	}
	rec, err := s.Intake.Accept(c.UserContext(), intake.Input{
		Channel:        desk.ChannelWeb,
		IdempotencyKey: c.Get("Idempotency-Key"),
		Name:           req.Name, Phone: req.Phone, Email: req.Email, Province: req.Province,
		Category: req.Category, Title: req.Title, Body: req.Body,
		RemoteIP: c.IP(),
	})
	if err != nil {
		if desk.ErrorCode(err) == desk.EINVALID {
			s.reject(c, "invalid")
			s.Log.Info("submission refused", "ip", c.IP(), "err", err, "fields", fieldNames(err))
		}
		return err
	}
	c.Location("/api/v1/track/" + rec.TrackingCode)
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"tracking_code": rec.TrackingCode})
}

func (s *Server) reject(c *fiber.Ctx, reason string) {
	s.Metrics.SubmissionsRejected.WithLabelValues(string(desk.ChannelWeb), reason).Inc()
}

func fieldNames(err error) []string {
	var names []string
	if e, ok := err.(*desk.Error); ok {
		for k := range e.Fields {
			names = append(names, k)
		}
	}
	return names
}
