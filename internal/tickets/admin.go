package tickets

import (
	"context"
	"strings"
	"time"

	"github.com/civicdesk/civicdesk/internal/calendar"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/routing"
	"github.com/civicdesk/civicdesk/internal/store"
)

func requireAdmin(actor *desk.User) error {
	if actor == nil {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	if actor.Role != desk.RoleAdmin {
		return desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên được thực hiện (administrators only).")
	}
	return nil
}

// Rules lists the routing rules in the order they are tried. Admins only.
func (s *Service) Rules(ctx context.Context, actor *desk.User) ([]desk.RoutingRule, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	routing.Sort(rules)
	return rules, nil
}

func (s *Service) provinces() []string {
	if s.Provinces == nil {
		return nil
	}
	return s.Provinces()
}

// CreateRule validates r and stores it; with no order it goes last.
// EINVALID (nothing stored) names each bad field, such as an unknown agency.
func (s *Service) CreateRule(ctx context.Context, actor *desk.User, r desk.RoutingRule) (*desk.RoutingRule, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if err := routing.Validate(&r, s.Catalog(), s.provinces()); err != nil {
		s.Log.Info("routing rule refused", "actor", actor.ID, "err", err)
		return nil, err
	}
	if r.Order == 0 {
		rules, err := s.Store.Rules(ctx)
		if err != nil {
			return nil, err
		}
		r.Order = 10
		for _, o := range rules {
			if o.Order >= r.Order {
				r.Order = o.Order + 10
			}
		}
	}
	r.ID = store.NewID()
	r.UpdatedAt, r.UpdatedBy = s.now(), actor.ID
	if err := s.Store.InsertRule(ctx, &r); err != nil {
		return nil, err
	}
	s.Log.Info("routing rule created", "rule", r.ID, "name", r.Name, "agency", r.Agency, "actor", actor.ID)
	return &r, nil
}

// UpdateRule validates r and replaces the rule id with it; an order of 0
// keeps the rule's place.
func (s *Service) UpdateRule(ctx context.Context, actor *desk.User, id string, r desk.RoutingRule) (*desk.RoutingRule, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	old, err := s.Store.Rule(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := routing.Validate(&r, s.Catalog(), s.provinces()); err != nil {
		s.Log.Info("routing rule refused", "actor", actor.ID, "rule", id, "err", err)
		return nil, err
	}
	r.ID = old.ID
	if r.Order == 0 {
		r.Order = old.Order
	}
	r.UpdatedAt, r.UpdatedBy = s.now(), actor.ID
	if err := s.Store.ReplaceRule(ctx, &r); err != nil {
		return nil, err
	}
	s.Log.Info("routing rule updated", "rule", r.ID, "actor", actor.ID)
	return &r, nil
}

// DeleteRule removes a rule.
func (s *Service) DeleteRule(ctx context.Context, actor *desk.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.Store.DeleteRule(ctx, id); err != nil {
		return err
	}
	s.Log.Info("routing rule deleted", "rule", id, "actor", actor.ID)
	return nil
}

// MoveRule moves a rule one place up (delta < 0) or down (delta > 0) and
// renumbers every rule 10, 20, 30… so that orders stay distinct.
func (s *Service) MoveRule(ctx context.Context, actor *desk.User, id string, delta int) error {
	rules, err := s.Rules(ctx, actor)
	if err != nil {
		return err
	}
	at := -1
	for i := range rules {
		if rules[i].ID == id {
			at = i
		}
	}
	if at < 0 {
		return desk.Errorf(desk.ENOTFOUND, "Quy tắc không tồn tại (rule not found).")
	}
	to := at + delta
	if to < 0 {
		to = 0
	}
	if to > len(rules)-1 {
		to = len(rules) - 1
	}
	r := rules[at]
	rules = append(rules[:at], rules[at+1:]...)
	rules = append(rules[:to], append([]desk.RoutingRule{r}, rules[to:]...)...)
	now := s.now()
	for i := range rules {
		if want := (i + 1) * 10; rules[i].Order != want {
			if err := s.Store.SetRuleOrder(ctx, rules[i].ID, want, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// Overrides lists the stored calendar overrides. Admins only.
func (s *Service) Overrides(ctx context.Context, actor *desk.User) ([]store.CalendarOverride, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.Store.CalendarOverrides(ctx)
}

// PutOverride stores an override of one date (replacing one for the same
// date) after checking that the calendar accepts it together with every
// other stored override; EINVALID and nothing stored otherwise. The
// process's calendar is reloaded at once.
func (s *Service) PutOverride(ctx context.Context, actor *desk.User, date string, kind calendar.OverrideKind, note string) (*store.CalendarOverride, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	date, note = strings.TrimSpace(date), strings.TrimSpace(note)
	fields := map[string]string{}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		fields["date"] = "Ngày phải có dạng YYYY-MM-DD và là ngày có thật (date must be a real YYYY-MM-DD date)."
	}
	if kind != calendar.OverrideDayOff && kind != calendar.OverrideWorkingDay {
		fields["kind"] = "Loại phải là day_off hoặc working_day (kind must be day_off or working_day)."
	}
	if len([]rune(note)) > 500 {
		fields["note"] = "Ghi chú tối đa 500 ký tự (note too long)."
	}
	if len(fields) > 0 {
		e := desk.Errorf(desk.EINVALID, "Ngày điều chỉnh không hợp lệ (invalid calendar override).")
		e.Fields = fields
		s.Log.Info("calendar override refused", "actor", actor.ID, "date", date, "kind", kind)
		return nil, e
	}
	all, err := s.Store.Overrides(ctx)
	if err != nil {
		return nil, err
	}
	next := []calendar.Override{{Date: date, Kind: kind, Note: note}}
	for _, o := range all {
		if o.Date != date {
			next = append(next, o)
		}
	}
	if _, err := calendar.New(next); err != nil {
		s.Log.Info("calendar override refused", "actor", actor.ID, "date", date, "err", err)
		return nil, desk.Errorf(desk.EINVALID, "Ngày điều chỉnh không hợp lệ (invalid calendar override): %v", err)
	}
	o := store.CalendarOverride{Date: date, Kind: kind, Note: note, UpdatedBy: actor.ID, UpdatedAt: s.now()}
	if err := s.Store.PutCalendarOverride(ctx, o); err != nil {
		return nil, err
	}
	s.Log.Info("calendar override stored", "date", date, "kind", kind, "actor", actor.ID)
	s.calendarChanged(ctx)
	return &o, nil
}

// DeleteOverride removes the override of date.
func (s *Service) DeleteOverride(ctx context.Context, actor *desk.User, date string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.Store.DeleteCalendarOverride(ctx, strings.TrimSpace(date)); err != nil {
		return err
	}
	s.Log.Info("calendar override deleted", "date", date, "actor", actor.ID)
	s.calendarChanged(ctx)
	return nil
}

func (s *Service) calendarChanged(ctx context.Context) {
	if s.CalendarChanged == nil {
		return
	}
	if err := s.CalendarChanged(ctx); err != nil {
		s.Log.Warn("calendar reload failed; the periodic refresh will retry", "err", err)
	}
}
