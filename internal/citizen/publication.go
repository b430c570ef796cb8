package citizen

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/mask"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// Who may do what with a publication:
//
//	propose:  agency staff and leads of the ticket's agency (the scoped
//	          read enforces "of the agency"), coordinators, admins;
//	approve:  the agency's lead, admins;
//	withdraw: a proposal — whoever may propose; a published entry — whoever
//	          may approve.
//
// Roles are checked before the scoped read, so a refusal by role says
// nothing about whether the ticket exists; a lead of another agency gets
// ENOTFOUND from the scoped read, exactly as for a code that does not
// exist.
func mayPropose(u *desk.User) error {
	switch {
	case u == nil:
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	case u.Role.AgencyBound(), u.Role == desk.RoleCoordinator, u.Role == desk.RoleAdmin:
		return nil
	}
	return desk.Errorf(desk.EFORBIDDEN, "Vai trò của bạn không được đề xuất công bố (your role may not propose publication).")
}

func mayApprove(u *desk.User) error {
	switch {
	case u == nil:
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	case u.Role == desk.RoleLead, u.Role == desk.RoleAdmin:
		return nil
	}
	return desk.Errorf(desk.EFORBIDDEN, "Chỉ lãnh đạo cơ quan xử lý hoặc quản trị viên được duyệt công bố (only the agency's lead or an admin approves publication).")
}

// RoleAllows reports whether u's role may take the publication action
// ("propose", "approve", "withdraw") at all, before any ticket is read.
// Withdrawing a published entry also needs the approver's role, which
// Withdraw checks once it knows the state.
func RoleAllows(action string, u *desk.User) error {
	if action == "approve" || action == "reject" {
		return mayApprove(u)
	}
	return mayPropose(u)
}

// QAID is the public id of a ticket's Q&A entry: derived from the ticket
// id with the secret, so it is stable across withdraw and re-approval, and
// it does not reveal the tracking code — the code opens the citizen's
// tracking page and its ownership-proof form, which a public page must
// not hand to every reader.
func (s *Service) QAID(ticketID string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("qa\x00" + ticketID))
	return "hd-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:10]))
}

// PubInput is what the publication actions are asked with: the version
// of the ticket the actor saw (0: the current one).
type PubInput struct {
	Version int64 `json:"version"`
	// Question and Answer, on approval, replace the masked text with the
	// approver's edit (empty: keep). The edit is masked again.
	Question string `json:"question,omitempty"`
	Answer   string `json:"answer,omitempty"`
	// Reason is required to reject a proposal.
	Reason string `json:"reason,omitempty"`
}

// MaxPubText bounds an edited question or answer, in characters; a
// rejection's reason is bounded by MaxRejectReason.
const (
	MaxPubText      = 20000
	MaxRejectReason = 2000
)

func (s *Service) loadScoped(ctx context.Context, actor *desk.User, rawCode string) (*desk.Ticket, error) {
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	return s.Store.TicketByCode(ctx, actor, code)
}

func (s *Service) checkVersion(actor *desk.User, t *desk.Ticket, action string, v int64) error {
	if v > 0 && v != t.Version {
		s.Log.Info("publication: stale version", "code", t.TrackingCode, "action", action, "actor", actor.ID, "have", t.Version, "sent", v)
		return desk.Errorf(desk.ECONFLICT, "Phiếu đã được người khác cập nhật sau khi bạn mở; hãy tải lại trang, xem thay đổi rồi thử lại. (The ticket changed since you opened it; reload and try again.)")
	}
	return nil
}

// latestAnswer is the last public staff message on the ticket.
func latestAnswer(t *desk.Ticket) *desk.Message {
	for i := len(t.Messages) - 1; i >= 0; i-- {
		if m := t.Messages[i]; m.Kind == desk.MessageReply && strings.TrimSpace(m.Body) != "" {
			return &t.Messages[i]
		}
	}
	return nil
}

