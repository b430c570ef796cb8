package web

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/hotline"
)

// callRequest is POST /api/v1/calls: the console form's fields as JSON.
type callRequest struct {
	CallID    string       `json:"call_id"`
	Phone     string       `json:"phone"`
	Name      string       `json:"name"`
	Province  string       `json:"province"`
	Category  string       `json:"category"`
	Title     string       `json:"title"`
	Summary   string       `json:"summary"`
	Answer    string       `json:"answer"`
	Outcome   desk.Outcome `json:"outcome"`
	Ticket    string       `json:"ticket"`
	StartedAt time.Time    `json:"started_at"`
	EndedAt   time.Time    `json:"ended_at"`
}

// apiLogCall: POST /api/v1/calls logs a call for operators (and their
// coordinators and admins). new_ticket and added_to_ticket go through
// intake with the call id as idempotency key: 201 the first time, 200 for
// a repeat of the same call id, which changes no ticket.
func (s *Server) apiLogCall(c *fiber.Ctx) error {
	var req callRequest
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.CallID == "" {
		req.CallID = clone(c.Get("Idempotency-Key"))
	}
	res, err := s.Hotline.LogCall(c.UserContext(), userOf(c), hotline.LogInput{
		CallID: req.CallID, Phone: req.Phone, Name: req.Name, Province: req.Province, Category: req.Category,
		Title: req.Title, Summary: req.Summary, Answer: req.Answer, Outcome: req.Outcome, TicketCode: req.Ticket,
		StartedAt: req.StartedAt, EndedAt: req.EndedAt,
	})
	if err != nil {
		if desk.ErrorCode(err) == desk.EINVALID {
			s.Log.Info("call log refused", "fields", fieldNames(err), "user", userOf(c).ID)
		}
		return err
	}
	status := fiber.StatusCreated
	if res.Duplicate {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(fiber.Map{"call": res.Call, "tracking_code": res.TrackingCode, "duplicate": res.Duplicate})
}

// callFilter reads the listing filters shared by the API and the call log
// page: phone, operator, day (YYYY-MM-DD), outcome, missed, limit.
func callFilter(q func(string) string) (desk.CallFilter, error) {
	f := desk.CallFilter{Phone: q("phone"), Operator: q("operator"), Day: q("day"), Outcome: desk.Outcome(q("outcome")), Limit: 100}
	if f.Day != "" {
		if _, err := time.Parse("2006-01-02", f.Day); err != nil {
			return f, desk.Errorf(desk.EINVALID, "Ngày không hợp lệ, dùng YYYY-MM-DD (invalid day).")
		}
	}
	if f.Outcome != "" && !f.Outcome.Valid() {
		return f, desk.Errorf(desk.EINVALID, "Kết quả không hợp lệ (unknown outcome).")
	}
	if len(f.Operator) > 200 {
		return f, desk.Errorf(desk.EINVALID, "Điện thoại viên không hợp lệ (invalid operator).")
	}
	switch q("missed") {
	case "":
	case "1", "true", "yes":
		t := true
		f.Missed = &t
	case "0", "false", "no":
		fl := false
		f.Missed = &fl
	default:
		return f, desk.Errorf(desk.EINVALID, "Tham số missed phải là true hoặc false (missed must be true or false).")
	}
	if v := q("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return f, desk.Errorf(desk.EINVALID, "Tham số limit không hợp lệ (limit must be 1 to 1000).")
		}
		f.Limit = n
	}
	return f, nil
}

// apiCalls: GET /api/v1/calls?phone=&missed=&operator=&day=&outcome=&limit=,
// latest first. missed=true is the call-back list.
func (s *Server) apiCalls(c *fiber.Ctx) error {
	f, err := callFilter(func(k string) string { return clone(c.Query(k)) })
	if err != nil {
		return err
	}
	calls, err := s.Hotline.Calls(c.UserContext(), userOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"calls": calls})
}

// apiCaller: GET /api/v1/callers/:phone, the caller's history across
// channels: tickets (open first, with status and due date) and calls.
func (s *Server) apiCaller(c *fiber.Ctx) error {
	raw, err := url.PathUnescape(c.Params("phone"))
	if err != nil {
		return desk.Errorf(desk.EINVALID, "Số điện thoại không hợp lệ (invalid phone number).")
	}
	h, err := s.Hotline.CallerHistory(c.UserContext(), userOf(c), raw)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

// apiBlocked: GET /api/v1/blocked-numbers, the blocks in force.
func (s *Server) apiBlocked(c *fiber.Ctx) error {
	list, err := s.Hotline.Blocks(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"blocked": list})
}

// apiBlock: POST /api/v1/blocked-numbers {phone, reason, until (RFC 3339)
// or days}; no expiry blocks for good.
func (s *Server) apiBlock(c *fiber.Ctx) error {
	var req struct {
		Phone  string    `json:"phone"`
		Reason string    `json:"reason"`
		Until  time.Time `json:"until"`
		Days   int       `json:"days"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.Days < 0 || req.Days > 3650 {
		return desk.Errorf(desk.EINVALID, "Số ngày không hợp lệ (days must be 0 to 3650).")
	}
	if req.Until.IsZero() && req.Days > 0 {
		req.Until = s.Clock.Now().Add(time.Duration(req.Days) * 24 * time.Hour)
	}
	b, err := s.Hotline.Block(c.UserContext(), userOf(c), req.Phone, req.Reason, req.Until)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(b)
}

// apiUnblock: DELETE /api/v1/blocked-numbers/:phone.
func (s *Server) apiUnblock(c *fiber.Ctx) error {
	raw, _ := url.PathUnescape(c.Params("phone"))
	if err := s.Hotline.Unblock(c.UserContext(), userOf(c), raw); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
