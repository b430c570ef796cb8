package citizen

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/civicdesk/civicdesk/internal/audit"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/email/mailout"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Owner is a citizen who proved that a ticket is theirs. Only this
// package makes one (Verify*, RedeemLink, CheckSession), so a handler
// cannot act for a citizen without a proof.
type Owner struct {
	code string
	via  string // "phone", "link" or "session"
}

// Code is the tracking code the proof is for.
func (o *Owner) Code() string { return o.code }

// Proof methods.
const (
	ViaPhone = "phone"
	ViaLink  = "link"
)

var (
	errWrongDigits = "4 chữ số cuối không khớp với số điện thoại đã đăng ký cho phản ánh này. Nếu phản ánh có địa chỉ email, bạn có thể yêu cầu gửi đường dẫn xác minh. (The last 4 digits do not match the phone number on this ticket; you may ask for a link by email instead.)"
	errDigitsShape = "Nhập đúng 4 chữ số cuối của số điện thoại đã dùng khi gửi phản ánh (enter the last 4 digits of the phone number you gave)."
	errNoProof     = desk.Errorf(desk.EUNAUTH, "Bạn cần xác minh là người gửi phản ánh trước (4 chữ số cuối của số điện thoại, hoặc đường dẫn gửi qua email). (Prove that this ticket is yours first.)")
)

// allow checks one rate-limit rule. Proof endpoints fail closed: when the
// limiter is unreachable nobody may guess, since an open door would lift
// the only bound on guessing four digits.
func (s *Service) allow(ctx context.Context, rule ratelimit.Rule, key, code, ip string) error {
	if s.Limiter == nil || rule.Limit <= 0 {
		return nil
	}
	d, err := s.Limiter.Allow(ctx, rule, key)
	if err != nil {
		s.Log.Error("citizen: rate limiter unavailable; proof refused", "rule", rule.Name, "err", err)
		return desk.Errorf(desk.ELIMITED, "Tạm thời chưa xác minh được; vui lòng thử lại sau ít phút. (Verification is unavailable for a moment; try again shortly.)")
	}
	if !d.Allowed {
		secs := int((d.RetryAfter + time.Second - 1) / time.Second)
		s.Log.Warn("citizen: proof attempts rate limited", "rule", rule.Name, "code", code, "ip", ip, "retry_after_s", secs)
		return &LimitError{Err: desk.Errorf(desk.ELIMITED, "Bạn đã thử quá nhiều lần; vui lòng thử lại sau %s. (Too many attempts; retry in %d s.)", humanWait(secs), secs), RetryAfter: secs}
	}
	return nil
}

// LimitError is ELIMITED with the wait in seconds, for Retry-After.
type LimitError struct {
	Err        *desk.Error
	RetryAfter int
}

func (e *LimitError) Error() string { return e.Err.Error() }
func (e *LimitError) Unwrap() error { return e.Err }

func humanWait(secs int) string {
	switch {
	case secs < 120:
		return strconv.Itoa(secs) + " giây"
	case secs < 2*3600:
		return strconv.Itoa((secs+59)/60) + " phút"
	}
	return strconv.Itoa((secs+3599)/3600) + " giờ"
}

// limits applies the per-code and per-IP rules of one proof attempt. The
// code is hashed into the key (KeyFor), so Redis holds no tracking codes.
func (s *Service) limits(ctx context.Context, perCode ratelimit.Rule, code, ip string) error {
	if err := s.allow(ctx, s.VerifyIP, ratelimit.KeyFor("ip", ip), code, ip); err != nil {
		return err
	}
	return s.allow(ctx, perCode, ratelimit.KeyFor("code", code), code, ip)
}

