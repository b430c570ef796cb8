// Package citizen is the citizen's side of a ticket and the public Q&A
// (issue 6).
//
// Citizens have no accounts. Whoever holds a tracking code may read the
// public tracking page; to act on the ticket — reply, send a missing
// document, rate the answer — they first prove that it is theirs, with the
// last four digits of the phone number on the ticket or with a one-time
// link mailed to the address on it (proof.go). Proof yields an *Owner,
// which only this package can make, and every citizen action takes one:
// the check cannot be skipped by a handler that forgets it. The web layer
// keeps the proof between requests in a signed cookie bound to the one
// tracking code (Session / CheckSession); it is never a staff session.
//
// Every change is one compare-and-set through tickets.Service.Change, so
// the SLA clock, the re-index and the timers follow, and
// every action writes an audit entry with actor "citizen" (staff actions
// on publications carry the staff user).
//
// Publication (publication.go) turns an answered ticket into a public
// Q&A entry: staff propose (the masked text is computed then and shown to
// them), an agency lead or an admin approves, and the entry is copied to
// the small published_qa collection the public pages read.
package citizen

import (
	"context"
	"log/slog"
	"time"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// Mailer queues a mail to a ticket's citizen. workers.Queue implements it;
// the mail worker composes the one-time link mail (kind "access").
type Mailer interface {
	EnqueueMail(ctx context.Context, ticketID, kind, ref string) error
}

// Service is the citizen-side service.
type Service struct {
	Store   *store.Store
	Tickets *tickets.Service
	Audit   *audit.Recorder
	Limiter *ratelimit.Limiter // nil: no rate limits (tools)
	Mail    Mailer             // nil: one-time links cannot be sent
	Clock   desk.Clock
	Log     *slog.Logger
	// Secret signs the citizen cookie and derives link tokens and public
	// Q&A ids. It is the process secret; each use has its own prefix.
	Secret []byte

	// VerifyCode limits proof attempts per tracking code from one client
	// source, VerifyCodeAll per tracking code from every source together
	// (the ceiling against guessing from many addresses; a redeemed link
	// clears it), VerifyIP per client IP (phone digits and link requests
	// alike), LinkCode the links mailed per tracking code.
	VerifyCode, VerifyCodeAll, VerifyIP, LinkCode ratelimit.Rule
	// ProofBackoff slows wrong phone digits from one source down
	// progressively within those limits; zero uses DefaultProofBackoff.
	ProofBackoff ratelimit.Backoff
	// ReopenDays: a rating of 1 or 2 given within this many days of the
	// answer reopens the ticket; 0 never reopens.
	ReopenDays int
	// MaxUpload is the largest document a citizen may upload, in bytes.
	MaxUpload int
}

// Event types of the citizen side and of publication.
const (
	EventRated                = "rated"
	EventReopenedByRating     = "reopened_by_rating"
	EventPublicationProposed  = "publication_proposed"
	EventPublicationPublished = "publication_published"
	EventPublicationWithdrawn = "publication_withdrawn"
	EventPublicationRejected  = "publication_rejected"
)

// ActorCitizen is the actor of citizen actions in events and the audit log.
const ActorCitizen = "citizen"

// SessionTTL is how long a proven citizen may act before proving again.
const SessionTTL = 2 * time.Hour

// MaxBody is the longest citizen reply, in characters: the portal's own
// limit for a submission's text.
const MaxBody = 20000

// MaxComment is the longest rating comment, in characters.
const MaxComment = 2000

// DefaultMaxUpload is the upload limit when MaxUpload is not set.
const DefaultMaxUpload = 5 << 20

// system reads tickets unscoped: the citizen side is addressed by
// tracking code, and ownership, not agency, is what it checks.
var system = &desk.User{ID: "system", Role: desk.RoleAdmin}

var errNotFound = desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phản ánh với mã số này (no feedback has this code).")

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

func (s *Service) maxUpload() int {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return DefaultMaxUpload
}

// load reads the ticket with code for a citizen action. A quarantined
// ticket looks like no ticket: nothing may be added to what the spam
// check holds back.
func (s *Service) load(ctx context.Context, rawCode string) (*desk.Ticket, error) {
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return nil, errNotFound
	}
	t, err := s.Store.TicketByCode(ctx, system, code)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if t.Status == desk.StatusQuarantined {
		return nil, errNotFound
	}
	return t, nil
}

// invalid is a field error with a log line; it changes nothing.
func (s *Service) invalid(code, action, field, msg string) error {
	s.Log.Info("citizen: input refused", "code", code, "action", action, "field", field, "reason", msg)
	return &desk.Error{Code: desk.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// retry runs fn on a fresh read of the ticket until it does not conflict:
// a citizen's action does not depend on the version they saw (they see no
// version), only on the ticket's state, which fn re-checks every time.
func (s *Service) retry(ctx context.Context, code string, fn func(t *desk.Ticket) (*desk.Ticket, error)) (*desk.Ticket, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var t, out *desk.Ticket
		if t, err = s.load(ctx, code); err != nil {
			return nil, err
		}
		out, err = fn(t)
		if desk.ErrorCode(err) != desk.ECONFLICT || isOwnConflict(err) {
			return out, err
		}
	}
	return nil, err
}

// ownConflict marks an ECONFLICT that is the answer itself (rated
// already), not a lost compare-and-set race to retry.
type ownConflict struct{ err *desk.Error }

func (e ownConflict) Error() string { return e.err.Error() }
func (e ownConflict) Unwrap() error { return e.err }

func isOwnConflict(err error) bool { _, ok := err.(ownConflict); return ok }
