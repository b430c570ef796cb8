// Package mailout composes and sends civicdesk's mail to citizens —
// acknowledgements with the tracking code, and staff answers — through an
// SMTP relay with wneessen/go-mail.
//
// Every message carries the ticket's tag "[PA-XXXXX-XXXXX]" in its subject
// and a Message-ID of our own, so a citizen's reply finds its ticket
// whichever of the two survives their mail program. Message-IDs are an
// HMAC of the ticket, the kind of mail and its reference: the same mail
// retried keeps its ID, and nobody can forge one to append to a ticket.
// Sending is done by an asynq task (workers/email.go) that retries.
package mailout

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"html"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// Config is the outbound relay.
type Config struct {
	Host     string // empty: sending is disabled
	Port     int
	User     string // empty: no AUTH
	Password string
	From     string // "Name <addr>"
	// BaseURL is the public portal, for the tracking link.
	BaseURL string
	// Secret keys the Message-ID HMAC.
	Secret  []byte
	Timeout time.Duration
}

// Sender sends mail through the relay.
type Sender struct {
	cfg    Config
	from   *mail.Address
	domain string
}

// New checks cfg. A Sender with no host is valid and reports !Enabled.
func New(cfg Config) (*Sender, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("CIVICDESK_SMTP_FROM %q: %w", cfg.From, err)
	}
	if cfg.Port == 0 {
		cfg.Port = 25
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	return &Sender{cfg: cfg, from: from, domain: domain}, nil
}

// Enabled reports whether a relay is configured.
func (s *Sender) Enabled() bool { return s != nil && s.cfg.Host != "" }

// FromAddress is our sending address; inbound mail from it is our own.
func (s *Sender) FromAddress() string { return strings.ToLower(s.from.Address) }

// MessageID returns our Message-ID (without angle brackets) for the mail
// of kind about ticketID, ref naming which one (the staff message id for
// answers, empty for the acknowledgement).
func (s *Sender) MessageID(ticketID, kind, ref string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte(ticketID + "\x00" + kind + "\x00" + ref))
	sum := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:15])
	return "pakn." + kind + "." + strings.ToLower(sum) + "@" + s.domain
}

// Mail is one message to send.
type Mail struct {
	To, ToName string
	Subject    string
	Text, HTML string
	MessageID  string // without angle brackets
	InReplyTo  string
	References []string
	// Auto marks machine-sent mail (acknowledgements) per RFC 3834, so
	// that the citizen's auto-responder does not answer it.
	Auto bool
	Date time.Time
}

// Build assembles the MIME message.
func (s *Sender) Build(m Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, err
	}
	to, err := recipient(m.ToName, m.To)
	if err != nil {
		return nil, err
	}
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, to)
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	if m.Date.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(m.Date)
	}
	if m.InReplyTo != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+m.InReplyTo+">")
	}
	if len(m.References) > 0 {
		refs := make([]string, len(m.References))
		for i, r := range m.References {
			refs[i] = "<" + r + ">"
		}
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	if m.Auto {
		msg.SetGenHeader("Auto-Submitted", "auto-replied")
		msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// recipient is the To address with the citizen's name as its display
// name. The name is free text, so it is never spliced into a header:
// net/mail quotes or RFC 2047-encodes it, line breaks become spaces, and a
// name that still does not read back as itself is dropped, because a
// mail without a display name beats a task that fails on every retry.
func recipient(name, addr string) (*mail.Address, error) {
	a, err := mail.ParseAddress(addr)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", addr, err)
	}
	to := &mail.Address{Address: a.Address}
	if !utf8.ValidString(name) {
		return to, nil
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, name))
	if name == "" {
		return to, nil
	}
	named := &mail.Address{Name: name, Address: a.Address}
	if back, err := mail.ParseAddress(named.String()); err == nil && back.Name == name && back.Address == a.Address {
		return named, nil
	}
	return to, nil
}

// Send delivers m to the relay.
func (s *Sender) Send(ctx context.Context, m Mail) error {
	if !s.Enabled() {
		return fmt.Errorf("no SMTP relay configured")
	}
	msg, err := s.Build(m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		// STARTTLS when the relay offers it; Mailpit and local relays
		// do not.
		gomail.WithTLSPolicy(gomail.TLSOpportunistic),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithHELO(s.domain),
	}
	if s.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Tag is the subject tag of a tracking code.
func Tag(code string) string { return "[" + code + "]" }

// TrackURL is the public tracking page of code.
func (s *Sender) TrackURL(code string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/track/" + code
}

// Ack composes the acknowledgement of a new ticket: the tracking code and
// fixed text only. It goes to an address nobody has verified (anyone can
// type another person's address, or forge a From), so echoing the
// submitter's words would let anyone send their text under our name.
func (s *Sender) Ack(code string) (subject, text, htmlBody string) {
	subject = Tag(code) + " Đã tiếp nhận phản ánh, kiến nghị"
	url := s.TrackURL(code)
	text = "Kính gửi Quý ông/bà,\n\n" +
		"Cổng tiếp nhận phản ánh, kiến nghị đã nhận được thư của Quý ông/bà.\n\n" +
		"Mã số phản ánh: " + code + "\n" +
		"Tra cứu tình trạng xử lý: " + url + "\n\n" +
		"Khi trả lời thư này, xin giữ nguyên mã " + Tag(code) + " trong tiêu đề để thư được chuyển vào đúng hồ sơ.\n\n" +
		"Đây là thư tự động, xin cảm ơn.\n"
	htmlBody = "<p>Kính gửi Quý ông/bà,</p>" +
		"<p>Cổng tiếp nhận phản ánh, kiến nghị đã nhận được thư của Quý ông/bà.</p>" +
		"<p>Mã số phản ánh: <strong>" + html.EscapeString(code) + "</strong><br>" +
		"Tra cứu tình trạng xử lý: <a href=\"" + html.EscapeString(url) + "\">" + html.EscapeString(url) + "</a></p>" +
		"<p>Khi trả lời thư này, xin giữ nguyên mã " + html.EscapeString(Tag(code)) + " trong tiêu đề để thư được chuyển vào đúng hồ sơ.</p>" +
		"<p>Đây là thư tự động, xin cảm ơn.</p>"
	return subject, text, htmlBody
}

// Answer composes a staff answer on a ticket.
func (s *Sender) Answer(code, title, body string) (subject, text, htmlBody string) {
	subject = Tag(code) + " Trả lời phản ánh, kiến nghị"
	if title != "" {
		subject += ": " + clip(title, 120)
	}
	url := s.TrackURL(code)
	text = "Kính gửi Quý ông/bà,\n\n" + body + "\n\n" +
		"Mã số phản ánh: " + code + "\nTra cứu: " + url + "\n"
	var b strings.Builder
	b.WriteString("<p>Kính gửi Quý ông/bà,</p>")
	for _, para := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>")
	}
	b.WriteString("<p>Mã số phản ánh: <strong>" + html.EscapeString(code) + "</strong><br>Tra cứu: <a href=\"" +
		html.EscapeString(url) + "\">" + html.EscapeString(url) + "</a></p>")
	return subject, text, b.String()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
