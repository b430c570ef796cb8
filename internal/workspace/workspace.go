// Package workspace is the agency staff's side of a ticket (issue 6):
// claim, assign, reply to the citizen, internal notes, asking the citizen
// for more, resolve, close, reopen, and the agency's canned responses.
//
// Every action follows the same steps, in this order, so that no handler
// can skip one:
//
//  1. the scoped read store.TicketByCode: a ticket outside the actor's
//     agency answers ENOTFOUND, exactly like a code that does not exist,
//     to every action and every role;
//  2. role check (operators may not work tickets; coordinators and admins
//     may do everything; assigning is for leads, coordinators and admins);
//  3. input checks (empty or over-long text, unknown assignee …), which
//     change nothing and leave a log line;
//  4. the version the actor saw must be the current one (ECONFLICT);
//  5. one compare-and-set through tickets.Service.Change with one event,
//     which also moves the SLA clock (pause/resume), re-indexes the ticket
//     and reschedules its timers;
//  6. an audit entry with the status, assignee, agency and version before
//     and after, written by that same call.
package workspace

import (
	"context"
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

// Mailer sends a stored staff answer to the citizen by email.
// workers.Queue implements it (EnqueueAnswerMail); the mail worker reads
// the message from the ticket and does nothing when there is no address.
type Mailer interface {
	EnqueueAnswerMail(ctx context.Context, ticketID, messageID string) error
}

// Service is the workspace service.
type Service struct {
	Store   *store.Store
	Tickets *tickets.Service // the compare-and-set with clock, index and SLA hooks
	Catalog func() *desk.Catalog
	Clock   desk.Clock
	Mail    Mailer          // nil: no mail (tools, tests of the service alone)
	Audit   *audit.Recorder // nil: no audit entries
	Log     *slog.Logger
	// Intake opens the ticket a detached message becomes (senders.go);
	// nil refuses detaching.
	Intake Intaker
}

// MaxBody is the longest reply, note or request, in characters. A long
// official answer runs to a few pages; 20,000 characters is about ten.
const MaxBody = 20000

// MaxBulk is how many tickets one bulk assignment may name.
const MaxBulk = 200

// Event types of the workspace actions.
const (
	EventClaimed       = "claimed"
	EventAssigned      = "assigned"
	EventAnswered      = "answered"
	EventNote          = "note"
	EventInfoRequested = "info_requested"
	EventResolved      = "resolved"
	EventClosed        = "closed"
	EventReopened      = "reopened"
)

// ReplyInput is what the text actions are asked with: the version the
// actor saw and the text (reply, note, request; optional for resolve,
// close and reopen, where it is kept as an internal note).
type ReplyInput struct {
	Version int64  `json:"version"`
	Body    string `json:"body"`
	// Canned, on a reply with an empty body, names the canned response
	// to send, expanded for the ticket (the reply form works without JS).
	Canned string `json:"canned,omitempty"`
}

// WithIP returns ctx carrying the client address for the audit entries
// the actions write; the signatures stay free of transport details.
func WithIP(ctx context.Context, ip string) context.Context { return tickets.WithIP(ctx, ip) }

func ipOf(ctx context.Context) string { return tickets.ClientIP(ctx) }

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

var (
	errNotFound = desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	errStale    = desk.Errorf(desk.ECONFLICT, "Phiếu đã được người khác cập nhật sau khi bạn mở; hãy tải lại trang, xem thay đổi rồi thử lại. (The ticket changed since you opened it; reload, review the change and try again.)")
)

// mayWork reports whether actor may work tickets at all: agency staff and
// leads (on their agency's tickets, which the scoped read enforces),
// coordinators and admins. Operators log calls and read history only.
func mayWork(u *desk.User) error {
	switch {
	case u == nil:
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	case u.Role.AgencyBound(), u.Role == desk.RoleCoordinator, u.Role == desk.RoleAdmin:
		return nil
	}
	return desk.Errorf(desk.EFORBIDDEN, "Vai trò của bạn không được xử lý phiếu (your role may not work tickets).")
}

func mayAssign(u *desk.User) error {
	if err := mayWork(u); err != nil {
		return err
	}
	if u.Role == desk.RoleStaff {
		return desk.Errorf(desk.EFORBIDDEN, "Chỉ lãnh đạo đơn vị, điều phối viên hoặc quản trị được phân công (only leads, coordinators and admins assign tickets).")
	}
	return nil
}

// load is the scoped read. It comes before the role check, so that a
// ticket out of the actor's scope answers 404 to every action, whatever
// the actor's role may do (a 403 would confirm that the code exists).
func (s *Service) load(ctx context.Context, actor *desk.User, raw string) (*desk.Ticket, error) {
	if actor == nil {
		return nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	code, ok := desk.NormalizeTrackingCode(raw)
	if !ok {
		return nil, errNotFound
	}
	t, err := s.Store.TicketByCode(ctx, actor, code)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return nil, errNotFound
	}
	return t, err
}

// invalid logs a refused input and returns the field error.
func (s *Service) invalid(actor *desk.User, code, action, field, msg string) error {
	s.Log.Info("workspace: input refused", "action", action, "code", code, "actor", actor.ID, "field", field, "reason", msg)
	return &desk.Error{Code: desk.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// checkBody validates a text: required or not, at most MaxBody characters.
func (s *Service) checkBody(actor *desk.User, code, action, body string, required bool) (string, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch {
	case body == "" && required:
		return "", s.invalid(actor, code, action, "body", "Nội dung không được để trống (the text is empty).")
	case !utf8.ValidString(body):
		return "", s.invalid(actor, code, action, "body", "Nội dung không phải văn bản UTF-8 hợp lệ (the text is not valid UTF-8).")
	case utf8.RuneCountInString(body) > MaxBody:
		return "", s.invalid(actor, code, action, "body", "Nội dung quá dài: tối đa 20.000 ký tự (the text is over 20,000 characters).")
	}
	return body, nil
}

func (s *Service) checkVersion(actor *desk.User, t *desk.Ticket, action string, version int64) error {
	if version <= 0 {
		return s.invalid(actor, t.TrackingCode, action, "version", "Thiếu phiên bản phiếu đang xem (version required).")
	}
	if version != t.Version {
		s.Log.Info("workspace: stale version", "action", action, "code", t.TrackingCode, "actor", actor.ID, "sent", version, "current", t.Version)
		return errStale
	}
	return nil
}

// commit is step 5–6: the change through the one write path (the
// tickets service's Change: compare-and-set with the clock following the
// status, the audit entry, re-index and timers).
func (s *Service) commit(ctx context.Context, actor *desk.User, t *desk.Ticket, action string, ch store.TicketChange, note string) (*desk.Ticket, error) {
	out, err := s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: ch, Actor: actor, Action: action, Note: note})
	if err != nil {
		if desk.ErrorCode(err) == desk.ECONFLICT {
			return nil, errStale
		}
		return nil, err
	}
	s.Log.Info("workspace: "+action, "code", t.TrackingCode, "actor", actor.ID, "from", t.Status, "to", out.Status, "version", out.Version)
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// Claim makes the actor the ticket's assignee and, if nobody was working
// it yet, moves it to in_progress. Agency staff and leads only (in their
// scope); a ticket someone else has claimed may be taken over by a lead
// only, so two officers never answer the same citizen unknowingly.
func (s *Service) Claim(ctx context.Context, actor *desk.User, code string, version int64) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	if !actor.Role.AgencyBound() {
		return nil, desk.Errorf(desk.EFORBIDDEN, "Chỉ cán bộ của cơ quan xử lý được nhận phiếu; điều phối viên hãy phân công (only agency staff claim tickets; coordinators assign).")
	}
	switch {
	case t.Status == desk.StatusTriage || t.Status == desk.StatusQuarantined:
		return nil, s.invalid(actor, t.TrackingCode, "claim", "status", "Phiếu chưa được chuyển đến cơ quan xử lý (the ticket is not with an agency yet).")
	case t.Status == desk.StatusClosed:
		return nil, s.invalid(actor, t.TrackingCode, "claim", "status", "Phiếu đã đóng; hãy mở lại trước (the ticket is closed; reopen it first).")
	case t.Assignee == actor.ID:
		return nil, s.invalid(actor, t.TrackingCode, "claim", "assignee", "Bạn đang xử lý phiếu này (you already hold this ticket).")
	case t.Assignee != "" && actor.Role != desk.RoleLead:
		return nil, desk.Errorf(desk.ECONFLICT, "Phiếu đã được cán bộ khác nhận xử lý; hãy đề nghị lãnh đạo phân công lại (another officer holds this ticket; ask your lead to reassign it).")
	}
	if err := s.checkVersion(actor, t, "claim", version); err != nil {
		return nil, err
	}
	ch := store.TicketChange{Set: store.WorkFields{Assignee: ptr(actor.ID)}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: EventClaimed, From: t.Assignee, To: actor.ID}}
	if t.Status == desk.StatusNew {
		ch.Status = desk.StatusInProgress
	}
	return s.commit(ctx, actor, t, "ticket.claim", ch, "")
}

