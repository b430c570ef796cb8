package web_test

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// smtpSend delivers one mail to the app's inbound SMTP server.
func smtpSend(t *testing.T, e *apptest.Env, envelope, raw string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, err := e.App.SMTPAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	if err := smtp.SendMail(addr, nil, envelope, []string{"phananh@localhost"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
}

// TestHeldMailNotOnOwnersPage: a mail threaded onto a ticket from an
// address that is not the citizen's is not shown on the citizen's own
// tracking page either (after the ownership proof), while the citizen's
// own emailed reply is.
func TestHeldMailNotOnOwnersPage(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	code := e.Submit(apptest.Submission()) // an@example.vn, 0912345678
	czTicket(t, e, code)
	mail := func(from, body string) {
		smtpSend(t, e, from, "From: "+from+"\nTo: phananh@localhost\nSubject: Re: ["+code+"]\nContent-Type: text/plain; charset=utf-8\n\n"+body+"\n")
	}
	onTicket := func(what, s string) {
		t.Helper()
		apptest.WaitFor(t, 20*time.Second, what, func() bool {
			for _, m := range czTicket(t, e, code).Messages {
				if strings.Contains(m.Body, s) {
					return true
				}
			}
			return false
		})
	}
	mail("ke.gian@example.net", "Bác gửi số tài khoản mới để nhận tiền: 0451000123456")
	onTicket("the stranger's mail", "0451000123456")
	mail("an@example.vn", "Tôi bổ sung bản sao quyết định gia hạn.")
	onTicket("the citizen's reply", "bản sao quyết định gia hạn")
	if m := czTicket(t, e, code).Messages[0]; m.State != desk.MessageUnverified {
		t.Fatalf("stranger's mail state %q", m.State)
	}

	b := newCZBrowser(t, e)
	b.verify(code, "5678")
	pg := b.get("/track/" + code)
	if !strings.Contains(pg.Body, "bản sao quyết định gia hạn") {
		t.Error("the owner's page does not show the citizen's own reply")
	}
	if strings.Contains(pg.Body, "0451000123456") || strings.Contains(pg.Body, "ke.gian") {
		t.Error("the owner's page shows the mail from another address")
	}
}
