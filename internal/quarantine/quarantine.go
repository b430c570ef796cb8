// Package quarantine is the coordinators' review of submissions the spam
// check held back. Nothing the spam check catches is deleted: a quarantined
// ticket waits here until a coordinator either releases it, which routes
// it exactly as if it had just arrived, or confirms it as spam, which keeps
// it (it can still be released later) and counts against its sender.
//
// Both actions are one compare-and-set through tickets.Service.Change on
// the version the coordinator saw, with the event that records them.
package quarantine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// MaxNote is the longest note a review may carry, in characters.
const MaxNote = 2000

// Service reviews the quarantine.
type Service struct {
	Store   *store.Store
	Tickets *tickets.Service
	Clock   desk.Clock
	Log     *slog.Logger
	// OnReleased, if set, is called after a ticket is released and routed.
	// A quarantined ticket was never acknowledged to the citizen, so this
	// is where the acknowledgement belongs once it exists.
	OnReleased func(ctx context.Context, t *desk.Ticket)
}

// Input is a review action: the version the reviewer saw and an optional
// note.
type Input struct {
	Version int64  `json:"version"`
	Note    string `json:"note"`
}

// List returns quarantined tickets waiting for review (review =
// desk.SpamPending) or confirmed as spam (desk.SpamConfirmed), oldest
// first. Coordinators and admins only.
func (s *Service) List(ctx context.Context, actor *desk.User, review string, limit, offset int) ([]*desk.Ticket, int, error) {
	if review != desk.SpamPending && review != desk.SpamConfirmed {
		return nil, 0, desk.Errorf(desk.EINVALID, "Trạng thái xem xét không hợp lệ: %q (review must be pending or confirmed).", review)
	}
	return s.Store.Quarantine(ctx, actor, review, limit, offset)
}