// checkAssignee finds the user id may be assigned t: an existing, active
// agency_staff or agency_lead account of the agency holding t or of an
// agency above it in t's path (a ministry's officer may take its unit's
// ticket). Anything else is EINVALID and changes nothing.
func (s *Service) checkAssignee(ctx context.Context, actor *desk.User, t *desk.Ticket, id string) (*desk.User, error) {
	u, err := s.Store.UserByID(ctx, id)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return nil, s.invalid(actor, t.TrackingCode, "assign", "assignee", "Người được phân công không tồn tại (unknown assignee).")
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, s.invalid(actor, t.TrackingCode, "assign", "assignee", "Tài khoản người được phân công đã bị khoá (the assignee's account is disabled).")
	}
	if !u.Role.AgencyBound() || u.Agency == "" || !slices.Contains(t.AgencyPath, u.Agency) {
		return nil, s.invalid(actor, t.TrackingCode, "assign", "assignee", "Người được phân công không thuộc cơ quan đang xử lý phiếu (the assignee does not belong to the agency holding the ticket).")
	}
	return u, nil
}

// Assign makes assigneeID the ticket's assignee ("" unassigns). Leads (in
// their scope), coordinators and admins. A new ticket moves to
// in_progress when someone is assigned.
func (s *Service) Assign(ctx context.Context, actor *desk.User, code string, version int64, assigneeID string) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayAssign(actor); err != nil {
		return nil, err
	}
	return s.assign(ctx, actor, t, version, strings.TrimSpace(assigneeID), "ticket.assign")
}

