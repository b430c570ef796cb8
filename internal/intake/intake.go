// Package intake is the one door every channel comes in through. Accept
// validates a submission, stores it durably with a unique idempotency key,
// and only then enqueues it. The answer a submitter gets (HTTP 202, SMTP
// 250) is given after the store, so nothing acknowledged can be lost: if
// the enqueue fails or Redis later loses the task, the reconciler finds the
// submission in Mongo and enqueues it again.
package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/phone"
	"github.com/civicdesk/civicdesk/internal/province"
	"github.com/civicdesk/civicdesk/internal/spam"
	"github.com/civicdesk/civicdesk/internal/store"
)

// Limits on each field, in characters. The request as a whole is limited
// at the HTTP edge before any parsing.
const (
	MaxName     = 200
	MaxEmail    = 254
	MaxProvince = 100
	MaxTitle    = 300
	MaxBody     = 20000
	MaxKey      = 200
)

// Input is a submission as a channel hands it over.
type Input struct {
	Channel        desk.Channel
	IdempotencyKey string // optional; a retry with the same key gets the same answer
	Name           string
	Phone          string
	Email          string
	Province       string
	Category       string
	Title          string
	Body           string
	Honeypot       string
	RemoteIP       string
	// FormAge is how long the portal form was open, from its verified
	// signed render time; 0 when unknown. The spam check uses it.
	FormAge time.Duration
	Agency  string // set by channels that already know the agency
	// ReplyTo is the tracking code of an existing ticket this adds to.
	ReplyTo string
	// Raw is a whole email message (email channel). With Raw set, title,
	// body and category may be empty: the worker fills them from the
	// parsed message, and the category defaults to DefaultEmailCategory.
	Raw []byte
	// Mail is the email envelope, with Raw.
	Mail *desk.MailEnvelope
}

// MaxRaw bounds Input.Raw: the raw message is stored inside the
// submission document, and MongoDB documents stop at 16 MiB.
const MaxRaw = 12 << 20

// DefaultEmailCategory is the category of email submissions: the citizen
// picks none, so the coordinators (or the address's agency) place them.
const DefaultEmailCategory = "khac"

// Receipt is what the submitter is told.
type Receipt struct {
	TrackingCode string
	SubmissionID string
	// Duplicate is true when the idempotency key was seen before and this
	// call stored nothing.
	Duplicate bool
}

// Enqueuer puts a stored submission on the queue.
type Enqueuer interface {
	EnqueueIntake(ctx context.Context, submissionID string) error
}

// CatalogSource gives the current agencies, categories and provinces.
type CatalogSource interface {
	Catalog() *desk.Catalog
	Provinces() []string
}

// Service accepts submissions.
type Service struct {
	Store   *store.Store
	Queue   Enqueuer
	Catalog CatalogSource
	Clock   desk.Clock
	Log     *slog.Logger
	// OnAccepted, if set, is called after each stored submission (metrics).
	OnAccepted func(channel desk.Channel)
	// StoreTimeout bounds the store write (0: the caller's deadline only).
	// A store that is down or stalled then costs the submitter seconds and
	// a 503 they can retry, not the driver's 30 s and a 500.
	StoreTimeout time.Duration
}

// ErrStoreUnavailable is Accept's answer when the store did not take the
// submission in time. The write may still have happened: a retry with the
// same idempotency key answers with its code, without a second submission.
var ErrStoreUnavailable = &desk.Error{Code: desk.EUNAVAILABLE,
	Message: "Hệ thống tạm thời không lưu được phản ánh; vui lòng gửi lại sau ít giây — gửi lại với cùng Idempotency-Key để nhận đúng mã phiếu, không tạo phản ánh trùng. " +
		"(The store is not answering; retry in a few seconds with the same Idempotency-Key to get your tracking code without a duplicate.)"}

