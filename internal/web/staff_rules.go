package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// ruleForm is the rule editor's state: the values typed and, after a
// refused save, the message per field.
type ruleForm struct {
	ID, Name, Category, Keywords, Province, Channel, Agency, Unit, Priority string
	Enabled                                                                 bool
	Errors                                                                  map[string]string
}

func formOf(r *desk.RoutingRule) ruleForm {
	return ruleForm{ID: r.ID, Name: r.Name, Category: r.Category, Keywords: strings.Join(r.Keywords, ", "), Province: r.Province,
		Channel: string(r.Channel), Agency: r.Agency, Unit: r.Unit, Priority: string(r.Priority), Enabled: r.Enabled}
}

// rulesPage: GET /staff/admin/rules, admins only: the rules in order, with
// move, delete and edit, and the editor (?edit=id fills it in).
func (s *Server) rulesPage(c *fiber.Ctx) error {
	form := ruleForm{Enabled: true}
	rules, err := s.Tickets.Rules(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	if id := c.Query("edit"); id != "" {
		for i := range rules {
			if rules[i].ID == id {
				form = formOf(&rules[i])
			}
		}
	}
	return s.renderRules(c, rules, form)
}

func (s *Server) renderRules(c *fiber.Ctx, rules []desk.RoutingRule, form ruleForm) error {
	cat := s.Catalog.Catalog()
	return s.render(c, "admin_rules", s.t(c, "rules.title"), fiber.Map{
		"Rules": rules, "Form": form, "Agencies": cat.Agencies, "Categories": cat.Categories,
		"Provinces": s.Catalog.Provinces(), "Channels": []desk.Channel{desk.ChannelWeb, desk.ChannelHotline, desk.ChannelEmail},
		"Priorities": []desk.Priority{desk.PriorityLow, desk.PriorityNormal, desk.PriorityHigh, desk.PriorityUrgent},
	})
}

// rulesSave: POST /staff/admin/rules, create (no id) or update (id).
func (s *Server) rulesSave(c *fiber.Ctx) error {
	u := userOf(c)
	form := ruleForm{
		ID: c.FormValue("id"), Name: c.FormValue("name"), Category: c.FormValue("category"), Keywords: c.FormValue("keywords"),
		Province: c.FormValue("province"), Channel: c.FormValue("channel"), Agency: c.FormValue("agency"), Unit: c.FormValue("unit"),
		Priority: c.FormValue("priority"), Enabled: c.FormValue("enabled") != "",
	}
	r := desk.RoutingRule{Name: form.Name, Category: form.Category, Province: form.Province, Channel: desk.Channel(form.Channel),
		Agency: form.Agency, Unit: form.Unit, Priority: desk.Priority(form.Priority), Enabled: form.Enabled}
	for _, k := range strings.Split(form.Keywords, ",") {
		r.Keywords = append(r.Keywords, k)
	}
	var err error
	if form.ID == "" {
		_, err = s.Tickets.CreateRule(c.UserContext(), u, r)
	} else {
		_, err = s.Tickets.UpdateRule(c.UserContext(), u, form.ID, r)
	}
	var de *desk.Error
	if errors.As(err, &de) && de.Code == desk.EINVALID {
		rules, lerr := s.Tickets.Rules(c.UserContext(), u)
		if lerr != nil {
			return lerr
		}
		form.Errors = de.Fields
		if form.Errors == nil {
			form.Errors = map[string]string{"name": de.Message}
		}
		c.Status(fiber.StatusBadRequest)
		return s.renderRules(c, rules, form)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/staff/admin/rules", fiber.StatusSeeOther)
}

// rulesDelete: POST /staff/admin/rules/:id/delete.
func (s *Server) rulesDelete(c *fiber.Ctx) error {
	if err := s.Tickets.DeleteRule(c.UserContext(), userOf(c), c.Params("id")); err != nil {
		return err
	}
	return c.Redirect("/staff/admin/rules", fiber.StatusSeeOther)
}

// rulesMove: POST /staff/admin/rules/:id/move, dir=up|down.
func (s *Server) rulesMove(c *fiber.Ctx) error {
	delta := 1
	if c.FormValue("dir") == "up" {
		delta = -1
	}
	if n, err := strconv.Atoi(c.FormValue("by")); err == nil && n > 0 && n < 1000 {
		delta *= n
	}
	if err := s.Tickets.MoveRule(c.UserContext(), userOf(c), c.Params("id"), delta); err != nil {
		return err
	}
	return c.Redirect("/staff/admin/rules", fiber.StatusSeeOther)
}
