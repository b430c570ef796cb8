package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hibiken/asynq"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/email/imapfetch"
	"github.com/civicdesk/civicdesk/internal/email/mailout"
	"github.com/civicdesk/civicdesk/internal/email/parse"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// TypeNotifyEmail sends one mail to a ticket's citizen.
const TypeNotifyEmail = "notify:email"

// Mail kinds.
const (
	MailAck    = "ack"    // the acknowledgement with the tracking code
	MailAnswer = "answer" // a staff answer (a reply message on the ticket)
	// MailAccess is a one-time sign-in link for the citizen (issue 6,
	// internal/citizen); Ref is the nonce the link's token derives from.
	MailAccess = mailout.KindAccess
)

// EmailDeps is what the email steps of the workers need.
type EmailDeps struct {
	Sender *mailout.Sender // nil or !Enabled: nothing is sent
	// Limiter and AutoReply bound acknowledgements per recipient address,
	// so a mail loop that gets past the header checks still dies out.
	Limiter   *ratelimit.Limiter
	AutoReply ratelimit.Rule
	Limits    parse.Limits
	// Fetcher and Mailboxes run the IMAP fetches (email_imap.go).
	Fetcher   *imapfetch.Fetcher
	Mailboxes []imapfetch.Mailbox
}

// MailPayload names the mail to send: its ticket, its kind and, for
// answers, the staff message.
type MailPayload struct {
	TicketID string `json:"ticket_id"`
	Kind     string `json:"kind"`
	Ref      string `json:"ref,omitempty"`
}

// MailTaskID is the task id of a mail; one mail per (ticket, kind, ref),
// kept for a day after it is sent so a repeated enqueue sends nothing.
func MailTaskID(ticketID, kind, ref string) string {
	return "mail:" + kind + ":" + ticketID + ":" + ref
}

// NewMailTask builds a notify:email task.
func NewMailTask(ticketID, kind, ref string) (*asynq.Task, error) {
	b, err := json.Marshal(MailPayload{TicketID: ticketID, Kind: kind, Ref: ref})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeNotifyEmail, b, asynq.TaskID(MailTaskID(ticketID, kind, ref)),
		asynq.Queue(QueueDefault), asynq.MaxRetry(12), asynq.Timeout(2*time.Minute),
		asynq.Retention(24*time.Hour)), nil
}

// EnqueueMail queues one mail; a mail already queued or sent in the last
// day is not queued again.
func (q *Queue) EnqueueMail(ctx context.Context, ticketID, kind, ref string) error {
	t, err := NewMailTask(ticketID, kind, ref)
	if err != nil {
		return err
	}
	_, err = q.Client.EnqueueContext(ctx, t)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}

// EnqueueAnswerMail sends the staff answer messageID (a desk.MessageReply
// on the ticket) to the citizen by email, if the ticket has an email
// address. The workspace calls it after storing the answer.
func (q *Queue) EnqueueAnswerMail(ctx context.Context, ticketID, messageID string) error {
	return q.EnqueueMail(ctx, ticketID, MailAnswer, messageID)
}

// MailHandler sends notify:email tasks.
type MailHandler struct {
	Store  *store.Store
	Sender *mailout.Sender
	Clock  desk.Clock
	Log    *slog.Logger
	// Tickets records the mail_sent event (the one write path for tickets).
	Tickets *tickets.Service
}

