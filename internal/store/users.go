package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// InsertUser creates a user. A taken email gives ECONFLICT.
func (s *Store) InsertUser(ctx context.Context, u *desk.User) error {
	defer s.lockWrite()()
	if _, err := s.users.InsertOne(ctx, u); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return desk.Errorf(desk.ECONFLICT, "Email %s đã được dùng cho tài khoản khác (email already in use)", u.Email)
		}
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// UserByEmail finds a user by (lower-cased) email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*desk.User, error) {
	var u desk.User
	if err := s.users.FindOne(ctx, bson.D{{Key: "email", Value: email}}).Decode(&u); err != nil {
		return nil, notFound(err, "user")
	}
	return &u, nil
}

// UserByID finds a user by id.
func (s *Store) UserByID(ctx context.Context, id string) (*desk.User, error) {
	var u desk.User
	if err := s.users.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&u); err != nil {
		return nil, notFound(err, "user")
	}
	return &u, nil
}

// Session is a server-side login: the id is the SHA-256 of the token the
// client holds, so a leaked database does not leak usable tokens.
type Session struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	Kind      string    `bson:"kind"` // "web", "api" or KindToken
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	// API tokens only (issue #6, AU): a label, the role and agency the
	// token acts with (never wider than its owner's), and who made it.
	Name      string    `bson:"name,omitempty"`
	Role      desk.Role `bson:"role,omitempty"`
	Agency    string    `bson:"agency,omitempty"`
	CreatedBy string    `bson:"created_by,omitempty"`
	// Public is the token's short public id (for listing and revoking);
	// the _id is the hash the client's secret is looked up by.
	Public string `bson:"public,omitempty"`
}

// InsertSession stores a session.
func (s *Store) InsertSession(ctx context.Context, sess *Session) error {
	defer s.lockWrite()()
	_, err := s.sessions.InsertOne(ctx, sess)
	return err
}

// SessionByID returns a live session. Expired ones are deleted on sight,
// since FerretDB has no TTL indexes.
func (s *Store) SessionByID(ctx context.Context, id string, now time.Time) (*Session, error) {
	var sess Session
	if err := s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sess); err != nil {
		return nil, notFound(err, "session")
	}
	if now.After(sess.ExpiresAt) {
		_ = s.DeleteSession(ctx, id)
		return nil, desk.Errorf(desk.ENOTFOUND, "phiên đăng nhập đã hết hạn (session expired)")
	}
	return &sess, nil
}

// SessionUser returns a live session and its account, which is nil when
// the account no longer exists. On MongoDB it is one round trip (the
// session with its user joined by $lookup on users' _id); every signed-in
// request asks. FerretDB v1 has no $lookup, so the embedded store reads
// the two by _id.
func (s *Store) SessionUser(ctx context.Context, id string, now time.Time) (*Session, *desk.User, error) {
	if s.engineV1() {
		sess, err := s.SessionByID(ctx, id, now)
		if err != nil {
			return nil, nil, err
		}
		u, err := s.UserByID(ctx, sess.UserID)
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			return sess, nil, nil
		}
		return sess, u, err
	}
	cur, err := s.sessions.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: "_id", Value: id}}}},
		bson.D{{Key: "$limit", Value: 1}},
		bson.D{{Key: "$lookup", Value: bson.D{{Key: "from", Value: "users"}, {Key: "localField", Value: "user_id"},
			{Key: "foreignField", Value: "_id"}, {Key: "as", Value: "user"}}}},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	var rows []struct {
		Session `bson:",inline"`
		User    []desk.User `bson:"user"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil, desk.Errorf(desk.ENOTFOUND, "session không tồn tại (not found)")
	}
	sess := rows[0].Session
	if now.After(sess.ExpiresAt) {
		_ = s.DeleteSession(ctx, id)
		return nil, nil, desk.Errorf(desk.ENOTFOUND, "phiên đăng nhập đã hết hạn (session expired)")
	}
	if len(rows[0].User) == 0 {
		return &sess, nil, nil
	}
	return &sess, &rows[0].User[0], nil
}

// DeleteSession revokes a session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	defer s.lockWrite()()
	_, err := s.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return err
}
