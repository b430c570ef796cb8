package tickets

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// MoveInput is what route, return and transfer are asked with.
type MoveInput struct {
	// Agency is where the ticket goes (route, transfer), or the agency a
	// return suggests (optional).
	Agency string `json:"agency"`
	// SuggestedAgency is a return's suggestion; Agency is accepted too.
	SuggestedAgency string `json:"suggested_agency"`
	Reason          string `json:"reason"`
	// Version is the ticket version the actor saw; a stale one is ECONFLICT.
	Version int64 `json:"version"`
}

// MaxReason is the longest reason a hop may carry, in characters.
const MaxReason = 2000

type moveKind int

const (
	moveRoute moveKind = iota
	moveReturn
	moveTransfer
)

// String names the move in the audit log: "ticket.route", "ticket.return",
// "ticket.transfer".
func (k moveKind) String() string {
	return [...]string{"route", "return", "transfer"}[k]
}

// Route places a ticket from the triage queue with an agency. Coordinators
// and admins only. This is also how a coordinator confirms a return.
//
// EINVALID: unknown or missing agency, no reason, ticket not in triage;
// ECONFLICT: stale version; ENOTFOUND: no such ticket; EFORBIDDEN: role.
func (s *Service) Route(ctx context.Context, actor *desk.User, code string, in MoveInput) (*desk.Ticket, error) {
	return s.move(ctx, actor, code, in, moveRoute)
}

// Return gives a ticket back to the coordinators as not the competence of
// the agency holding it, with a reason and optionally a suggested agency.
// Staff and leads of the holding agency (in scope); the ticket goes to
// triage, held by the coordinating office, and the old agency loses sight
// of it.
func (s *Service) Return(ctx context.Context, actor *desk.User, code string, in MoveInput) (*desk.Ticket, error) {
	return s.move(ctx, actor, code, in, moveReturn)
}

// Transfer sends a ticket directly to another agency. Staff and leads of
// the holding agency, coordinators and admins. The answer clock restarts at
// the receiving agency; the receive time stays for reporting.
func (s *Service) Transfer(ctx context.Context, actor *desk.User, code string, in MoveInput) (*desk.Ticket, error) {
	return s.move(ctx, actor, code, in, moveTransfer)
}

