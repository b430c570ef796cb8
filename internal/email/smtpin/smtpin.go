// Package smtpin is civicdesk's inbound SMTP listener (emersion/go-smtp).
// It takes mail for the configured intake addresses only, bounds size and
// recipients, rate-limits per envelope sender and per connecting IP, and
// hands the raw message to intake.Accept. It answers 250 only after Accept
// has stored the submission, raw bytes included; parsing happens later in
// the intake:process worker, so a slow or broken message never holds the
// SMTP conversation.
package smtpin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/intake"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
)

// Acceptor is the intake door.
type Acceptor interface {
	Accept(ctx context.Context, in intake.Input) (*intake.Receipt, error)
}

// Config configures the listener.
type Config struct {
	Addr string
	// Domain is what the server calls itself in its greeting.
	Domain string
	// Addresses maps each accepted recipient (lower case) to the agency
	// its mail is routed to, "" for none.
	Addresses map[string]string
	MaxBytes  int
	MaxRcpts  int
	// Limiter and its rules; a nil Limiter or a zero Limit turns a rule off.
	Limiter    *ratelimit.Limiter
	SenderRule ratelimit.Rule
	IPRule     ratelimit.Rule
	Log        *slog.Logger
}

// ParseAddresses reads CIVICDESK_INTAKE_ADDRESSES: comma-separated
// addresses, each optionally "addr=AGENCY".
func ParseAddresses(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		addr, agency, _ := strings.Cut(item, "=")
		addr = strings.ToLower(strings.TrimSpace(addr))
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return nil, fmt.Errorf("CIVICDESK_INTAKE_ADDRESSES: %q is not an email address", addr)
		}
		out[addr] = strings.TrimSpace(agency)
	}
	if len(out) == 0 {
		return nil, errors.New("CIVICDESK_INTAKE_ADDRESSES names no address")
	}
	return out, nil
}

// Server is a running listener.
type Server struct {
	cfg    Config
	intake Acceptor
	srv    *smtp.Server
	ln     net.Listener
}

// New builds the server; Listen binds it.
func New(cfg Config, acc Acceptor) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, intake: acc}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = cfg.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	srv.MaxMessageBytes = int64(cfg.MaxBytes)
	srv.MaxRecipients = cfg.MaxRcpts
	// Real mail has lines longer than RFC 5322's 998 (broken HTML
	// mailers); refuse only the absurd.
	srv.MaxLineLength = 1 << 16
	srv.ReadTimeout = 2 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = errLog{cfg.Log}
	s.srv = srv
	return s
}

// Listen binds the configured address.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp listen %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address, after Listen.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve accepts connections until ctx ends, then closes the listener and
// waits for sessions to finish their current command.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		_ = s.srv.Close()
	}
	return nil
}

type errLog struct{ l *slog.Logger }

func (e errLog) Printf(format string, v ...any) {
	e.l.Warn(fmt.Sprintf(format, v...), "component", "smtp")
}
func (e errLog) Println(v ...any) { e.l.Warn(fmt.Sprint(v...), "component", "smtp") }

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	ip := ""
	if a, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
		ip = a.IP.String()
	}
	return &session{s: s, ip: ip, helo: c.Hostname()}, nil
}

// session is one SMTP conversation; Reset clears it between messages.
type session struct {
	s      *Server
	ip     string
	helo   string
	from   string
	rcpts  []string
	agency string
}

var (
	errUnknownRcpt = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "Địa chỉ không nhận thư (no such mailbox here)"}
	errLimited = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1},
		Message: "Quá nhiều thư; xin thử lại sau (too many messages, try again later)"}
	errTempFail = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Tạm thời không nhận được thư; xin thử lại sau (temporary failure, try again later)"}
)

func (ss *session) Reset() {
	ss.from, ss.rcpts, ss.agency = "", nil, ""
}

func (ss *session) Logout() error { return nil }