// Masked returns the question and answer of t as they would be
// published: the title and body, and the latest public answer, with
// phone numbers, ID numbers, emails, house numbers and names masked
// (internal/mask). The names masked wherever they appear in full are the
// citizen's and those of the staff who wrote the answers.
func (s *Service) Masked(ctx context.Context, t *desk.Ticket) (question, answer string, err error) {
	ans := latestAnswer(t)
	if ans == nil {
		return "", "", desk.Errorf(desk.EINVALID, "Phiếu chưa có câu trả lời để công bố (the ticket has no answer to publish).")
	}
	opt := s.maskOptions(ctx, t)
	q := strings.TrimSpace(t.Title)
	if b := strings.TrimSpace(t.Body); b != "" {
		q += "\n\n" + b
	}
	return mask.Mask(q, opt), mask.Mask(ans.Body, opt), nil
}

// maskOptions are MaskOptions with the names of the staff who answered.
func (s *Service) maskOptions(ctx context.Context, t *desk.Ticket) mask.Options {
	names := []string{}
	if n := strings.TrimSpace(t.Citizen.Name); n != "" {
		names = append(names, n)
	}
	seen := map[string]bool{}
	for _, m := range t.Messages {
		if m.Kind != desk.MessageReply || seen[m.Author] {
			continue
		}
		seen[m.Author] = true
		if u, err := s.Store.UserByID(ctx, m.Author); err == nil && strings.TrimSpace(u.Name) != "" {
			names = append(names, strings.TrimSpace(u.Name))
		}
	}
	return MaskOptions(t, names...)
}

// MaskOptions is what a ticket tells the masker about the people in it:
// the citizen's name (and the extra names given, such as the staff who
// answered), phone and email, the addresses its messages came from, and
// every identifier the citizen gave after a label anywhere in the case
// (mask.IDsIn), so that each is masked wherever and however it appears
// again on a public page.
func MaskOptions(t *desk.Ticket, names ...string) mask.Options {
	opt := mask.Options{Names: names}
	if n := strings.TrimSpace(t.Citizen.Name); n != "" && !slices.Contains(names, n) {
		opt.Names = append([]string{n}, names...)
	}
	if t.Citizen.Phone != "" {
		opt.Phones = append(opt.Phones, t.Citizen.Phone)
	}
	if t.Citizen.Email != "" {
		opt.Emails = append(opt.Emails, t.Citizen.Email)
	}
	texts := []string{t.Title, t.Body}
	for _, m := range t.Messages {
		if m.Kind == desk.MessageCitizen {
			texts = append(texts, m.Body)
			if m.From != "" && strings.Contains(m.From, "@") && !slices.Contains(opt.Emails, m.From) {
				opt.Emails = append(opt.Emails, m.From)
			}
		}
	}
	opt.IDs = mask.IDsIn(texts...)
	return opt
}

// Propose proposes an answered (resolved, closed) ticket for the public
// Q&A, computing the masked question and answer now: the lead approves
// exactly the text the proposal shows. A withdrawn entry may be proposed
// again. EFORBIDDEN by role; ENOTFOUND out of scope; EINVALID not
// answered or no answer; ECONFLICT already proposed or published, or a
// stale version.
func (s *Service) Propose(ctx context.Context, actor *desk.User, code string, in PubInput, ip string) (*desk.Ticket, error) {
	if err := mayPropose(actor); err != nil {
		return nil, err
	}
	t, err := s.loadScoped(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case desk.StatusAnswered, desk.StatusResolved, desk.StatusClosed:
	default:
		return nil, s.invalid(t.TrackingCode, "propose", "status", "Chỉ đề xuất công bố phiếu đã được trả lời (only answered tickets can be proposed for publication).")
	}
	if p := t.Publication; p != nil && p.State != desk.PublicationWithdrawn && p.State != desk.PublicationRejected {
		return nil, desk.Errorf(desk.ECONFLICT, "Phiếu đã được đề xuất hoặc đã công bố (the ticket is already proposed or published).")
	}
	if err := s.checkVersion(actor, t, "propose", in.Version); err != nil {
		return nil, err
	}
	q, a, err := s.Masked(ctx, t)
	if err != nil {
		s.Log.Info("publication refused", "code", t.TrackingCode, "err", err)
		return nil, err
	}
	p := &desk.Publication{State: desk.PublicationProposed, Question: q, Answer: a, ProposedBy: actor.ID, ProposedAt: s.now()}
	out, err := s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: store.TicketChange{Set: store.CitizenFields{Publication: p}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: EventPublicationProposed, To: desk.PublicationProposed}}})
	if err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "publication.propose", Target: t.TrackingCode, IP: ip,
		Before: pubState(t.Publication), After: map[string]any{"state": p.State, "question": q, "answer": a}})
	return out, nil
}

