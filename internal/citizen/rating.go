package citizen

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// Rate records the citizen's 1–5 verdict on the answer, with an optional
// comment of at most MaxComment characters. Only an answered, resolved or
// closed ticket can be rated.
//
// One rating per answer: a second rating of the same answer is ECONFLICT
// ("already rated"). Once staff answer again (after a reopening, say) the
// citizen may rate the new answer, and that rating replaces the stored
// one; the earlier verdicts stay in the events and the audit log. This
// keeps the figure honest (no voting twice on one answer) while letting a
// citizen whose case was reopened judge the new answer.
//
// A rating of 1 or 2 given within ReopenDays days of the answer reopens
// the ticket: status in_progress, ClosedAt cleared, event
// "reopened_by_rating". The deadlines stay as they were, as with a staff
// reopening (internal/workspace): a ticket reopened late is overdue at
// once, which is what the agency should see.
func (s *Service) Rate(ctx context.Context, o *Owner, code string, score int, comment, ip string) (*desk.Ticket, error) {
	if err := owned(o, code); err != nil {
		return nil, err
	}
	code = o.code
	comment = strings.TrimSpace(strings.ToValidUTF8(comment, ""))
	switch {
	case score < 1 || score > 5:
		return nil, s.invalid(code, "rate", "score", "Hãy chọn mức đánh giá từ 1 đến 5 (choose a score from 1 to 5).")
	case utf8.RuneCountInString(comment) > MaxComment:
		return nil, s.invalid(code, "rate", "comment", "Nhận xét quá dài: tối đa 2.000 ký tự (the comment is over 2,000 characters).")
	}
	var before *desk.Ticket
	reopened := false
	out, err := s.retry(ctx, code, func(t *desk.Ticket) (*desk.Ticket, error) {
		before = t
		switch t.Status {
		case desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed:
		default:
			return nil, s.invalid(code, "rate", "score", "Chỉ đánh giá được khi phản ánh đã có câu trả lời (you can rate once the ticket has been answered).")
		}
		if t.Rating != nil && !t.Rating.At.Before(t.AnsweredAt) {
			s.Log.Info("citizen: second rating of the same answer refused", "code", code)
			return nil, ownConflict{desk.Errorf(desk.ECONFLICT, "Bạn đã đánh giá câu trả lời này rồi; có thể đánh giá lại khi cơ quan trả lời lần mới. (You already rated this answer; you can rate again after a new answer.)")}
		}
		now := s.now()
		r := &desk.Rating{Score: score, Comment: comment, At: now}
		ch := store.TicketChange{Set: store.CitizenFields{Rating: r}.Set(),
			Event: desk.Event{Actor: ActorCitizen, Type: EventRated, To: strconv.Itoa(score), Public: true}}
		reopened = score <= 2 && s.ReopenDays > 0 && !t.AnsweredAt.IsZero() &&
			!now.After(t.AnsweredAt.Add(time.Duration(s.ReopenDays)*24*time.Hour))
		if reopened {
			zero := time.Time{}
			ch.Status = desk.StatusInProgress
			ch.Set = append(ch.Set, store.WorkFields{ClosedAt: &zero}.Set()...)
			ch.Event = desk.Event{Actor: ActorCitizen, Type: EventReopenedByRating, From: string(t.Status), To: string(desk.StatusInProgress),
				Note: "rating " + strconv.Itoa(score), Public: true}
		}
		return s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: ch})
	})
	if err != nil {
		return nil, err
	}
	b := map[string]any{"status": before.Status}
	if before.Rating != nil {
		b["rating"] = before.Rating.Score
	}
	s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.rate", Target: code, IP: ip,
		Before: b, After: map[string]any{"status": out.Status, "rating": score, "reopened": reopened}})
	s.Log.Info("citizen: rated", "code", code, "score", score, "reopened", reopened)
	return out, nil
}
