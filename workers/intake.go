package workers

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/search"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// IntakeHandler turns a stored submission into a routed ticket with a due
// date. It is safe to run any number of times for the same submission: the
// ticket's id is the submission's id, so only the first insert creates it.
type IntakeHandler struct {
	Store   *store.Store
	Catalog func() *desk.Catalog
	Clock   desk.Clock
	Queue   *Queue
	Log     *slog.Logger
	// Tickets routes by the admin's rules, records custody and the full
	// set of deadlines, schedules the SLA timers, and makes every change
	// to an existing ticket (the citizen's reply resumes the clock).
	Tickets *tickets.Service
	// Spam gives the current spam rules; nil uses the built-in ones
	// (spam.go).
	Spam *SpamRules
	// Email parses and threads email submissions and sends
	// acknowledgements (email.go); nil sends none.
	Email *EmailDeps
	// Index finds likely duplicates of a new ticket (similar.go, issue 7);
	// nil finds none.
	Index search.Index
}

// ProcessTask handles intake:process.
func (h *IntakeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p IntakePayload
	if err := decode(t, &p); err != nil {
		return err
	}
	sub, err := h.Store.Submission(ctx, p.SubmissionID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return fmt.Errorf("submission %s: %w", p.SubmissionID, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if sub.Status == desk.SubmissionProcessed {
		return nil
	}
	var mail *inboundMail
	if sub.Channel == desk.ChannelEmail && sub.Raw != nil {
		// Parse, store attachments, thread; bounces and auto-replies on
		// known threads end here (email.go).
		var done bool
		if mail, done, err = h.prepareEmail(ctx, sub); err != nil || done {
			return err
		}
	}
	h.screenReply(ctx, sub, mail) // spam.go (issue 8): a stranger's spam "reply" is detached, then quarantined below
	if sub.ReplyTo != "" {
		done, err := h.appendToTicket(ctx, sub)
		if done && err == nil {
			h.mailThreaded(ctx, mail, sub)
		}
		if err != nil || done {
			return err
		}
		// The ticket it names does not exist: it becomes a new ticket, so
		// nothing the citizen said is dropped.
		h.Log.Warn("submission names an unknown ticket; opening a new one", "submission", sub.ID, "reply_to", sub.ReplyTo)
		mail.asNewTicket(sub) // email.go: the whole mail, not just the reply part
	}
	ticket, err := h.buildTicket(ctx, sub)
	if err != nil {
		return err
	}
	h.screenSpam(ctx, sub, ticket) // spam.go: clean, suspect (tagged) or quarantined
	h.attachSimilar(ctx, ticket)   // similar.go: likely duplicates, best effort (issue 7)
	created, err := h.Store.InsertTicket(ctx, ticket)
	if err != nil {
		return err
	}
	if err := h.Store.MarkSubmissionProcessed(ctx, sub.ID, ticket.ID); err != nil {
		return err
	}
	if err := h.Queue.EnqueueIndex(ctx, ticket.ID); err != nil {
		// The ticket exists and Mongo is the truth; the index catches up on
		// the next change or the periodic consistency check.
		h.Log.Warn("enqueue index failed", "ticket", ticket.ID, "err", err)
	}
	if created {
		h.Tickets.Schedule(ctx, ticket)
	}
	h.mailCreated(ctx, mail, sub, ticket, created) // email.go: thread ids, acknowledgement
	if created {
		h.Log.Info("ticket created", "code", ticket.TrackingCode, "channel", ticket.Channel,
			"agency", ticket.Agency, "status", ticket.Status, "due", ticket.DueAt.Format(time.RFC3339))
	}
	return nil
}

// buildTicket derives the ticket from the submission alone (plus catalog
// and calendar, through the tickets service), so a re-run builds the same
// ticket.
func (h *IntakeHandler) buildTicket(ctx context.Context, sub *desk.Submission) (*desk.Ticket, error) {
	now := h.Clock.Now().UTC()
	t := &desk.Ticket{
		ID:           sub.ID,
		TrackingCode: sub.TrackingCode,
		Version:      1,
		Channel:      sub.Channel,
		Category:     sub.Category,
		Citizen:      sub.Citizen,
		Title:        sub.Title,
		Body:         sub.Body,
		CreatedAt:    sub.ReceivedAt,
		UpdatedAt:    now,
		Attachments:  sub.Attachments,
	}
	// Routing rules, custody and deadlines (internal/tickets).
	d, err := h.Tickets.NewTicket(ctx, t, sub)
	if err != nil {
		return nil, err
	}
	events := []desk.Event{{Seq: 1, At: sub.ReceivedAt, Actor: "system", Type: desk.EventReceived, To: string(sub.Channel), Public: true}}
	if t.Status == desk.StatusTriage {
		events = append(events, desk.Event{Seq: 1, At: now, Actor: "system", Type: desk.EventTriage, Note: d.Note(), Public: true})
	} else {
		// The routed event names the rule that matched, if one did.
		events = append(events, desk.Event{Seq: 1, At: now, Actor: "system", Type: desk.EventRouted, To: t.Agency, Note: d.Note(), Public: true})
	}
	t.Events = append(events, desk.Event{Seq: 1, At: now, Actor: "system", Type: desk.EventDueSet, To: t.DueAt.Format(time.RFC3339), Public: true})
	return t, nil
}

// appendToTicket adds the submission to the ticket it replies to as a
// citizen message. It is idempotent (the message id is the submission id)
// and retries the compare-and-set when staff change the ticket at the same
// moment. A ticket waiting on the citizen goes back to in_progress. It
// reports false when the ticket does not exist.
func (h *IntakeHandler) appendToTicket(ctx context.Context, sub *desk.Submission) (bool, error) {
	system := &desk.User{ID: "system", Role: desk.RoleAdmin}
	for attempt := 0; attempt < 10; attempt++ {
		t, err := h.Store.TicketByCode(ctx, system, sub.ReplyTo)
		if desk.ErrorCode(err) == desk.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !t.HasMessage(sub.ID) {
			body := sub.Body
			if sub.Title != "" && sub.Title != t.Title {
				body = sub.Title + "\n\n" + body
			}
			msg := &desk.Message{ID: sub.ID, At: sub.ReceivedAt, Kind: desk.MessageCitizen, Author: "citizen", Channel: sub.Channel,
				Body: body, Attachments: sub.Attachments, From: senderAddress(sub)}
			if sub.Mail != nil && sub.Mail.From != "" && !strings.EqualFold(sub.Mail.From, msg.From) {
				msg.Envelope = strings.ToLower(sub.Mail.From)
			}
			ch := store.TicketChange{Message: msg, Event: desk.Event{Actor: "citizen", Type: desk.EventMessage, To: string(sub.Channel), Public: true}}
			why := unverifiedReply(t, sub)
			switch {
			case why != "":
				// Kept for staff to judge, with no effect on the case: no
				// status change, no clock change, nothing public.
				msg.State = desk.MessageUnverified
				ch.Event = desk.Event{Actor: "system", Type: desk.EventMessage, To: string(sub.Channel), Note: "from another address: " + msg.From}
				h.Log.Warn("reply from an address that is not the citizen's; kept for staff, not as the citizen's message",
					"submission", sub.ID, "ticket", t.TrackingCode, "reason", why)
			case t.Status == desk.StatusAwaitingCitizen:
				ch.Status = desk.StatusInProgress
				ch.Event.From, ch.Event.Note = string(t.Status), "citizen replied"
			}
			// Leaving awaiting_citizen resumes the SLA clock: the
			// deadlines move by the working days spent waiting. A mail
			// from another address changes no status, so no clock.
			_, err = h.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: ch})
			if desk.ErrorCode(err) == desk.ECONFLICT {
				continue
			}
			if err != nil {
				return false, err
			}
		}
		if err := h.Store.MarkSubmissionProcessed(ctx, sub.ID, t.ID); err != nil {
			return false, err
		}
		if err := h.Queue.EnqueueIndex(ctx, t.ID); err != nil {
			h.Log.Warn("enqueue index failed", "ticket", t.ID, "err", err)
		}
		h.Log.Info("message added to ticket", "code", t.TrackingCode, "channel", sub.Channel)
		return true, nil
	}
	return false, fmt.Errorf("ticket %s kept changing; will retry", sub.ReplyTo)
}

// senderAddress is the address a submission came from, as staff see it on
// the message: the mail's From for email, else the citizen's email or
// phone.
func senderAddress(sub *desk.Submission) string {
	if sub.Citizen.Email != "" {
		return sub.Citizen.Email
	}
	if sub.Mail != nil && sub.Mail.From != "" {
		return strings.ToLower(sub.Mail.From)
	}
	return sub.Citizen.Phone
}

// unverifiedReply says why an emailed reply may not be added as the
// citizen's own message, or "" when it may. Both the From header and the
// SMTP envelope sender must be the citizen's address or one already
// verified on the thread: the header alone is whatever the sender typed.
// Other channels are not checked here: operators file hotline additions,
// and portal replies need the citizen's ownership proof.
func unverifiedReply(t *desk.Ticket, sub *desk.Submission) string {
	if sub.Channel != desk.ChannelEmail {
		return ""
	}
	if !t.VerifiedSender(sub.Citizen.Email) {
		return "from"
	}
	if sub.Mail != nil && sub.Mail.From != "" && !t.VerifiedSender(sub.Mail.From) {
		return "envelope sender"
	}
	return ""
}