func (s *Service) assign(ctx context.Context, actor *desk.User, t *desk.Ticket, version int64, id, action string) (*desk.Ticket, error) {
	if len(id) > 100 {
		return nil, s.invalid(actor, t.TrackingCode, "assign", "assignee", "Người được phân công không tồn tại (unknown assignee).")
	}
	if id != "" {
		if _, err := s.checkAssignee(ctx, actor, t, id); err != nil {
			return nil, err
		}
	}
	switch {
	case t.Status == desk.StatusQuarantined:
		return nil, s.invalid(actor, t.TrackingCode, "assign", "status", "Phiếu đang bị giữ kiểm tra (the ticket is held for review).")
	case t.Status == desk.StatusClosed:
		return nil, s.invalid(actor, t.TrackingCode, "assign", "status", "Phiếu đã đóng; hãy mở lại trước (the ticket is closed; reopen it first).")
	case id == t.Assignee:
		return nil, s.invalid(actor, t.TrackingCode, "assign", "assignee", "Phiếu đã được giao cho người này (the ticket is already assigned to this person).")
	}
	if err := s.checkVersion(actor, t, "assign", version); err != nil {
		return nil, err
	}
	ch := store.TicketChange{Set: store.WorkFields{Assignee: ptr(id)}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: EventAssigned, From: t.Assignee, To: id}}
	if t.Status == desk.StatusNew && id != "" {
		ch.Status = desk.StatusInProgress
	}
	return s.commit(ctx, actor, t, action, ch, "")
}

