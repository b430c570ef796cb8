package desk

import "time"

// RoutingRule is one admin-editable routing rule. Rules are tried in Order
// and the first whose every set condition holds decides the agency; an
// unset condition matches anything. A rule needs at least one condition.
type RoutingRule struct {
	ID      string `bson:"_id" json:"id"`
	Order   int    `bson:"order" json:"order"`
	Name    string `bson:"name" json:"name"`
	Enabled bool   `bson:"enabled" json:"enabled"`
	// Conditions.
	Category string   `bson:"category,omitempty" json:"category,omitempty"`
	Keywords []string `bson:"keywords,omitempty" json:"keywords,omitempty"` // any one, in title or body, diacritics ignored
	Province string   `bson:"province,omitempty" json:"province,omitempty"`
	Channel  Channel  `bson:"channel,omitempty" json:"channel,omitempty"`
	// Action: the ticket goes to Unit when set (a unit of Agency), else to
	// Agency, with Priority.
	Agency    string    `bson:"agency" json:"agency"`
	Unit      string    `bson:"unit,omitempty" json:"unit,omitempty"`
	Priority  Priority  `bson:"priority,omitempty" json:"priority,omitempty"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at"`
	UpdatedBy string    `bson:"updated_by,omitempty" json:"updated_by,omitempty"`
}

// Priority orders work inside an inbox.
type Priority string

// Priorities. The empty priority is normal.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Valid reports whether p is a known priority or empty.
func (p Priority) Valid() bool {
	switch p {
	case "", PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Hop kinds: how a ticket moved from one agency to another.
const (
	HopRouted      = "routed"      // by routing at intake, or by a coordinator from triage
	HopReturned    = "returned"    // an agency gave it back as not its competence
	HopTransferred = "transferred" // an agency or coordinator sent it on directly
)

// Hop is one move of a ticket between agencies: from, to, who, why, when.
// Actor is a user id and never leaves the staff side.
type Hop struct {
	Kind      string    `bson:"kind" json:"kind"`
	From      string    `bson:"from,omitempty" json:"from,omitempty"`
	To        string    `bson:"to" json:"to"`
	Actor     string    `bson:"actor" json:"actor"`
	Reason    string    `bson:"reason,omitempty" json:"reason,omitempty"`
	Suggested string    `bson:"suggested,omitempty" json:"suggested,omitempty"` // a return's suggested agency
	At        time.Time `bson:"at" json:"at"`
}

// Custody is one stretch of time during which one agency held the ticket.
// Until is zero for the agency that holds it now.
type Custody struct {
	Agency string    `bson:"agency" json:"agency"`
	Since  time.Time `bson:"since" json:"since"`
	Until  time.Time `bson:"until,omitempty" json:"until,omitzero"`
}

// Held returns how long the agency held (or has held so far) the ticket.
func (c Custody) Held(now time.Time) time.Duration {
	end := c.Until
	if end.IsZero() {
		end = now
	}
	if end.Before(c.Since) {
		return 0
	}
	return end.Sub(c.Since)
}

// SLA levels as stored on a ticket (see package sla).
const (
	LevelOK        = "ok"
	LevelWarn      = "warn"
	LevelBreach    = "breach"
	LevelEscalated = "escalated"
)

// Event types of routing, transfer and deadlines.
const (
	EventReturned      = "returned"
	EventTransferred   = "transferred"
	EventClockPaused   = "clock_paused"
	EventClockResumed  = "clock_resumed"
	EventSLAWarn       = "sla_warn"
	EventSLABreach     = "sla_breach"
	EventSLAEscalated  = "sla_escalated"
	EventDeadlineReset = "deadline_reset"
)
