package app_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// The compose file runs inbound SMTP as one service of its own (the smtp
// command) so that scaled web processes do not all want host port 2525:
// that process alone must take a letter into the durable store.
func TestSMTPOnlyProcessAcceptsMail(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Mode: apptest.SMTPOnly})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, err := e.App.SMTPAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, citizenMail(t, "smtp-only.1@example.vn")); err != nil {
		t.Fatalf("send: %v", err)
	}
	if n, err := e.App.Store.CountSubmissions(ctx, desk.SubmissionReceived); err != nil || n != 1 {
		t.Fatalf("submissions after 250: %d, %v; want 1", n, err)
	}
}

// CIVICDESK_SMTP_ADDR=off turns the listener off in a web process, and the
// smtp command then refuses to start rather than serve nothing.
func TestSMTPAddrOff(t *testing.T) {
	env := map[string]string{"CIVICDESK_SMTP_ADDR": "off"}
	cfg, _, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTPAddr != "" {
		t.Fatalf("SMTPAddr %q, want none", cfg.SMTPAddr)
	}
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Configure: func(c *config.Config) { c.SMTPAddr = cfg.SMTPAddr }})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if addr, err := e.App.SMTPAddr(ctx); err == nil {
		t.Fatalf("web process listens for SMTP at %s with the listener off", addr)
	}
	if err := e.App.RunSMTP(context.Background()); err == nil {
		t.Fatal("smtp command started with nothing to serve")
	}
}
