package mailout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/civicdesk/civicdesk/internal/email/parse"
)

func TestAckMessage(t *testing.T) {
	s, err := New(Config{From: "Cổng phản ánh <phananh@bo.gov.vn>", BaseURL: "https://pakn.example/", Secret: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	id := s.MessageID("t1", "ack", "")
	if id != s.MessageID("t1", "ack", "") || id == s.MessageID("t2", "ack", "") || !strings.HasSuffix(id, "@bo.gov.vn") {
		t.Fatalf("message ids: %q", id)
	}
	subj, text, html := s.Ack("PA-7KQ2M-XH4RT")
	m, err := s.Build(Mail{To: "an@example.vn", ToName: "Nguyễn Văn An", Subject: subj, Text: text, HTML: html, MessageID: id, Auto: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for _, want := range []string{"Auto-Submitted: auto-replied", "Message-ID: <" + id + ">"} {
		if !strings.Contains(raw, want) {
			t.Errorf("missing %q in\n%s", want, raw)
		}
	}
	p, err := parse.Parse(buf.Bytes(), parse.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.TrackingCodes) != 1 || p.TrackingCodes[0] != "PA-7KQ2M-XH4RT" || !strings.Contains(p.Subject, "Đã tiếp nhận") {
		t.Errorf("subject %q codes %v", p.Subject, p.TrackingCodes)
	}
	if !strings.Contains(p.Text, "https://pakn.example/track/PA-7KQ2M-XH4RT") || strings.Contains(p.HTML, "<b>") {
		t.Errorf("text %q html %q", p.Text, p.HTML)
	}
	if !p.Auto.Auto {
		t.Errorf("our acknowledgement does not read as automatic mail")
	}
}
