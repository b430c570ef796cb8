package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// Email collections. Every lookup is by _id, so they need no index of
// their own.
//
//   - mail_ids: one document per Message-ID that belongs to a ticket —
//     the ones we sent (acknowledgements, answers) and the citizen's own —
//     so that a reply carrying it in In-Reply-To or References, or a
//     bounce quoting it, finds its ticket.
//   - attachments: the bytes of files citizens mailed us, one document per
//     file. Keeping them out of the ticket keeps ticket reads small; the
//     raw message on the submission stays the original.
//   - imap_state: per mailbox, the UIDVALIDITY and the highest UID taken.
const (
	collMailIDs     = "mail_ids"
	collAttachments = "attachments"
	collIMAPState   = "imap_state"
)

// Mail ID directions.
const (
	MailOut = "out" // a Message-ID we generated
	MailIn  = "in"  // a citizen's Message-ID
)

// MailID ties a Message-ID to a ticket.
type MailID struct {
	ID           string    `bson:"_id"` // the Message-ID, without angle brackets
	TicketID     string    `bson:"ticket_id"`
	TrackingCode string    `bson:"tracking_code"`
	Dir          string    `bson:"dir"`
	Kind         string    `bson:"kind,omitempty"` // for ours: ack, answer
	At           time.Time `bson:"at"`
}

// RecordMailID stores m; recording the same Message-ID again keeps the
// first record, which makes the send and intake steps idempotent.
func (s *Store) RecordMailID(ctx context.Context, m MailID) error {
	if m.ID == "" {
		return nil
	}
	defer s.lockWrite()()
	_, err := s.db.Collection(collMailIDs).InsertOne(ctx, m)
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("record message-id: %w", err)
	}
	return nil
}

// FindMailID returns the first of ids that is recorded, trying them in
// order, or ENOTFOUND.
func (s *Store) FindMailID(ctx context.Context, ids []string) (*MailID, error) {
	if len(ids) == 0 {
		return nil, notFound(mongo.ErrNoDocuments, "message-id")
	}
	cur, err := s.db.Collection(collMailIDs).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	var found []MailID
	if err := cur.All(ctx, &found); err != nil {
		return nil, err
	}
	for _, id := range ids {
		for i := range found {
			if found[i].ID == id {
				return &found[i], nil
			}
		}
	}
	return nil, notFound(mongo.ErrNoDocuments, "message-id")
}

// AttachmentBlob is one stored attachment.
type AttachmentBlob struct {
	ID           string    `bson:"_id"`
	SubmissionID string    `bson:"submission_id"`
	Filename     string    `bson:"filename"`
	ContentType  string    `bson:"content_type"`
	Size         int       `bson:"size"`
	Data         []byte    `bson:"data"`
	At           time.Time `bson:"at"`
}

// PutAttachment stores b unless a blob with its id exists: ids derive
// from the submission and the file's position, so a retried intake step
// stores nothing twice.
func (s *Store) PutAttachment(ctx context.Context, b *AttachmentBlob) error {
	defer s.lockWrite()()
	_, err := s.db.Collection(collAttachments).InsertOne(ctx, b)
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("store attachment: %w", err)
	}
	return nil
}

// Attachment returns one stored attachment by id. Callers check that the
// actor may see the ticket that lists it.
func (s *Store) Attachment(ctx context.Context, id string) (*AttachmentBlob, error) {
	var b AttachmentBlob
	if err := s.db.Collection(collAttachments).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&b); err != nil {
		return nil, notFound(err, "attachment")
	}
	return &b, nil
}

// MarkMailOutcome records that an email submission was handled without a
// ticket of its own (a bounce, an auto-reply on a known thread): processed,
// with the ticket it touched if any.
func (s *Store) MarkMailOutcome(ctx context.Context, id, ticketID, outcome string) error {
	defer s.lockWrite()()
	_, err := s.subs.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: desk.SubmissionProcessed},
			{Key: "ticket_id", Value: ticketID}, {Key: "mail.outcome", Value: outcome}}}})
	if err == nil {
		s.feed.submissionDone(id)
	}
	return err
}

// IMAPState is the bookkeeping of one fetched mailbox.
type IMAPState struct {
	Mailbox     string    `bson:"_id"`
	UIDValidity uint32    `bson:"uid_validity"`
	LastUID     uint32    `bson:"last_uid"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

// IMAPStateOf returns the mailbox's state; a mailbox never fetched has
// the zero state.
func (s *Store) IMAPStateOf(ctx context.Context, mailbox string) (*IMAPState, error) {
	st := IMAPState{Mailbox: mailbox}
	err := s.db.Collection(collIMAPState).FindOne(ctx, bson.D{{Key: "_id", Value: mailbox}}).Decode(&st)
	if err != nil && err != mongo.ErrNoDocuments {
		return nil, err
	}
	return &st, nil
}

// SetIMAPState stores the mailbox's state. Only one fetch of a mailbox
// runs at a time (its task id), so a plain upsert is enough.
func (s *Store) SetIMAPState(ctx context.Context, st IMAPState) error {
	defer s.lockWrite()()
	_, err := s.db.Collection(collIMAPState).ReplaceOne(ctx, bson.D{{Key: "_id", Value: st.Mailbox}}, st, options.Replace().SetUpsert(true))
	return err
}

// TicketAttachment returns an attachment of the ticket with code if actor
// may see that ticket and the ticket (or one of its messages) lists the
// attachment. Anything else is ENOTFOUND, so ids cannot be probed.
func (s *Store) TicketAttachment(ctx context.Context, actor *desk.User, code, id string) (*AttachmentBlob, error) {
	t, err := s.TicketByCode(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	listed := false
	for _, a := range t.Attachments {
		listed = listed || a.ID == id
	}
	for _, m := range t.Messages {
		for _, a := range m.Attachments {
			listed = listed || a.ID == id
		}
	}
	if !listed {
		return nil, notFound(mongo.ErrNoDocuments, "attachment")
	}
	return s.Attachment(ctx, id)
}
