// Package auth manages staff accounts, passwords, sessions, API tokens
// and the account lockout.
//
// Passwords are hashed with bcrypt. Sessions are server-side: the client
// holds a random token, the database holds only its SHA-256, and deleting
// the row revokes it at once. A login's token works as a session cookie
// for the web pages and as a Bearer token for the JSON API; API tokens for
// scripts (tokens.go) work on the API only, with their own narrower role.
// Failed sign-ins lock an account for every process (lockout.go); role
// and agency changes revoke sessions (admin.go). Sign-ins, lockouts and
// permission changes go to the audit log.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// MinPasswordLen is the shortest password accepted for a new account.
const MinPasswordLen = 10

// Service authenticates staff.
type Service struct {
	Store      *store.Store
	Clock      desk.Clock
	Log        *slog.Logger
	BcryptCost int
	// Catalog checks agency codes when users are created.
	Catalog func() *desk.Catalog
	// Audit records sign-ins, lockouts and permission changes (#6 AU).
	Audit *audit.Recorder
	// LockAfter failed logins within LockWindow lock the account for
	// LockFor (lockout.go); zero means the defaults 5, 15 min, 15 min.
	LockAfter  int
	LockWindow time.Duration
	LockFor    time.Duration
	// dummyHash is compared against when the email is unknown, so a login
	// for a missing account takes as long as one with a wrong password.
	dummyHash []byte
}

// NewToken returns a random URL-safe token of 32 bytes.
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Login checks email and password and opens a session of the given kind
// ("web" or "api"). A wrong email and a wrong password give the same
// EUNAUTH error.
func (s *Service) Login(ctx context.Context, email, password, kind string) (string, *desk.User, error) {
	return s.LoginFrom(ctx, email, password, kind, "")
}

// LoginFrom is Login for a client at ip, which goes into the log lines
// and audit entries. The attempt is counted against the account before
// the password is checked (lockout.go); a locked account gets a
// *LockedError (ELIMITED) without its password being looked at.
func (s *Service) LoginFrom(ctx context.Context, email, password, kind, ip string) (string, *desk.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	bad := desk.Errorf(desk.EUNAUTH, "Email hoặc mật khẩu không đúng (wrong email or password).")
	if email == "" || password == "" || len(password) > 200 || len(email) > 254 {
		return "", nil, bad
	}
	now := s.Clock.Now()
	if err := s.reserve(ctx, email, ip, now); err != nil {
		return "", nil, err
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		if s.dummyHash == nil {
			s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not-a-real-password"), s.BcryptCost)
		}
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		s.failed(ctx, email, "", ip, "unknown account", now)
		return "", nil, bad
	}
	if err != nil {
		return "", nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		s.failed(ctx, email, u.ID, ip, "wrong password", now)
		return "", nil, bad
	}
	if u.Disabled {
		s.failed(ctx, email, u.ID, ip, "account disabled", now)
		return "", nil, bad
	}
	if err := s.Store.ClearLoginGuard(ctx, guardID(email, ip)); err != nil {
		s.Log.Error("login guard not cleared", "email", email, "err", err)
	}
	token := NewToken()
	if err := s.Store.InsertSession(ctx, &store.Session{ID: tokenID(token), UserID: u.ID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
		return "", nil, err
	}
	s.Log.Info("login", "user", u.ID, "role", u.Role, "kind", kind, "ip", ip)
	s.Audit.Record(ctx, audit.Entry{Actor: u, Action: "login", Target: u.ID, IP: ip, Note: kind})
	return token, u, nil
}

// Authenticate returns the user behind a token, or EUNAUTH. For an API
// token the user comes back with the token's role and agency, which are
// never wider than the account's own.
func (s *Service) Authenticate(ctx context.Context, token string) (*desk.User, error) {
	u, _, err := s.Resolve(ctx, token)
	return u, err
}

// Resolve is Authenticate that also returns the session row, so callers
// can tell a browser session from an API token.
func (s *Service) Resolve(ctx context.Context, token string) (*desk.User, *store.Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	sess, u, err := s.Store.SessionUser(ctx, tokenID(token), s.Clock.Now())
	if err != nil {
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			return nil, nil, desk.Errorf(desk.EUNAUTH, "Phiên đăng nhập không hợp lệ hoặc đã hết hạn (invalid or expired session).")
		}
		return nil, nil, err
	}
	if u == nil || u.Disabled {
		return nil, nil, desk.Errorf(desk.EUNAUTH, "Tài khoản không còn hiệu lực (account disabled).")
	}
	if sess.Kind == store.KindToken {
		// Changing an account's role revokes its tokens; this check is
		// the second lock on that door.
		if !Within(u.Role, u.Agency, sess.Role, sess.Agency) {
			return nil, nil, desk.Errorf(desk.EUNAUTH, "Mã truy cập rộng hơn quyền hiện tại của tài khoản (token wider than its account).")
		}
		narrowed := *u
		narrowed.Role, narrowed.Agency = sess.Role, sess.Agency
		u = &narrowed
	}
	return u, sess, nil
}

