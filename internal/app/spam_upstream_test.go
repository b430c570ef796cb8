package app_test

import (
	"testing"

	"github.com/civicdesk/civicdesk/internal/desk"
)

// An upstream filter's X-Spam-Flag reaches the scorer from the e-mail
// path: the flagged advertisement is quarantined with the upstream signal
// in its breakdown, and the same text without the flag is not.
func TestEmailUpstreamSpamFlag(t *testing.T) {
	e, _, addr := startMail(t, nil)
	mail := func(id, from, flag string) []byte {
		return crlf("From: Khuyen mai <" + from + ">\n" +
			"To: phananh@localhost\n" +
			"Subject: Xa kho cuoi nam\n" +
			"Message-ID: <" + id + ">\n" +
			"Date: Fri, 27 Nov 2026 09:15:00 +0700\n" +
			flag +
			"Content-Type: text/plain; charset=utf-8\n\n" +
			"Xả kho cuối năm, giảm đến 70%. Số lượng có hạn. Liên hệ ngay: t.me/xakho\n")
	}
	if err := send(addr, "promo@shop.example", []string{"phananh@localhost"},
		mail("flagged.1@shop.example", "promo@shop.example", "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=8.2 required=5.0\n")); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := send(addr, "promo2@shop2.example", []string{"phananh@localhost"},
		mail("plain.1@shop2.example", "promo2@shop2.example", "X-Spam-Status: No, score=0.4 required=5.0\n")); err != nil {
		t.Fatalf("send: %v", err)
	}
	var flagged, plain *desk.Ticket
	for _, tk := range waitTickets(t, e, 2) {
		switch tk.Citizen.Email {
		case "promo@shop.example":
			flagged = tk
		case "promo2@shop2.example":
			plain = tk
		}
	}
	if flagged == nil || plain == nil {
		t.Fatalf("tickets: flagged %v plain %v", flagged, plain)
	}
	has := func(tk *desk.Ticket) bool {
		if tk.Spam == nil {
			return false
		}
		for _, s := range tk.Spam.Signals {
			if s.Rule == "upstream:spam-flag" {
				return true
			}
		}
		return false
	}
	if flagged.Status != desk.StatusQuarantined || !has(flagged) {
		t.Errorf("flagged mail: status %s, spam %+v", flagged.Status, flagged.Spam)
	}
	if plain.Status == desk.StatusQuarantined || has(plain) {
		t.Errorf("unflagged mail: status %s, spam %+v", plain.Status, plain.Spam)
	}
}
