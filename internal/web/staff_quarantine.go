package web

import (
	"context"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/quarantine"
)

// quarantinePage: GET /staff/quarantine, coordinators and admins (the
// service refuses others). Lists what the spam check held back with the
// body and the score breakdown, oldest first, with Release and Confirm
// forms. ?review=confirmed shows confirmed spam, which can still be
// released.
func (s *Server) quarantinePage(c *fiber.Ctx) error {
	review := desk.SpamPending
	if c.Query("review") == desk.SpamConfirmed {
		review = desk.SpamConfirmed
	}
	offset, _ := strconv.Atoi(c.Query("offset"))
	if offset < 0 || offset > 1_000_000 {
		offset = 0
	}
	list, total, err := s.Quarantine.List(c.UserContext(), userOf(c), review, 50, offset)
	if err != nil {
		return err
	}
	done := c.Query("done")
	if done != "released" && done != "confirmed" {
		done = ""
	}
	code, _ := desk.NormalizeTrackingCode(c.Query("code"))
	return s.render(c, "quarantine", s.t(c, "q.title"), fiber.Map{
		"Tickets": list, "Total": total, "Review": review, "Done": done, "DoneCode": code,
	})
}

// quarantineRelease: POST /staff/quarantine/:code/release (form, CSRF).
func (s *Server) quarantineRelease(c *fiber.Ctx) error {
	return s.quarantineAction(c, "released", s.Quarantine.Release)
}

// quarantineConfirm: POST /staff/quarantine/:code/confirm (form, CSRF).
func (s *Server) quarantineConfirm(c *fiber.Ctx) error {
	return s.quarantineAction(c, "confirmed", s.Quarantine.ConfirmSpam)
}

// reviewAction is quarantine.Service.Release or ConfirmSpam.
type reviewAction func(ctx context.Context, actor *desk.User, code string, in quarantine.Input) (*desk.Ticket, error)

func (s *Server) quarantineAction(c *fiber.Ctx, done string, act reviewAction) error {
	v, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil {
		return desk.Errorf(desk.EINVALID, "Phiên bản phiếu không hợp lệ; hãy tải lại trang (invalid version; reload the page).")
	}
	t, err := act(c.UserContext(), userOf(c), c.Params("code"), quarantine.Input{Version: v, Note: clone(c.FormValue("note"))})
	if err != nil {
		return err
	}
	return c.Redirect("/staff/quarantine?done="+done+"&code="+url.QueryEscape(t.TrackingCode), fiber.StatusSeeOther)
}