// Logout revokes the session behind token; u and ip go into the audit
// log (u may be nil when the session had already ended).
func (s *Service) Logout(ctx context.Context, token string, u *desk.User, ip string) error {
	if err := s.Store.DeleteSession(ctx, tokenID(token)); err != nil {
		return err
	}
	if u != nil {
		s.Audit.Record(ctx, audit.Entry{Actor: u, Action: "logout", Target: u.ID, IP: ip})
	}
	return nil
}

// NewUser is what an admin submits to create an account.
type NewUser struct {
	Email, Password, Name string
	Role                  desk.Role
	Agency                string
}

// CreateUser validates and stores a new account. Agency-bound roles need a
// known agency; other roles must not have one.
func (s *Service) CreateUser(ctx context.Context, actor *desk.User, in NewUser) (*desk.User, error) {
	if actor == nil || actor.Role != desk.RoleAdmin {
		return nil, desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên được tạo tài khoản (only administrators create accounts).")
	}
	fields := map[string]string{}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		fields["email"] = "Email không hợp lệ (invalid email)."
	}
	if n := utf8.RuneCountInString(in.Password); n < MinPasswordLen || len(in.Password) > 72 {
		fields["password"] = "Mật khẩu cần từ 10 đến 72 ký tự (password must be 10 to 72 characters)."
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 || !utf8.ValidString(name) {
		fields["name"] = "Cần họ tên, tối đa 200 ký tự (name required, at most 200 characters)."
	}
	if !in.Role.Valid() {
		fields["role"] = "Vai trò không hợp lệ: admin, coordinator, operator, agency_staff, agency_lead (unknown role)."
	}
	switch {
	case in.Role.AgencyBound() && in.Agency == "":
		fields["agency"] = "Vai trò này cần một cơ quan (this role needs an agency)."
	case in.Agency != "" && s.Catalog().Agency(in.Agency) == nil:
		fields["agency"] = "Cơ quan không tồn tại (unknown agency)."
	}
	if len(fields) > 0 {
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Thông tin tài khoản không hợp lệ (invalid account data).", Fields: fields}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.BcryptCost)
	if err != nil {
		return nil, err
	}
	u := &desk.User{ID: store.NewID(), Email: email, Name: name, Role: in.Role, Agency: in.Agency, PasswordHash: string(hash), CreatedAt: s.Clock.Now().UTC()}
	if err := s.Store.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	s.Log.Info("user created", "by", actor.ID, "user", u.ID, "role", u.Role, "agency", u.Agency)
	return u, nil
}

// EnsureAdmin creates the admin account if no user has that email yet. It
// reports whether it created one.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) (bool, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if _, err := s.Store.UserByEmail(ctx, email); err == nil {
		return false, nil
	} else if desk.ErrorCode(err) != desk.ENOTFOUND {
		return false, err
	}
	system := &desk.User{ID: "system", Role: desk.RoleAdmin}
	if _, err := s.CreateUser(ctx, system, NewUser{Email: email, Password: password, Name: "Quản trị viên", Role: desk.RoleAdmin}); err != nil {
		if desk.ErrorCode(err) == desk.ECONFLICT {
			return false, nil // another process created it at the same moment
		}
		return false, err
	}
	return true, nil
}
