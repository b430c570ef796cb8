package mailout

import (
	"bytes"
	"net/mail"
	"testing"
)

// A citizen's name is free text: quotes, angle brackets or line breaks in
// it must neither stop the mail (the task would fail on every retry) nor
// add a recipient or a header.
func TestRecipientDisplayNameIsEncoded(t *testing.T) {
	s, err := New(Config{From: "Cổng phản ánh <phananh@bo.gov.vn>", BaseURL: "https://pakn.example/", Secret: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Nguyễn Văn An":                       "Nguyễn Văn An",
		`Trần "Bé" <Ba>`:                      `Trần "Bé" <Ba>`,
		`a"<b>`:                               `a"<b>`,
		`x" <evil@attacker.example>, "y`:      `x" <evil@attacker.example>, "y`,
		"An\r\nBcc: evil@attacker.example":    "An  Bcc: evil@attacker.example",
		"\\\"":                                "\\\"",
		"":                                    "",
		"\xff\xfe not UTF-8":                  "",
		`"Lê Thị "Hoa"" <hoa@example.vn> ;,:`: `"Lê Thị "Hoa"" <hoa@example.vn> ;,:`,
	} {
		m, err := s.Build(Mail{To: "an@example.vn", ToName: name, Subject: "s", Text: "t", MessageID: "x@bo.gov.vn"})
		if err != nil {
			t.Errorf("name %q: %v", name, err)
			continue
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("name %q: %v", name, err)
		}
		if msg.Header.Get("Bcc") != "" {
			t.Errorf("name %q added a Bcc header", name)
		}
		to, err := msg.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "an@example.vn" || to[0].Name != want {
			t.Errorf("name %q: To %q parses as %v, %v; want one recipient named %q", name, msg.Header.Get("To"), to, err, want)
		}
	}
	if _, err := s.Build(Mail{To: "not an address", ToName: "An", Subject: "s", Text: "t", MessageID: "x@bo.gov.vn"}); err == nil {
		t.Error("a malformed recipient address was accepted")
	}
}
