package auth

// API tokens for scripts (issue #6, AU). A token is a session row of kind
// store.KindToken: the script holds a random secret, the database holds
// its SHA-256, and the row carries the role and agency the token acts
// with. Those may be narrower than the owner's (a lead can give a script
// agency_staff powers), never wider. Any signed-in user may make tokens
// for themselves from a browser session or a login; an admin may make one
// for any account. A token cannot mint tokens, so a leaked token cannot
// outlive its expiry.

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Token limits.
const (
	MaxTokenDays     = 365
	DefaultTokenDays = 90
	MaxTokenName     = 100
)

// Within reports whether a token with role and agency grants no more than
// an account with ownerRole and ownerAgency. Roles are not a strict
// ladder (an operator may do things an agency lead may not), so the rule
// is explicit: an admin may delegate any role; an agency lead may delegate
// lead or staff in the same agency; everyone else only their own role and
// agency.
func Within(ownerRole desk.Role, ownerAgency string, role desk.Role, agency string) bool {
	if !role.Valid() {
		return false
	}
	if role.AgencyBound() != (agency != "") {
		return false
	}
	switch ownerRole {
	case desk.RoleAdmin:
		return true
	case desk.RoleLead:
		return (role == desk.RoleLead || role == desk.RoleStaff) && agency == ownerAgency
	}
	return role == ownerRole && agency == ownerAgency
}

// NewAPIToken is a request for an API token. Role and Agency default to the
// owner's; UserID defaults to the creator.
type NewAPIToken struct {
	Name        string
	Role        desk.Role
	Agency      string
	Days        int
	UserID      string
	ViaAPIToken bool // the request itself was authenticated by a token
}

// TokenInfo is what listings show of a token: never the secret.
type TokenInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	UserID    string    `json:"user_id"`
	Role      desk.Role `json:"role"`
	Agency    string    `json:"agency,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Expired   bool      `json:"expired"`
}

func infoOf(t *store.Session, now time.Time) TokenInfo {
	return TokenInfo{ID: t.Public, Name: t.Name, UserID: t.UserID, Role: t.Role, Agency: t.Agency, CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, Expired: now.After(t.ExpiresAt)}
}

// CreateToken makes an API token and returns its secret, which is shown
// this once and never stored.
func (s *Service) CreateToken(ctx context.Context, actor *desk.User, in NewAPIToken, ip string) (string, TokenInfo, error) {
	if actor == nil {
		return "", TokenInfo{}, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	if in.ViaAPIToken {
		return "", TokenInfo{}, desk.Errorf(desk.EFORBIDDEN, "Không thể dùng mã truy cập để tạo mã truy cập mới; hãy đăng nhập (a token cannot create tokens; sign in).")
	}
	owner := actor
	if in.UserID != "" && in.UserID != actor.ID {
		if actor.Role != desk.RoleAdmin {
			return "", TokenInfo{}, desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên được tạo mã cho tài khoản khác (only administrators create tokens for others).")
		}
		o, err := s.Store.UserByID(ctx, in.UserID)
		if err != nil || o.Disabled {
			return "", TokenInfo{}, &desk.Error{Code: desk.EINVALID, Message: "Thông tin mã truy cập không hợp lệ (invalid token data).",
				Fields: map[string]string{"user_id": "Tài khoản không tồn tại hoặc đã khoá (no such active user)."}}
		}
		owner = o
	}
	if in.Role == "" {
		in.Role, in.Agency = owner.Role, owner.Agency
	}
	if in.Days == 0 {
		in.Days = DefaultTokenDays
	}
	fields := map[string]string{}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxTokenName || !utf8.ValidString(name) {
		fields["name"] = "Cần tên mã, tối đa 100 ký tự (name required, at most 100 characters)."
	}
	if in.Days < 1 || in.Days > MaxTokenDays {
		fields["days"] = "Thời hạn từ 1 đến 365 ngày (expiry must be 1 to 365 days)."
	}
	switch {
	case !in.Role.Valid():
		fields["role"] = "Vai trò không hợp lệ (unknown role)."
	case in.Role.AgencyBound() && (in.Agency == "" || s.Catalog().Agency(in.Agency) == nil):
		fields["agency"] = "Vai trò này cần một cơ quan có thật (this role needs a known agency)."
	case !Within(owner.Role, owner.Agency, in.Role, in.Agency):
		fields["role"] = "Vai trò và cơ quan của mã không được rộng hơn của tài khoản (a token's role and agency cannot exceed its account's)."
	}
	if len(fields) > 0 {
		s.Log.Info("token refused", "by", actor.ID, "fields", fields)
		return "", TokenInfo{}, &desk.Error{Code: desk.EINVALID, Message: "Thông tin mã truy cập không hợp lệ (invalid token data).", Fields: fields}
	}
	secret := "cdt_" + NewToken()
	now := s.Clock.Now().UTC()
	sess := &store.Session{ID: tokenID(secret), UserID: owner.ID, Kind: store.KindToken, CreatedAt: now,
		ExpiresAt: now.Add(time.Duration(in.Days) * 24 * time.Hour), Name: name, Role: in.Role, Agency: in.Agency,
		CreatedBy: actor.ID, Public: store.NewID()}
	if err := s.Store.InsertSession(ctx, sess); err != nil {
		return "", TokenInfo{}, err
	}
	info := infoOf(sess, now)
	s.Log.Info("api token created", "by", actor.ID, "owner", owner.ID, "token", info.ID, "role", info.Role, "agency", info.Agency)
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "token.create", Target: owner.ID, IP: ip, After: info})
	return secret, info, nil
}

// Tokens lists tokens: every token for an admin, one's own for others.
func (s *Service) Tokens(ctx context.Context, actor *desk.User) ([]TokenInfo, error) {
	if actor == nil {
		return nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	owner := actor.ID
	if actor.Role == desk.RoleAdmin {
		owner = ""
	}
	rows, err := s.Store.APITokens(ctx, owner)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := make([]TokenInfo, 0, len(rows))
	for i := range rows {
		out = append(out, infoOf(&rows[i], now))
	}
	return out, nil
}

// RevokeToken deletes a token by its public id. Another user's token
// answers ENOTFOUND unless the actor is an admin.
func (s *Service) RevokeToken(ctx context.Context, actor *desk.User, id, ip string) error {
	if actor == nil {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	owner := actor.ID
	if actor.Role == desk.RoleAdmin {
		owner = ""
	}
	rows, err := s.Store.APITokens(ctx, owner)
	if err != nil {
		return err
	}
	for i := range rows {
		if rows[i].Public == id && id != "" {
			if err := s.Store.DeleteSession(ctx, rows[i].ID); err != nil {
				return err
			}
			info := infoOf(&rows[i], s.Clock.Now())
			s.Log.Info("api token revoked", "by", actor.ID, "token", id)
			s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "token.revoke", Target: rows[i].UserID, IP: ip, Before: info})
			return nil
		}
	}
	return desk.Errorf(desk.ENOTFOUND, "Mã truy cập không tồn tại (no such token).")
}