// Accept validates in, stores it and enqueues it. Validation failures are
// EINVALID errors with a message per field, and store nothing.
func (s *Service) Accept(ctx context.Context, in Input) (*Receipt, error) {
	sub, err := s.validate(in)
	if err != nil {
		return nil, err
	}
	sctx := ctx
	if s.StoreTimeout > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, s.StoreTimeout)
		defer cancel()
	}
	stored, created, err := s.Store.InsertSubmission(sctx, sub)
	if err != nil {
		if ctx.Err() == nil && storeUnavailable(err) {
			s.Log.Warn("store did not take the submission in time; answered 503", "key", sub.Key, "channel", sub.Channel, "err", err)
			return nil, ErrStoreUnavailable
		}
		return nil, err
	}
	if !created && stored.RequestHash != "" && stored.RequestHash != sub.RequestHash {
		return nil, desk.Errorf(desk.EKEYREUSED, "Idempotency-Key này đã được dùng cho một phản ánh có nội dung khác; hãy dùng khóa mới cho phản ánh mới (this Idempotency-Key was already used for a submission with different content; use a new key for a new submission).")
	}
	if created && s.OnAccepted != nil {
		s.OnAccepted(sub.Channel)
	}
	if stored.Status == desk.SubmissionReceived {
		// Durable already; a failed enqueue is repaired by the reconciler,
		// so the submitter still gets their code.
		if err := s.Queue.EnqueueIntake(ctx, stored.ID); err != nil {
			s.Log.Warn("enqueue failed; the reconciler will retry", "submission", stored.ID, "err", err)
		}
	}
	return &Receipt{TrackingCode: stored.TrackingCode, SubmissionID: stored.ID, Duplicate: !created}, nil
}

// storeUnavailable says whether err means the store could not be reached
// or did not answer in time, as opposed to refusing the write.
func storeUnavailable(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) || mongo.IsNetworkError(err)
}

