package citizen

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"
)

func zipOf(t *testing.T, names ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("x"))
	}
	w.Close()
	return buf.Bytes()
}

// The document type comes from the bytes only.
func TestSniff(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png"},
		{"doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "application/msword"},
		{"docx", zipOf(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx is not docx", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), ""},
		{"plain zip", zipOf(t, "a.txt"), ""},
		{"truncated zip", []byte("PK\x03\x04garbage"), ""},
		{"exe", []byte("MZ\x90\x00\x03"), ""},
		{"html", []byte("<!doctype html><script>alert(1)</script>"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>`), ""},
		{"gif", []byte("GIF89a"), ""},
		{"pdf marker not at the start", []byte(" %PDF-1.7"), ""},
		{"empty", nil, ""},
	}
	for _, c := range cases {
		if got := sniff(c.data); got != c.want {
			t.Errorf("%s: sniff = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCleanName(t *testing.T) {
	cases := []struct{ in, mime, want string }{
		{"to-khai.pdf", "application/pdf", "to-khai.pdf"},
		{`C:\Users\an\Tờ khai.PDF`, "application/pdf", "Tờ khai.pdf"},
		{"../../etc/passwd", "application/pdf", "passwd.pdf"},
		{"anh.jpeg", "image/jpeg", "anh.jpeg"},
		{"anh.png", "image/jpeg", "anh.jpg"}, // the content decides
		{"x\x00\r\n\".pdf", "application/pdf", "x.pdf"},
		{"", "image/png", "tai-lieu.png"},
		{strings.Repeat("a", 300) + ".pdf", "application/pdf", strings.Repeat("a", 200) + ".pdf"},
	}
	for _, c := range cases {
		if got := cleanName(c.in, c.mime); got != c.want {
			t.Errorf("cleanName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLastDigits(t *testing.T) {
	for in, want := range map[string]string{"+84912345678": "5678", "0912 345 678": "5678", "024.3825.1234": "1234", "123": "", "": ""} {
		if got := lastDigits(in, 4); got != want {
			t.Errorf("lastDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

// The citizen cookie proves one code, until it expires, and cannot be
// forged or moved to another code.
func TestSessionCookie(t *testing.T) {
	clock := &fixedClock{t: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := &Service{Secret: []byte("test-secret"), Clock: clock}
	const code, other = "PA-7KQ2M-XH4RT", "PA-7KQ2M-XH4RA"
	v, exp := s.Session(&Owner{code: code})
	if !exp.Equal(clock.t.Add(SessionTTL)) {
		t.Errorf("expires %v", exp)
	}
	if o := s.CheckSession(code, v); o == nil || o.Code() != code {
		t.Fatal("a fresh cookie does not prove its code")
	}
	if s.CheckSession(other, v) != nil {
		t.Error("the cookie proves another code")
	}
	exp2, mac, _ := strings.Cut(v, ".")
	for _, forged := range []string{"", "garbage", exp2 + ".", "9999999999." + mac, exp2 + "." + mac + "x", strings.Repeat("1", 200)} {
		if s.CheckSession(code, forged) != nil {
			t.Errorf("forged cookie %q accepted", forged)
		}
	}
	other2 := &Service{Secret: []byte("another-secret"), Clock: clock}
	if other2.CheckSession(code, v) != nil {
		t.Error("a cookie signed with another secret is accepted")
	}
	clock.t = clock.t.Add(SessionTTL - time.Second)
	if s.CheckSession(code, v) == nil {
		t.Error("the cookie expired early")
	}
	clock.t = clock.t.Add(time.Second)
	if s.CheckSession(code, v) != nil {
		t.Error("an expired cookie is accepted")
	}
}

func TestQAIDHidesTheTicket(t *testing.T) {
	s := &Service{Secret: []byte("k")}
	a, b := s.QAID("6b09e9e1be820e9be614ffe8"), s.QAID("6b09e9e1be820e9be614ffe9")
	if a == b || !strings.HasPrefix(a, "hd-") || a != s.QAID("6b09e9e1be820e9be614ffe8") || strings.Contains(a, "6b09") {
		t.Errorf("QAID: %q %q", a, b)
	}
}
