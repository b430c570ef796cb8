// Package desk is the domain vocabulary of civicdesk: tickets, submissions,
// agencies, categories, users and roles, the service interfaces the rest of
// the system is written against, and a small set of error codes.
//
// It imports no infrastructure. Storage, queues, search and the web layer
// live in their own packages and depend on this one, never the reverse.
package desk

import (
	"context"
	"strings"
	"time"
)

// Channel is how a submission reached us.
type Channel string

// The intake channels. Every channel goes through intake.Accept.
const (
	ChannelWeb     Channel = "web"
	ChannelHotline Channel = "hotline"
	ChannelEmail   Channel = "email"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	return c == ChannelWeb || c == ChannelHotline || c == ChannelEmail
}

// SubmissionStatus tracks a submission through the queue.
type SubmissionStatus string

// Submission states. A submission stays "received" until the worker has made
// its ticket; the reconciler re-enqueues those that linger.
const (
	SubmissionReceived  SubmissionStatus = "received"
	SubmissionProcessed SubmissionStatus = "processed"
)

// Status is a ticket's place in its life cycle.
type Status string

// Ticket statuses.
const (
	StatusTriage          Status = "triage"           // no agency yet: the coordinators place it
	StatusNew             Status = "new"              // routed, nobody working it yet
	StatusInProgress      Status = "in_progress"      // claimed by staff
	StatusAwaitingCitizen Status = "awaiting_citizen" // staff asked the citizen for more; the clock pauses
	StatusAnswered        Status = "answered"
	StatusResolved        Status = "resolved"
	StatusClosed          Status = "closed"
	StatusQuarantined     Status = "quarantined" // held as spam, never routed until released
)

// OpenStatuses are the statuses that count toward an inbox backlog.
var OpenStatuses = []Status{StatusTriage, StatusNew, StatusInProgress, StatusAwaitingCitizen}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusTriage, StatusNew, StatusInProgress, StatusAwaitingCitizen,
		StatusAnswered, StatusResolved, StatusClosed, StatusQuarantined:
		return true
	}
	return false
}

// Agency is a ministry or one of its units. Codes are stable identifiers
// used by the API and by routing data; Parent is empty for a ministry.
type Agency struct {
	Code   string   `bson:"_id" json:"code"`
	Name   string   `bson:"name" json:"name"`
	NameEN string   `bson:"name_en,omitempty" json:"name_en,omitempty"`
	Parent string   `bson:"parent,omitempty" json:"parent"`
	Emails []string `bson:"emails,omitempty" json:"emails,omitempty"`
	// Coordinator marks the office that receives what routing cannot place.
	Coordinator bool `bson:"coordinator,omitempty" json:"coordinator,omitempty"`
	// AnswerDays, when set, is the agency's own answer period in working
	// days; it applies where the ticket's category sets none.
	AnswerDays int `bson:"answer_days,omitempty" json:"answer_days,omitempty"`
}

// Category is what a citizen picks on the form. Agency is the default
// agency that handles it; empty means the coordinators triage it.
type Category struct {
	Code       string `bson:"_id" json:"code"`
	Name       string `bson:"name" json:"name"`
	NameEN     string `bson:"name_en,omitempty" json:"name_en,omitempty"`
	Agency     string `bson:"agency,omitempty" json:"agency"`
	AnswerDays int    `bson:"answer_days" json:"answer_days"`
	Order      int    `bson:"order" json:"-"`
}

// Citizen is the personal data a submitter gave. It never leaves the staff
// side: the public tracking view carries none of it.
type Citizen struct {
	Name  string `bson:"name" json:"name"`
	Phone string `bson:"phone,omitempty" json:"phone,omitempty"`
	// PhoneExt is the extension (máy lẻ) written with the phone number,
	// digits only; Phone itself is always a dialable E.164 number.
	PhoneExt string `bson:"phone_ext,omitempty" json:"phone_ext,omitempty"`
	Email    string `bson:"email,omitempty" json:"email,omitempty"`
	// Province is the current (post-2025) province or city the citizen is
	// in; ProvinceWritten is the name as the citizen wrote it when that
	// differs (a former province, an abbreviation, another spelling).
	Province        string `bson:"province,omitempty" json:"province,omitempty"`
	ProvinceWritten string `bson:"province_written,omitempty" json:"province_written,omitempty"`
}

