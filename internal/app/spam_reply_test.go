package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
)

// bettingAd scores as spam with the built-in rules on its own: vocabulary,
// a brand and a link to a throw-away domain, no complaint words.
const bettingAd = "NHÀ CÁI UY TÍN SỐ 1 VIỆT NAM, đăng ký ngay nhận 188K, khuyến mãi nạp đầu 200%. Link vào chính thức: https://8xbet-vn.vip"

// TestSpamReplies (issue #8): a "reply" carrying the tag of someone else's
// ticket is scored like any submission. Spam from a stranger is not added
// to the citizen's ticket: it becomes a quarantined ticket of its own,
// kept for review. Spam-looking text from the ticket's own citizen (say,
// forwarding the scam they received) is still added to their ticket, and
// a clean reply from a stranger is added too (replies are not restricted
// to the original sender: a relative may answer for an elderly citizen).
func TestSpamReplies(t *testing.T) {
	e, _, addr := startMail(t, nil)
	ctx := context.Background()
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, citizenMail(t, "first.8@example.vn")); err != nil {
		t.Fatal(err)
	}
	orig := waitTickets(t, e, 1)[0]
	tag := "[" + orig.TrackingCode + "]"
	mail := func(from, subject, body string) {
		t.Helper()
		m := crlf("From: " + from + "\nTo: phananh@localhost\nSubject: " + subject + "\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n")
		if err := send(addr, from, []string{"phananh@localhost"}, m); err != nil {
			t.Fatal(err)
		}
	}
	ticket := func() *desk.Ticket {
		tk, err := e.App.Store.TicketByID(ctx, orig.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	hasBody := func(tk *desk.Ticket, s string) bool {
		for _, m := range tk.Messages {
			if strings.Contains(m.Body, s) {
				return true
			}
		}
		return false
	}

	// 1. A stranger's spam under the citizen's tag.
	mail("promo@bet-mail.example", "Re: "+tag+" Ưu đãi", bettingAd)
	var junk *desk.Ticket
	apptest.WaitFor(t, 20*time.Second, "the stranger's spam as its own ticket", func() bool {
		for _, x := range emailTickets(t, e) {
			if x.ID != orig.ID && strings.Contains(x.Body, "8xbet-vn.vip") {
				junk = x
				return true
			}
		}
		return false
	})
	if junk.Status != desk.StatusQuarantined || junk.Spam == nil || junk.Spam.Verdict != "spam" || junk.Agency != "" {
		t.Errorf("stranger's spam reply: status %s, agency %q, spam %+v; want quarantined, unrouted", junk.Status, junk.Agency, junk.Spam)
	}
	if junk.Citizen.Email != "promo@bet-mail.example" {
		t.Errorf("detached reply kept citizen %+v", junk.Citizen)
	}

	// 2. A clean reply from someone else (a relative) is added.
	mail("con.trai@example.vn", "Re: "+tag, "Tôi là con trai bà Bích, xin bổ sung số điện thoại liên hệ của gia đình.")
	apptest.WaitFor(t, 20*time.Second, "the relative's reply on the ticket", func() bool { return hasBody(ticket(), "con trai bà Bích") })

	// 3. The citizen forwards the same advert: it is her thread, so it is
	// added to her ticket, not quarantined.
	mail("bich.tran@example.vn", "Re: "+tag, bettingAd)
	apptest.WaitFor(t, 20*time.Second, "the citizen's own reply on the ticket", func() bool { return hasBody(ticket(), "8xbet-vn.vip") })

	tk := ticket()
	if tk.Status == desk.StatusQuarantined {
		t.Errorf("the citizen's ticket was quarantined")
	}
	for _, m := range tk.Messages {
		if strings.Contains(m.Body, "8xbet-vn.vip") && m.ID == junk.ID {
			t.Errorf("the stranger's spam was added to the citizen's ticket")
		}
	}
	n := 0
	for _, x := range emailTickets(t, e) {
		if strings.Contains(x.Body, "8xbet-vn.vip") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d tickets carry the advert; want 1 (the stranger's, quarantined)", n)
	}
}
