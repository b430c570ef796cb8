package store

// Accounts (issue #6, area AU): the login guard that counts failed
// sign-ins, user edits by an admin, revoking a user's sessions, and API
// tokens. Login guards are read and written by _id only, which is the one
// filter the embedded FerretDB serves without scanning.

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// LoginGuard counts sign-in attempts for one account name (the lower-cased
// email, known or not, so the lockout does not reveal which emails exist)
// from one source (auth names the key).
type LoginGuard struct {
	ID          string    `bson:"_id"`
	Attempts    int       `bson:"attempts"`
	WindowStart time.Time `bson:"window_start"`
	LockedUntil time.Time `bson:"locked_until,omitempty"`
	// Locks counts the locks so far; each lasts longer than the last, and
	// a good sign-in (which deletes the guard) starts again from none.
	Locks int `bson:"locks,omitempty"`
}

func (s *Store) guards() *mongo.Collection { return s.db.Collection("login_guards") }

// ReserveLoginAttempt counts one more attempt for id atomically ($inc on
// the document with that _id, created with the window starting now) and
// returns the document as it is after the increment. Because the count
// is taken before the password is checked, a burst of concurrent guesses
// gets distinct counts and only the first few reach bcrypt.
func (s *Store) ReserveLoginAttempt(ctx context.Context, id string, now time.Time) (*LoginGuard, error) {
	defer s.lockWrite()()
	var g LoginGuard
	err := incrementByID(ctx, s.guards(), id, bson.D{{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}},
		bson.D{{Key: "attempts", Value: 0}, {Key: "window_start", Value: now.UTC()}}, &g)
	if err != nil {
		return nil, fmt.Errorf("login guard: %w", err)
	}
	return &g, nil
}

// RestartLoginWindow starts a new counting window at now with this attempt
// as its first, clearing an expired lock. Two requests that both see the
// old window expire at the same instant may both restart it; the per-IP
// limit bounds what that race can give away.
func (s *Store) RestartLoginWindow(ctx context.Context, id string, now time.Time) (*LoginGuard, error) {
	defer s.lockWrite()()
	var g LoginGuard
	err := s.guards().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "attempts", Value: 1}, {Key: "window_start", Value: now.UTC()}, {Key: "locked_until", Value: time.Time{}}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&g)
	if err != nil {
		return nil, fmt.Errorf("login guard: %w", err)
	}
	return &g, nil
}

// LockLogin locks id until the given time and counts the lock.
func (s *Store) LockLogin(ctx context.Context, id string, until time.Time) error {
	defer s.lockWrite()()
	_, err := s.guards().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "locked_until", Value: until.UTC()}}}, {Key: "$inc", Value: bson.D{{Key: "locks", Value: 1}}}})
	return err
}

// ClearLoginGuard forgets the failures counted for id (after a good login).
func (s *Store) ClearLoginGuard(ctx context.Context, id string) error {
	defer s.lockWrite()()
	_, err := s.guards().DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return err
}

// LoginGuardByID reads the guard for id; ENOTFOUND when none exists.
func (s *Store) LoginGuardByID(ctx context.Context, id string) (*LoginGuard, error) {
	var g LoginGuard
	if err := s.guards().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&g); err != nil {
		return nil, notFound(err, "login guard")
	}
	return &g, nil
}

// Users lists every account by email. The users collection holds staff
// only (hundreds, not millions), so the admin page reads it whole.
func (s *Store) Users(ctx context.Context) ([]desk.User, error) {
	cur, err := s.users.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "email", Value: 1}}).SetLimit(5000))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []desk.User
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// UserUpdate is what an admin may change on an account.
type UserUpdate struct {
	Role     desk.Role
	Agency   string
	Disabled bool
}

// UpdateUser sets role, agency and the disabled flag of the user with id.
func (s *Store) UpdateUser(ctx context.Context, id string, up UserUpdate) error {
	defer s.lockWrite()()
	res, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "role", Value: up.Role}, {Key: "agency", Value: up.Agency}, {Key: "disabled", Value: up.Disabled}}}})
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if res.MatchedCount == 0 {
		return desk.Errorf(desk.ENOTFOUND, "Tài khoản không tồn tại (no such user).")
	}
	return nil
}

// DeleteSessionsOfUser revokes every session and API token of a user and
// says how many there were.
func (s *Store) DeleteSessionsOfUser(ctx context.Context, userID string) (int, error) {
	defer s.lockWrite()()
	res, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	return int(res.DeletedCount), nil
}

// APITokens lists API tokens (sessions of kind "token"), newest first;
// a non-empty userID keeps only that user's.
func (s *Store) APITokens(ctx context.Context, userID string) ([]Session, error) {
	f := bson.D{{Key: "kind", Value: KindToken}}
	if userID != "" {
		f = bson.D{{Key: "user_id", Value: userID}, {Key: "kind", Value: KindToken}}
	}
	cur, err := s.sessions.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(1000))
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	var out []Session
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// KindToken marks a session row that is a long-lived API token for
// scripts, with its own (narrower) role and agency.
const KindToken = "token"
