package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/workspace"
)

// The canned responses admin page (issue 6): GET /staff/admin/canned lists
// the responses the user may use and, for a lead or an admin, the form to
// add or edit one; POST /staff/admin/canned saves; POST
// /staff/admin/canned/:id/delete removes. The service checks who may do
// what (leads: their own agency; admins: any).

type cannedRow struct {
	ID, Agency, AgencyName, Title, Body string
	Mine                                bool
}

func (s *Server) cannedPage(c *fiber.Ctx) error {
	return s.renderCanned(c, fiber.Map{})
}

func (s *Server) renderCanned(c *fiber.Ctx, data fiber.Map) error {
	u := userOf(c)
	list, err := s.Workspace.Canned(c.UserContext(), u)
	if err != nil {
		return err
	}
	cat := s.Catalog.Catalog()
	rows := make([]cannedRow, 0, len(list))
	for _, r := range list {
		rows = append(rows, cannedRow{ID: r.ID, Agency: r.Agency, AgencyName: agencyName(cat, r.Agency), Title: r.Title, Body: r.Body,
			Mine: u.Role == desk.RoleAdmin || (u.Role == desk.RoleLead && u.Agency == r.Agency)})
	}
	data["Rows"] = rows
	data["Manage"] = u.Role == desk.RoleAdmin || u.Role == desk.RoleLead
	data["Admin"] = u.Role == desk.RoleAdmin
	if u.Role == desk.RoleAdmin {
		var ag []optRow
		for _, a := range cat.Agencies {
			ag = append(ag, optRow{Value: a.Code, Label: a.Name})
		}
		data["Agencies"] = ag
	}
	if id := c.Query("edit"); id != "" {
		for _, r := range rows {
			if r.ID == id && r.Mine {
				data["Edit"] = r
			}
		}
	}
	return s.render(c, "canned", s.t(c, "ws.cannedadmin.title"), data)
}

func (s *Server) cannedSave(c *fiber.Ctx) error {
	in := workspace.CannedInput{ID: clone(c.FormValue("id")), Agency: clone(c.FormValue("agency")),
		Title: clone(c.FormValue("title")), Body: clone(c.FormValue("body"))}
	if _, err := s.Workspace.SaveCanned(wsCtx(c), userOf(c), in); err != nil {
		if code := desk.ErrorCode(err); code != desk.EINVALID {
			return err
		}
		c.Status(statusOf(err))
		var fields map[string]string
		if de, ok := err.(*desk.Error); ok {
			fields = de.Fields
		}
		return s.renderCanned(c, fiber.Map{"Error": desk.ErrorMessage(err), "Fields": fields,
			"Edit": cannedRow{ID: in.ID, Agency: in.Agency, Title: in.Title, Body: in.Body}})
	}
	return c.Redirect("/staff/admin/canned", fiber.StatusSeeOther)
}

func (s *Server) cannedDelete(c *fiber.Ctx) error {
	if err := s.Workspace.DeleteCanned(wsCtx(c), userOf(c), clone(c.Params("id"))); err != nil {
		return err
	}
	return c.Redirect("/staff/admin/canned", fiber.StatusSeeOther)
}
