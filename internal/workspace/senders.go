package workspace

import (
	"context"
	"slices"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Event types of the decisions on a mail from another address.
const (
	EventMessageAccepted = "message_accepted"
	EventMessageDetached = "message_detached"
)

// Intaker opens a new submission; intake.Service implements it. Detaching
// a message goes through it so the new ticket is routed, screened and
// scheduled like any other.
type Intaker interface {
	Accept(ctx context.Context, in intake.Input) (*intake.Receipt, error)
}

// unverifiedMessage is the scoped read plus the checks every decision on
// a held message shares.
func (s *Service) unverifiedMessage(ctx context.Context, actor *desk.User, code, msgID, action string, version int64) (*desk.Ticket, *desk.Message, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, nil, err
	}
	m := t.Message(msgID)
	if m == nil {
		return nil, nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy tin nhắn trên phiếu (no such message on the ticket).")
	}
	if m.State != desk.MessageUnverified {
		return nil, nil, s.invalid(actor, t.TrackingCode, action, "message",
			"Tin nhắn này không phải thư từ địa chỉ khác đang chờ xử lý (the message is not a held mail from another address).")
	}
	if err := s.checkVersion(actor, t, action, version); err != nil {
		return nil, nil, err
	}
	return t, m, nil
}

// withState returns t's messages with message id's state changed.
func withState(t *desk.Ticket, id, state, detachedTo string) []desk.Message {
	msgs := slices.Clone(t.Messages)
	for i := range msgs {
		if msgs[i].ID == id {
			msgs[i].State, msgs[i].DetachedTo = state, detachedTo
		}
	}
	return msgs
}

// AcceptMessage makes a mail from another address the citizen's own
// message, after staff checked who wrote it (a relative writing for an
// elderly citizen, the citizen's second mailbox). Its sender then counts
// as verified on this thread, the message becomes public, and a ticket
// waiting on the citizen goes back to in_progress with its clock resumed,
// as for any citizen reply. Audited.
func (s *Service) AcceptMessage(ctx context.Context, actor *desk.User, code, msgID string, in ReplyInput) (*desk.Ticket, error) {
	t, m, err := s.unverifiedMessage(ctx, actor, code, msgID, "message-accept", in.Version)
	if err != nil {
		return nil, err
	}
	ch := store.TicketChange{Set: store.MessagesSet(withState(t, msgID, "", "")),
		Event: desk.Event{Actor: actor.ID, Type: EventMessageAccepted, To: msgID, Note: "accepted as the citizen's: " + m.From}}
	if t.Status == desk.StatusAwaitingCitizen {
		ch.Status = desk.StatusInProgress
	}
	return s.commit(ctx, actor, t, "ticket.message.accept", ch, "message "+msgID+" from "+m.From)
}

// DetachMessage moves a mail from another address into a ticket of its
// own, with the sender as its citizen: someone writing about their own
// case under another person's tracking code. The message stays on the
// original ticket for the record, marked detached with the new code;
// nothing is lost. The new submission is keyed by the message, so a retry
// after a conflict opens no second ticket. Audited.
func (s *Service) DetachMessage(ctx context.Context, actor *desk.User, code, msgID string, in ReplyInput) (*desk.Ticket, error) {
	t, m, err := s.unverifiedMessage(ctx, actor, code, msgID, "message-detach", in.Version)
	if err != nil {
		return nil, err
	}
	if s.Intake == nil {
		return nil, desk.Errorf(desk.EINTERNAL, "Không tách được thư lúc này (detaching is not available).")
	}
	// The envelope sender is who delivered the mail; the From header is
	// only what they typed, possibly the citizen's own address.
	sender := m.From
	if m.Envelope != "" {
		sender = m.Envelope
	}
	body := m.Body
	if body == "" {
		body = "(Thư không có nội dung — empty message)"
	}
	rec, err := s.Intake.Accept(ctx, intake.Input{Channel: desk.ChannelEmail, IdempotencyKey: "detach:" + t.ID + ":" + msgID,
		Email: sender, Category: intake.DefaultEmailCategory,
		Title: "Thư tách từ phiếu " + t.TrackingCode + " (mail detached from another ticket)", Body: body})
	if err != nil {
		return nil, err
	}
	ch := store.TicketChange{Set: store.MessagesSet(withState(t, msgID, desk.MessageDetached, rec.TrackingCode)),
		Event: desk.Event{Actor: actor.ID, Type: EventMessageDetached, To: rec.TrackingCode, Note: "message " + msgID + " from " + m.From}}
	out, err := s.commit(ctx, actor, t, "ticket.message.detach", ch, "message "+msgID+" from "+m.From+" → "+rec.TrackingCode)
	if err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "ticket.message.detached_into", Target: rec.TrackingCode, IP: ipOf(ctx),
		Note: "from " + t.TrackingCode + " message " + msgID})
	return out, nil
}
