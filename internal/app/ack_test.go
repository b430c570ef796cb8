package app_test

import (
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/email/parse"
)

// Anyone can type someone else's address into the portal, so the
// acknowledgement goes to an address nobody verified: it carries the
// tracking code and fixed text only, never the submitter's words (else the
// portal relays spam under the agency's name). A name with quotes and
// angle brackets still gets its mail.
func TestAckEchoesNoFreeText(t *testing.T) {
	e, sk, _ := startMail(t, nil)
	sub := apptest.Submission()
	sub["email"] = "victim@example.vn"
	sub["name"] = `Trần "Út" <Tư>`
	sub["title"] = "Khuyến mãi vay tiền nhanh tại vay-nhanh.example"
	sub["body"] = "Gọi ngay 0900000000 để nhận khoản vay trong ngày, không cần thế chấp. Truy cập vay-nhanh.example."
	code := e.Submit(sub)
	ack := sk.waitMail(t, "acknowledgement", func(m *parse.Message) bool {
		return len(m.TrackingCodes) > 0 && m.TrackingCodes[0] == code
	})
	for _, part := range []string{ack.Subject, ack.Text, ack.HTML} {
		if strings.Contains(part, "vay-nhanh") || strings.Contains(part, "Khuyến mãi") || strings.Contains(part, "0900000000") {
			t.Errorf("acknowledgement echoes the submitter's text: %q", part)
		}
	}
	if len(ack.To) != 1 || ack.To[0].Name != "" || ack.To[0].Email != "victim@example.vn" {
		t.Errorf("acknowledgement addressed to %+v, want the bare address", ack.To)
	}
	if !strings.Contains(ack.Text, code) || !strings.Contains(ack.Subject, "Đã tiếp nhận") {
		t.Errorf("acknowledgement lacks its code or fixed text: %q / %q", ack.Subject, ack.Text)
	}
}