// ProcessTask handles notify:email. Our Message-ID is recorded before the
// mail leaves, so a reply that comes back at once finds its ticket.
func (h *MailHandler) ProcessTask(ctx context.Context, task *asynq.Task) error {
	var p MailPayload
	if err := decode(task, &p); err != nil {
		return err
	}
	t, err := h.Store.TicketByID(ctx, p.TicketID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return fmt.Errorf("ticket %s: %w", p.TicketID, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if t.Status == desk.StatusQuarantined || t.Citizen.Email == "" {
		return nil // held as spam (nothing goes to a spammer), or nobody to write to
	}
	if !h.Sender.Enabled() {
		h.Log.Info("mail not sent: no SMTP relay configured", "ticket", t.TrackingCode, "kind", p.Kind)
		return nil
	}
	m := mailout.Mail{To: t.Citizen.Email, ToName: t.Citizen.Name, MessageID: h.Sender.MessageID(t.ID, p.Kind, p.Ref)}
	switch p.Kind {
	case MailAck:
		// Fixed text and no display name: the address is unverified.
		m.Subject, m.Text, m.HTML = h.Sender.Ack(t.TrackingCode)
		m.ToName = ""
		m.Auto = true
	case MailAnswer:
		var body string
		for _, msg := range t.Messages {
			if msg.ID == p.Ref && msg.Kind == desk.MessageReply {
				body = msg.Body
			}
		}
		if body == "" {
			return fmt.Errorf("ticket %s has no answer %q: %w", t.TrackingCode, p.Ref, asynq.SkipRetry)
		}
		m.Subject, m.Text, m.HTML = h.Sender.Answer(t.TrackingCode, t.Title, body)
		// The citizen's mail program threads the answer under the
		// acknowledgement.
		ack := h.Sender.MessageID(t.ID, MailAck, "")
		m.InReplyTo, m.References = ack, []string{ack}
	case MailAccess: // issue 6: the token is derived here, never stored or queued
		m.Subject, m.Text, m.HTML = h.Sender.AccessLink(t.TrackingCode, h.Sender.LinkToken(t.ID, p.Ref), int(mailout.LinkTTL/time.Hour))
		m.Auto = true
	default:
		return fmt.Errorf("unknown mail kind %q: %w", p.Kind, asynq.SkipRetry)
	}
	now := h.Clock.Now().UTC()
	m.Date = now
	if err := h.Store.RecordMailID(ctx, store.MailID{ID: m.MessageID, TicketID: t.ID, TrackingCode: t.TrackingCode, Dir: store.MailOut, Kind: p.Kind, At: now}); err != nil {
		return err
	}
	if err := h.Sender.Send(ctx, m); err != nil {
		return fmt.Errorf("send %s for %s: %w", p.Kind, t.TrackingCode, err)
	}
	// The event is the audit record; the mail is out either way, so a
	// failure here is logged, not retried (a retry would send it again).
	ev := desk.Event{Actor: "system", Type: desk.EventMailSent, To: p.Kind, Note: m.MessageID}
	if err := appendEvent(ctx, h.Tickets, t, ev); err != nil {
		h.Log.Warn("mail sent but its event was not recorded", "ticket", t.TrackingCode, "kind", p.Kind, "err", err)
	}
	h.Log.Info("mail sent", "ticket", t.TrackingCode, "kind", p.Kind, "message_id", m.MessageID)
	return nil
}

// appendEvent adds an event to t through the tickets service's one write
// path, re-reading the ticket when someone else changed it meanwhile.
func appendEvent(ctx context.Context, tk *tickets.Service, t *desk.Ticket, ev desk.Event) error {
	for attempt := 0; attempt < 10; attempt++ {
		_, err := tk.Change(ctx, t, t.Version, tickets.Change{TicketChange: store.TicketChange{Event: ev}})
		if desk.ErrorCode(err) != desk.ECONFLICT {
			return err
		}
		if t, err = tk.Store.TicketByID(ctx, t.ID); err != nil {
			return err
		}
	}
	return fmt.Errorf("ticket %s kept changing", t.TrackingCode)
}

// inboundMail is what the intake step learnt from an email submission.
type inboundMail struct {
	msg *parse.Message // nil when the raw could not be read at all
}

// prepareEmail parses an email submission's raw message and fills the
// submission in memory: title, body, citizen, attachments (stored now),
// and ReplyTo when the mail belongs to an existing ticket. Bounces and
// auto-replies on known threads are recorded on their ticket and end the
// step (done). Everything derives from the raw, so a re-run does the same.
func (h *IntakeHandler) prepareEmail(ctx context.Context, sub *desk.Submission) (*inboundMail, bool, error) {
	lim := parse.DefaultLimits()
	if h.Email != nil {
		lim = h.Email.Limits
	}
	msg, err := parse.Parse(sub.Raw, lim)
	if err != nil {
		// Nothing readable: still a ticket, with the raw kept on the
		// submission, so the coordinators see that mail came.
		h.Log.Warn("email could not be parsed; ticket opened with the raw message", "submission", sub.ID, "err", err, "bytes", len(sub.Raw))
		sub.Title = "(Thư không đọc được — unreadable email)"
		sub.Body = "(Thư gốc được lưu kèm — the raw message is kept)"
		if sub.Mail != nil && sub.Mail.From != "" {
			sub.Citizen.Email = sub.Mail.From
		}
		return &inboundMail{}, false, nil
	}
	if len(msg.Warnings) > 0 {
		h.Log.Info("email parsed with repairs", "submission", sub.ID, "warnings", len(msg.Warnings), "first", msg.Warnings[0])
	}
	in := &inboundMail{msg: msg}

	if msg.Bounce != nil {
		return in, true, h.recordOnThread(ctx, sub, msg, "bounce", desk.EventDeliveryFailed, bounceNote(msg.Bounce),
			append([]string{msg.Bounce.OriginalMessageID}, threadIDs(msg)...))
	}

	sub.Citizen.Name = clipRunes(intake.StripInvisible(msg.From.Name), intake.MaxName)
	sub.Citizen.Email = strings.ToLower(msg.From.Email)
	if sub.Citizen.Email == "" && sub.Mail != nil {
		sub.Citizen.Email = sub.Mail.From
	}
	if len(sub.Citizen.Email) > intake.MaxEmail {
		sub.Citizen.Email = ""
	}

	// Threading: our tag in the subject, else a Message-ID we know.
	code := ""
	for _, c := range msg.TrackingCodes {
		if n, ok := desk.NormalizeTrackingCode(c); ok {
			code = n
			break
		}
	}
	if code == "" {
		if m, err := h.Store.FindMailID(ctx, threadIDs(msg)); err == nil {
			code = m.TrackingCode
		} else if desk.ErrorCode(err) != desk.ENOTFOUND {
			return nil, false, err
		}
	}
	if code != "" && msg.Auto.Auto {
		// An out-of-office answer to our mail is not the citizen's reply:
		// noted on the ticket, which keeps waiting on them.
		return in, true, h.recordOnThread(ctx, sub, msg, "auto", desk.EventAutoReply, msg.Auto.Reason, threadIDs(msg), code)
	}

	if err := h.storeAttachments(ctx, sub, msg); err != nil {
		return nil, false, err
	}
	if code != "" {
		sub.ReplyTo = code
		sub.Title = ""
		sub.Body = clipRunes(firstNonEmpty(msg.Reply, msg.Text, attachmentsOnly(sub)), intake.MaxBody)
		return in, false, nil
	}
	in.asNewTicket(sub)
	return in, false, nil
}

// asNewTicket fills sub from the whole mail when it named a ticket that
// does not exist and becomes a ticket of its own. Safe on a nil receiver
// (not an email).
func (m *inboundMail) asNewTicket(sub *desk.Submission) {
	if m == nil || m.msg == nil {
		return
	}
	sub.Title = clipRunes(firstNonEmpty(strings.TrimSpace(intake.StripInvisible(m.msg.Subject)), "(Không có tiêu đề — no subject)"), intake.MaxTitle)
	sub.Body = clipRunes(firstNonEmpty(m.msg.Text, attachmentsOnly(sub), "(Thư không có nội dung — empty message)"), intake.MaxBody)
}

// recordOnThread notes a bounce or an auto-reply on the ticket it belongs
// to (found by tracking code or by Message-ID) and marks the submission
// handled. Neither opens a ticket, and neither is acknowledged.
func (h *IntakeHandler) recordOnThread(ctx context.Context, sub *desk.Submission, msg *parse.Message, outcome, evType, note string, ids []string, code ...string) error {
	var t *desk.Ticket
	var err error
	system := &desk.User{ID: "system", Role: desk.RoleAdmin}
	if len(code) > 0 && code[0] != "" {
		t, err = h.Store.TicketByCode(ctx, system, code[0])
	} else if m, ferr := h.Store.FindMailID(ctx, ids); ferr == nil {
		t, err = h.Store.TicketByID(ctx, m.TicketID)
	} else {
		err = ferr
	}
	switch {
	case desk.ErrorCode(err) == desk.ENOTFOUND:
		h.Log.Info("email not about any ticket; kept, no ticket opened", "submission", sub.ID, "outcome", outcome, "from", msg.From.Email)
		return h.Store.MarkMailOutcome(ctx, sub.ID, "", outcome)
	case err != nil:
		return err
	}
	already := false
	for _, ev := range t.Events {
		if ev.Type == evType && strings.HasSuffix(ev.Note, "["+sub.ID+"]") {
			already = true // a re-run after the event was written
		}
	}
	if !already {
		ev := desk.Event{Actor: "system", Type: evType, Note: clipRunes(note, 400) + " [" + sub.ID + "]"}
		if err := appendEvent(ctx, h.Tickets, t, ev); err != nil {
			return err
		}
	}
	h.Log.Info("email recorded on its ticket", "code", t.TrackingCode, "outcome", outcome, "submission", sub.ID)
	return h.Store.MarkMailOutcome(ctx, sub.ID, t.ID, outcome)
}

func bounceNote(b *parse.Bounce) string {
	parts := []string{}
	if len(b.Recipients) > 0 {
		parts = append(parts, strings.Join(b.Recipients, ", "))
	}
	for _, s := range []string{b.Action, b.Status, b.Diagnostic} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

// storeAttachments stores the kept files and lists them on sub. Ids are
// the submission id and the file's position, so a re-run overwrites
// nothing and duplicates nothing.
func (h *IntakeHandler) storeAttachments(ctx context.Context, sub *desk.Submission, msg *parse.Message) error {
	sub.Attachments = nil
	for i, a := range msg.Attachments {
		id := sub.ID + "-" + strconv.Itoa(i+1)
		if err := h.Store.PutAttachment(ctx, &store.AttachmentBlob{ID: id, SubmissionID: sub.ID, Filename: a.Filename,
			ContentType: a.ContentType, Size: a.Size, Data: a.Data, At: sub.ReceivedAt}); err != nil {
			return err
		}
		sub.Attachments = append(sub.Attachments, desk.Attachment{ID: id, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size})
	}
	if len(msg.Dropped) > 0 {
		h.Log.Info("email attachments over the limits were not kept", "submission", sub.ID, "dropped", len(msg.Dropped), "first", msg.Dropped[0])
	}
	return nil
}

// mailThreaded runs after an email reply was appended to its ticket.
func (h *IntakeHandler) mailThreaded(ctx context.Context, mail *inboundMail, sub *desk.Submission) {
	if mail == nil || mail.msg == nil {
		return
	}
	system := &desk.User{ID: "system", Role: desk.RoleAdmin}
	if t, err := h.Store.TicketByCode(ctx, system, sub.ReplyTo); err == nil {
		h.recordCitizenID(ctx, mail.msg, t.ID, t.TrackingCode)
	}
}

// mailCreated runs after a ticket was made from sub: it remembers the
// citizen's Message-ID for threading and acknowledges by email.
func (h *IntakeHandler) mailCreated(ctx context.Context, mail *inboundMail, sub *desk.Submission, t *desk.Ticket, created bool) {
	if mail != nil && mail.msg != nil {
		h.recordCitizenID(ctx, mail.msg, t.ID, t.TrackingCode)
	}
	if !created || h.Email == nil || !h.Email.Sender.Enabled() {
		return
	}
	if why := noAck(mail, sub, t, h.Email.Sender); why != "" {
		h.Log.Info("no acknowledgement", "code", t.TrackingCode, "why", why)
		return
	}
	if h.Email.Limiter != nil && h.Email.AutoReply.Limit > 0 {
		d, err := h.Email.Limiter.Allow(ctx, h.Email.AutoReply, ratelimit.KeyFor(t.Citizen.Email))
		if err != nil || !d.Allowed {
			h.Log.Warn("no acknowledgement: auto-reply limit for this address", "code", t.TrackingCode, "err", err)
			return
		}
	}
	if err := h.Queue.EnqueueMail(ctx, t.ID, MailAck, ""); err != nil {
		h.Log.Warn("enqueue acknowledgement failed", "code", t.TrackingCode, "err", err)
	}
}

// noAck says why a new ticket gets no acknowledgement, or "".
func noAck(mail *inboundMail, sub *desk.Submission, t *desk.Ticket, sender *mailout.Sender) string {
	switch {
	case t.Status == desk.StatusQuarantined:
		return "quarantined"
	case t.Citizen.Email == "":
		return "no email address"
	case t.Channel != desk.ChannelEmail && t.Channel != desk.ChannelWeb:
		return "channel " + string(t.Channel)
	case strings.EqualFold(t.Citizen.Email, sender.FromAddress()):
		return "our own address"
	}
	if t.Channel != desk.ChannelEmail {
		return ""
	}
	if mail == nil || mail.msg == nil {
		return "unreadable mail"
	}
	if mail.msg.Auto.Auto {
		return "automatic mail: " + mail.msg.Auto.Reason
	}
	if sub.Mail != nil && sub.Mail.Source == "smtp" && sub.Mail.From == "" {
		return "null envelope sender"
	}
	return ""
}

func (h *IntakeHandler) recordCitizenID(ctx context.Context, msg *parse.Message, ticketID, code string) {
	if msg.MessageID == "" {
		return
	}
	err := h.Store.RecordMailID(ctx, store.MailID{ID: msg.MessageID, TicketID: ticketID, TrackingCode: code, Dir: store.MailIn, At: h.Clock.Now().UTC()})
	if err != nil {
		h.Log.Warn("could not record the citizen's message-id", "code", code, "err", err)
	}
}

// threadIDs are the Message-IDs a reply names, nearest first.
func threadIDs(msg *parse.Message) []string {
	ids := []string{}
	if msg.InReplyTo != "" {
		ids = append(ids, msg.InReplyTo)
	}
	for i := len(msg.References) - 1; i >= 0 && len(ids) < 50; i-- {
		ids = append(ids, msg.References[i])
	}
	return ids
}

func attachmentsOnly(sub *desk.Submission) string {
	if len(sub.Attachments) == 0 {
		return ""
	}
	names := make([]string, len(sub.Attachments))
	for i, a := range sub.Attachments {
		names[i] = a.Filename
	}
	return "(Thư chỉ có tệp đính kèm — attachments only: " + strings.Join(names, ", ") + ")"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
