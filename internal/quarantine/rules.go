package quarantine

import (
	"context"
	"errors"
	"strings"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/spam"
	"github.com/civicdesk/civicdesk/internal/store"
)

// MaxRulesBytes is the largest spam rules document accepted; the built-in
// one is about 7 KB.
const MaxRulesBytes = 256 << 10

// RulesDoc is the spam rules document in force and where it came from.
type RulesDoc struct {
	Document []byte
	Version  int
	// Stored is false while the built-in rules apply.
	Stored    bool
	UpdatedBy string
}

func requireAdmin(actor *desk.User) error {
	if actor == nil {
		return desk.Errorf(desk.EUNAUTH, "Cần đăng nhập (authentication required).")
	}
	if actor.Role != desk.RoleAdmin {
		return desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên được xem và sửa quy tắc lọc thư rác (only administrators edit the spam rules).")
	}
	return nil
}

// Rules returns the spam rules in force: the highest stored version, else
// the built-in document. Admins only.
func (s *Service) Rules(ctx context.Context, actor *desk.User) (*RulesDoc, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	d, err := s.Store.CurrentSpamRules(ctx)
	if desk.ErrorCode(err) == desk.ENOTFOUND {
		return &RulesDoc{Document: spam.DefaultRulesJSON(), Version: spam.DefaultRules().Version}, nil
	}
	if err != nil {
		return nil, err
	}
	return &RulesDoc{Document: []byte(d.Document), Version: d.Version, Stored: true, UpdatedBy: d.UpdatedBy}, nil
}

// PutRules validates a rules document with spam.ParseRules and stores it
// as a new version; the workers pick it up on their next refresh. Every
// problem in the document is reported at once (EINVALID) and nothing is
// stored. The document's version must be above the one in force
// (ECONFLICT otherwise). Admins only.
func (s *Service) PutRules(ctx context.Context, actor *desk.User, data []byte) (*spam.Rules, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if len(data) > MaxRulesBytes {
		return nil, desk.Errorf(desk.ETOOLARGE, "Tài liệu quy tắc quá lớn: tối đa %d byte (rules document over %d bytes).", MaxRulesBytes, MaxRulesBytes)
	}
	r, err := spam.ParseRules(data)
	if err != nil {
		e := desk.Errorf(desk.EINVALID, "Quy tắc không hợp lệ, chưa lưu gì (invalid rules, nothing stored): %s", oneLine(err))
		return nil, e
	}
	if r.Version <= 0 {
		return nil, desk.Errorf(desk.EINVALID, "Cần trường version là số dương (version must be a positive number).")
	}
	cur, err := s.Rules(ctx, actor)
	if err != nil {
		return nil, err
	}
	if r.Version <= cur.Version {
		return nil, desk.Errorf(desk.ECONFLICT, "Phiên bản quy tắc phải lớn hơn phiên bản hiện tại %d (version must be above the current %d).", cur.Version, cur.Version)
	}
	err = s.Store.PutSpamRules(ctx, store.SpamRulesDoc{Version: r.Version, Document: string(data), UpdatedAt: s.Clock.Now().UTC(), UpdatedBy: actor.ID})
	if err != nil {
		return nil, err
	}
	s.Log.Info("spam rules stored", "version", r.Version, "by", actor.ID, "bytes", len(data))
	return r, nil
}

// oneLine joins a multi-error's lines with "; ".
func oneLine(err error) string {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, e.Error())
		}
		return strings.Join(parts, "; ")
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
