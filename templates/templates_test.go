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
