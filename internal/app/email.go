package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/email/imapfetch"
	"github.com/civicdesk/civicdesk/internal/email/mailout"
	"github.com/civicdesk/civicdesk/internal/email/parse"
	"github.com/civicdesk/civicdesk/internal/email/smtpin"
	"github.com/civicdesk/civicdesk/internal/ratelimit"
	"github.com/civicdesk/civicdesk/workers"
)

// emailState is the email channel's part of the App.
type emailState struct {
	// Mailer sends mail through the relay; never nil after Open.
	Mailer *mailout.Sender
	// intakeAddrs maps each accepted recipient to its agency ("" none).
	intakeAddrs map[string]string
	smtpBound   chan string
	mailboxes   []imapfetch.Mailbox
}

// openEmail checks the email settings and builds the sender, so that a
// bad address or agency code stops the start instead of the first mail.
func (a *App) openEmail() error {
	var err error
	a.email.smtpBound = make(chan string, 1)
	if a.email.intakeAddrs, err = smtpin.ParseAddresses(a.Cfg.IntakeAddresses); err != nil {
		return err
	}
	cat := a.Catalog()
	for addr, ag := range a.email.intakeAddrs {
		if ag != "" && cat.Agency(ag) == nil {
			return fmt.Errorf("CIVICDESK_INTAKE_ADDRESSES: %s names unknown agency %q", addr, ag)
		}
	}
	if a.email.mailboxes, err = imapfetch.ParseMailboxes(a.Cfg.IMAPMailboxes); err != nil {
		return err
	}
	for _, mb := range a.email.mailboxes {
		if mb.Agency != "" && cat.Agency(mb.Agency) == nil {
			return fmt.Errorf("CIVICDESK_IMAP_MAILBOXES: %s names unknown agency %q", mb.Name, mb.Agency)
		}
	}
	a.email.Mailer, err = mailout.New(mailout.Config{Host: a.Cfg.RelayHost, Port: a.Cfg.RelayPort, User: a.Cfg.RelayUser,
		Password: a.Cfg.RelayPassword, From: a.Cfg.MailFrom, BaseURL: a.Cfg.BaseURL, Secret: a.Secret})
	if err != nil {
		return err
	}
	if a.email.Mailer.Enabled() {
		a.Log.Info("email: outbound relay", "host", a.Cfg.RelayHost, "port", a.Cfg.RelayPort)
	} else {
		a.Log.Info("email: no outbound relay (set CIVICDESK_SMTP_RELAY_HOST); off: email sign-in links, acknowledgements, answer mail")
	}
	return nil
}

// Mailer returns the outbound mail sender.
func (a *App) Mailer() *mailout.Sender { return a.email.Mailer }

func rule(name, rate string) ratelimit.Rule {
	n, win, _ := config.ParseRate(rate)
	return ratelimit.Rule{Name: name, Limit: n, Window: win}
}

// emailDeps is what the workers need for email.
func (a *App) emailDeps() *workers.EmailDeps {
	return &workers.EmailDeps{Sender: a.email.Mailer, Limiter: a.Limiter,
		AutoReply: rule("mail-autoreply", a.Cfg.LimitAutoReply), Limits: parse.DefaultLimits(),
		Mailboxes: a.email.mailboxes,
		Fetcher:   &imapfetch.Fetcher{Store: a.Store, Intake: a.Intake, Clock: a.Clock, Log: a.Log, MaxBytes: a.Cfg.SMTPMaxBytes}}
}

// runIMAP queues a fetch of every configured mailbox at start and then
// every CIVICDESK_IMAP_EVERY. Every worker process ticks; the task id
// keeps it to one fetch per mailbox at a time.
func (a *App) runIMAP(ctx context.Context) {
	if len(a.email.mailboxes) == 0 {
		return
	}
	a.Log.Info("imap: fetching mailboxes", "count", len(a.email.mailboxes), "every", a.Cfg.IMAPEvery)
	t := time.NewTicker(a.Cfg.IMAPEvery)
	defer t.Stop()
	for {
		for _, mb := range a.email.mailboxes {
			if err := a.Queue.EnqueueIMAPFetch(ctx, mb.Name); err != nil && ctx.Err() == nil {
				a.Log.Warn("imap: enqueue fetch failed", "mailbox", mb.Name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// IMAPMailboxes names the configured IMAP mailboxes.
func (a *App) IMAPMailboxes() []string {
	out := make([]string, len(a.email.mailboxes))
	for i, mb := range a.email.mailboxes {
		out[i] = mb.Name
	}
	return out
}

// startSMTP binds the inbound SMTP listener (when CIVICDESK_SMTP_ADDR is
// set) and serves it until ctx ends. It runs in the web process: like the
// HTTP edge it only stores and enqueues, and scales with it.
func (a *App) startSMTP(ctx context.Context) error {
	if a.Cfg.SMTPAddr == "" {
		return nil
	}
	domain := "localhost"
	if from := a.email.Mailer.FromAddress(); strings.Contains(from, "@") {
		domain = from[strings.LastIndexByte(from, '@')+1:]
	}
	srv := smtpin.New(smtpin.Config{
		Addr: a.Cfg.SMTPAddr, Domain: domain, Addresses: a.email.intakeAddrs,
		MaxBytes: a.Cfg.SMTPMaxBytes, MaxRcpts: a.Cfg.SMTPMaxRcpts, Limiter: a.Limiter,
		SenderRule: rule("smtp-sender", a.Cfg.LimitSMTPSender), IPRule: rule("smtp-ip", a.Cfg.LimitSMTPIP), Log: a.Log,
	}, a.Intake)
	if err := srv.Listen(); err != nil {
		return err
	}
	a.Log.Info("smtp: listening", "addr", srv.Addr(), "addresses", len(a.email.intakeAddrs))
	select {
	case a.email.smtpBound <- srv.Addr():
	default:
	}
	go func() {
		if err := srv.Serve(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("smtp: stopped", "err", err)
		}
	}()
	return nil
}

// RunSMTP serves only the inbound SMTP listener (and /metrics) until ctx
// ends. Scaled deployments run it as one service of its own and turn the
// listener off in the web processes, so a single host port takes mail.
func (a *App) RunSMTP(ctx context.Context) error {
	if a.Cfg.SMTPAddr == "" {
		return errors.New("CIVICDESK_SMTP_ADDR is off: the smtp command has nothing to serve")
	}
	a.startMetrics(ctx)
	if err := a.startSMTP(ctx); err != nil {
		return err
	}
	a.startRefresh(ctx) // intake reads the catalog, as in the web process
	<-ctx.Done()
	return nil
}

// SMTPAddr returns the inbound SMTP listener's bound address, which tests
// need when they ask for port 0.
func (a *App) SMTPAddr(ctx context.Context) (string, error) {
	select {
	case addr := <-a.email.smtpBound:
		a.email.smtpBound <- addr
		return addr, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