func (s *Service) move(ctx context.Context, actor *desk.User, rawCode string, in MoveInput, kind moveKind) (*desk.Ticket, error) {
	if actor == nil {
		return nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	switch kind {
	case moveRoute:
		if actor.Role != desk.RoleCoordinator && actor.Role != desk.RoleAdmin {
			return nil, desk.Errorf(desk.EFORBIDDEN, "Chỉ điều phối viên được phân loại phiếu (only coordinators route tickets from triage).")
		}
	case moveReturn:
		if !actor.Role.AgencyBound() {
			return nil, desk.Errorf(desk.EFORBIDDEN, "Chỉ cán bộ của cơ quan đang xử lý được trả lại phiếu (only the holding agency's staff return a ticket).")
		}
	case moveTransfer:
		if !actor.Role.AgencyBound() && actor.Role != desk.RoleCoordinator && actor.Role != desk.RoleAdmin {
			return nil, desk.Errorf(desk.EFORBIDDEN, "Bạn không có quyền chuyển phiếu (you may not transfer tickets).")
		}
	}
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return nil, desk.Errorf(desk.ENOTFOUND, "Không tìm thấy phiếu (ticket not found).")
	}
	// The scoped read: out of scope is ENOTFOUND before anything else is
	// said about the ticket.
	t, err := s.Store.TicketByCode(ctx, actor, code)
	if err != nil {
		return nil, err
	}
	cat := s.Catalog()
	fields := map[string]string{}
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		fields["reason"] = "Cần nêu lý do (a reason is required)."
	case utf8.RuneCountInString(reason) > MaxReason:
		fields["reason"] = "Lý do quá dài (reason too long)."
	}
	if in.Version <= 0 {
		fields["version"] = "Cần gửi phiên bản phiếu đang xem (version required)."
	}
	target := strings.TrimSpace(in.Agency)
	suggested := strings.TrimSpace(in.SuggestedAgency)
	if kind == moveReturn {
		if suggested == "" {
			suggested = target
		}
		if suggested != "" && cat.Agency(suggested) == nil {
			fields["suggested_agency"] = "Cơ quan đề xuất không tồn tại (unknown agency)."
		}
		if co := cat.Coordinator(); co != nil {
			target = co.Code
			if t.Agency == co.Code {
				// The coordinating office places tickets; it transfers
				// rather than returns to itself.
				fields["agency"] = "Phiếu đang ở cơ quan điều phối; hãy chuyển trực tiếp (the coordinating office transfers instead)."
			}
		} else {
			return nil, desk.Errorf(desk.EINVALID, "Chưa có cơ quan điều phối để nhận phiếu trả lại (no coordinating office is configured).")
		}
	} else {
		switch {
		case target == "":
			fields["agency"] = "Cần chọn cơ quan nhận (agency required)."
		case cat.Agency(target) == nil:
			fields["agency"] = "Cơ quan không tồn tại (unknown agency)."
		case target == t.Agency:
			fields["agency"] = "Phiếu đang ở cơ quan này; hãy chọn cơ quan khác (the ticket is already with this agency)."
		}
	}
	if len(fields) > 0 {
		e := desk.Errorf(desk.EINVALID, "Yêu cầu không hợp lệ (invalid request).")
		e.Fields = fields
		return nil, e
	}
	if !t.Open() {
		return nil, desk.Errorf(desk.EINVALID, "Phiếu đã đóng hoặc đã trả lời, không thể chuyển (the ticket is no longer open).")
	}
	switch {
	case kind == moveRoute && t.Status != desk.StatusTriage:
		return nil, desk.Errorf(desk.EINVALID, "Phiếu không ở hàng chờ phân loại; hãy dùng chuyển phiếu (the ticket is not in triage; use transfer).")
	case kind == moveReturn && t.Status == desk.StatusTriage:
		return nil, desk.Errorf(desk.EINVALID, "Phiếu đang chờ phân loại (the ticket is already in triage).")
	case kind == moveTransfer && t.Status == desk.StatusTriage && actor.Role.AgencyBound():
		return nil, desk.Errorf(desk.EINVALID, "Phiếu đang chờ điều phối viên phân loại (the ticket waits for the coordinators).")
	}
	if in.Version != t.Version {
		return nil, desk.Errorf(desk.ECONFLICT, "Phiếu đã được người khác cập nhật; hãy tải lại trang và thử lại. (The ticket changed since you opened it; reload and try again.)")
	}

	now := s.now()
	from := t.Agency
	if from == "" && len(t.Custody) > 0 {
		from = t.Custody[len(t.Custody)-1].Agency
	}
	hopKind, evType, status := desk.HopTransferred, desk.EventTransferred, desk.StatusNew
	switch kind {
	case moveRoute:
		hopKind, evType = desk.HopRouted, desk.EventRouted
	case moveReturn:
		hopKind, evType, status = desk.HopReturned, desk.EventReturned, desk.StatusTriage
	}
	hop := desk.Hop{Kind: hopKind, From: from, To: target, Actor: actor.ID, Reason: reason, At: now}
	if kind == moveReturn {
		hop.Suggested = suggested
	}
	cf := store.CustodyFields{
		Agency:     target,
		AgencyPath: cat.Path(target),
		Hops:       append(append([]desk.Hop{}, t.Hops...), hop),
		Custody:    handOver(t, target, now),
	}
	slaAgency := target
	if kind == moveReturn {
		cf.Agency, cf.SuggestedAgency, slaAgency = "", suggested, ""
	}
	// The receiving agency gets its full periods again from now (a return
	// gives the coordinators their classification period); created_at is
	// untouched.
	f := s.Deadlines(t.Category, slaAgency, now, now)
	ch := store.TicketChange{
		Status: status,
		Set:    append(cf.Set(), f.Set()...),
		Event:  desk.Event{Actor: actor.ID, Type: evType, From: from, To: target, Note: reason, Public: true},
	}
	if kind == moveReturn && suggested != "" {
		ch.Event.Note = reason + " — đề xuất (suggested): " + suggested
	}
	out, err := s.Change(ctx, t, in.Version, Change{TicketChange: ch, OwnDeadlines: true,
		Actor: actor, Action: "ticket." + kind.String(), Note: reason,
		// The new deadline, on the public timeline like the first one.
		Then: []desk.Event{{Actor: "system", Type: desk.EventDueSet, To: f.DueAt.UTC().Format(time.RFC3339), Public: true}}})
	if err != nil {
		return nil, err
	}
	s.Log.Info("ticket moved", "code", t.TrackingCode, "kind", hopKind, "from", from, "to", target, "actor", actor.ID,
		"due", out.DueAt.Format(time.RFC3339))
	if s.Refile != nil {
		s.Refile(ctx, out.ID)
	}
	return out, nil
}

// handOver closes the current holder's stretch at now and opens one for
// to. A ticket made before custody was recorded starts its chain with its
// holder since creation.
func handOver(t *desk.Ticket, to string, now time.Time) []desk.Custody {
	chain := append([]desk.Custody{}, t.Custody...)
	if len(chain) == 0 {
		holder := t.Agency
		if holder == "" && len(t.AgencyPath) > 0 {
			holder = t.AgencyPath[len(t.AgencyPath)-1]
		}
		if holder != "" {
			chain = append(chain, desk.Custody{Agency: holder, Since: t.CreatedAt})
		}
	}
	if n := len(chain); n > 0 && chain[n-1].Until.IsZero() {
		chain[n-1].Until = now
	}
	return append(chain, desk.Custody{Agency: to, Since: now})
}
