package web

// Accounts on the JSON API (issue #6, AU): user administration, API
// tokens and the audit log. The permission checks live in auth.Service;
// these handlers only parse and answer.

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/civicdesk/civicdesk/internal/auth"
	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// setRetryAfter adds Retry-After for a locked account.
func (s *Server) setRetryAfter(c *fiber.Ctx, err error) {
	if until, ok := auth.LockedUntil(err); ok {
		secs := int(until.Sub(s.Clock.Now()).Seconds()) + 1
		if secs < 1 {
			secs = 1
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	}
}

func viaToken(c *fiber.Ctx) bool { v, _ := c.Locals(localViaToken).(bool); return v }

// apiUsers: GET /api/v1/admin/users, admin only.
func (s *Server) apiUsers(c *fiber.Ctx) error {
	users, err := s.Auth.Users(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	if users == nil {
		users = []desk.User{}
	}
	return c.JSON(fiber.Map{"users": users})
}

// apiUpdateUser: PATCH /api/v1/admin/users/:id {role?, agency?, disabled?},
// admin only. Any change revokes the account's sessions and tokens.
func (s *Server) apiUpdateUser(c *fiber.Ctx) error {
	var req struct {
		Role     *desk.Role `json:"role"`
		Agency   *string    `json:"agency"`
		Disabled *bool      `json:"disabled"`
	}
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	u, err := s.Auth.UpdateUser(c.UserContext(), userOf(c), clone(c.Params("id")), auth.UserChange{Role: req.Role, Agency: req.Agency, Disabled: req.Disabled}, c.IP())
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// apiRevokeSessions: POST /api/v1/admin/users/:id/revoke-sessions.
func (s *Server) apiRevokeSessions(c *fiber.Ctx) error {
	n, err := s.Auth.RevokeSessions(c.UserContext(), userOf(c), clone(c.Params("id")), c.IP())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"revoked": n})
}

// apiTokens: GET /api/v1/tokens: an admin sees every token, others their own.
func (s *Server) apiTokens(c *fiber.Ctx) error {
	toks, err := s.Auth.Tokens(c.UserContext(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tokens": toks})
}

// apiCreateToken: POST /api/v1/tokens {name, role, agency, days, user_id}
// → 201 {token, info}. The secret is in this answer only.
func (s *Server) apiCreateToken(c *fiber.Ctx) error {
	var req struct {
		Name   string    `json:"name"`
		Role   desk.Role `json:"role"`
		Agency string    `json:"agency"`
		Days   int       `json:"days"`
		UserID string    `json:"user_id"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	secret, info, err := s.Auth.CreateToken(c.UserContext(), userOf(c), auth.NewAPIToken{Name: req.Name, Role: req.Role, Agency: req.Agency,
		Days: req.Days, UserID: req.UserID, ViaAPIToken: viaToken(c)}, c.IP())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": secret, "info": info})
}

// apiRevokeToken: DELETE /api/v1/tokens/:id.
func (s *Server) apiRevokeToken(c *fiber.Ctx) error {
	if err := s.Auth.RevokeToken(c.UserContext(), userOf(c), clone(c.Params("id")), c.IP()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// auditFilterOf reads actor, action, target, since and until (dates
// YYYY-MM-DD in Vietnam's time zone, until inclusive), limit and offset.
func auditFilterOf(c *fiber.Ctx, defLimit int) (store.AuditFilter, error) {
	f := store.AuditFilter{Actor: strings.TrimSpace(c.Query("actor")), Action: strings.TrimSpace(c.Query("action")),
		Target: strings.TrimSpace(c.Query("target")), Limit: defLimit}
	fields := map[string]string{}
	for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target} {
		if len(v) > 200 {
			fields[k] = "Tối đa 200 ký tự (at most 200 characters)."
		}
	}
	day := func(key string) time.Time {
		v := strings.TrimSpace(c.Query(key))
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, calendar.Location())
		if err != nil {
			fields[key] = "Ngày theo dạng YYYY-MM-DD (date as YYYY-MM-DD)."
		}
		return t
	}
	f.Since = day("since")
	if u := day("until"); !u.IsZero() {
		f.Until = u.AddDate(0, 0, 1)
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			fields["limit"] = "Từ 1 đến 500 (1 to 500)."
		}
		f.Limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			fields["offset"] = "Số không âm (a non-negative number)."
		}
		f.Offset = n
	}
	if len(fields) > 0 {
		return f, &desk.Error{Code: desk.EINVALID, Message: "Bộ lọc nhật ký không hợp lệ (invalid audit filter).", Fields: fields}
	}
	return f, nil
}

// apiAudit: GET /api/v1/admin/audit, admin only, newest first.
func (s *Server) apiAudit(c *fiber.Ctx) error {
	if err := authzAdmin(userOf(c)); err != nil {
		return err
	}
	f, err := auditFilterOf(c, 100)
	if err != nil {
		return err
	}
	entries, err := s.Auth.AuditLog(c.UserContext(), userOf(c), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []desk.AuditEntry{}
	}
	return c.JSON(fiber.Map{"entries": entries, "limit": f.Limit, "offset": f.Offset})
}

// authzAdmin refuses non-admins before a request's input is looked at, so
// they learn nothing from validation messages.
func authzAdmin(u *desk.User) error {
	if u == nil || u.Role != desk.RoleAdmin {
		return desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên (administrators only).")
	}
	return nil
}
