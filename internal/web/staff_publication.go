package web

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/citizen"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// Publication actions on a ticket (issue 6): propose for the public Q&A,
// approve (agency lead or admin), withdraw. The rules live in
// internal/citizen; these handlers only carry the request.

type pubAction func(s *citizen.Service) func(ctx context.Context, actor *desk.User, code string, in citizen.PubInput, ip string) (*desk.Ticket, error)

var (
	pubPropose pubAction = func(s *citizen.Service) func(context.Context, *desk.User, string, citizen.PubInput, string) (*desk.Ticket, error) {
		return s.Propose
	}
	pubApprove pubAction = func(s *citizen.Service) func(context.Context, *desk.User, string, citizen.PubInput, string) (*desk.Ticket, error) {
		return s.Approve
	}
	pubWithdraw pubAction = func(s *citizen.Service) func(context.Context, *desk.User, string, citizen.PubInput, string) (*desk.Ticket, error) {
		return s.Withdraw
	}
	pubReject pubAction = func(s *citizen.Service) func(context.Context, *desk.User, string, citizen.PubInput, string) (*desk.Ticket, error) {
		return s.Reject
	}
)

// staffPublication: POST /staff/tickets/:code/{propose,approve,withdraw,reject}
// from the ticket page (form fields _csrf and version). Like the other
// ticket-page actions: 303 back to the page, or the page again with the
// message (wsPost, staff_ticket.go).
//
// A refusal by role is answered as it is (403 page) before anything else:
// it says nothing about the ticket, and the ticket page that would carry
// the message may be one the caller cannot see.
func (s *Server) staffPublication(action string, act pubAction) fiber.Handler {
	post := s.wsPost(action, func(c *fiber.Ctx, ctx context.Context, u *desk.User, code string) error {
		// The approval form carries the (editable) masked text, the
		// rejection form its reason.
		_, err := act(s.Citizen)(ctx, u, code, citizen.PubInput{Version: formVersion(c),
			Question: c.FormValue("question"), Answer: c.FormValue("answer"), Reason: c.FormValue("reason")}, c.IP())
		return err
	})
	return func(c *fiber.Ctx) error {
		if err := citizen.RoleAllows(action, userOf(c)); err != nil {
			return err
		}
		return post(c)
	}
}

// apiPublication: POST /api/v1/tickets/:code/{propose,approve,withdraw,reject}
// with JSON {"version": N} (optional; 0 means the current version), plus
// {"question", "answer"} to approve an edited text and {"reason"} to
// reject, Bearer only. Answers the updated ticket.
func (s *Server) apiPublication(act pubAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in citizen.PubInput
		if b := c.Body(); len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &in); err != nil {
				return desk.Errorf(desk.EINVALID, "Dữ liệu JSON không hợp lệ (invalid JSON body).")
			}
		}
		t, err := act(s.Citizen)(c.UserContext(), userOf(c), clone(c.Params("code")), in, c.IP())
		if err != nil {
			return err
		}
		return c.JSON(t)
	}
}

// The ticket page shows "done" notices for the publication actions too
// (messages ws.done.propose, .approve, .withdraw in messages_cz.go).
func init() {
	for _, a := range []string{"propose", "approve", "withdraw", "reject"} {
		doneActions[a] = true
	}
}