// BulkResult is one ticket of a bulk assignment that was not assigned.
type BulkResult struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// BulkAssign assigns every ticket in codes to assigneeID at its current
// version (the inbox list shows no versions; each ticket is still one
// compare-and-set, retried once if it changed in between). It returns how
// many were assigned; the error, if any, lists those that were not, and
// tickets out of scope count as not found. The assignee is checked
// against each ticket's agency, so a bulk assignment cannot send a ticket
// to another agency's officer.
func (s *Service) BulkAssign(ctx context.Context, actor *desk.User, codes []string, assigneeID string) (int, error) {
	n, failed, err := s.BulkAssignDetail(ctx, actor, codes, assigneeID)
	if err != nil {
		return n, err
	}
	if len(failed) > 0 {
		parts := make([]string, 0, len(failed))
		for _, f := range failed {
			parts = append(parts, f.Code+": "+f.Error)
		}
		return n, desk.Errorf(desk.EINVALID, "Đã phân công %d phiếu; %d phiếu không phân công được (assigned %d; %d failed) — %s", n, len(failed), n, len(failed), strings.Join(parts, "; "))
	}
	return n, nil
}

// BulkAssignDetail is BulkAssign with the per-ticket failures returned as
// data; err is only for a request that is invalid as a whole.
func (s *Service) BulkAssignDetail(ctx context.Context, actor *desk.User, codes []string, assigneeID string) (int, []BulkResult, error) {
	if err := mayAssign(actor); err != nil {
		return 0, nil, err
	}
	assigneeID = strings.TrimSpace(assigneeID)
	seen := map[string]bool{}
	var list []string
	for _, c := range codes {
		if c = strings.TrimSpace(c); c != "" && !seen[c] {
			seen[c] = true
			list = append(list, c)
		}
	}
	switch {
	case len(list) == 0:
		return 0, nil, &desk.Error{Code: desk.EINVALID, Message: "Chưa chọn phiếu nào (no tickets selected).", Fields: map[string]string{"codes": "required"}}
	case len(list) > MaxBulk:
		return 0, nil, &desk.Error{Code: desk.EINVALID, Message: "Tối đa 200 phiếu mỗi lần (at most 200 tickets at once).", Fields: map[string]string{"codes": "too many"}}
	case assigneeID == "":
		return 0, nil, &desk.Error{Code: desk.EINVALID, Message: "Cần chọn người được phân công (assignee required).", Fields: map[string]string{"assignee": "required"}}
	}
	n := 0
	var failed []BulkResult
	for _, code := range list {
		var err error
		for attempt := 0; attempt < 2; attempt++ {
			var t *desk.Ticket
			if t, err = s.load(ctx, actor, code); err != nil {
				break
			}
			if t.Assignee == assigneeID {
				err = nil // already theirs: nothing to do
				break
			}
			if _, err = s.assign(ctx, actor, t, t.Version, assigneeID, "ticket.bulk_assign"); desk.ErrorCode(err) != desk.ECONFLICT {
				break
			}
		}
		if err != nil {
			failed = append(failed, BulkResult{Code: code, Error: desk.ErrorMessage(err)})
			continue
		}
		n++
	}
	return n, failed, nil
}