// Submission is what intake.Accept stores before it answers the submitter.
// Its ID is also the ID of the ticket it becomes, which is what makes ticket
// creation idempotent.
type Submission struct {
	ID           string           `bson:"_id"`
	Key          string           `bson:"key"` // channel-scoped idempotency key, unique
	TrackingCode string           `bson:"tracking_code"`
	Channel      Channel          `bson:"channel"`
	Status       SubmissionStatus `bson:"status"`
	Citizen      Citizen          `bson:"citizen"`
	Category     string           `bson:"category"`
	Title        string           `bson:"title"`
	Body         string           `bson:"body"`
	// Agency is set when the channel already knows the agency, such as mail
	// to a ministry's own address; routing then starts from it.
	Agency string `bson:"agency,omitempty"`
	// ReplyTo is the tracking code of an existing ticket this submission
	// adds to (a hotline call about an open case, an email reply). The
	// worker appends it to that ticket as a citizen message instead of
	// opening a new one.
	ReplyTo  string `bson:"reply_to,omitempty"`
	Honeypot string `bson:"honeypot,omitempty"`
	RemoteIP string `bson:"remote_ip,omitempty"`
	// FormAge is how long the portal form was open before it was sent,
	// from its signed render time; 0 when unknown (API, other channels).
	FormAge time.Duration `bson:"form_age,omitempty"`
	// BodyHash identifies the normalised body, to count identical bodies
	// from other senders (spam.go).
	BodyHash   string    `bson:"body_hash,omitempty"`
	ReceivedAt time.Time `bson:"received_at"`
	TicketID   string    `bson:"ticket_id,omitempty"`
	// Raw is the message exactly as an email channel received it; the
	// worker parses it (email.go). It is kept for good: it is the
	// original, and attachments are decoded from it.
	Raw []byte `bson:"raw,omitempty"`
	// Mail is the email envelope, for email submissions.
	Mail *MailEnvelope `bson:"mail,omitempty"`
	// RequestHash identifies exactly what a portal or API client sent with
	// a key of its own choosing, so that a retry is told from a new
	// request that reuses the key.
	RequestHash string `bson:"request_hash,omitempty"`
	// Attachments are filled by the worker from Raw; the ticket or the
	// appended message carries them on.
	Attachments []Attachment `bson:"attachments,omitempty"`
}

// MailEnvelope is how an email submission was delivered to us.
type MailEnvelope struct {
	Source string   `bson:"source"` // "smtp" or "imap:<mailbox>"
	From   string   `bson:"from,omitempty"`
	To     []string `bson:"to,omitempty"`
	// Outcome is what the worker made of the mail when it made no ticket
	// of its own (email.go): "reply", "bounce", "auto".
	Outcome string `bson:"outcome,omitempty"`
}

// Attachment is a file a citizen sent. Its bytes live in the attachments
// collection under ID; the ticket carries only what a listing shows.
type Attachment struct {
	ID          string `bson:"id" json:"id"`
	Filename    string `bson:"filename" json:"filename"`
	ContentType string `bson:"content_type" json:"content_type"`
	Size        int    `bson:"size" json:"size"`
}

// Event is one change to a ticket. Events are stored inside the ticket and
// appended by the same compare-and-set that changes it, so the audit trail
// and the timeline can never disagree.
type Event struct {
	Seq    int64     `bson:"seq" json:"seq"`
	At     time.Time `bson:"at" json:"at"`
	Actor  string    `bson:"actor" json:"actor"` // user id, or "system"
	Type   string    `bson:"type" json:"type"`
	From   string    `bson:"from,omitempty" json:"from,omitempty"`
	To     string    `bson:"to,omitempty" json:"to,omitempty"`
	Note   string    `bson:"note,omitempty" json:"note,omitempty"`
	Public bool      `bson:"public" json:"public"`
}

// MessageKind says who wrote a message and who may read it.
type MessageKind string

// Message kinds.
const (
	MessageCitizen MessageKind = "citizen" // from the citizen, any channel
	MessageReply   MessageKind = "reply"   // staff answer, public
	MessageNote    MessageKind = "note"    // staff-only internal note
)

