package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/workspace"
)

// The agency workspace's JSON API (issue 6): POST
// /api/v1/tickets/:code/{claim,assign,reply,note,request-info,resolve,close,reopen}
// with {"version": N, "body": "…", "assignee": "<user id>"}, answering the
// updated ticket; 409 on a stale version. Bearer tokens only (apiAuth).
// The service does the role checks, scoping and validation.

// wsInput is the JSON body of the workspace actions.
type wsInput struct {
	Version  int64  `json:"version"`
	Body     string `json:"body"`
	Assignee string `json:"assignee"`
	Canned   string `json:"canned"`
}

// wsCtx is the request context with the client address for audit entries.
func wsCtx(c *fiber.Ctx) context.Context { return workspace.WithIP(c.UserContext(), c.IP()) }

type textAction func(ctx context.Context, actor *desk.User, code string, in workspace.ReplyInput) (*desk.Ticket, error)

// apiWSText serves reply, note, request-info, resolve, close and reopen.
func (s *Server) apiWSText(act func(*workspace.Service) textAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in wsInput
		if err := readJSON(c, &in); err != nil {
			return err
		}
		t, err := act(s.Workspace)(wsCtx(c), userOf(c), c.Params("code"), workspace.ReplyInput{Version: in.Version, Body: in.Body, Canned: in.Canned})
		if err != nil {
			return err
		}
		return c.JSON(t)
	}
}

// apiClaim: POST /api/v1/tickets/:code/claim {version}.
func (s *Server) apiClaim(c *fiber.Ctx) error {
	var in wsInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	t, err := s.Workspace.Claim(wsCtx(c), userOf(c), c.Params("code"), in.Version)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// apiAssign: POST /api/v1/tickets/:code/assign {version, assignee}.
func (s *Server) apiAssign(c *fiber.Ctx) error {
	var in wsInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	t, err := s.Workspace.Assign(wsCtx(c), userOf(c), c.Params("code"), in.Version, in.Assignee)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// apiBulkAssign: POST /api/v1/tickets/bulk-assign {codes, assignee};
// answers {assigned, failed: [{code, error}]}.
func (s *Server) apiBulkAssign(c *fiber.Ctx) error {
	var in struct {
		Codes    []string `json:"codes"`
		Assignee string   `json:"assignee"`
	}
	if err := readJSON(c, &in); err != nil {
		return err
	}
	n, failed, err := s.Workspace.BulkAssignDetail(wsCtx(c), userOf(c), in.Codes, in.Assignee)
	if err != nil {
		return err
	}
	if failed == nil {
		failed = []workspace.BulkResult{}
	}
	return c.JSON(fiber.Map{"assigned": n, "failed": failed})
}

// apiCanned: GET /api/v1/canned, the canned responses the caller may use;
// with ?ticket=CODE only those fitting that ticket, each with its text
// expanded for it ("expanded").
func (s *Server) apiCanned(c *fiber.Ctx) error {
	u := userOf(c)
	if code := c.Query("ticket"); code != "" {
		t, err := s.wsTicket(c, code)
		if err != nil {
			return err
		}
		list, err := s.Workspace.CannedForTicket(c.UserContext(), u, t)
		if err != nil {
			return err
		}
		out := make([]fiber.Map, 0, len(list))
		for _, r := range list {
			out = append(out, fiber.Map{"id": r.ID, "agency": r.Agency, "title": r.Title, "body": r.Body, "expanded": s.Workspace.Expand(r.Body, t)})
		}
		return c.JSON(fiber.Map{"canned": out})
	}
	list, err := s.Workspace.Canned(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"canned": list})
}

// apiSaveCanned: POST /api/v1/canned {id?, agency, title, body}; leads of
// the agency and admins.
func (s *Server) apiSaveCanned(c *fiber.Ctx) error {
	var in workspace.CannedInput
	if err := readJSON(c, &in); err != nil {
		return err
	}
	r, err := s.Workspace.SaveCanned(wsCtx(c), userOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// apiDeleteCanned: DELETE /api/v1/canned/:id.
func (s *Server) apiDeleteCanned(c *fiber.Ctx) error {
	if err := s.Workspace.DeleteCanned(wsCtx(c), userOf(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// wsTicket is the scoped read of a ticket for the caller (ENOTFOUND when
// out of scope or malformed).
func (s *Server) wsTicket(c *fiber.Ctx, raw string) (*desk.Ticket, error) {
	code, ok := desk.NormalizeTrackingCode(raw)
	if !ok {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	return s.Store.TicketByCode(c.UserContext(), userOf(c), code)
}

type messageAction func(ctx context.Context, actor *desk.User, code, msgID string, in workspace.ReplyInput) (*desk.Ticket, error)

// apiWSMessage serves POST /api/v1/tickets/:code/messages/:id/{accept,detach}
// {version}: the decision on a mail threaded from another address
// (workspace/senders.go), answering the updated ticket.
func (s *Server) apiWSMessage(act func(*workspace.Service) messageAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in wsInput
		if err := readJSON(c, &in); err != nil {
			return err
		}
		t, err := act(s.Workspace)(wsCtx(c), userOf(c), c.Params("code"), c.Params("id"), workspace.ReplyInput{Version: in.Version})
		if err != nil {
			return err
		}
		return c.JSON(t)
	}
}
