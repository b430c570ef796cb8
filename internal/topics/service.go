// Package topics groups tickets about the same matter under one topic so
// that staff answer them once (issue 7): the hundred letters about one late
// relief payment get one answer, sent to each of them as its own reply.
//
// A topic belongs to one agency. Every read checks the actor's scope: a
// topic or ticket outside it answers ENOTFOUND, exactly like one that does
// not exist. Answering a topic replies to each of its open tickets one by
// one, each as its own compare-and-set; a ticket someone changed at the same
// moment is re-read and retried, and a failure on one ticket does not stop
// the others (the result says which were answered, skipped or failed).
package topics

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// ReplyFunc answers one ticket with a public reply at version; it is the
// workspace service's Reply when that is wired.
type ReplyFunc func(ctx context.Context, actor *desk.User, code string, version int64, body string) (*desk.Ticket, error)

// Service manages topics.
type Service struct {
	Store   *store.Store
	Tickets *tickets.Service
	// Reply answers one ticket; nil uses the built-in answer
	// (store.AnswerChange through tickets.Service.Apply).
	Reply ReplyFunc
	Clock desk.Clock
	Log   *slog.Logger
	Audit *audit.Recorder
}

// Limits.
const (
	MaxTitleRunes  = 200
	MaxBodyRunes   = 10_000
	MaxCodesPerReq = 200
	MaxTickets     = 2000
)

// Answered is what answering a topic did to each of its tickets.
type Answered struct {
	Answered []string          `json:"answered"` // tracking codes
	Skipped  []string          `json:"skipped"`  // already answered, resolved or closed
	Failed   map[string]string `json:"failed"`   // code -> reason
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

// mayUse: operators take calls, they do not answer tickets.
func mayUse(actor *desk.User) error {
	if actor == nil {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (sign in first).")
	}
	if actor.Role == desk.RoleOperator {
		return desk.Errorf(desk.EFORBIDDEN, "Vai trò của bạn không được gộp phiếu theo chủ đề (your role cannot manage topics).")
	}
	return nil
}

func invalid(field, msg string) error {
	return &desk.Error{Code: desk.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// visible reports whether actor may see topic t.
func visible(actor *desk.User, t *desk.Topic) bool {
	scope := desk.Scope(actor)
	return scope == nil || (t.Agency != "" && slices.Contains(scope, t.Agency))
}

// Get returns a topic and its tickets (listing projection) if actor may
// see it.
func (s *Service) Get(ctx context.Context, actor *desk.User, id string) (*desk.Topic, []*desk.Ticket, error) {
	if err := mayUse(actor); err != nil {
		return nil, nil, err
	}
	t, err := s.Store.Topic(ctx, id)
	if err != nil || !visible(actor, t) {
		return nil, nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy chủ đề (topic not found).")
	}
	got, err := s.Store.TicketsByIDs(ctx, t.Tickets)
	if err != nil {
		return nil, nil, err
	}
	var out []*desk.Ticket
	for _, tid := range t.Tickets {
		if tk := got[tid]; tk != nil && store.Visible(actor, tk) {
			out = append(out, tk)
		}
	}
	return t, out, nil
}

// Create makes a topic with a title and the tickets named by codes. Its
// agency is the actor's, or for coordinators the first ticket's.
func (s *Service) Create(ctx context.Context, actor *desk.User, title string, codes []string) (*desk.Topic, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > MaxTitleRunes {
		return nil, invalid("title", fmt.Sprintf("Tên chủ đề bắt buộc, tối đa %d ký tự (a title of at most %d characters is required).", MaxTitleRunes, MaxTitleRunes))
	}
	ts, err := s.resolve(ctx, actor, codes)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, invalid("codes", "Chọn ít nhất một phiếu (name at least one ticket).")
	}
	agency := ts[0].Agency
	if actor.Role.AgencyBound() {
		agency = actor.Agency
	}
	topic := &desk.Topic{ID: store.NewID(), Title: title, Agency: agency, CreatedBy: actor.ID, CreatedAt: s.now(), Tickets: []string{}}
	if err := s.checkAgency(topic, ts); err != nil {
		return nil, err
	}
	if err := s.Store.InsertTopic(ctx, topic); err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "topic.create", Target: topic.ID, After: map[string]any{"title": title, "agency": agency}})
	return s.add(ctx, actor, topic, ts)
}

// Add files the tickets named by codes under topic id.
func (s *Service) Add(ctx context.Context, actor *desk.User, id string, codes []string) (*desk.Topic, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	topic, err := s.Store.Topic(ctx, id)
	if err != nil || !visible(actor, topic) {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy chủ đề (topic not found).")
	}
	ts, err := s.resolve(ctx, actor, codes)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, invalid("codes", "Chọn ít nhất một phiếu (name at least one ticket).")
	}
	if err := s.checkAgency(topic, ts); err != nil {
		return nil, err
	}
	return s.add(ctx, actor, topic, ts)
}

