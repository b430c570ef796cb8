package imapfetch

import "testing"

func TestParseMailboxes(t *testing.T) {
	got, err := ParseMailboxes("imaps://phananh%40bo.gov.vn:p%40ss@mail.bo.gov.vn/INBOX?agency=BTC  imap://u:p@127.0.0.1:1143/Phan%20anh?starttls=1")
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	a, b := got[0], got[1]
	if a.Name != "phananh@bo.gov.vn@mail.bo.gov.vn:993/INBOX" || a.Password != "p@ss" || !a.TLS || a.Agency != "BTC" {
		t.Errorf("first %+v", a)
	}
	if b.Addr != "127.0.0.1:1143" || b.Folder != "Phan anh" || !b.StartTLS || b.TLS {
		t.Errorf("second %+v", b)
	}
	for _, bad := range []string{"pop3://u:p@h/INBOX", "imap://h/INBOX", "imap://u:p@h/X imap://u:p@h/X"} {
		if _, err := ParseMailboxes(bad); err == nil {
			t.Errorf("ParseMailboxes(%q) accepted", bad)
		}
	}
}