// clean normalises text to NFC and trims it. Vietnamese typed on different
// systems arrives composed or decomposed; storing one form keeps search,
// dedup and display consistent.
func clean(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

func (s *Service) validate(in Input) (*desk.Submission, error) {
	fields := map[string]string{}
	check := func(field, v string, max int, required bool) string {
		if !utf8.ValidString(v) {
			fields[field] = "Nội dung không phải UTF-8 hợp lệ (not valid UTF-8)."
			return ""
		}
		if strings.ContainsRune(v, 0) {
			fields[field] = "Nội dung chứa ký tự không hợp lệ (contains a NUL character)."
			return ""
		}
		v = clean(v)
		switch {
		case required && v == "":
			fields[field] = "Trường này là bắt buộc (required)."
		case utf8.RuneCountInString(v) > max:
			fields[field] = "Quá dài: tối đa " + strconv.Itoa(max) + " ký tự (too long)."
		}
		return v
	}
	if !in.Channel.Valid() {
		return nil, desk.Errorf(desk.EINVALID, "unknown channel %q", in.Channel)
	}
	// For email the raw message is the content; the worker derives title
	// and body from it.
	rawMail := in.Channel == desk.ChannelEmail && in.Raw != nil
	if rawMail && len(in.Raw) > MaxRaw {
		return nil, desk.Errorf(desk.ETOOLARGE, "message larger than %d bytes", MaxRaw)
	}
	if rawMail && in.Category == "" {
		in.Category = DefaultEmailCategory
	}
	sub := &desk.Submission{
		Channel:  in.Channel,
		Status:   desk.SubmissionReceived,
		Title:    check("title", in.Title, MaxTitle, !rawMail),
		Body:     check("body", in.Body, MaxBody, !rawMail),
		Category: check("category", in.Category, 100, true),
		Honeypot: check("website", in.Honeypot, 500, false),
		RemoteIP: in.RemoteIP,
		Agency:   in.Agency,
		FormAge:  in.FormAge,
	}
	if rawMail {
		sub.Raw, sub.Mail = in.Raw, in.Mail
	}
	sub.Citizen.Name = check("name", in.Name, MaxName, in.Channel != desk.ChannelEmail)
	sub.Citizen.Province = check("province", in.Province, MaxProvince, false)
	email := check("email", in.Email, MaxEmail, false)
	ph := check("phone", in.Phone, 40, false)
	key := check("idempotency_key", in.IdempotencyKey, MaxKey, false)
	if strings.ContainsFunc(sub.Title, unicode.IsControl) {
		fields["title"] = "Tiêu đề chứa ký tự điều khiển (control characters are not allowed)."
	}
	for field, v := range map[string]string{"title": sub.Title, "name": sub.Citizen.Name} {
		if fields[field] == "" && strings.ContainsFunc(v, invisibleFormat) {
			fields[field] = "Không được chứa ký tự định dạng ẩn như ký tự đảo chiều văn bản hoặc ký tự độ rộng bằng 0 (invisible formatting characters such as bidi overrides or zero-width characters are not allowed)."
		}
	}

	if email != "" && fields["email"] == "" {
		if !validEmail(email) {
			fields["email"] = "Địa chỉ email không hợp lệ (invalid email address)."
		} else {
			sub.Citizen.Email = strings.ToLower(email)
		}
	}
	if ph != "" && fields["phone"] == "" {
		n, err := phone.Parse(ph)
		if err != nil {
			fields["phone"] = phone.Message(err)
		} else {
			sub.Citizen.Phone, sub.Citizen.PhoneExt = n.E164, n.Ext
		}
	}
	if in.Channel == desk.ChannelWeb && ph == "" && email == "" && fields["phone"] == "" && fields["email"] == "" {
		fields["phone"] = "Cần số điện thoại hoặc email để liên hệ (a phone number or an email is required)."
	}
	cat := s.Catalog.Catalog()
	if sub.Category != "" && fields["category"] == "" && cat.Category(sub.Category) == nil {
		fields["category"] = "Lĩnh vực không tồn tại (unknown category)."
	}
	if sub.Citizen.Province != "" && fields["province"] == "" {
		// Any spelling, abbreviation or pre-2025 name is accepted; the
		// ticket keeps the current unit and, when it differs, what was
		// written.
		if cur, ok := province.For(s.Catalog.Provinces()).Resolve(sub.Citizen.Province); ok {
			if cur != sub.Citizen.Province {
				sub.Citizen.ProvinceWritten = sub.Citizen.Province
			}
			sub.Citizen.Province = cur
		} else {
			fields["province"] = "Tỉnh/thành phố không hợp lệ (unknown province)."
		}
	}
	if in.ReplyTo != "" {
		code, ok := desk.NormalizeTrackingCode(in.ReplyTo)
		if !ok {
			fields["reply_to"] = "Mã phiếu không hợp lệ (invalid tracking code)."
		}
		sub.ReplyTo = code
	}
	if in.Agency != "" && cat.Agency(in.Agency) == nil {
		return nil, desk.Errorf(desk.EINVALID, "unknown agency %q", in.Agency)
	}
	if len(fields) > 0 {
		return nil, &desk.Error{Code: desk.EINVALID, Message: "Vui lòng kiểm tra lại thông tin (please check the form).", Fields: fields}
	}
	sub.BodyHash = BodyHash(sub.Body)
	sub.ID = store.NewID()
	sub.TrackingCode = desk.NewTrackingCode()
	switch {
	case key == "":
		key = "auto:" + sub.ID
	case sub.Channel == desk.ChannelWeb:
		// The portal and API clients choose their keys: a key means
		// something only together with who sent it and what they sent.
		key = clientScope(sub) + ":" + key
		sub.RequestHash = requestHash(sub)
	}
	sub.Key = string(sub.Channel) + ":" + key
	sub.ReceivedAt = s.Clock.Now().UTC().Truncate(time.Millisecond)
	return sub, nil
}

// BodyHash identifies a body by its spam.NormalizeBody form, so that the
// same text sent with different case, accents or punctuation counts as
// the same body when the spam check looks for bodies sent by many people.
func BodyHash(body string) string {
	sum := sha256.Sum256([]byte(spam.NormalizeBody(body)))
	return hex.EncodeToString(sum[:16])
}

// invisibleFormat reports the format characters (Unicode class Cf: bidi
// embeddings, overrides and isolates, zero-width spaces and joiners, the
// byte-order mark, soft hyphens) that make a title or a name show
// differently from what is stored: a reversed number, a look-alike name.
// Vietnamese text needs none of them.
func invisibleFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// StripInvisible removes format and control characters from a title or a
// name that came from somewhere that cannot be refused (a mail's subject
// and From name): the portal and the API refuse them, mail keeps its raw
// bytes and gets a clean title and name.
func StripInvisible(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return invisibleFormat(r) || unicode.IsControl(r) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case invisibleFormat(r) || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// clientScope names the submitter by their contact details, so that two
// citizens who happen to send the same key never share a submission.
func clientScope(sub *desk.Submission) string {
	sum := sha256.Sum256([]byte(sub.Citizen.Phone + "\x00" + sub.Citizen.Email))
	return "c" + hex.EncodeToString(sum[:8])
}

// requestHash identifies the validated content of a submission exactly
// (not BodyHash's loose form): any change makes it a different request.
func requestHash(sub *desk.Submission) string {
	h := sha256.New()
	for _, f := range []string{sub.Citizen.Name, sub.Citizen.Phone, sub.Citizen.Email, sub.Citizen.Province,
		sub.Category, sub.Title, sub.Body, sub.ReplyTo} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// validEmail accepts a bare address (no display name) whose domain has a
// dot; mail.ParseAddress alone accepts forms no citizen means to type.
func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") || domain == "localhost"
}