// load checks the actor and the input and reads the quarantined ticket in
// the actor's scope.
func (s *Service) load(ctx context.Context, actor *desk.User, rawCode string, in Input) (*desk.Ticket, string, error) {
	if actor == nil {
		return nil, "", desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	if actor.Role != desk.RoleCoordinator && actor.Role != desk.RoleAdmin {
		return nil, "", desk.Errorf(desk.EFORBIDDEN, "Chỉ điều phối viên được xem xét phiếu bị giữ lại (only coordinators review the quarantine).")
	}
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return nil, "", desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	note := strings.TrimSpace(in.Note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxNote {
		e := desk.Errorf(desk.EINVALID, "Ghi chú quá dài: tối đa %d ký tự (note over %d characters).", MaxNote, MaxNote)
		e.Fields = map[string]string{"note": e.Message}
		return nil, "", e
	}
	if in.Version <= 0 {
		e := desk.Errorf(desk.EINVALID, "Cần gửi phiên bản phiếu đang xem (version required).")
		e.Fields = map[string]string{"version": e.Message}
		return nil, "", e
	}
	t, err := s.Store.TicketByCode(ctx, actor, code)
	if err != nil {
		return nil, "", err
	}
	if t.Status != desk.StatusQuarantined {
		return nil, "", desk.Errorf(desk.EINVALID, "Phiếu không bị giữ lại (the ticket is not quarantined).")
	}
	if in.Version != t.Version {
		return nil, "", desk.Errorf(desk.ECONFLICT, "Phiếu đã được người khác cập nhật; hãy tải lại trang và thử lại. (The ticket changed since you opened it; reload and try again.)")
	}
	return t, note, nil
}

// Release routes a quarantined ticket as if it had arrived now: the
// current routing rules, custody, deadlines counted from the release (the
// days it spent in quarantine are not taken from the agency), SLA timers
// and the search index. The sender's history gains a released ticket
// (and loses the confirmation, if it had been confirmed).
//
// EFORBIDDEN: not a coordinator or admin; ENOTFOUND: no such ticket;
// EINVALID: not quarantined, bad input; ECONFLICT: stale version.
func (s *Service) Release(ctx context.Context, actor *desk.User, code string, in Input) (*desk.Ticket, error) {
	t, note, err := s.load(ctx, actor, code, in)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now().UTC()
	sub, err := s.Store.Submission(ctx, t.ID)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		// Tickets are made from submissions, but routing needs only what
		// the ticket carries too.
		sub = &desk.Submission{ID: t.ID, Channel: t.Channel, Citizen: t.Citizen, Category: t.Category, Title: t.Title, Body: t.Body}
	} else if err != nil {
		return nil, err
	}
	arrived := *sub
	arrived.ReceivedAt = now
	routed := *t
	d, err := s.Tickets.NewTicket(ctx, &routed, &arrived)
	if err != nil {
		return nil, err
	}
	to := routed.Agency
	if to == "" {
		to = string(desk.StatusTriage)
	}
	evNote := "routing: " + d.Note() + "; due " + routed.DueAt.Format(time.RFC3339)
	if note != "" {
		evNote = note + " — " + evNote
	}
	ch := store.TicketChange{
		Status: routed.Status,
		Set:    append(store.RoutedSet(&routed), store.SpamReviewSet(desk.SpamReleased, actor.ID, now)...),
		Event:  desk.Event{Actor: actor.ID, Type: desk.EventReleased, From: string(desk.StatusQuarantined), To: to, Note: evNote},
	}
	out, err := s.Tickets.Change(ctx, t, in.Version, tickets.Change{TicketChange: ch, OwnDeadlines: true,
		Actor: actor, Action: "ticket.release", Note: note})
	if err != nil {
		return nil, err
	}
	undo := 0
	if t.Spam != nil && t.Spam.Review == desk.SpamConfirmed {
		undo = -1
	}
	if err := s.Store.AddSenderHistory(ctx, desk.SenderKeys(t.Citizen), undo, 1); err != nil {
		s.Log.Warn("sender history not updated", "code", t.TrackingCode, "err", err)
	}
	s.Log.Info("quarantined ticket released", "code", out.TrackingCode, "actor", actor.ID, "agency", out.Agency,
		"status", out.Status, "due", out.DueAt.Format(time.RFC3339))
	if s.OnReleased != nil {
		s.OnReleased(ctx, out)
	}
	return out, nil
}

// ConfirmSpam records that a coordinator agrees the ticket is spam. It
// stays quarantined and kept (a later Release still routes it), leaves the
// review queue, and counts toward its sender's history, which later
// submissions from the same phone or e-mail are scored with.
//
// Errors as for Release; confirming twice is EINVALID.
func (s *Service) ConfirmSpam(ctx context.Context, actor *desk.User, code string, in Input) (*desk.Ticket, error) {
	t, note, err := s.load(ctx, actor, code, in)
	if err != nil {
		return nil, err
	}
	if t.Spam != nil && t.Spam.Review == desk.SpamConfirmed {
		return nil, desk.Errorf(desk.EINVALID, "Phiếu đã được xác nhận là thư rác (already confirmed as spam).")
	}
	now := s.Clock.Now().UTC()
	evNote := note
	if t.Spam != nil {
		evNote = strings.TrimPrefix(fmt.Sprintf("%s — score %.2f", note, t.Spam.Score), " — ")
	}
	ch := store.TicketChange{
		Set:   store.SpamReviewSet(desk.SpamConfirmed, actor.ID, now),
		Event: desk.Event{Actor: actor.ID, Type: desk.EventSpamConfirmed, From: desk.SpamPending, To: desk.SpamConfirmed, Note: evNote},
	}
	if t.Spam == nil {
		// A ticket quarantined by hand has no check to record the review
		// in; give it one.
		ch.Set = store.SpamCheckSet(&desk.SpamCheck{Verdict: desk.SpamSpam, CheckedAt: now,
			Review: desk.SpamConfirmed, ReviewedBy: actor.ID, ReviewedAt: now})
	}
	out, err := s.Tickets.Change(ctx, t, in.Version, tickets.Change{TicketChange: ch, OwnDeadlines: true,
		Actor: actor, Action: "ticket.confirm_spam", Note: note})
	if err != nil {
		return nil, err
	}
	if err := s.Store.AddSenderHistory(ctx, desk.SenderKeys(t.Citizen), 1, 0); err != nil {
		s.Log.Warn("sender history not updated", "code", t.TrackingCode, "err", err)
	}
	s.Log.Info("quarantined ticket confirmed as spam", "code", out.TrackingCode, "actor", actor.ID)
	return out, nil
}