// proofLimits applies the rules of one attempt with phone digits: per
// client IP, per tracking code from this source, then per tracking code
// from every source. Counting per source first (OWASP: lock per account
// and source) means that one guesser spends only their own attempts,
// not the citizen's; the ceiling across sources still bounds guessing
// from many addresses.
func (s *Service) proofLimits(ctx context.Context, code, ip string) error {
	if err := s.allow(ctx, s.VerifyIP, ratelimit.KeyFor("ip", ip), code, ip); err != nil {
		return err
	}
	if err := s.allow(ctx, s.VerifyCode, ratelimit.KeyFor("code", code, ratelimit.Source(ip)), code, ip); err != nil {
		return err
	}
	return s.allow(ctx, s.VerifyCodeAll, ratelimit.KeyFor("code", code), code, ip)
}

// DefaultProofBackoff lets a citizen mistype the four digits three times
// at no cost; after that each wrong answer from the same source makes the
// next attempt wait 2 s, 4 s, 8 s … up to 15 min, on top of the hard limits
// (VerifyCode, VerifyCodeAll): a guesser is slowed from the fourth try, the
// citizen who mistypes once or twice never notices. The count is forgotten
// a day after the last wrong answer, or at once when the citizen proves
// ownership (by the digits or the mailed link).
var DefaultProofBackoff = ratelimit.Backoff{Name: "verify-backoff", Free: 3, Step: 2 * time.Second, Max: 15 * time.Minute, Memory: 24 * time.Hour}

func (s *Service) proofBackoff() ratelimit.Backoff {
	if s.ProofBackoff.Name == "" {
		return DefaultProofBackoff
	}
	return s.ProofBackoff
}

// proofWait refuses an attempt that comes before the wait earlier wrong
// answers from this source imposed.
func (s *Service) proofWait(ctx context.Context, code, ip string) error {
	if s.Limiter == nil {
		return nil
	}
	w, err := s.Limiter.Wait(ctx, s.proofBackoff(), ratelimit.KeyFor("code", code, ratelimit.Source(ip)))
	if err != nil {
		s.Log.Error("citizen: rate limiter unavailable; proof refused", "err", err)
		return desk.Errorf(desk.ELIMITED, "Tạm thời chưa xác minh được; vui lòng thử lại sau ít phút. (Verification is unavailable for a moment; try again shortly.)")
	}
	if w <= 0 {
		return nil
	}
	secs := int((w + time.Second - 1) / time.Second)
	s.Log.Warn("citizen: proof attempt before its back-off ended", "code", code, "ip", ip, "retry_after_s", secs)
	return &LimitError{Err: desk.Errorf(desk.ELIMITED, "Bạn đã nhập sai nhiều lần; vui lòng chờ %s rồi thử lại. (Several wrong answers; wait %d s before trying again.)", humanWait(secs), secs), RetryAfter: secs}
}

// proofFailed counts a wrong answer from ip's source against code.
func (s *Service) proofFailed(ctx context.Context, code, ip string) {
	if s.Limiter == nil {
		return
	}
	if _, err := s.Limiter.Fail(ctx, s.proofBackoff(), ratelimit.KeyFor("code", code, ratelimit.Source(ip))); err != nil {
		s.Log.Warn("citizen: wrong answer not counted for the back-off", "code", code, "err", err)
	}
}

// clearProofLimits forgets the attempts counted against code from every
// source together and from ip's source, once the citizen proved
// ownership through their own mailbox. Other sources' counts stay.
func (s *Service) clearProofLimits(ctx context.Context, code, ip string) {
	if s.Limiter == nil {
		return
	}
	for _, r := range []struct {
		rule ratelimit.Rule
		key  string
	}{{s.VerifyCodeAll, ratelimit.KeyFor("code", code)}, {s.VerifyCode, ratelimit.KeyFor("code", code, ratelimit.Source(ip))}} {
		if r.rule.Name == "" {
			continue
		}
		if err := s.Limiter.Reset(ctx, r.rule, r.key); err != nil {
			s.Log.Warn("citizen: proof counter not cleared", "rule", r.rule.Name, "code", code, "err", err)
		}
	}
	if err := s.Limiter.Forgive(ctx, s.proofBackoff(), ratelimit.KeyFor("code", code, ratelimit.Source(ip))); err != nil {
		s.Log.Warn("citizen: proof back-off not cleared", "code", code, "err", err)
	}
}

