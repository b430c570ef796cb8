package web

// Account pages (issue #6, AU): /staff/admin/users and /staff/admin/audit
// for admins, /staff/admin/tokens for every signed-in user (their own
// tokens; an admin sees all). Each POST redirects back with a done=
// message, or re-renders the page with a clear error and status.

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/desk"
)

var allRoles = []desk.Role{desk.RoleAdmin, desk.RoleCoordinator, desk.RoleOperator, desk.RoleStaff, desk.RoleLead}

// usersPage: GET /staff/admin/users.
func (s *Server) usersPage(c *fiber.Ctx) error {
	return s.renderUsers(c, nil, fiber.Map{})
}

func (s *Server) renderUsers(c *fiber.Ctx, failure error, form fiber.Map) error {
	users, err := s.Auth.Users(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	data := fiber.Map{"Users": users, "Roles": allRoles, "Agencies": s.Catalog.Catalog().Agencies, "Form": form,
		"Done": doneKey(c.Query("done")), "Me": userOf(c).ID}
	if failure != nil {
		data["Error"] = desk.ErrorMessage(failure)
		data["Fields"] = fieldsOf(failure)
		c.Status(statusOf(failure))
	}
	return s.render(c, "admin_users", s.t(c, "au.users.title"), data)
}

// fieldsOf returns the per-field messages of a validation error.
func fieldsOf(err error) map[string]string {
	var de *desk.Error
	if errors.As(err, &de) {
		return de.Fields
	}
	return nil
}

// doneKey lets only known confirmation keys through from the query.
func doneKey(k string) string {
	switch k {
	case "created", "updated", "disabled", "enabled", "revoked", "token_revoked":
		return "au.done." + k
	}
	return ""
}

// usersCreate: POST /staff/admin/users.
func (s *Server) usersCreate(c *fiber.Ctx) error {
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	in := auth.NewUser{Email: clone(c.FormValue("email")), Password: c.FormValue("password"), Name: clone(c.FormValue("name")),
		Role: desk.Role(clone(c.FormValue("role"))), Agency: clone(c.FormValue("agency"))}
	if _, err := s.Auth.CreateUserFrom(c.UserContext(), userOf(c), in, c.IP()); err != nil {
		if desk.ErrorCode(err) == desk.EINTERNAL {
			return err
		}
		return s.renderUsers(c, err, fiber.Map{"Email": in.Email, "Name": in.Name, "Role": string(in.Role), "Agency": in.Agency})
	}
	return c.Redirect("/staff/admin/users?done=created", fiber.StatusSeeOther)
}

// usersUpdate: POST /staff/admin/users/:id (role, agency).
func (s *Server) usersUpdate(c *fiber.Ctx) error {
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	role := desk.Role(clone(c.FormValue("role")))
	agency := clone(c.FormValue("agency"))
	if !role.AgencyBound() {
		agency = ""
	}
	if _, err := s.Auth.UpdateUser(c.UserContext(), userOf(c), clone(c.Params("id")), auth.UserChange{Role: &role, Agency: &agency}, c.IP()); err != nil {
		return s.userActionFailed(c, err)
	}
	return c.Redirect("/staff/admin/users?done=updated", fiber.StatusSeeOther)
}

// usersDisable: POST /staff/admin/users/:id/disable (disabled=1 or 0).
func (s *Server) usersDisable(c *fiber.Ctx) error {
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	off := c.FormValue("disabled") != "0"
	if _, err := s.Auth.UpdateUser(c.UserContext(), userOf(c), clone(c.Params("id")), auth.UserChange{Disabled: &off}, c.IP()); err != nil {
		return s.userActionFailed(c, err)
	}
	done := "enabled"
	if off {
		done = "disabled"
	}
	return c.Redirect("/staff/admin/users?done="+done, fiber.StatusSeeOther)
}

// usersRevoke: POST /staff/admin/users/:id/revoke.
func (s *Server) usersRevoke(c *fiber.Ctx) error {
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	if _, err := s.Auth.RevokeSessions(c.UserContext(), userOf(c), clone(c.Params("id")), c.IP()); err != nil {
		return s.userActionFailed(c, err)
	}
	return c.Redirect("/staff/admin/users?done=revoked", fiber.StatusSeeOther)
}

func (s *Server) userActionFailed(c *fiber.Ctx, err error) error {
	switch desk.ErrorCode(err) {
	case desk.EINVALID:
		return s.renderUsers(c, err, fiber.Map{})
	}
	return err
}

// tokensPage: GET /staff/admin/tokens.
func (s *Server) tokensPage(c *fiber.Ctx) error {
	return s.renderTokens(c, "", nil, fiber.Map{})
}

func (s *Server) renderTokens(c *fiber.Ctx, secret string, failure error, form fiber.Map) error {
	u := userOf(c)
	toks, err := s.Auth.Tokens(c.UserContext(), u)
	if err != nil {
		return err
	}
	data := fiber.Map{"Tokens": toks, "Secret": secret, "Form": form, "Done": doneKey(c.Query("done")),
		"Roles": allRoles, "Agencies": s.Catalog.Catalog().Agencies, "IsAdmin": u.Role == desk.RoleAdmin,
		"MaxDays": auth.MaxTokenDays, "DefaultDays": auth.DefaultTokenDays}
	if failure != nil {
		data["Error"] = desk.ErrorMessage(failure)
		data["Fields"] = fieldsOf(failure)
		c.Status(statusOf(failure))
	}
	if secret != "" {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return s.render(c, "admin_tokens", s.t(c, "au.tokens.title"), data)
}

// tokensCreate: POST /staff/admin/tokens; the page shows the secret once.
func (s *Server) tokensCreate(c *fiber.Ctx) error {
	days := 0
	if v := c.FormValue("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // refused by CreateToken with the field message
		}
		days = n
	}
	in := auth.NewAPIToken{Name: clone(c.FormValue("name")), Role: desk.Role(clone(c.FormValue("role"))), Agency: clone(c.FormValue("agency")),
		Days: days, UserID: clone(c.FormValue("user_id"))}
	if !in.Role.AgencyBound() {
		in.Agency = ""
	}
	secret, _, err := s.Auth.CreateToken(c.UserContext(), userOf(c), in, c.IP())
	if err != nil {
		if code := desk.ErrorCode(err); code != desk.EINVALID && code != desk.EFORBIDDEN {
			return err
		}
		return s.renderTokens(c, "", err, fiber.Map{"Name": in.Name, "Role": string(in.Role), "Agency": in.Agency, "Days": c.FormValue("days")})
	}
	return s.renderTokens(c, secret, nil, fiber.Map{})
}

// tokensRevoke: POST /staff/admin/tokens/:id/revoke.
func (s *Server) tokensRevoke(c *fiber.Ctx) error {
	if err := s.Auth.RevokeToken(c.UserContext(), userOf(c), clone(c.Params("id")), c.IP()); err != nil {
		return err
	}
	return c.Redirect("/staff/admin/tokens?done=token_revoked", fiber.StatusSeeOther)
}

// auditPage: GET /staff/admin/audit, read-only, 50 entries a page.
func (s *Server) auditPage(c *fiber.Ctx) error {
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	const per = 50
	f, ferr := auditFilterOf(c, per)
	data := fiber.Map{"Actor": c.Query("actor"), "Action": c.Query("action"), "Target": c.Query("target"),
		"Since": c.Query("since"), "Until": c.Query("until")}
	if ferr != nil {
		c.Status(fiber.StatusBadRequest)
		data["Error"] = desk.ErrorMessage(ferr)
		data["Fields"] = fieldsOf(ferr)
		return s.render(c, "admin_audit", s.t(c, "au.audit.title"), data)
	}
	want := f.Limit
	f.Limit = want + 1 // one more tells whether a next page exists
	entries, err := s.Auth.AuditLog(c.UserContext(), userOf(c), f)
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range []string{"actor", "action", "target", "since", "until"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(entries) > want {
		entries = entries[:want]
		q.Set("offset", strconv.Itoa(f.Offset+want))
		data["Next"] = "/staff/admin/audit?" + q.Encode()
	}
	if f.Offset > 0 {
		prev := f.Offset - want
		if prev < 0 {
			prev = 0
		}
		q.Set("offset", strconv.Itoa(prev))
		data["Prev"] = "/staff/admin/audit?" + q.Encode()
	}
	data["Entries"] = entries
	data["Offset"] = f.Offset
	return s.render(c, "admin_audit", s.t(c, "au.audit.title"), data)
}