// resolve reads the tickets named by codes in actor's scope; an unknown or
// out-of-scope code fails the whole request with ENOTFOUND.
func (s *Service) resolve(ctx context.Context, actor *desk.User, codes []string) ([]*desk.Ticket, error) {
	if len(codes) > MaxCodesPerReq {
		return nil, invalid("codes", fmt.Sprintf("Tối đa %d phiếu mỗi lần (at most %d tickets at a time).", MaxCodesPerReq, MaxCodesPerReq))
	}
	var out []*desk.Ticket
	seen := map[string]bool{}
	for _, raw := range codes {
		code, ok := desk.NormalizeTrackingCode(raw)
		if !ok {
			return nil, invalid("codes", fmt.Sprintf("Mã phiếu không hợp lệ: %q (invalid tracking code).", raw))
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		t, err := s.Store.TicketByCode(ctx, actor, code)
		if err != nil {
			if desk.ErrorCode(err) == desk.ENOTFOUND {
				return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu %s (ticket not found).", code)
			}
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Service) checkAgency(topic *desk.Topic, ts []*desk.Ticket) error {
	for _, t := range ts {
		if t.Agency != topic.Agency {
			return invalid("codes", fmt.Sprintf("Phiếu %s thuộc cơ quan khác với chủ đề (ticket %s belongs to another agency than the topic).", t.TrackingCode, t.TrackingCode))
		}
		if t.Topic != "" && t.Topic != topic.ID {
			return &desk.Error{Code: desk.ECONFLICT, Message: fmt.Sprintf("Phiếu %s đã thuộc một chủ đề khác (ticket %s is already in another topic).", t.TrackingCode, t.TrackingCode)}
		}
	}
	if len(topic.Tickets)+len(ts) > MaxTickets {
		return invalid("codes", fmt.Sprintf("Một chủ đề có tối đa %d phiếu (a topic holds at most %d tickets).", MaxTickets, MaxTickets))
	}
	return nil
}

// add records the topic on each ticket (compare-and-set, retried on a
// concurrent change) and then the tickets on the topic.
func (s *Service) add(ctx context.Context, actor *desk.User, topic *desk.Topic, ts []*desk.Ticket) (*desk.Topic, error) {
	var ids []string
	for _, t := range ts {
		if t.Topic != topic.ID {
			if err := s.setTopic(ctx, t, topic.ID, actor.ID); err != nil {
				return nil, err
			}
		}
		ids = append(ids, t.ID)
	}
	if err := s.Store.AddTopicTickets(ctx, topic.ID, ids...); err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "topic.add", Target: topic.ID, After: codesOf(ts)})
	return s.Store.Topic(ctx, topic.ID)
}

func (s *Service) setTopic(ctx context.Context, t *desk.Ticket, topicID, actor string) error {
	for attempt := 0; ; attempt++ {
		_, err := s.Store.SetTicketTopic(ctx, t.ID, t.Version, topicID, actor, s.now())
		if desk.ErrorCode(err) != desk.ECONFLICT || attempt == 3 {
			return err
		}
		if t, err = s.Store.TicketByID(ctx, t.ID); err != nil {
			return err
		}
	}
}

func codesOf(ts []*desk.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.TrackingCode
	}
	return out
}

// Answer answers every open ticket of the topic with body, each through
// Reply as its own change.
func (s *Service) Answer(ctx context.Context, actor *desk.User, id, body string) (*Answered, error) {
	if err := mayUse(actor); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > MaxBodyRunes {
		return nil, invalid("body", fmt.Sprintf("Nội dung trả lời bắt buộc, tối đa %d ký tự (an answer of at most %d characters is required).", MaxBodyRunes, MaxBodyRunes))
	}
	topic, err := s.Store.Topic(ctx, id)
	if err != nil || !visible(actor, topic) {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy chủ đề (topic not found).")
	}
	out := &Answered{Answered: []string{}, Skipped: []string{}, Failed: map[string]string{}}
	for _, tid := range topic.Tickets {
		code, err := s.answerOne(ctx, actor, tid, body)
		switch {
		case err == errSkip:
			out.Skipped = append(out.Skipped, code)
		case err != nil:
			s.Log.Warn("topic answer: ticket not answered", "topic", topic.ID, "ticket", tid, "err", err)
			if code == "" {
				code = tid
			}
			out.Failed[code] = desk.ErrorMessage(err)
		default:
			out.Answered = append(out.Answered, code)
		}
	}
	if err := s.Store.SetTopicAnswer(ctx, topic.ID, body, actor.ID, s.now()); err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "topic.answer", Target: topic.ID, After: out})
	return out, nil
}

var errSkip = fmt.Errorf("not open")

func (s *Service) answerOne(ctx context.Context, actor *desk.User, id, body string) (string, error) {
	for attempt := 0; ; attempt++ {
		t, err := s.Store.TicketByID(ctx, id)
		if err != nil {
			return "", err
		}
		if !store.Visible(actor, t) {
			return t.TrackingCode, desk.Errorf(desk.ENOTFOUND, "Phiếu không còn thuộc phạm vi của bạn (the ticket is no longer in your scope).")
		}
		if !t.Open() {
			return t.TrackingCode, errSkip
		}
		if s.Reply != nil {
			_, err = s.Reply(ctx, actor, t.TrackingCode, t.Version, body)
		} else {
			ch := store.AnswerChange(t, actor.ID, store.NewID(), body, s.now())
			_, err = s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: ch})
		}
		if desk.ErrorCode(err) == desk.ECONFLICT && attempt < 3 {
			continue
		}
		return t.TrackingCode, err
	}
}
