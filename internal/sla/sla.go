// Package sla is the deadline arithmetic of a citizen-feedback ticket:
// when it must be transferred, first answered and finally answered, how
// pauses and transfers move those deadlines, and how late a ticket is.
//
// Everything here is pure: no clock, no storage, no I/O. Deadlines are
// counted in working days of a calendar.Calendar and always fall at
// 23:59:59 (Asia/Ho_Chi_Minh) of a working day; the day of receipt never
// counts, as in Vietnamese administrative practice a period starts on the
// day after the event.
package sla

import (
	"fmt"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
)

// Policy is the set of periods, in working days, an agency commits to.
type Policy struct {
	// TransferDays is the time to forward a ticket the agency is not
	// competent for to the agency that is.
	TransferDays int
	// FirstResponseDays is the time to acknowledge the ticket to the
	// citizen (accepted, transferred, or more information needed).
	FirstResponseDays int
	// AnswerDays is the time to answer the substance of the ticket.
	AnswerDays int
	// WarnBeforeDays is how many working days before the answer deadline
	// the ticket is flagged, giving the handler time to act.
	WarnBeforeDays int
}

// DefaultPolicy returns 5 working days to transfer, 3 to acknowledge, 10 to
// answer and a warning 1 working day before the answer is due. They are
// starting values only: each agency confirms its own against the
// regulations that govern it.
func DefaultPolicy() Policy {
	return Policy{TransferDays: 5, FirstResponseDays: 3, AnswerDays: 10, WarnBeforeDays: 1}
}

// Validate reports a policy that would produce meaningless deadlines: a
// period below one working day, or a warning that does not fall strictly
// after receipt.
func (p Policy) Validate() error {
	switch {
	case p.TransferDays < 1, p.FirstResponseDays < 1, p.AnswerDays < 1:
		return fmt.Errorf("sla: periods must be at least 1 working day: %+v", p)
	case p.WarnBeforeDays < 0 || p.WarnBeforeDays >= p.AnswerDays:
		return fmt.Errorf("sla: WarnBeforeDays must be in 0..AnswerDays-1: %+v", p)
	}
	return nil
}

// Deadlines are the instants at which a ticket's clocks run out. Each is
// 23:59:59 in Asia/Ho_Chi_Minh of a working day; a ticket is late once the
// current time is after the deadline.
type Deadlines struct {
	// Transfer is when a misdirected ticket must have been forwarded.
	Transfer time.Time
	// FirstResponse is when the citizen must have been acknowledged.
	FirstResponse time.Time
	// Answer is when the substantive answer is due.
	Answer time.Time
	// Warn is the end of the working day WarnBeforeDays working days
	// before Answer; after it the ticket is at LevelWarn. It equals Answer
	// when WarnBeforeDays is 0.
	Warn time.Time
}

// Compute returns the deadlines of a ticket received at the given instant.
// Periods count from the first working day after the date of receipt, so a
// ticket received on Friday evening or on a Sunday both start on Monday.
// The policy is assumed valid (see Policy.Validate).
func Compute(cal *calendar.Calendar, p Policy, received time.Time) Deadlines {
	answer := cal.AddWorkingDays(received, p.AnswerDays)
	return Deadlines{
		Transfer:      cal.AddWorkingDays(received, p.TransferDays),
		FirstResponse: cal.AddWorkingDays(received, p.FirstResponseDays),
		Answer:        answer,
		Warn:          cal.AddWorkingDays(answer, -p.WarnBeforeDays),
	}
}

// Restart returns the deadlines at the agency a ticket was transferred to.
// The receiving agency gets the full periods again, counted from the
// transfer; it is Compute with the transfer as the receipt, named for what
// the call site means.
func Restart(cal *calendar.Calendar, p Policy, transferredAt time.Time) Deadlines {
	return Compute(cal, p, transferredAt)
}

// Resume returns due moved later by the working days the ticket spent
// paused (for example awaiting the citizen): the working days d with
// date(pausedAt) < d <= date(resumedAt), as calendar.WorkingDaysBetween
// counts them. A pause that starts and ends on the same day, or spans only
// days off, moves nothing. A zero due stays zero.
func Resume(cal *calendar.Calendar, due, pausedAt, resumedAt time.Time) time.Time {
	n := cal.WorkingDaysBetween(pausedAt, resumedAt)
	if n == 0 || due.IsZero() {
		return due
	}
	return cal.AddWorkingDays(due, n)
}

// ResumeAll applies Resume to every deadline, so that the warning keeps its
// distance to the answer deadline.
func ResumeAll(cal *calendar.Calendar, d Deadlines, pausedAt, resumedAt time.Time) Deadlines {
	return Deadlines{
		Transfer:      Resume(cal, d.Transfer, pausedAt, resumedAt),
		FirstResponse: Resume(cal, d.FirstResponse, pausedAt, resumedAt),
		Answer:        Resume(cal, d.Answer, pausedAt, resumedAt),
		Warn:          Resume(cal, d.Warn, pausedAt, resumedAt),
	}
}

// Level is how overdue a ticket's answer is.
type Level int

const (
	// LevelOK: the answer is not yet close to due.
	LevelOK Level = iota
	// LevelWarn: past Deadlines.Warn, the answer is due soon.
	LevelWarn
	// LevelBreach: past Deadlines.Answer; escalated to the agency lead.
	LevelBreach
	// LevelEscalated: still unanswered escalateAfterDays working days
	// after the breach; escalated to the coordinating body.
	LevelEscalated
)

// String returns the level's name as stored and logged.
func (l Level) String() string {
	switch l {
	case LevelOK:
		return "ok"
	case LevelWarn:
		return "warn"
	case LevelBreach:
		return "breach"
	case LevelEscalated:
		return "escalated"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// EscalateAt returns the instant after which an unanswered ticket is at
// LevelEscalated: the end of the escalateAfterDays-th working day after the
// answer deadline's date. With escalateAfterDays <= 0 it is the answer
// deadline itself, so a breach escalates at once.
func EscalateAt(cal *calendar.Calendar, d Deadlines, escalateAfterDays int) time.Time {
	if escalateAfterDays <= 0 {
		return d.Answer
	}
	return cal.AddWorkingDays(d.Answer, escalateAfterDays)
}

// LevelAt returns the level of an unanswered ticket at time now. Each
// deadline belongs to the level before it: at exactly Deadlines.Answer the
// ticket is still LevelWarn, one instant later LevelBreach. Deadlines
// without an answer deadline (zero) are LevelOK, and a zero Warn means no
// warning level.
func LevelAt(cal *calendar.Calendar, now time.Time, d Deadlines, escalateAfterDays int) Level {
	switch {
	case d.Answer.IsZero():
		return LevelOK
	case now.After(EscalateAt(cal, d, escalateAfterDays)):
		return LevelEscalated
	case now.After(d.Answer):
		return LevelBreach
	case !d.Warn.IsZero() && now.After(d.Warn):
		return LevelWarn
	}
	return LevelOK
}
