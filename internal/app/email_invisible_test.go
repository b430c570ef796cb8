package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"unicode"
)

// A mail cannot be refused for its subject or its sender's name the way
// the portal refuses a title with bidi overrides or zero-width characters:
// the ticket gets them without those characters (a reversed "gnp.exe" or a
// look-alike name shows as stored), and the raw mail keeps every byte.
func TestEmailSubjectAndNameLoseInvisibleCharacters(t *testing.T) {
	e, _, addr := startMail(t, nil)
	enc := func(s string) string { return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?=" }
	subject := "Chưa nhận tiền hỗ trợ \u202Efdp.exe\u202C lần\u200B 2"
	name := "Trần\u200D Thị \u2066Bích\u2069"
	raw := []byte("From: " + enc(name) + " <bich.tran@example.vn>\r\n" +
		"To: phananh@localhost\r\n" +
		"Subject: " + enc(subject) + "\r\n" +
		"Message-ID: <invisible.1@example.vn>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		"Tôi nộp hồ sơ từ tháng 4 nhưng đến nay chưa nhận được tiền hỗ trợ.\r\n")
	if err := send(addr, "bich.tran@example.vn", []string{"phananh@localhost"}, raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	tk := waitTickets(t, e, 1)[0]
	invisible := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) || unicode.IsControl(r) })
	}
	if invisible(tk.Title) || tk.Title != "Chưa nhận tiền hỗ trợ fdp.exe lần 2" {
		t.Errorf("title %q", tk.Title)
	}
	if invisible(tk.Citizen.Name) || tk.Citizen.Name != "Trần Thị Bích" {
		t.Errorf("name %q", tk.Citizen.Name)
	}
	sub, err := e.App.Store.Submission(context.Background(), tk.ID)
	// The stored source is the mail as received (the server adds its own
	// trace header on top): the encoded subject and name are in it as sent.
	if err != nil || !bytes.Contains(sub.Raw, []byte(enc(subject))) || !bytes.Contains(sub.Raw, []byte(enc(name))) {
		t.Fatalf("raw mail not kept: %v", err)
	}
}
