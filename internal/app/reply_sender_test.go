package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/desk"
	"github.com/civicdesk/civicdesk/internal/store"
	"github.com/civicdesk/civicdesk/internal/tickets"
)

// TestEmailReplyFromAnotherAddress: tracking codes are not secret, so a
// mail carrying a ticket's tag is the citizen's own reply only when both
// its From and its envelope sender are the citizen's address (or one
// staff already accepted on the thread). Anything else is kept on the
// ticket for staff, with its sender shown, but changes no status, no
// clock, and shows nowhere public, until staff accept it as the
// citizen's (audited) or detach it into a ticket of its own.
func TestEmailReplyFromAnotherAddress(t *testing.T) {
	e, _, addr := startMail(t, nil)
	ctx := context.Background()
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, citizenMail(t, "first.9@example.vn")); err != nil {
		t.Fatal(err)
	}
	orig := waitTickets(t, e, 1)[0]
	tag := "[" + orig.TrackingCode + "]"
	ticket := func() *desk.Ticket {
		tk, err := e.App.Store.TicketByID(ctx, orig.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	// Staff asked the citizen for her bank account: the clock pauses.
	for attempt := 0; ; attempt++ {
		cur := ticket()
		_, err := e.App.Tickets.Change(ctx, cur, cur.Version, tickets.Change{TicketChange: store.TicketChange{Status: desk.StatusAwaitingCitizen,
			Message: &desk.Message{ID: "ask-1", At: time.Now().UTC(), Kind: desk.MessageReply, Author: "staff", Body: "Đề nghị bà cung cấp số tài khoản ngân hàng để nhận tiền hỗ trợ."},
			Event:   desk.Event{Actor: "staff", Type: desk.EventStatus, To: string(desk.StatusAwaitingCitizen)}}})
		if err == nil {
			break
		}
		if desk.ErrorCode(err) != desk.ECONFLICT || attempt > 20 {
			t.Fatal(err)
		}
	}
	waiting := ticket()
	if waiting.PausedAt.IsZero() {
		t.Fatal("the clock did not pause")
	}
	mail := func(envelope, from, body string) {
		t.Helper()
		m := crlf("From: " + from + "\nTo: phananh@localhost\nSubject: Re: " + tag + " bổ sung\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n")
		if err := send(addr, envelope, []string{"phananh@localhost"}, m); err != nil {
			t.Fatal(err)
		}
	}
	message := func(what, s string) desk.Message {
		t.Helper()
		var got desk.Message
		apptest.WaitFor(t, 20*time.Second, what, func() bool {
			for _, m := range ticket().Messages {
				if strings.Contains(m.Body, s) {
					got = m
					return true
				}
			}
			return false
		})
		return got
	}
	track := func() string {
		t.Helper()
		r := e.Do("GET", "/api/v1/track/"+orig.TrackingCode, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("track: %d %s", r.Status, r.Body)
		}
		return string(r.Body)
	}

	// 1. A stranger answers the request with their own account number.
	mail("lua.dao@example.net", "Lừa Đảo <lua.dao@example.net>", "Số tài khoản nhận tiền: 0451000123456 Vietcombank")
	m1 := message("the stranger's mail on the ticket", "0451000123456")
	tk := ticket()
	if m1.State != desk.MessageUnverified || m1.From != "lua.dao@example.net" {
		t.Errorf("stranger's mail: state %q from %q; want unverified from lua.dao@example.net", m1.State, m1.From)
	}
	if tk.Status != desk.StatusAwaitingCitizen || !tk.PausedAt.Equal(waiting.PausedAt) || !tk.DueAt.Equal(waiting.DueAt) {
		t.Errorf("stranger's mail changed the case: status %s paused %v due %v (was %v, %v)", tk.Status, tk.PausedAt, tk.DueAt, waiting.PausedAt, waiting.DueAt)
	}
	if body := track(); strings.Contains(body, "0451000123456") || strings.Contains(body, "lua.dao") || strings.Contains(body, `"message"`) {
		t.Errorf("public tracking shows the stranger's mail: %s", body)
	}

	// 2. A forged From header with the citizen's address, delivered by the
	// stranger (envelope sender).
	mail("lua.dao@example.net", "bich.tran@example.vn", "Tôi đổi tài khoản: 1903123456789 Techcombank")
	m2 := message("the forged mail on the ticket", "1903123456789")
	if m2.State != desk.MessageUnverified || m2.Envelope != "lua.dao@example.net" {
		t.Errorf("forged mail: state %q from %q envelope %q; want unverified, envelope lua.dao@example.net", m2.State, m2.From, m2.Envelope)
	}
	if tk := ticket(); tk.Status != desk.StatusAwaitingCitizen {
		t.Errorf("forged mail moved the ticket to %s", tk.Status)
	}

	admin := "Bearer " + e.AdminToken()
	// The staff JSON API shows the sender of every message.
	var seen desk.Ticket
	r := e.Do("GET", "/api/v1/tickets/"+orig.TrackingCode, nil, "Authorization", admin)
	r.JSON(t, &seen)
	if m := seen.Message(m1.ID); m == nil || m.From != "lua.dao@example.net" || m.State != desk.MessageUnverified {
		t.Errorf("staff API message: %+v", m)
	}

	// 3. Staff detach the forged mail: a new ticket for whoever delivered it.
	r = e.Do("POST", "/api/v1/tickets/"+orig.TrackingCode+"/messages/"+m2.ID+"/detach", map[string]any{"version": ticket().Version}, "Authorization", admin)
	if r.Status != http.StatusOK {
		t.Fatalf("detach: %d %s", r.Status, r.Body)
	}
	d := ticket().Message(m2.ID)
	if d.State != desk.MessageDetached || d.DetachedTo == "" {
		t.Fatalf("detached message: %+v", d)
	}
	apptest.WaitFor(t, 20*time.Second, "the detached ticket", func() bool {
		nt, err := e.App.Store.TicketByCode(ctx, &desk.User{ID: "test", Role: desk.RoleAdmin}, d.DetachedTo)
		return err == nil && strings.Contains(nt.Body, "1903123456789") && nt.Citizen.Email == "lua.dao@example.net"
	})
	// A second detach is refused and changes nothing.
	r = e.Do("POST", "/api/v1/tickets/"+orig.TrackingCode+"/messages/"+m2.ID+"/detach", map[string]any{"version": ticket().Version}, "Authorization", admin)
	if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("second detach: %d %s", r.Status, r.Body)
	}

	// 4. On the staff ticket page the held mail shows its sender and the
	// two buttons; staff accept it (say the stranger was her son): it
	// becomes her message, the case resumes, and it is audited.
	p := wsLogin(t, e, apptest.AdminEmail)
	st, page := p.get("/staff/tickets/" + orig.TrackingCode)
	if st != http.StatusOK || !strings.Contains(page, "lua.dao@example.net") || !strings.Contains(page, `id="held-`+m1.ID+`"`) ||
		strings.Contains(page, `id="held-`+m2.ID+`"`) || !strings.Contains(page, d.DetachedTo) {
		t.Errorf("staff page: %d; want the sender, the held mail's buttons and the detached ticket's code", st)
	}
	if st, loc := p.post("/staff/tickets/"+orig.TrackingCode+"/messages/"+m1.ID+"/accept",
		url.Values{"_csrf": {csrfOf(t, page)}, "version": {strconv.FormatInt(ticket().Version, 10)}}); st != http.StatusSeeOther {
		t.Fatalf("accept form: %d %s", st, loc)
	}
	tk = ticket()
	if m := tk.Message(m1.ID); m.State != "" || tk.Status != desk.StatusInProgress || !tk.PausedAt.IsZero() {
		t.Errorf("after accept: message state %q, status %s, paused %v", m.State, tk.Status, tk.PausedAt)
	}
	entries, err := e.App.Store.AuditEntries(ctx, store.AuditFilter{Action: "ticket.message.accept", Target: orig.TrackingCode})
	if err != nil || len(entries) != 1 {
		t.Errorf("accept audit: %v %+v", err, entries)
	}
	// The accepted address is now verified on this thread.
	mail("lua.dao@example.net", "lua.dao@example.net", "Con xin gửi thêm giấy xác nhận cư trú.")
	if m := message("the verified sender's mail", "giấy xác nhận cư trú"); m.State != "" {
		t.Errorf("mail from the accepted address held again: %+v", m)
	}

	// 5. The citizen's own reply is hers, as before.
	mail("bich.tran@example.vn", "Trần Thị Bích <bich.tran@example.vn>", "Tôi xác nhận số tài khoản của tôi là 0011004999888.")
	if m := message("the citizen's own reply", "0011004999888"); m.State != "" || m.From != "bich.tran@example.vn" {
		t.Errorf("citizen's reply: %+v", m)
	}
}
