package hotline

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Field limits for CTI input, in bytes. A PBX sends short values; anything
// longer is a misconfiguration or an attack, and is refused whole.
const (
	MaxCallID   = 128
	MaxNumber   = 40
	MaxUser     = 200
	MaxUsers    = 10
	MaxQueue    = 100
	MaxCause    = 40
	MaxCTIBody  = 16 << 10 // the whole request
	settingCTI  = "cti_token"
	tokenPrefix = "cti_"
)

// CTIInput is one event of Zammad's generic CTI push API, whatever the
// encoding it came in.
type CTIInput struct {
	Event           string   // newCall, answer, hangup
	From, To        string   // caller and callee numbers
	Direction       string   // in, out
	CallID          string   // the PBX's id for the call
	Users           []string // user[]: who answered (answer) or who is rung
	Queue           string
	AnsweringNumber string
	Cause           string // hangup: normalClearing, busy, cancel, noAnswer, congestion, notFound, forwarded
}

// CTIReply is the webhook's answer. Zammad-compatible PBXs read "action":
// "reject" refuses the call.
type CTIReply struct {
	Action string `json:"action,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ctiCall is a validated event.
type ctiCall struct {
	store.CTIEvent
	display string
}

func validCallID(s string) bool {
	if s == "" || len(s) > MaxCallID {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_:@+", r)) {
			return false
		}
	}
	return true
}

// ctiNumber validates a number as a PBX sends it and returns its stored
// form: E.164 for Vietnamese numbers, the bare digits (with a leading +
// when given) for anything else that is still a number, such as a foreign
// caller or an internal extension.
func ctiNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	if digits < 2 || digits > 20 {
		return "", false
	}
	if n, err := phone.Normalize(s); err == nil {
		return n, true
	}
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String(), true
}

// validate checks in and turns it into a store event, or returns EINVALID
// with a message per field. Nothing is stored for an invalid event.
func (s *Service) validateCTI(in CTIInput) (*ctiCall, error) {
	fields := map[string]string{}
	size := func(name, v string, max int) bool {
		if len(v) > max {
			fields[name] = "quá dài (too long): tối đa " + itoa(max) + " byte"
			return false
		}
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			fields[name] = "không hợp lệ (invalid characters)"
			return false
		}
		return true
	}
	switch in.Event {
	case "newCall", "answer", "hangup":
	case "":
		fields["event"] = "bắt buộc (required): newCall, answer hoặc hangup"
	default:
		if size("event", in.Event, 20) {
			fields["event"] = "sự kiện không được hỗ trợ (unknown event); dùng newCall, answer hoặc hangup"
		}
	}
	if in.CallID == "" {
		fields["callId"] = "bắt buộc (required)"
	} else if size("callId", in.CallID, MaxCallID) && !validCallID(in.CallID) {
		fields["callId"] = "chỉ gồm chữ, số và . - _ : @ + (letters, digits and . - _ : @ + only)"
	}
	dir := in.Direction
	if dir == "" {
		dir = desk.DirectionIn
	}
	if dir != desk.DirectionIn && dir != desk.DirectionOut {
		if size("direction", dir, 10) {
			fields["direction"] = "phải là in hoặc out (must be in or out)"
		}
	}
	var from, to string
	for _, f := range []struct {
		name string
		v    string
		dst  *string
	}{{"from", in.From, &from}, {"to", in.To, &to}, {"answeringNumber", in.AnsweringNumber, new(string)}} {
		if f.v == "" || !size(f.name, f.v, MaxNumber) {
			continue
		}
		n, ok := ctiNumber(f.v)
		if !ok {
			fields[f.name] = "không phải số điện thoại (not a phone number)"
			continue
		}
		*f.dst = n
	}
	citizen, line, citizenField := from, to, "from"
	if dir == desk.DirectionOut {
		citizen, line, citizenField = to, from, "to"
	}
	if citizen == "" && fields[citizenField] == "" && in.Event == "newCall" {
		fields[citizenField] = "bắt buộc (required): số của người gọi"
	}
	if len(in.Users) > MaxUsers {
		fields["user"] = "quá nhiều (too many users)"
	}
	for _, u := range in.Users {
		if !size("user", u, MaxUser) {
			break
		}
	}
	size("queue", in.Queue, MaxQueue)
	if size("cause", in.Cause, MaxCause) {
		for _, r := range in.Cause {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
				fields["cause"] = "không hợp lệ (letters only)"
				break
			}
		}
	}
	if len(fields) > 0 {
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Sự kiện CTI không hợp lệ (invalid CTI event).", Fields: fields}
	}
	now := s.now()
	ev := &ctiCall{CTIEvent: store.CTIEvent{
		CallID: in.CallID, Event: in.Event, At: now, Day: Day(now), Phone: citizen, Direction: dir, Line: line,
		Queue: strings.TrimSpace(in.Queue), AnsweringNumber: strings.TrimSpace(in.AnsweringNumber), Cause: in.Cause,
	}}
	ev.display = phone.Display(citizen)
	return ev, nil
}

// Token returns the CTI webhook token: CIVICDESK_CTI_TOKEN when set,
// otherwise one generated on first use and kept in the store so that every
// web process accepts the same URL.
func (s *Service) Token(ctx context.Context) (string, error) {
	if s.ConfiguredToken != "" {
		return s.ConfiguredToken, nil
	}
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	if s.token != "" {
		return s.token, nil
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok, err := s.Store.EnsureSetting(ctx, settingCTI, tokenPrefix+hex.EncodeToString(b[:]))
	if err != nil {
		return "", err
	}
	s.token = tok
	return tok, nil
}

// CheckToken compares got with the webhook token in constant time. A
// wrong token is EUNAUTH; nothing about the right one leaks.
func (s *Service) CheckToken(ctx context.Context, got string) error {
	want, err := s.Token(ctx)
	if err != nil {
		return err
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return desk.Errorf(desk.EUNAUTH, "Mã CTI không đúng (wrong CTI token).")
	}
	return nil
}

// HandleCTI applies one PBX event: it records it on the call (once per
// call id and event, in whatever order events come), tells connected
// consoles, and answers "reject" to a newCall from a blocked number. The
// caller must have checked the token.
func (s *Service) HandleCTI(ctx context.Context, in CTIInput) (CTIReply, error) {
	ev, err := s.validateCTI(in)
	if err != nil {
		return CTIReply{}, err
	}
	if ev.Event == "newCall" && s.Limiter != nil && s.CTIRule.Limit > 0 && ev.Phone != "" {
		d, err := s.Limiter.Allow(ctx, s.CTIRule, "cti:"+ev.Phone)
		if err != nil {
			s.Log.Warn("rate limiter unavailable; letting the CTI event through", "err", err)
		} else if !d.Allowed {
			s.Log.Warn("cti: calling number rate limited", "last4", phone.Last4(ev.Phone), "call", ev.CallID)
			return CTIReply{}, desk.Errorf(desk.ELIMITED, "Quá nhiều cuộc gọi từ số này (too many calls from this number).")
		}
	}
	var reply CTIReply
	if ev.Event == "newCall" && ev.Phone != "" {
		b, err := s.Store.BlockedNumber(ctx, ev.Phone)
		if err != nil {
			return CTIReply{}, err
		}
		if b != nil && b.Active(ev.At) {
			ev.Blocked = true
			reply = CTIReply{Action: "reject", Reason: "busy"}
		}
	}
	if ev.Event == "answer" && len(in.Users) > 0 {
		ev.Operator, ev.OperatorName = s.resolveOperator(ctx, in.Users[0])
	}
	call, applied, err := s.Store.ApplyCTIEvent(ctx, ev.CTIEvent)
	if err != nil {
		return CTIReply{}, err
	}
	if call.Blocked && ev.Event == "newCall" {
		reply = CTIReply{Action: "reject", Reason: "busy"}
	}
	if applied && !call.Blocked {
		s.Broker.Publish(ctx, Event{Event: ev.Event, CallID: call.CallID, Phone: call.Phone, Display: phone.Display(call.Phone),
			Direction: call.Direction, OperatorName: call.OperatorName, Missed: call.Missed, At: ev.At})
	}
	return reply, nil
}

// resolveOperator matches the name a PBX gives for the answering agent to
// a user: Zammad sends the agent's login, which is the email here. Unknown
// names are kept as they came.
func (s *Service) resolveOperator(ctx context.Context, name string) (id, display string) {
	name = strings.TrimSpace(name)
	if strings.Contains(name, "@") {
		if u, err := s.Store.UserByEmail(ctx, strings.ToLower(name)); err == nil {
			return u.ID, u.Name
		}
	}
	return "cti:" + name, name
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Day is the Vietnamese calendar day of t, the key calls are grouped by.
func Day(t time.Time) string { return t.In(hcm).Format("2006-01-02") }

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}()

// AdminToken returns the webhook token to an admin, who gives it to the
// PBX; anyone else gets EFORBIDDEN.
func (s *Service) AdminToken(ctx context.Context, actor *desk.User) (string, error) {
	if actor == nil || actor.Role != desk.RoleAdmin {
		return "", desk.Errorf(desk.EFORBIDDEN, "Chỉ quản trị viên xem được mã CTI (admins only).")
	}
	return s.Token(ctx)
}