// Reply stores a public staff answer: the ticket becomes answered, with
// AnsweredAt and, the first time, FirstResponseAt; a paused clock resumes
// (tickets.Service.Change). The answer always shows on the tracking page
// and goes by email when the citizen gave an address.
func (s *Service) Reply(ctx context.Context, actor *desk.User, code string, in ReplyInput) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Body) == "" && strings.TrimSpace(in.Canned) != "" {
		if in.Body, err = s.ExpandCanned(ctx, actor, t, strings.TrimSpace(in.Canned)); err != nil {
			return nil, s.invalid(actor, t.TrackingCode, "reply", "canned", "Mẫu trả lời không tồn tại (unknown canned response).")
		}
	}
	body, err := s.checkBody(actor, t.TrackingCode, "reply", in.Body, true)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case desk.StatusTriage:
		return nil, s.invalid(actor, t.TrackingCode, "reply", "status", "Phiếu đang chờ phân loại; hãy chuyển đến cơ quan có thẩm quyền trước (the ticket waits in triage; route it first).")
	case desk.StatusResolved, desk.StatusClosed, desk.StatusQuarantined:
		return nil, s.invalid(actor, t.TrackingCode, "reply", "status", "Phiếu đã kết thúc; hãy mở lại trước khi trả lời (the ticket is finished; reopen it first).")
	}
	if err := s.checkVersion(actor, t, "reply", in.Version); err != nil {
		return nil, err
	}
	now := s.now()
	msg := &desk.Message{ID: store.NewID(), At: now, Kind: desk.MessageReply, Author: actor.ID, Body: body, From: actor.Email}
	wf := store.WorkFields{AnsweredAt: &now}
	if t.FirstResponseAt.IsZero() {
		wf.FirstResponseAt = &now
	}
	ch := store.TicketChange{Status: desk.StatusAnswered, Set: wf.Set(), Message: msg,
		Event: desk.Event{Actor: actor.ID, Type: EventAnswered, From: string(t.Status), To: string(desk.StatusAnswered), Public: true}}
	out, err := s.commit(ctx, actor, t, "ticket.reply", ch, "message "+msg.ID)
	if err != nil {
		return nil, err
	}
	s.mail(ctx, out, msg.ID)
	return out, nil
}

// mail queues the answer mail when the citizen gave an address. A queue
// failure is logged: the answer is stored and on the tracking page.
func (s *Service) mail(ctx context.Context, t *desk.Ticket, msgID string) {
	if s.Mail == nil || t.Citizen.Email == "" {
		return
	}
	if err := s.Mail.EnqueueAnswerMail(ctx, t.ID, msgID); err != nil {
		s.Log.Warn("workspace: answer mail not queued; the answer is on the tracking page", "code", t.TrackingCode, "err", err)
	}
}

// Note adds an internal note: staff only, never on the tracking page or
// in a mail. The status does not change.
func (s *Service) Note(ctx context.Context, actor *desk.User, code string, in ReplyInput) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	body, err := s.checkBody(actor, t.TrackingCode, "note", in.Body, true)
	if err != nil {
		return nil, err
	}
	if err := s.checkVersion(actor, t, "note", in.Version); err != nil {
		return nil, err
	}
	msg := &desk.Message{ID: store.NewID(), At: s.now(), Kind: desk.MessageNote, Author: actor.ID, Body: body, From: actor.Email}
	ch := store.TicketChange{Message: msg, Event: desk.Event{Actor: actor.ID, Type: EventNote}}
	return s.commit(ctx, actor, t, "ticket.note", ch, "message "+msg.ID)
}

// RequestInfo asks the citizen for what is missing: the question is a
// public message (shown on the tracking page and mailed like an answer),
// the ticket becomes awaiting_citizen and its SLA clock pauses until the
// citizen replies (tickets.Service.Change). It counts as the first
// response.
func (s *Service) RequestInfo(ctx context.Context, actor *desk.User, code string, in ReplyInput) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	body, err := s.checkBody(actor, t.TrackingCode, "request-info", in.Body, true)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case desk.StatusNew, desk.StatusInProgress, desk.StatusAnswered:
	case desk.StatusAwaitingCitizen:
		return nil, s.invalid(actor, t.TrackingCode, "request-info", "status", "Phiếu đang chờ người dân bổ sung (the ticket already waits for the citizen).")
	default:
		return nil, s.invalid(actor, t.TrackingCode, "request-info", "status", "Không thể yêu cầu bổ sung ở trạng thái này (cannot ask for information in this status).")
	}
	if err := s.checkVersion(actor, t, "request-info", in.Version); err != nil {
		return nil, err
	}
	now := s.now()
	msg := &desk.Message{ID: store.NewID(), At: now, Kind: desk.MessageReply, Author: actor.ID, Body: body, From: actor.Email}
	wf := store.WorkFields{}
	if t.FirstResponseAt.IsZero() {
		wf.FirstResponseAt = &now
	}
	ch := store.TicketChange{Status: desk.StatusAwaitingCitizen, Set: wf.Set(), Message: msg,
		Event: desk.Event{Actor: actor.ID, Type: EventInfoRequested, From: string(t.Status), To: string(desk.StatusAwaitingCitizen), Public: true}}
	out, err := s.commit(ctx, actor, t, "ticket.request_info", ch, "message "+msg.ID)
	if err != nil {
		return nil, err
	}
	s.mail(ctx, out, msg.ID)
	return out, nil
}