// VerifyPhone proves ownership with the last four digits of the phone
// number on the ticket, compared in constant time. Attempts are limited
// per tracking code and per IP before the ticket is even read; a wrong
// answer is EINVALID with a clear message, a log line and an audit entry.
func (s *Service) VerifyPhone(ctx context.Context, rawCode, digits, ip string) (*Owner, error) {
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return nil, errNotFound
	}
	digits = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(strings.TrimSpace(digits))
	if len(digits) != 4 || strings.Trim(digits, "0123456789") != "" {
		return nil, s.invalid(code, "verify", "phone_last4", errDigitsShape)
	}
	if err := s.proofWait(ctx, code, ip); err != nil {
		return nil, err
	}
	if err := s.proofLimits(ctx, code, ip); err != nil {
		return nil, err
	}
	t, err := s.load(ctx, code)
	if err != nil {
		return nil, err
	}
	want := lastDigits(t.Citizen.Phone, 4)
	// A ticket without a phone number compares against a value no input
	// can match, in the same time, so the answer does not tell whether
	// the ticket has a number at all.
	if len(want) != 4 {
		want = "\xff\xff\xff\xff"
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(digits)) != 1 {
		s.Log.Info("citizen: ownership proof failed (phone digits)", "code", code, "ip", ip)
		s.proofFailed(ctx, code, ip)
		s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.verify_failed", Target: code, IP: ip, Note: ViaPhone,
			Before: map[string]any{"proven": false}, After: map[string]any{"proven": false}})
		return nil, &desk.Error{Code: desk.EINVALID, Message: errWrongDigits, Fields: map[string]string{"phone_last4": errWrongDigits}}
	}
	if s.Limiter != nil {
		if err := s.Limiter.Forgive(ctx, s.proofBackoff(), ratelimit.KeyFor("code", code, ratelimit.Source(ip))); err != nil {
			s.Log.Warn("citizen: proof back-off not cleared", "code", code, "err", err)
		}
	}
	s.Log.Info("citizen: ownership proved", "code", code, "via", ViaPhone, "ip", ip)
	s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.verify", Target: code, IP: ip, Note: ViaPhone,
		Before: map[string]any{"proven": false}, After: map[string]any{"proven": true, "via": ViaPhone, "for": SessionTTL.String()}})
	return &Owner{code: code, via: ViaPhone}, nil
}

// lastDigits returns the last n digits of a phone number in any notation.
func lastDigits(phone string, n int) string {
	var d []byte
	for i := 0; i < len(phone); i++ {
		if phone[i] >= '0' && phone[i] <= '9' {
			d = append(d, phone[i])
		}
	}
	if len(d) < n {
		return ""
	}
	return string(d[len(d)-n:])
}