// Message is one piece of correspondence on a ticket.
type Message struct {
	ID      string      `bson:"id" json:"id"`
	At      time.Time   `bson:"at" json:"at"`
	Kind    MessageKind `bson:"kind" json:"kind"`
	Author  string      `bson:"author" json:"author"` // user id, or "citizen"
	Channel Channel     `bson:"channel,omitempty" json:"channel,omitempty"`
	Body    string      `bson:"body" json:"body"`
	// Attachments came with an email message.
	Attachments []Attachment `bson:"attachments,omitempty" json:"attachments,omitempty"`
	// From is the sender's address as staff should see it: the mail's
	// From address for email, the citizen's contact for the portal and
	// the hotline, the staff member's login for staff messages.
	From string `bson:"from,omitempty" json:"from,omitempty"`
	// Envelope is the SMTP envelope sender of a mail, when it is not the
	// From address: who actually delivered it.
	Envelope string `bson:"envelope,omitempty" json:"envelope,omitempty"`
	// State is empty for an ordinary message. MessageUnverified marks a
	// mail threaded onto the ticket from an address that is not the
	// citizen's: kept for staff, never public, until staff accept it or
	// detach it (MessageDetached, with DetachedTo naming the new ticket).
	State      string `bson:"state,omitempty" json:"state,omitempty"`
	DetachedTo string `bson:"detached_to,omitempty" json:"detached_to,omitempty"`
}

// Message states (Message.State).
const (
	MessageUnverified = "unverified" // from another address: staff only, awaiting a decision
	MessageDetached   = "detached"   // moved into a ticket of its own (DetachedTo)
)

// Public reports whether the citizen and the tracking page may see it.
func (m Message) Public() bool { return m.Kind != MessageNote && m.State == "" }

// Message returns the message with id, or nil.
func (t *Ticket) Message(id string) *Message {
	for i := range t.Messages {
		if t.Messages[i].ID == id {
			return &t.Messages[i]
		}
	}
	return nil
}

// Event types.
const (
	EventReceived = "received"
	EventMessage  = "message"
	EventRouted   = "routed"
	EventTriage   = "triage"
	EventDueSet   = "due_set"
	EventStatus   = "status"
	// EventProvinceUpdated: a ticket's pre-2025 province name was mapped
	// to the current unit (civicdesk provinces migrate).
	EventProvinceUpdated = "province_updated"
)

