package parse

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Component fuzzers: each piece must stay total (no panic) and produce
// valid UTF-8 whatever bytes reach it. They run far faster than FuzzParse.

func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		"=?utf-8?Q?H=E1=BB=97_tr=E1=BB=A3?=", "=?utf-8?B?4bs=?= =?utf-8?B?lw==?=",
		"=?windows-1258?Q?Vi=EA=F2t?=", "=?x?q?=?= =?", "Nguy\xe1\xbb\x85n", "=?utf-8*vi?B?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := decodeHeader(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		subj, _ := cleanSubject(s)
		if !utf8.ValidString(subj) || strings.ContainsAny(subj, "\r\n\x00") || utf8.RuneCountInString(subj) > MaxSubjectRunes {
			t.Fatalf("bad subject %q from %q", subj, s)
		}
		addrs, _ := parseAddressList(s)
		for _, a := range addrs {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Email) {
				t.Fatalf("invalid address %q from %q", a, s)
			}
		}
		parseMsgIDs(s)
		parseDate(s)
		fix2231(s)
		trackingCodes(s)
		isForwardSubject(s)
	})
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{
		`<p class=MsoNormal>a<o:p>&nbsp;</o:p></p><ul><li>b<ol><li>c`,
		`<div class="gmail_quote">On x wrote:<blockquote>y</blockquote></div>`,
		`<a href="https://x">t</a><pre> a
 b</pre><script>x</script><template><p>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		text, q := htmlToText(s)
		if q < -1 || q > len(text) {
			t.Fatalf("quoteAt %d outside text of %d bytes", q, len(text))
		}
		if !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8 text")
		}
		r := extractReply(text, q, false)
		if !utf8.ValidString(r) {
			t.Fatalf("invalid UTF-8 reply")
		}
		if h := sanitizeHTML(s); !utf8.ValidString(h) || strings.Contains(strings.ToLower(h), "<script") {
			t.Fatalf("unsafe or invalid HTML: %q", h)
		}
	})
}

func FuzzTextBody(f *testing.F) {
	for _, s := range []string{
		"begin 644 a\n#86)C\n`\nend\n", "begin-base64 600 b\nYWJj\n====\n",
		"a \nb\n> c \n> d\n-- \nsig", string(to1258("Đà Nẵng")),
	} {
		f.Add([]byte(s), "")
	}
	f.Fuzz(func(t *testing.T, b []byte, label string) {
		s, _ := decodeText(b, label)
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 from decodeText(%q, %q)", b, label)
		}
		s = cleanBody(s)
		u := unflow(s, len(label)%2 == 0)
		w := &walker{msg: &Message{}, lim: DefaultLimits()}
		out := w.extractUU(u)
		if !utf8.ValidString(out) || !utf8.ValidString(u) {
			t.Fatalf("invalid UTF-8 after body processing")
		}
	})
}
