package auth

// Account administration (issue #6, AU): list, change role and agency,
// disable, revoke sessions. Every change of what someone may do revokes
// their sessions and tokens at once, so the new permissions hold from the
// next request instead of when an old session happens to expire, and is
// written to the audit log with the state before and after.

import (
	"context"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

func requireAdmin(actor *desk.User) error {
	if actor == nil || actor.Role != desk.RoleAdmin {
		return desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên được quản lý tài khoản (administrators only).")
	}
	return nil
}

// Users lists every account, for admins.
func (s *Service) Users(ctx context.Context, actor *desk.User) ([]desk.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.Store.Users(ctx)
}

// UserChange is an admin's edit of an account; nil fields stay as they are.
type UserChange struct {
	Role     *desk.Role
	Agency   *string
	Disabled *bool
}

type userState struct {
	Role     desk.Role `json:"role"`
	Agency   string    `json:"agency,omitempty"`
	Disabled bool      `json:"disabled"`
}

// UpdateUser applies ch to the account id. An admin cannot change their
// own account this way (so the last admin cannot lock everyone out).
// A role or agency change is audited as "user.role", disabling as
// "user.disable", enabling as "user.enable"; each revokes the account's
// sessions and API tokens.
func (s *Service) UpdateUser(ctx context.Context, actor *desk.User, id string, ch UserChange, ip string) (*desk.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		return nil, desk.Errorf(desk.ENOTFOUND, "Tài khoản không tồn tại (no such user).")
	}
	if u.ID == actor.ID {
		return nil, desk.Errorf(desk.EINVALID, "Không thể tự đổi vai trò hoặc khoá tài khoản của chính mình (you cannot change or disable your own account).")
	}
	before := userState{Role: u.Role, Agency: u.Agency, Disabled: u.Disabled}
	after := before
	if ch.Role != nil {
		after.Role = *ch.Role
	}
	if ch.Agency != nil {
		after.Agency = *ch.Agency
	}
	if ch.Disabled != nil {
		after.Disabled = *ch.Disabled
	}
	if !after.Role.AgencyBound() && ch.Role != nil && ch.Agency == nil {
		after.Agency = "" // moving to a role without an agency drops it
	}
	fields := map[string]string{}
	switch {
	case !after.Role.Valid():
		fields["role"] = "Vai trò không hợp lệ: admin, coordinator, operator, agency_staff, agency_lead (unknown role)."
	case after.Role.AgencyBound() && after.Agency == "":
		fields["agency"] = "Vai trò này cần một cơ quan (this role needs an agency)."
	case !after.Role.AgencyBound() && after.Agency != "":
		fields["agency"] = "Vai trò này không gắn với cơ quan (this role has no agency)."
	case after.Agency != "" && s.Catalog().Agency(after.Agency) == nil:
		fields["agency"] = "Cơ quan không tồn tại (unknown agency)."
	}
	if len(fields) > 0 {
		s.Log.Info("user change refused", "by", actor.ID, "user", id, "fields", fields)
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Thông tin tài khoản không hợp lệ (invalid account data).", Fields: fields}
	}
	if after == before {
		return u, nil
	}
	if err := s.Store.UpdateUser(ctx, id, store.UserUpdate{Role: after.Role, Agency: after.Agency, Disabled: after.Disabled}); err != nil {
		return nil, err
	}
	n, err := s.Store.DeleteSessionsOfUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if after.Role != before.Role || after.Agency != before.Agency {
		s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "user.role", Target: id, IP: ip,
			Before: userState{Role: before.Role, Agency: before.Agency}, After: userState{Role: after.Role, Agency: after.Agency}})
	}
	if after.Disabled != before.Disabled {
		action := "user.disable"
		if !after.Disabled {
			action = "user.enable"
		}
		s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: action, Target: id, IP: ip,
			Before: map[string]bool{"disabled": before.Disabled}, After: map[string]bool{"disabled": after.Disabled}})
	}
	s.Log.Info("user changed", "by", actor.ID, "user", id, "role", after.Role, "agency", after.Agency, "disabled", after.Disabled, "sessions_revoked", n)
	u.Role, u.Agency, u.Disabled = after.Role, after.Agency, after.Disabled
	return u, nil
}

// RevokeSessions signs the account out everywhere: browser sessions,
// API logins and API tokens. It returns how many were revoked.
func (s *Service) RevokeSessions(ctx context.Context, actor *desk.User, id, ip string) (int, error) {
	if err := requireAdmin(actor); err != nil {
		return 0, err
	}
	if _, err := s.Store.UserByID(ctx, id); err != nil {
		return 0, desk.Errorf(desk.ENOTFOUND, "Tài khoản không tồn tại (no such user).")
	}
	n, err := s.Store.DeleteSessionsOfUser(ctx, id)
	if err != nil {
		return 0, err
	}
	s.Log.Info("sessions revoked", "by", actor.ID, "user", id, "count", n)
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "user.sessions_revoked", Target: id, IP: ip, After: map[string]int{"revoked": n}})
	return n, nil
}

// CreateUserFrom is CreateUser plus its audit entry ("user.create").
func (s *Service) CreateUserFrom(ctx context.Context, actor *desk.User, in NewUser, ip string) (*desk.User, error) {
	u, err := s.CreateUser(ctx, actor, in)
	if err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "user.create", Target: u.ID, IP: ip,
		After: userState{Role: u.Role, Agency: u.Agency}, Note: u.Email})
	return u, nil
}

// AuditLog lists audit entries, newest first, for admins. The log has no
// edit or delete anywhere in the application (store/audit.go).
func (s *Service) AuditLog(ctx context.Context, actor *desk.User, f store.AuditFilter) ([]desk.AuditEntry, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.Store.AuditEntries(ctx, f)
}