func pubState(p *desk.Publication) map[string]any {
	if p == nil {
		return map[string]any{"state": ""}
	}
	return map[string]any{"state": p.State}
}

// Approve publishes a proposed entry: the ticket's publication becomes
// published and the masked text is copied to the public Q&A. Approving a
// published entry again re-writes its public copy (a repair, should that
// write have failed after the ticket's change). Agency leads (of the
// ticket's agency, by the scoped read) and admins only.
func (s *Service) Approve(ctx context.Context, actor *desk.User, code string, in PubInput, ip string) (*desk.Ticket, error) {
	if err := mayApprove(actor); err != nil {
		s.Log.Info("publication: approval refused by role", "actor", actor.ID, "role", actor.Role)
		return nil, err
	}
	t, err := s.loadScoped(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	p := t.Publication
	if p == nil || (p.State != desk.PublicationProposed && p.State != desk.PublicationPublished) {
		return nil, s.invalid(t.TrackingCode, "approve", "publication", "Phiếu chưa được đề xuất công bố (the ticket has not been proposed for publication).")
	}
	out := t
	if p.State == desk.PublicationProposed {
		if err := s.checkVersion(actor, t, "approve", in.Version); err != nil {
			return nil, err
		}
		np := *p
		if err := s.applyEdit(ctx, actor, t, &np, in); err != nil {
			return nil, err
		}
		np.State, np.ApprovedBy, np.ApprovedAt = desk.PublicationPublished, actor.ID, s.now()
		out, err = s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: store.TicketChange{Set: store.CitizenFields{Publication: &np}.Set(),
			Event: desk.Event{Actor: actor.ID, Type: EventPublicationPublished, From: desk.PublicationProposed, To: desk.PublicationPublished, Public: true}}})
		if err != nil {
			return nil, err
		}
	}
	pub := out.Publication
	qa := &store.PublishedQA{ID: s.QAID(out.ID), TicketID: out.ID, Agency: out.Agency, AgencyPath: out.AgencyPath, Category: out.Category,
		Question: pub.Question, Answer: pub.Answer, AnsweredAt: out.AnsweredAt, PublishedAt: pub.ApprovedAt}
	if err := s.Store.PutPublishedQA(ctx, qa); err != nil {
		s.Log.Error("publication: approved but the public copy was not written; approve again to repair", "code", out.TrackingCode, "err", err)
		return nil, err
	}
	after := map[string]any{"state": pub.State, "qa_id": qa.ID}
	if pub.Edited {
		after["edited"], after["question"], after["answer"] = true, pub.Question, pub.Answer
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "publication.approve", Target: t.TrackingCode, IP: ip,
		Before: pubState(p), After: after})
	return out, nil
}

// Withdraw takes a proposal back or removes a published entry from the
// public Q&A.
func (s *Service) Withdraw(ctx context.Context, actor *desk.User, code string, in PubInput, ip string) (*desk.Ticket, error) {
	if err := mayPropose(actor); err != nil {
		return nil, err
	}
	t, err := s.loadScoped(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	p := t.Publication
	if p == nil || (p.State != desk.PublicationProposed && p.State != desk.PublicationPublished) {
		return nil, s.invalid(t.TrackingCode, "withdraw", "publication", "Phiếu không có đề xuất hay bài công bố nào để rút lại (nothing to withdraw).")
	}
	if p.State == desk.PublicationPublished {
		if err := mayApprove(actor); err != nil {
			return nil, err
		}
	}
	if err := s.checkVersion(actor, t, "withdraw", in.Version); err != nil {
		return nil, err
	}
	// The public copy goes first: a withdrawal is often because something
	// should not be public, and if the ticket's change then fails, the
	// entry is merely unlisted until someone approves it again.
	if err := s.Store.DeletePublishedQA(ctx, s.QAID(t.ID)); err != nil {
		return nil, err
	}
	np := *p
	np.State = desk.PublicationWithdrawn
	out, err := s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: store.TicketChange{Set: store.CitizenFields{Publication: &np}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: EventPublicationWithdrawn, From: p.State, To: desk.PublicationWithdrawn, Public: p.State == desk.PublicationPublished}}})
	if err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "publication.withdraw", Target: t.TrackingCode, IP: ip,
		Before: pubState(p), After: pubState(&np)})
	return out, nil
}

