package templates

import (
	"bytes"
	"strings"
	"testing"
)

func TestPagesParseAndEscape(t *testing.T) {
	s, err := Parse()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = s.Render(&b, "submitted", &Page{Lang: "vi", Data: map[string]string{"Code": "<script>alert(1)</script>"}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>alert") {
		t.Fatal("data reached the page unescaped")
	}
	if !strings.Contains(out, "Đã tiếp nhận phản ánh") {
		t.Fatal("Vietnamese heading missing")
	}
}

func TestEveryMessageHasBothLanguages(t *testing.T) {
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a language: %q", k, m)
		}
	}
}

func TestNewContact(t *testing.T) {
	for _, tc := range []struct {
		hotline, intake string
		want            Contact
	}{
		{"1900 1234", "phananh@so.example.vn=SLDTBXH, khac@so.example.vn", Contact{Hotline: "1900 1234", Tel: "19001234", Email: "phananh@so.example.vn"}},
		{"+84 24 3825.1234", " , Hop@Thu.vn", Contact{Hotline: "+84 24 3825.1234", Tel: "+842438251234", Email: "hop@thu.vn"}},
		{"", "a@b.vn", Contact{Email: "a@b.vn"}},
		{"gọi ngay", "a@b.vn", Contact{Email: "a@b.vn"}}, // nothing to dial: no number shown
	} {
		if got := NewContact(tc.hotline, tc.intake); got != tc.want {
			t.Errorf("NewContact(%q, %q) = %+v, want %+v", tc.hotline, tc.intake, got, tc.want)
		}
	}
}

// Sizes round to the unit people read, with the page's decimal mark, and
// the unit changes where the rounded figure would reach 1024.
func TestSize(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"vi", 0, "0 B"},
		{"vi", 1023, "1023 B"},
		{"vi", 1024, "1 KB"},
		{"vi", 340 << 10, "340 KB"},
		{"vi", 1<<20 - 400, "1 MB"},
		{"vi", 1 << 20, "1 MB"},
		{"vi", 5 << 19, "2,5 MB"},
		{"en", 5 << 19, "2.5 MB"},
		{"en", 5 << 20, "5 MB"},
	} {
		if got := Size(c.lang, c.n); got != c.want {
			t.Errorf("Size(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
