package desk

import "time"

// Outcome is what came of a hotline call, as the operator logs it.
type Outcome string

// Call outcomes. Only new_ticket and added_to_ticket go through the
// intake door; the others are recorded on the call alone.
const (
	OutcomeAnswered    Outcome = "answered_on_call" // an information request answered at once
	OutcomeNewTicket   Outcome = "new_ticket"
	OutcomeAddedTicket Outcome = "added_to_ticket"
	OutcomeTransferred Outcome = "transferred"
	OutcomeDropped     Outcome = "dropped"
)

// Outcomes lists every outcome in the order forms show them.
var Outcomes = []Outcome{OutcomeAnswered, OutcomeNewTicket, OutcomeAddedTicket, OutcomeTransferred, OutcomeDropped}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	for _, x := range Outcomes {
		if o == x {
			return true
		}
	}
	return false
}

// Call is one hotline call. A call is a record of its own: the PBX fills in
// its times through CTI events, the operator fills in what was said, and a
// call that makes or adds to a ticket links that ticket's tracking code.
type Call struct {
	ID string `bson:"_id" json:"-"` // the same as CallID
	// CallID is the PBX's call id for CTI calls, or one made up by the
	// console or the API for calls logged by hand. Unique.
	CallID    string `bson:"call_id" json:"call_id"`
	Phone     string `bson:"phone" json:"phone"` // the citizen's number, E.164 where it parses
	Direction string `bson:"direction" json:"direction"`
	// Line is our side of the call: the number dialled (inbound) or the
	// extension that dialled out.
	Line  string `bson:"line,omitempty" json:"line,omitempty"`
	Queue string `bson:"queue,omitempty" json:"queue,omitempty"`

	StartedAt  time.Time `bson:"started_at" json:"started_at"`
	AnsweredAt time.Time `bson:"answered_at,omitempty" json:"answered_at,omitempty"`
	EndedAt    time.Time `bson:"ended_at,omitempty" json:"ended_at,omitempty"`
	// Day is the Vietnamese calendar day the call started on (2006-01-02),
	// stored because the embedded store cannot format dates in a query.
	Day string `bson:"day" json:"day"`

	// Operator is the user id of whoever answered or logged the call, or
	// "cti:<name>" when the PBX names someone we cannot match to a user.
	Operator        string `bson:"operator,omitempty" json:"operator,omitempty"`
	OperatorName    string `bson:"operator_name,omitempty" json:"operator_name,omitempty"`
	AnsweringNumber string `bson:"answering_number,omitempty" json:"answering_number,omitempty"`
	Cause           string `bson:"cause,omitempty" json:"cause,omitempty"`
	// Missed is set on an inbound call that ended without being answered;
	// such calls make up the call-back list.
	Missed  bool `bson:"missed" json:"missed"`
	Blocked bool `bson:"blocked,omitempty" json:"blocked,omitempty"`
	// CTIEvents are the CTI events already applied, which makes each
	// (call id, event) pair idempotent.
	CTIEvents []string `bson:"cti_events,omitempty" json:"cti_events,omitempty"`

	Outcome    Outcome   `bson:"outcome,omitempty" json:"outcome,omitempty"`
	Answer     string    `bson:"answer,omitempty" json:"answer,omitempty"`
	Summary    string    `bson:"summary,omitempty" json:"summary,omitempty"`
	CallerName string    `bson:"caller_name,omitempty" json:"caller_name,omitempty"`
	Province   string    `bson:"province,omitempty" json:"province,omitempty"`
	Category   string    `bson:"category,omitempty" json:"category,omitempty"`
	TicketCode string    `bson:"ticket_code,omitempty" json:"ticket_code,omitempty"`
	LoggedAt   time.Time `bson:"logged_at,omitempty" json:"logged_at,omitempty"`
	UpdatedAt  time.Time `bson:"updated_at" json:"updated_at"`
}

// Duration is how long the call lasted from answer to hang-up (the
// handling time), or zero when it was never answered or has not ended.
func (c *Call) Duration() time.Duration {
	if c.AnsweredAt.IsZero() || c.EndedAt.IsZero() || c.EndedAt.Before(c.AnsweredAt) {
		return 0
	}
	return c.EndedAt.Sub(c.AnsweredAt)
}

// Call directions.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// BlockedNumber is a number whose calls the PBX is told to reject.
type BlockedNumber struct {
	Phone     string    `bson:"_id" json:"phone"`
	Reason    string    `bson:"reason" json:"reason"`
	ExpiresAt time.Time `bson:"expires_at" json:"expires_at"` // zero: never
	By        string    `bson:"by" json:"by"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// Active reports whether the block still holds at now.
func (b *BlockedNumber) Active(now time.Time) bool {
	return b.ExpiresAt.IsZero() || now.Before(b.ExpiresAt)
}

// CallFilter narrows a call listing.
type CallFilter struct {
	Phone    string
	Operator string
	Day      string
	Outcome  Outcome
	Missed   *bool
	Since    time.Time // started at or after; zero: no bound
	Limit    int
}

// MayHandleCalls reports whether u works the hotline: operators, and the
// coordinators and admins who supervise them. Agency staff do not see call
// records, which carry citizens' numbers across all agencies.
func MayHandleCalls(u *User) bool {
	return u != nil && (u.Role == RoleOperator || u.Role == RoleCoordinator || u.Role == RoleAdmin)
}