// RequestLink mails a one-time link to the address on the ticket. It
// answers the same whether or not the ticket has an address, so the form
// does not reveal it; sent says what happened, for the log and the tests.
// The link's token is derived by the mail worker from a random nonce
// (mailout.LinkToken); only its SHA-256 is stored, valid for
// mailout.LinkTTL and once.
func (s *Service) RequestLink(ctx context.Context, rawCode, ip string) (sent bool, err error) {
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return false, errNotFound
	}
	if err := s.limits(ctx, s.LinkCode, code, ip); err != nil {
		return false, err
	}
	t, err := s.load(ctx, code)
	if err != nil {
		return false, err
	}
	if t.Citizen.Email == "" {
		s.Log.Info("citizen: link requested for a ticket without email; nothing sent", "code", code, "ip", ip)
		s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.link_request", Target: code, IP: ip, Note: "no email on the ticket",
			After: map[string]any{"sent": false}})
		return false, nil
	}
	if s.Mail == nil {
		s.Log.Warn("citizen: no mail queue; sign-in link not sent", "code", code)
		return false, nil
	}
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return false, err
	}
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	link := &store.CitizenLink{ID: hashToken(mailout.LinkToken(s.Secret, t.ID, nonce)), TicketID: t.ID, TrackingCode: code,
		CreatedAt: now, ExpiresAt: now.Add(mailout.LinkTTL)}
	if err := s.Store.InsertCitizenLink(ctx, link); err != nil {
		return false, err
	}
	if err := s.Mail.EnqueueMail(ctx, t.ID, mailout.KindAccess, nonce); err != nil {
		return false, err
	}
	s.Log.Info("citizen: sign-in link queued", "code", code, "ip", ip)
	s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.link_request", Target: code, IP: ip, Note: "sent",
		After: map[string]any{"sent": true, "expires_at": link.ExpiresAt}})
	return true, nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// RedeemLink proves ownership with a one-time link's token: it must be
// the ticket's, unused and unexpired, and is marked used in the same
// step. Failures are EINVALID saying which (invalid, used, expired).
func (s *Service) RedeemLink(ctx context.Context, rawCode, token, ip string) (*Owner, error) {
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok {
		return nil, errNotFound
	}
	if len(token) != 43 || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		s.Log.Info("citizen: malformed sign-in link", "code", code, "ip", ip)
		return nil, desk.Errorf(desk.EINVALID, "Đường dẫn xác minh không hợp lệ. Hãy yêu cầu gửi lại đường dẫn mới. (This sign-in link is not valid; ask for a new one.)")
	}
	if _, err := s.Store.UseCitizenLink(ctx, hashToken(token), code, s.now()); err != nil {
		s.Log.Info("citizen: sign-in link refused", "code", code, "ip", ip, "err", err)
		s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.verify_failed", Target: code, IP: ip, Note: ViaLink + ": " + desk.ErrorMessage(err)})
		return nil, err
	}
	s.clearProofLimits(ctx, code, ip)
	s.Log.Info("citizen: ownership proved", "code", code, "via", ViaLink, "ip", ip)
	s.Audit.Record(ctx, audit.Entry{ActorID: ActorCitizen, Action: "citizen.verify", Target: code, IP: ip, Note: ViaLink,
		Before: map[string]any{"proven": false}, After: map[string]any{"proven": true, "via": ViaLink, "for": SessionTTL.String()}})
	return &Owner{code: code, via: ViaLink}, nil
}

// Session returns the value of the cookie that keeps o's proof for
// SessionTTL: "<expiry unix>.<HMAC(secret, code, expiry)>". It is bound
// to the one tracking code and carries nothing else; the server keeps no
// state for it, so any web process can check it.
func (s *Service) Session(o *Owner) (value string, expires time.Time) {
	expires = s.now().Add(SessionTTL).Truncate(time.Second)
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + s.sessionMAC(o.code, exp), expires
}

func (s *Service) sessionMAC(code, exp string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("citizen-session\x00" + code + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckSession returns the Owner a cookie value proves for code, or nil
// when it is missing, forged, for another code or expired.
func (s *Service) CheckSession(rawCode, value string) *Owner {
	code, ok := desk.NormalizeTrackingCode(rawCode)
	if !ok || value == "" || len(value) > 100 {
		return nil
	}
	exp, mac, ok := strings.Cut(value, ".")
	if !ok {
		return nil
	}
	if !hmac.Equal([]byte(mac), []byte(s.sessionMAC(code, exp))) {
		return nil
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !s.now().Before(time.Unix(n, 0)) {
		return nil
	}
	return &Owner{code: code, via: "session"}
}

// owned checks o proves the ticket with code.
func owned(o *Owner, code string) error {
	c, ok := desk.NormalizeTrackingCode(code)
	if o == nil || !ok || o.code != c {
		return errNoProof
	}
	return nil
}
