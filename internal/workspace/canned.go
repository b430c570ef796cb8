package workspace

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Canned responses are reply templates kept per agency. Agency staff see
// their own agency's and those of the agencies above it (a ministry's
// standard wording applies to its units); coordinators and admins see all.
// Leads manage their own agency's; admins any agency's.

// CannedInput is what creating or editing a canned response takes; ID
// empty creates one.
type CannedInput struct {
	ID     string `json:"id"`
	Agency string `json:"agency"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

// MaxCannedTitle is the longest canned response title, in characters.
const MaxCannedTitle = 200

// cannedScope is the agencies whose canned responses u sees: nil for all.
func (s *Service) cannedScope(u *desk.User) []string {
	if !u.Role.AgencyBound() {
		return nil
	}
	path := s.Catalog().Path(u.Agency)
	if len(path) == 0 {
		path = []string{u.Agency}
	}
	return path
}

// Canned lists the canned responses actor may use. Operators get none.
func (s *Service) Canned(ctx context.Context, actor *desk.User) ([]store.CannedResponse, error) {
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	return s.Store.CannedFor(ctx, s.cannedScope(actor))
}

// CannedForTicket lists the canned responses that fit t: those of the
// agencies in t's path that actor may use.
func (s *Service) CannedForTicket(ctx context.Context, actor *desk.User, t *desk.Ticket) ([]store.CannedResponse, error) {
	if err := mayWork(actor); err != nil {
		return nil, err
	}
	scope := s.cannedScope(actor)
	if scope == nil {
		scope = t.AgencyPath
		if scope == nil {
			scope = []string{}
		}
	}
	all, err := s.Store.CannedFor(ctx, scope)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		if slices.Contains(t.AgencyPath, c.Agency) {
			out = append(out, c)
		}
	}
	return out, nil
}

func mayManageCanned(u *desk.User, agency string) error {
	if u == nil {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	switch {
	case u.Role == desk.RoleAdmin:
		return nil
	case u.Role == desk.RoleLead && u.Agency == agency:
		return nil
	}
	return desk.Errorf(desk.EFORBIDDEN, "Chỉ lãnh đạo cơ quan hoặc quản trị được quản lý mẫu trả lời (only the agency's lead or an admin manages canned responses).")
}

// SaveCanned creates or edits a canned response. Leads save for their
// own agency (the agency field defaults to it); admins for any agency.
func (s *Service) SaveCanned(ctx context.Context, actor *desk.User, in CannedInput) (*store.CannedResponse, error) {
	if actor == nil {
		return nil, desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	in.Agency, in.Title = strings.TrimSpace(in.Agency), strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if in.Agency == "" && actor.Role == desk.RoleLead {
		in.Agency = actor.Agency
	}
	if err := mayManageCanned(actor, in.Agency); err != nil {
		return nil, err
	}
	var prev *store.CannedResponse
	if in.ID != "" {
		var err error
		if prev, err = s.Store.CannedByID(ctx, in.ID); err != nil {
			return nil, err
		}
		// A lead edits only their agency's responses, whatever the form says.
		if err := mayManageCanned(actor, prev.Agency); err != nil {
			return nil, desk.Errorf(desk.ENOTFOUND, "Mẫu trả lời không tồn tại (canned response not found).")
		}
	}
	fields := map[string]string{}
	if s.Catalog().Agency(in.Agency) == nil {
		fields["agency"] = "Cơ quan không tồn tại (unknown agency)."
	}
	switch {
	case in.Title == "":
		fields["title"] = "Cần đặt tên mẫu (title required)."
	case utf8.RuneCountInString(in.Title) > MaxCannedTitle:
		fields["title"] = "Tên mẫu quá dài: tối đa 200 ký tự (title over 200 characters)."
	}
	switch {
	case in.Body == "":
		fields["body"] = "Nội dung mẫu không được để trống (the text is empty)."
	case !utf8.ValidString(in.Body) || !utf8.ValidString(in.Title):
		fields["body"] = "Nội dung không phải văn bản UTF-8 hợp lệ (not valid UTF-8)."
	case utf8.RuneCountInString(in.Body) > MaxBody:
		fields["body"] = "Nội dung quá dài: tối đa 20.000 ký tự (the text is over 20,000 characters)."
	}
	if len(fields) > 0 {
		s.Log.Info("workspace: canned response refused", "actor", actor.ID, "fields", fields)
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Mẫu trả lời không hợp lệ (invalid canned response).", Fields: fields}
	}
	c := &store.CannedResponse{ID: in.ID, Agency: in.Agency, Title: in.Title, Body: in.Body, UpdatedAt: s.now(), UpdatedBy: actor.ID}
	if err := s.Store.SaveCanned(ctx, c); err != nil {
		return nil, err
	}
	var before any
	if prev != nil {
		before = prev
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "canned.save", Target: c.ID, IP: ipOf(ctx), Before: before, After: c})
	return c, nil
}

// DeleteCanned removes a canned response of an agency actor manages.
func (s *Service) DeleteCanned(ctx context.Context, actor *desk.User, id string) error {
	if actor == nil {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	c, err := s.Store.CannedByID(ctx, strings.TrimSpace(id))
	if err != nil {
		return err
	}
	if err := mayManageCanned(actor, c.Agency); err != nil {
		if actor.Role == desk.RoleLead {
			return desk.Errorf(desk.ENOTFOUND, "Mẫu trả lời không tồn tại (canned response not found).")
		}
		return err
	}
	if err := s.Store.DeleteCanned(ctx, c.ID); err != nil {
		return err
	}
	s.Audit.Record(ctx, audit.Entry{Actor: actor, Action: "canned.delete", Target: c.ID, IP: ipOf(ctx), Before: c})
	return nil
}

// Expand fills a canned response's placeholders for ticket t: the
// citizen's name, the tracking code and the holding agency's name, in
// Vietnamese ({{ten_cong_dan}}, {{ma_phieu}}, {{co_quan}}) or English
// ({citizen_name}, {code}, {agency}) spelling. A ticket with no name gets
// the formal "Quý ông/bà".
func (s *Service) Expand(body string, t *desk.Ticket) string {
	name := strings.TrimSpace(t.Citizen.Name)
	if name == "" {
		name = "Quý ông/bà"
	}
	agency := t.Agency
	if a := s.Catalog().Agency(t.Agency); a != nil {
		agency = a.Name
	}
	return strings.NewReplacer(
		"{{ten_cong_dan}}", name, "{{ma_phieu}}", t.TrackingCode, "{{co_quan}}", agency,
		"{citizen_name}", name, "{code}", t.TrackingCode, "{agency}", agency,
	).Replace(body)
}

// ExpandCanned returns canned response id expanded for t, if actor may
// use it on t; ENOTFOUND otherwise.
func (s *Service) ExpandCanned(ctx context.Context, actor *desk.User, t *desk.Ticket, id string) (string, error) {
	list, err := s.CannedForTicket(ctx, actor, t)
	if err != nil {
		return "", err
	}
	for _, c := range list {
		if c.ID == id {
			return s.Expand(c.Body, t), nil
		}
	}
	return "", desk.Errorf(desk.ENOTFOUND, "Mẫu trả lời không tồn tại (canned response not found).")
}