// Mail checks the rate limits. They count messages begun, per envelope
// sender and per connecting IP; a refusal is temporary (450), so a real
// MTA queues and retries while a flood just stops.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = strings.ToLower(strings.TrimSpace(from))
	if !ss.allow(ss.s.cfg.IPRule, "ip:"+ss.ip) {
		ss.s.cfg.Log.Warn("smtp: connecting IP over its limit", "ip", ss.ip, "from", ss.from)
		return errLimited
	}
	sender := ss.from
	if sender == "" {
		sender = "<>@" + ss.ip // bounces: the null sender is counted per IP
	}
	if !ss.allow(ss.s.cfg.SenderRule, ratelimit.KeyFor(sender)) {
		ss.s.cfg.Log.Warn("smtp: sender over its limit", "ip", ss.ip, "from", ss.from)
		return errLimited
	}
	return nil
}

// allow fails open when Redis is unreachable: refusing citizens' mail is
// worse than letting a burst through, and Accept still stores each one.
func (ss *session) allow(rule ratelimit.Rule, key string) bool {
	if ss.s.cfg.Limiter == nil || rule.Limit <= 0 {
		return true
	}
	d, err := ss.s.cfg.Limiter.Allow(context.Background(), rule, key)
	if err != nil {
		ss.s.cfg.Log.Warn("smtp: rate limit check failed; letting the message through", "rule", rule.Name, "err", err)
		return true
	}
	return d.Allowed
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	addr := strings.ToLower(strings.TrimSpace(to))
	agency, ok := ss.s.cfg.Addresses[addr]
	if !ok {
		ss.s.cfg.Log.Info("smtp: unknown recipient refused", "ip", ss.ip, "from", ss.from, "to", addr)
		return errUnknownRcpt
	}
	for _, r := range ss.rcpts {
		if r == addr {
			return nil
		}
	}
	ss.rcpts = append(ss.rcpts, addr)
	if ss.agency == "" {
		ss.agency = agency
	}
	return nil
}

// Data reads the whole message (go-smtp stops it at MaxBytes with 552)
// and stores it through intake before answering.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			ss.s.cfg.Log.Warn("smtp: message refused", "ip", ss.ip, "from", ss.from, "code", se.Code, "reason", se.Message)
			return se
		}
		return errTempFail
	}
	// The same bytes sent twice — an MTA retrying after our 250 got lost —
	// are one submission.
	sum := sha256.Sum256(raw)
	in := intake.Input{
		Channel:        desk.ChannelEmail,
		IdempotencyKey: "smtp:" + hex.EncodeToString(sum[:]),
		Raw:            withReceived(raw, ss.helo, ss.ip, ss.s.cfg.Domain),
		Mail:           &desk.MailEnvelope{Source: "smtp", From: ss.from, To: append([]string(nil), ss.rcpts...)},
		Agency:         ss.agency,
		RemoteIP:       ss.ip,
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec, err := ss.s.intake.Accept(ctx, in)
	if err != nil {
		switch desk.ErrorCode(err) {
		case desk.ETOOLARGE:
			return smtp.ErrDataTooLarge
		case desk.EINVALID:
			ss.s.cfg.Log.Warn("smtp: message refused by intake", "ip", ss.ip, "from", ss.from, "err", err)
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Thư không hợp lệ (message refused): " + desk.ErrorMessage(err)}
		}
		ss.s.cfg.Log.Error("smtp: could not store message; asking the sender to retry", "ip", ss.ip, "from", ss.from, "err", err)
		return errTempFail
	}
	ss.s.cfg.Log.Info("smtp: message accepted", "ip", ss.ip, "from", ss.from, "to", strings.Join(ss.rcpts, ","),
		"bytes", len(raw), "submission", rec.SubmissionID, "duplicate", rec.Duplicate)
	return nil
}

// withReceived prepends our Received trace line (RFC 5321 4.4), which
// records where the message came from inside the kept original.
func withReceived(raw []byte, helo, ip, domain string) []byte {
	helo = strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' || r == '(' || r == ')' {
			return -1
		}
		return r
	}, helo)
	line := fmt.Sprintf("Received: from %s ([%s])\r\n\tby %s (civicdesk) with ESMTP;\r\n\t%s\r\n",
		helo, ip, domain, time.Now().UTC().Format(time.RFC1123Z))
	var b bytes.Buffer
	b.Grow(len(line) + len(raw))
	b.WriteString(line)
	b.Write(raw)
	return b.Bytes()
}