// internalNote is the optional text of resolve, close and reopen, kept as
// an internal note in the same change: their events are public (the
// citizen sees the status move), the officer's reason is not.
func internalNote(actor *desk.User, body string, now time.Time) *desk.Message {
	if body == "" {
		return nil
	}
	return &desk.Message{ID: store.NewID(), At: now, Kind: desk.MessageNote, Author: actor.ID, Body: body, From: actor.Email}
}

// finish is resolve and close: the ticket leaves the open statuses with
// ClosedAt set.
func (s *Service) finish(ctx context.Context, actor *desk.User, code string, in ReplyInput, to desk.Status, evType, action string) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	body, err := s.checkBody(actor, t.TrackingCode, action, in.Body, false)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Status == to:
		return nil, s.invalid(actor, t.TrackingCode, action, "status", "Phiếu đã ở trạng thái này (the ticket already has this status).")
	case t.Status == desk.StatusClosed, t.Status == desk.StatusQuarantined, t.Status == desk.StatusTriage:
		return nil, s.invalid(actor, t.TrackingCode, action, "status", "Không thể thực hiện ở trạng thái hiện tại của phiếu (not possible in the ticket's current status).")
	}
	if err := s.checkVersion(actor, t, action, in.Version); err != nil {
		return nil, err
	}
	now := s.now()
	ch := store.TicketChange{Status: to, Set: store.WorkFields{ClosedAt: &now}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: evType, From: string(t.Status), To: string(to), Public: true}}
	ch.Message = internalNote(actor, body, now)
	return s.commit(ctx, actor, t, "ticket."+action, ch, "")
}

// Resolve marks the ticket resolved (the matter is settled).
func (s *Service) Resolve(ctx context.Context, actor *desk.User, code string, in ReplyInput) (*desk.Ticket, error) {
	return s.finish(ctx, actor, code, in, desk.StatusResolved, EventResolved, "resolve")
}

// Close closes the ticket.
func (s *Service) Close(ctx context.Context, actor *desk.User, code string, in ReplyInput) (*desk.Ticket, error) {
	return s.finish(ctx, actor, code, in, desk.StatusClosed, EventClosed, "close")
}

// Reopen puts an answered, resolved or closed ticket back to work: to
// in_progress when someone holds it, else new; ClosedAt is cleared. The
// deadlines stay as they were (a reopened ticket late on its answer is
// overdue at once, which is what the agency should see).
func (s *Service) Reopen(ctx context.Context, actor *desk.User, code string, in ReplyInput) (*desk.Ticket, error) {
	t, err := s.load(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	body, err := s.checkBody(actor, t.TrackingCode, "reopen", in.Body, false)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed:
	default:
		return nil, s.invalid(actor, t.TrackingCode, "reopen", "status", "Phiếu đang mở, không cần mở lại (the ticket is still open).")
	}
	if err := s.checkVersion(actor, t, "reopen", in.Version); err != nil {
		return nil, err
	}
	to := desk.StatusNew
	if t.Assignee != "" {
		to = desk.StatusInProgress
	}
	ch := store.TicketChange{Status: to, Set: store.WorkFields{ClosedAt: ptr(time.Time{})}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: EventReopened, From: string(t.Status), To: string(to), Public: true}}
	ch.Message = internalNote(actor, body, s.now())
	return s.commit(ctx, actor, t, "ticket.reopen", ch, "")
}
