package desk

import "time"

// TagSpamSuspect marks a delivered ticket that the spam check found
// doubtful, so coordinators can look at it; it is never held back for it.
const TagSpamSuspect = "spam-suspect"

// Spam check verdicts, as stored on a ticket.
const (
	SpamClean   = "clean"
	SpamSuspect = "suspect"
	SpamSpam    = "spam"
)

// Review states of a quarantined ticket.
const (
	SpamPending   = "pending"   // waiting for a coordinator
	SpamConfirmed = "confirmed" // a coordinator confirmed it is spam; still kept
	SpamReleased  = "released"  // a coordinator released it; it was routed
)

// Events recording spam decisions. They are internal (not public): a
// citizen's timeline does not say their message was scored.
const (
	EventSpamChecked   = "spam_checked"  // clean or suspect, with the score
	EventQuarantined   = "quarantined"   // held as spam, never routed
	EventReleased      = "spam_released" // a coordinator released it and it was routed
	EventSpamConfirmed = "spam_confirmed"
)

// SpamSignal is one reason the spam check gave points.
type SpamSignal struct {
	Rule   string  `bson:"rule" json:"rule"`
	Weight float64 `bson:"weight" json:"weight"`
	Detail string  `bson:"detail,omitempty" json:"detail,omitempty"`
}

// SpamCheck is the spam check's verdict on a ticket with its full score
// breakdown, kept so that a reviewer sees exactly why it was held, and the
// review that followed for quarantined tickets.
type SpamCheck struct {
	Score        float64      `bson:"score" json:"score"`
	Verdict      string       `bson:"verdict" json:"verdict"`
	Signals      []SpamSignal `bson:"signals,omitempty" json:"signals,omitempty"`
	RulesVersion int          `bson:"rules_version" json:"rules_version"`
	CheckedAt    time.Time    `bson:"checked_at" json:"checked_at"`
	// Review is SpamPending, SpamConfirmed or SpamReleased on quarantined
	// (and released) tickets, empty otherwise.
	Review     string    `bson:"review,omitempty" json:"review,omitempty"`
	ReviewedBy string    `bson:"reviewed_by,omitempty" json:"reviewed_by,omitempty"`
	ReviewedAt time.Time `bson:"reviewed_at,omitempty" json:"reviewed_at,omitzero"`
}

// SenderKeys returns the identities the spam history is kept under for a
// citizen: the normalised phone and the lower-case e-mail, each prefixed
// by its kind. Either may be missing.
func SenderKeys(c Citizen) []string {
	var keys []string
	if c.Phone != "" {
		keys = append(keys, "phone:"+c.Phone)
	}
	if c.Email != "" {
		keys = append(keys, "email:"+c.Email)
	}
	return keys
}