// Ticket is a citizen's case. Version increments on every change; all
// writes are compare-and-set on it.
type Ticket struct {
	ID           string    `bson:"_id" json:"id"`
	TrackingCode string    `bson:"tracking_code" json:"tracking_code"`
	Version      int64     `bson:"version" json:"version"`
	Status       Status    `bson:"status" json:"status"`
	Channel      Channel   `bson:"channel" json:"channel"`
	Category     string    `bson:"category" json:"category"`
	Agency       string    `bson:"agency,omitempty" json:"agency"`
	AgencyPath   []string  `bson:"agency_path" json:"-"`
	Citizen      Citizen   `bson:"citizen" json:"citizen"`
	Title        string    `bson:"title" json:"title"`
	Body         string    `bson:"body" json:"body"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"updated_at"`
	DueAt        time.Time `bson:"due_at" json:"due_at"`
	// Routing, custody and deadlines (internal/tickets keeps them
	// consistent). DueAt above is the answer deadline; ClockStartedAt is
	// when the current agency's answer clock started (receipt, or the last
	// transfer), while CreatedAt stays the receive time for reporting.
	Priority           Priority  `bson:"priority,omitempty" json:"priority,omitempty"`
	RoutingRule        string    `bson:"routing_rule,omitempty" json:"routing_rule,omitempty"`
	SuggestedAgency    string    `bson:"suggested_agency,omitempty" json:"suggested_agency,omitempty"`
	Hops               []Hop     `bson:"hops,omitempty" json:"hops,omitempty"`
	Custody            []Custody `bson:"custody,omitempty" json:"custody,omitempty"`
	ClockStartedAt     time.Time `bson:"clock_started_at,omitempty" json:"clock_started_at,omitzero"`
	TransferDueAt      time.Time `bson:"transfer_due_at,omitempty" json:"transfer_due_at,omitzero"`
	FirstResponseDueAt time.Time `bson:"first_response_due_at,omitempty" json:"first_response_due_at,omitzero"`
	WarnAt             time.Time `bson:"warn_at,omitempty" json:"warn_at,omitzero"`
	EscalateAt         time.Time `bson:"escalate_at,omitempty" json:"escalate_at,omitzero"`
	PausedAt           time.Time `bson:"paused_at,omitempty" json:"paused_at,omitzero"`
	// SLANextAt is when the SLA level next changes; the sweep looks for
	// open tickets past it. Nil while paused or once fully escalated.
	SLANextAt   *time.Time `bson:"sla_next_at" json:"-"`
	SLALevel    string     `bson:"sla_level,omitempty" json:"sla_level,omitempty"`
	OverdueFlag bool       `bson:"overdue,omitempty" json:"overdue"` // set by the SLA timers and sweep on breach
	Messages    []Message  `bson:"messages,omitempty" json:"messages,omitempty"`
	Events      []Event    `bson:"events,omitempty" json:"events,omitempty"`
	// Tags mark tickets for attention, such as TagSpamSuspect; Spam is the
	// spam check's verdict with its score breakdown (spam.go).
	Tags []string   `bson:"tags,omitempty" json:"tags,omitempty"`
	Spam *SpamCheck `bson:"spam,omitempty" json:"spam,omitempty"`
	// Attachments are the files of the email that opened the ticket.
	Attachments []Attachment `bson:"attachments,omitempty" json:"attachments,omitempty"`

	// --- agency workspace (issue 6) ---
	// Assignee is the user working the ticket ("" = unassigned).
	Assignee string `bson:"assignee,omitempty" json:"assignee,omitempty"`
	// FirstResponseAt is the first public staff reply or information
	// request; AnsweredAt the latest answer; ClosedAt when it was resolved
	// or closed. Reports read them.
	FirstResponseAt time.Time `bson:"first_response_at,omitempty" json:"first_response_at,omitzero"`
	AnsweredAt      time.Time `bson:"answered_at,omitempty" json:"answered_at,omitzero"`
	ClosedAt        time.Time `bson:"closed_at,omitempty" json:"closed_at,omitzero"`
	// Rating is the citizen's verdict on the answer.
	Rating *Rating `bson:"rating,omitempty" json:"rating,omitempty"`
	// Publication is the public Q&A entry made from this ticket.
	Publication *Publication `bson:"publication,omitempty" json:"publication,omitempty"`

	// --- search (issue 7) ---
	// Similar holds the ids of likely duplicates found at intake; Topic the
	// id of the topic the ticket is grouped under.
	Similar []string `bson:"similar,omitempty" json:"similar,omitempty"`
	Topic   string   `bson:"topic,omitempty" json:"topic,omitempty"`

	// --- reports (issue 9) ---
	// Day is CreatedAt's calendar day in Asia/Ho_Chi_Minh, "2006-01-02":
	// FerretDB has no $dateToString, so reports group on a stored key.
	Day string `bson:"day,omitempty" json:"-"`
}

// Rating is a citizen's 1–5 verdict on an answer.
type Rating struct {
	Score   int       `bson:"score" json:"score"`
	Comment string    `bson:"comment,omitempty" json:"comment,omitempty"`
	At      time.Time `bson:"at" json:"at"`
}

// Publication states of a public Q&A entry.
const (
	PublicationProposed  = "proposed"
	PublicationPublished = "published"
	PublicationWithdrawn = "withdrawn"
	PublicationRejected  = "rejected"
)

// Publication is the masked question and answer shown in the public Q&A.
type Publication struct {
	State      string    `bson:"state" json:"state"`
	Question   string    `bson:"question" json:"question"` // masked
	Answer     string    `bson:"answer" json:"answer"`     // masked
	ProposedBy string    `bson:"proposed_by,omitempty" json:"-"`
	ProposedAt time.Time `bson:"proposed_at,omitempty" json:"proposed_at,omitzero"`
	ApprovedBy string    `bson:"approved_by,omitempty" json:"-"`
	ApprovedAt time.Time `bson:"approved_at,omitempty" json:"approved_at,omitzero"`
	// Edited is set when the approver changed the masked text.
	Edited bool `bson:"edited,omitempty" json:"edited,omitempty"`
	// A rejected proposal records who turned it down and why; it may be
	// proposed again.
	RejectedBy   string    `bson:"rejected_by,omitempty" json:"-"`
	RejectedAt   time.Time `bson:"rejected_at,omitempty" json:"rejected_at,omitzero"`
	RejectReason string    `bson:"reject_reason,omitempty" json:"reject_reason,omitempty"`
}