// QA lists the public Q&A.
func (s *Service) QA(ctx context.Context, f store.QAFilter) ([]store.PublishedQA, bool, error) {
	return s.Store.PublishedQAs(ctx, f)
}

// QAEntry returns one public entry by its public id.
func (s *Service) QAEntry(ctx context.Context, id string) (*store.PublishedQA, error) {
	if len(id) > 40 {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy câu hỏi (no such entry).")
	}
	q, err := s.Store.PublishedQAByID(ctx, id)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy câu hỏi (no such entry).")
	}
	return q, err
}

// applyEdit puts the approver's edit of the masked text into np. The
// edit is masked again with what the ticket knows: an approver who
// retypes a phone number while rewording does not publish it.
func (s *Service) applyEdit(ctx context.Context, actor *desk.User, t *desk.Ticket, np *desk.Publication, in PubInput) error {
	clean := func(v string) string { return strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n")) }
	q, a := clean(in.Question), clean(in.Answer)
	for _, f := range []struct{ field, v string }{{"question", q}, {"answer", a}} {
		switch {
		case !utf8.ValidString(f.v):
			return s.invalid(t.TrackingCode, "approve", f.field, "Nội dung không phải văn bản UTF-8 hợp lệ (the text is not valid UTF-8).")
		case utf8.RuneCountInString(f.v) > MaxPubText:
			return s.invalid(t.TrackingCode, "approve", f.field, "Nội dung quá dài: tối đa 20.000 ký tự (the text is over 20,000 characters).")
		}
	}
	if (q == "" || q == clean(np.Question)) && (a == "" || a == clean(np.Answer)) {
		return nil
	}
	opt := s.maskOptions(ctx, t)
	if q != "" {
		np.Question = mask.Mask(q, opt)
	}
	if a != "" {
		np.Answer = mask.Mask(a, opt)
	}
	np.Edited = true
	s.Log.Info("publication: approved with an edit", "code", t.TrackingCode, "actor", actor.ID)
	return nil
}

// Reject turns a proposal down with a reason, which the proposer sees on
// the ticket; nothing is published, and the ticket may be proposed again
// once the answer is fixed. Agency leads (of the ticket's agency) and
// admins only, like approval. EINVALID without a reason or when nothing
// is proposed; ECONFLICT on a stale version.
func (s *Service) Reject(ctx context.Context, actor *desk.User, code string, in PubInput, ip string) (*desk.Ticket, error) {
	if err := mayApprove(actor); err != nil {
		return nil, err
	}
	t, err := s.loadScoped(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	p := t.Publication
	if p == nil || p.State != desk.PublicationProposed {
		return nil, s.invalid(t.TrackingCode, "reject", "publication", "Phiếu không có đề xuất công bố nào để từ chối (nothing is proposed).")
	}
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		return nil, s.invalid(t.TrackingCode, "reject", "reason", "Cần nêu lý do từ chối công bố (a reason is required).")
	case !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > MaxRejectReason:
		return nil, s.invalid(t.TrackingCode, "reject", "reason", "Lý do quá dài: tối đa 2.000 ký tự (the reason is over 2,000 characters).")
	}
	if err := s.checkVersion(actor, t, "reject", in.Version); err != nil {
		return nil, err
	}
	np := *p
	np.State, np.RejectedBy, np.RejectedAt, np.RejectReason = desk.PublicationRejected, actor.ID, s.now(), reason
	out, err := s.Tickets.Change(ctx, t, t.Version, tickets.Change{TicketChange: store.TicketChange{Set: store.CitizenFields{Publication: &np}.Set(),
		Event: desk.Event{Actor: actor.ID, Type: EventPublicationRejected, From: p.State, To: desk.PublicationRejected, Note: reason}}})
	if err != nil {
		return nil, err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "publication.reject", Target: t.TrackingCode, IP: ip,
		Before: pubState(p), After: map[string]any{"state": np.State, "reason": reason}, Note: reason})
	return out, nil
}