// AuditEntry is one line of the append-only audit log: who did what to
// which record, when, and the state before and after. The store offers no
// way to change or delete one.
type AuditEntry struct {
	ID     string    `bson:"_id" json:"id"`
	At     time.Time `bson:"at" json:"at"`
	Actor  string    `bson:"actor" json:"actor"` // user id, "citizen" or "system"
	Role   string    `bson:"role,omitempty" json:"role,omitempty"`
	Action string    `bson:"action" json:"action"` // e.g. "login", "ticket.reply", "user.role"
	Target string    `bson:"target,omitempty" json:"target,omitempty"`
	IP     string    `bson:"ip,omitempty" json:"ip,omitempty"`
	Before string    `bson:"before,omitempty" json:"before,omitempty"` // JSON
	After  string    `bson:"after,omitempty" json:"after,omitempty"`   // JSON
	Note   string    `bson:"note,omitempty" json:"note,omitempty"`
}

// Email event types (workers/email.go).
const (
	EventMailSent       = "mail_sent"
	EventDeliveryFailed = "delivery_failed"
	EventAutoReply      = "auto_reply_received"
)

// HasMessage reports whether a message with id is already on the ticket;
// appending is idempotent by message id.
func (t *Ticket) HasMessage(id string) bool {
	for _, m := range t.Messages {
		if m.ID == id {
			return true
		}
	}
	return false
}

// VerifiedSender reports whether a mail from addr may be added to the
// ticket as the citizen's own message: addr is the citizen's address, or
// an address whose earlier message on this thread was accepted as the
// citizen's (every email message without a State was either). Tracking
// codes are not secret, so knowing one proves nothing.
func (t *Ticket) VerifiedSender(addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return false
	}
	if strings.EqualFold(strings.TrimSpace(t.Citizen.Email), addr) {
		return true
	}
	for _, m := range t.Messages {
		if m.Kind == MessageCitizen && m.Channel == ChannelEmail && m.State == "" && strings.EqualFold(m.From, addr) {
			return true
		}
	}
	return false
}

// Open reports whether the ticket still waits on someone.
func (t *Ticket) Open() bool {
	for _, s := range OpenStatuses {
		if t.Status == s {
			return true
		}
	}
	return false
}

// Overdue reports whether an open ticket is past its due time.
func (t *Ticket) Overdue(now time.Time) bool {
	return t.Open() && !t.DueAt.IsZero() && now.After(t.DueAt)
}

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleAdmin       Role = "admin"
	RoleCoordinator Role = "coordinator"
	RoleOperator    Role = "operator"
	RoleStaff       Role = "agency_staff"
	RoleLead        Role = "agency_lead"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleCoordinator, RoleOperator, RoleStaff, RoleLead:
		return true
	}
	return false
}

// AgencyBound reports whether users of this role belong to one agency and
// see only its tickets.
func (r Role) AgencyBound() bool { return r == RoleStaff || r == RoleLead }

// User is a staff account. Citizens have no accounts.
type User struct {
	ID           string    `bson:"_id" json:"id"`
	Email        string    `bson:"email" json:"email"`
	Name         string    `bson:"name" json:"name"`
	Role         Role      `bson:"role" json:"role"`
	Agency       string    `bson:"agency,omitempty" json:"agency,omitempty"`
	PasswordHash string    `bson:"password_hash" json:"-"`
	Disabled     bool      `bson:"disabled,omitempty" json:"disabled,omitempty"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
}

// Scope returns the agency codes whose tickets u may see, or nil when u may
// see every ticket. A nil user may see nothing.
func Scope(u *User) []string {
	if u == nil {
		return []string{}
	}
	if u.Role.AgencyBound() {
		return []string{u.Agency}
	}
	return nil
}

// TicketFilter narrows a staff listing.
type TicketFilter struct {
	Statuses []Status
	Agency   string
	Limit    int
	Offset   int
}

// Clock gives the current time; tests inject a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Calendar computes deadlines in working days.
type Calendar interface {
	AddWorkingDays(from time.Time, n int) time.Time
}

// TicketService reads tickets with agency scoping applied for the actor.
type TicketService interface {
	// TicketByCode returns the ticket with that tracking code if actor may
	// see it. ENOTFOUND when it does not exist or is out of scope.
	TicketByCode(ctx context.Context, actor *User, code string) (*Ticket, error)
	// Tickets lists tickets in actor's scope, most urgent due date first.
	Tickets(ctx context.Context, actor *User, f TicketFilter) ([]*Ticket, int, error)
}
