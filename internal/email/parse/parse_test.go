package parse

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func mustParse(t *testing.T, raw string, lim Limits) *Message {
	t.Helper()
	m, err := Parse([]byte(raw), lim)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkInvariants(t, m)
	return m
}

func hasWarning(m *Message, sub string) bool {
	for _, w := range m.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestParseEmptyIsTheOnlyError(t *testing.T) {
	for _, in := range []string{"", " ", "\r\n\r\n", "\t \n"} {
		if _, err := Parse([]byte(in), Limits{}); !errors.Is(err, ErrEmpty) {
			t.Errorf("Parse(%q) error = %v, want ErrEmpty", in, err)
		}
	}
	for _, in := range []string{
		"no headers at all, just a sentence",
		"\x00\xff\xfe garbage \x80\x81",
		": starts with colon\n\nbody",
		"Content-Type: multipart/mixed; boundary=\"\"\n\n--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: multipart/alternative; boundary=x\n\n--x--\n",
		"Subject: only a header",
	} {
		if _, err := Parse([]byte(in), Limits{}); err != nil {
			t.Errorf("Parse(%q) error = %v, want a best-effort message", in, err)
		}
	}
}

func TestHeaderlessTextIsKept(t *testing.T) {
	m := mustParse(t, "Tôi cần hỗ trợ\nvề trợ cấp", Limits{})
	if !strings.Contains(m.Text, "hỗ trợ") {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestTenThousandHeaders(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nSubject: [PA-7KQ2M-XH4RT] nhiều header\r\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "X-Relay-%05d: hop %d via mx%d.example.net\r\n", i, i, i%7)
	}
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\nNội dung.\r\n")
	start := time.Now()
	m := mustParse(t, b.String(), Limits{})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if m.Subject != "[PA-7KQ2M-XH4RT] nhiều header" || m.Text != "Nội dung." || len(m.TrackingCodes) != 1 {
		t.Errorf("got subject %q text %q codes %v", m.Subject, m.Text, m.TrackingCodes)
	}
}

func TestRawHugeSubject(t *testing.T) {
	subj := strings.Repeat("Đề nghị hỗ trợ ", 14000) // ~200 KB, no encoded words
	m := mustParse(t, "Subject: "+subj+"\r\n\r\nx", Limits{})
	if n := len([]rune(m.Subject)); n > MaxSubjectRunes || n < MaxSubjectRunes-1 { // a trailing space may be trimmed
		t.Errorf("subject has %d runes", n)
	}
	if !hasWarning(m, "subject truncated") {
		t.Errorf("no truncation warning: %v", m.Warnings)
	}
}

func TestSubjectCleaning(t *testing.T) {
	m := mustParse(t, "Subject:  =?utf-8?Q?H=E1=BB=8Fi?=\r\n\tv\x1b\x00\u202eề\u200b  thuế  \r\n\r\nx", Limits{})
	if m.Subject != "Hỏi về thuế" {
		t.Errorf("Subject = %q", m.Subject)
	}
}

func attachmentMsg(sizes ...int) string {
	var b strings.Builder
	b.WriteString("Subject: files\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nxem tệp\r\n")
	for i, n := range sizes {
		fmt.Fprintf(&b, "--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=f%d.pdf\r\n\r\n%s\r\n", i, strings.Repeat("a", n))
	}
	b.WriteString("--zz--\r\n")
	return b.String()
}

func TestLimits(t *testing.T) {
	lim := Limits{MaxAttachments: 3, MaxAttachmentBytes: 100, MaxTotalBytes: 250}
	m := mustParse(t, attachmentMsg(50, 150, 90, 90, 10, 10), lim)
	var kept []string
	for _, a := range m.Attachments {
		kept = append(kept, a.Filename)
	}
	if got := strings.Join(kept, ","); got != "f0.pdf,f2.pdf,f3.pdf" {
		t.Errorf("kept %s", got)
	}
	want := []string{
		"f1.pdf (150 bytes): larger than the 100-byte limit per attachment",
		"f4.pdf (10 bytes): more than 3 attachments",
		"f5.pdf (10 bytes): more than 3 attachments",
	}
	if strings.Join(m.Dropped, "|") != strings.Join(want, "|") {
		t.Errorf("Dropped = %q", m.Dropped)
	}
	m = mustParse(t, attachmentMsg(90, 90, 90), lim)
	if len(m.Attachments) != 2 || len(m.Dropped) != 1 || !strings.Contains(m.Dropped[0], "limit for all attachments") {
		t.Errorf("total limit: kept %d, dropped %q", len(m.Attachments), m.Dropped)
	}
}

func TestZeroLimitsMeanDefaults(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits() {
		t.Errorf("withDefaults = %+v", got)
	}
	if d := DefaultLimits(); d.MaxAttachments != 20 || d.MaxAttachmentBytes != 10<<20 || d.MaxTotalBytes != 25<<20 {
		t.Errorf("DefaultLimits = %+v", d)
	}
}

func TestUUEncodedRespectsLimits(t *testing.T) {
	// "abc" uuencoded is "#86)C" (checked against Python's binascii).
	raw := "Subject: uu\r\n\r\nTrước\r\nbegin 644 a.txt\r\n#86)C\r\n`\r\nend\r\nSau\r\n"
	m := mustParse(t, raw, Limits{})
	if len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "abc" || m.Attachments[0].ContentType != "text/plain" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	if m.Text != "Trước\nSau" {
		t.Errorf("Text = %q", m.Text)
	}
	m = mustParse(t, raw, Limits{MaxAttachmentBytes: 2})
	if len(m.Attachments) != 0 || len(m.Dropped) != 1 || m.Text != "Trước\nSau" {
		t.Errorf("limit not applied: %+v %q %q", m.Attachments, m.Dropped, m.Text)
	}
}

func TestUUEncodeVariants(t *testing.T) {
	// begin-base64 (uuencode -m) and a malformed block that must stay text.
	raw := "Subject: uu\r\n\r\nbegin-base64 600 b.bin\r\nYWJj\r\n====\r\nbegin 644 prose\r\nthis is not uuencoded text at all!\r\nend\r\n"
	m := mustParse(t, raw, Limits{})
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "b.bin" || string(m.Attachments[0].Data) != "abc" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	if !strings.Contains(m.Text, "begin 644 prose") {
		t.Errorf("malformed block removed: %q", m.Text)
	}
}

func TestDecodeText(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().String("申請書")
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("补助")
	cases := []struct {
		name, in, label, want string
		warn                  bool
	}{
		{"ascii", "hello", "", "hello", false},
		{"utf8 no label", "Hỗ trợ", "", "Hỗ trợ", true},
		{"utf8 labelled us-ascii", "Hỗ trợ", "us-ascii", "Hỗ trợ", true},
		{"1258 no label", string(to1258("Đà Nẵng")), "", "Đà Nẵng", true},
		{"latin1 no label", "Caf\xe9 cr\xe8me", "", "Café crème", true},
		{"1258 labelled", string(to1258("Trợ cấp")), "windows-1258", "Trợ cấp", false},
		{"cp1258 alias", string(to1258("Trợ cấp")), "cp1258", "Trợ cấp", false},
		{"mangled label", string(to1258("Trợ cấp")), "windows1258", "Trợ cấp", false},
		{"charset= prefix", "Hỗ trợ", `"charset=utf-8"`, "Hỗ trợ", false},
		{"shift_jis", sjis, "Shift_JIS", "申請書", false},
		{"gbk via gb2312", gbk, "gb2312", "补助", false},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет", false},
		{"ibm037", "\xc8\x85\x93\x93\x96", "IBM037", "Hello", false},
		{"utf-16 BOM", "\xfe\xff\x00H\x00i", "", "Hi", false},
		{"utf-16 label", "\x00H\x00i", "utf-16", "Hi", false},
		{"unknown label utf8", "Hỗ trợ", "x-vni", "Hỗ trợ", true},
		{"unknown label 1258", string(to1258("Hỗ trợ")), "tcvn", "Hỗ trợ", true},
		{"latin1 label but utf8", "Hỗ trợ", "iso-8859-1", "Hỗ trợ", true},
		{"utf8 label but latin1", "Caf\xe9", "utf-8", "Café", true},
		{"nfd input", "Ho\u0302\u0300", "utf-8", "Hồ", false},
	}
	for _, c := range cases {
		got, warn := decodeText([]byte(c.in), c.label)
		if got != c.want || (warn != "") != c.warn {
			t.Errorf("%s: got %q warn %q; want %q warn=%v", c.name, got, warn, c.want, c.warn)
		}
	}
}

func TestDecodeHeader(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"=?utf-8?Q?H=E1=BB=97_tr=E1=BB=A3?=", "Hỗ trợ"},
		{"=?UTF-8?B?SOG7lyB0cuG7ow==?=", "Hỗ trợ"},
		{"=?utf-8?B?SOG7lyB0cuG7ow?=", "Hỗ trợ"},   // no padding
		{"=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"},      // whitespace between words dropped
		{"=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b"}, // but not around text
		{"=?utf-8?B?4bs=?= =?utf-8?B?lw==?=", "ỗ"}, // character split across words
		{"=?utf-8*vi?Q?Vi=E1=BB=87t?=", "Việt"},    // RFC 2231 language
		{"=?windows-1258?Q?Vi=EA=F2t?=", "Việt"},   // 1258 with combining dot below
		{"Giá =? 100", "Giá =? 100"},               // not an encoded word
		{"=?utf-8?X?abc?=", "=?utf-8?X?abc?="},     // unknown encoding
		{"x=?utf-8?Q?=C3=A0?=y", "xày"},            // glued to text
		{"=?utf-8?Q?=ZZbad?=", "=ZZbad"},           // bad escape kept
		{"Nguy\xe1\xbb\x85n", "Nguyễn"},            // raw UTF-8
		{string(to1258("Nguyễn")), "Nguyễn"},       // raw 1258
		{"=?iso-8859-1?Q?caf=E9?=", "café"},
		{"=?utf-8?Q?Hoa", "Hoa"}, // unterminated
	}
	for _, c := range cases {
		if got, _ := decodeHeader(c.in); got != c.want {
			t.Errorf("decodeHeader(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAddresses(t *testing.T) {
	cases := []struct {
		in   string
		want []Address
	}{
		{`Nguyen Van A. <a@Example.COM>`, []Address{{"Nguyen Van A.", "a@example.com"}}},
		{`a@example.com (Nguyễn An)`, []Address{{"Nguyễn An", "a@example.com"}}},
		{`"Lê, Văn" <le@example.com>; b@example.com`, []Address{{"Lê, Văn", "le@example.com"}, {"", "b@example.com"}}},
		{`"=?utf-8?B?Tmd1eeG7hW4gQW4=?=" <an@example.com>`, []Address{{"Nguyễn An", "an@example.com"}}},
		{string(to1258("Trần Bình")) + ` <binh@example.com>`, []Address{{"Trần Bình", "binh@example.com"}}},
		{`<only@example.com>`, []Address{{"", "only@example.com"}}},
		{`undisclosed-recipients:;`, nil},
	}
	for _, c := range cases {
		got, _ := parseAddressList(c.in)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("parseAddressList(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	got := parseMsgIDs("<a@x>\r\n <b@x> (comment) <c\r\n @x>")
	if strings.Join(got, ",") != "a@x,b@x,c@x" {
		t.Errorf("got %v", got)
	}
	if got := parseMsgIDs("bare@x, other@y"); strings.Join(got, ",") != "bare@x,other@y" {
		t.Errorf("bare: %v", got)
	}
	var long strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&long, "<id%d@x> ", i)
	}
	got = parseMsgIDs(long.String())
	if len(got) != maxReferences || got[0] != "id0@x" || got[len(got)-1] != "id499@x" {
		t.Errorf("capped references: len %d first %s last %s", len(got), got[0], got[len(got)-1])
	}
}

func TestTrackingCodes(t *testing.T) {
	cases := map[string]string{
		"[PA-7KQ2M-XH4RT] Hỏi":                       "PA-7KQ2M-XH4RT",
		"Re: TL: Chuyển tiếp: [pa-7kq2m-xh4rt]":      "PA-7KQ2M-XH4RT",
		"[PA-7KQ2M-XH4RT][PA-7KQ2M-XH4RT]":           "PA-7KQ2M-XH4RT",
		"PA-7KQ2M-XH4RT without brackets":            "",
		"[PA-7KQ2M-XH4R0] has zero":                  "",
		"[PA-7KQ2M-XH4RI] has I; [PA-7KQ2M-XH4RL] L": "",
		"[PA-7KQ2M-XH4RTX] too long":                 "",
		"Fwd: [PA-3NW8F-KD2PZ] and [PA-9HT4C-MV6QA]": "PA-3NW8F-KD2PZ,PA-9HT4C-MV6QA",
	}
	for in, want := range cases {
		if got := strings.Join(trackingCodes(in), ","); got != want {
			t.Errorf("trackingCodes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<p>a</p><p>b</p>`, "a\n\nb"},
		{`a<br>b<br><br><br><br>c`, "a\nb\n\nc"},
		{`<ul><li>một</li><li>hai<ol><li>ba</li></ol></li></ul>`, "- một\n- hai\n  1. ba"},
		{`<a href="https://x.example/a">trang</a>`, "trang (https://x.example/a)"},
		{`<a href="https://x.example/a">https://x.example/a</a>`, "https://x.example/a"},
		{`<a href="mailto:a@x.example">a@x.example</a>`, "a@x.example"},
		{`<a href="javascript:alert(1)">bấm</a>`, "bấm"},
		{`<style>p{}</style><script>x()</script><title>t</title>Chào`, "Chào"},
		{`<pre>  a  b
  c</pre>`, "  a  b\n  c"},
		{`&lt;tag&gt; &amp; &nbsp;&#7879;`, "<tag> & ệ"},
		{`<table><tr><td>Họ tên</td><td>An</td></tr><tr><td>SĐT</td><td>09</td></tr></table>`, "Họ tên An\nSĐT 09"},
		{`<blockquote>a<blockquote>b</blockquote></blockquote>c`, "> a\n>> b\nc"},
		{`<p class=MsoNormal>x</p><p class=MsoNormal>y</p>`, "x\ny"},
		{`<template><p>hidden</p></template>shown`, "shown"},
		{`<img src="cid:x" alt="Ảnh"><img src="y">`, "[Ảnh]"},
	}
	for _, c := range cases {
		got, _ := htmlToText(c.in)
		if got != c.want {
			t.Errorf("htmlToText(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	_, q := htmlToText(`<p>new</p><div class="gmail_quote gmail_quote_container">old</div>`)
	if q != len("new") {
		t.Errorf("quoteAt = %d", q)
	}
	_, q = htmlToText(`<p>no markers</p><blockquote>plain quote</blockquote>`)
	if q != -1 {
		t.Errorf("quoteAt without marker = %d", q)
	}
}

func TestExtractReply(t *testing.T) {
	cases := []struct {
		name, in, want string
		fwd            bool
	}{
		{"gmail en", "Thanks\n\nOn Mon, Jun 3, 2024 at 10:00 AM X <x@y.z> wrote:\n> old\n> older", "Thanks", false},
		{"gmail vi wrapped", "Cảm ơn\n\nVào Th 2, 3 thg 6, 2024 vào lúc 10:00 Cổng <\nx@y.z> đã viết:\n\n> cũ", "Cảm ơn", false},
		{"thunderbird vi", "Vâng\n\nVào 03/06/2024 10:00, Cổng phản ánh đã viết:\n> cũ", "Vâng", false},
		{"outlook original", "OK\n-----Original Message-----\nFrom: a\nSent: b\nTo: c\nSubject: d\n\nold", "OK", false},
		{"outlook vi block", "Dạ\n\n________________________________\nTừ: A <a@x>\nĐã gửi: Thứ Hai\nĐến: B\nChủ đề: C\n\ncũ", "Dạ", false},
		{"outlook bold", "Yes\n\n*From:* A\n*Sent:* Monday\n*To:* B\n*Subject:* C\n\nold", "Yes", false},
		{"bottom post", "On Mon X <x@y.z> wrote:\n> question?\n\nanswer", "answer", false},
		{"interleaved", "> q1\na1\n> q2\na2", "a1\na2", false},
		{"prose wrote", "I wrote: this is my letter.\nOn reflection, I wrote:", "I wrote: this is my letter.\nOn reflection, I wrote:", false},
		{"forward subject keeps all", "FYI\n\nFrom: A\nSent: B\nTo: C\nSubject: D\n\nbody", "FYI\n\nFrom: A\nSent: B\nTo: C\nSubject: D\n\nbody", true},
		{"forward marker keeps rest", "xem\n\n---------- Forwarded message ---------\nFrom: A\nDate: B\nSubject: C\nTo: D\n\n> quoted in fwd", "xem\n\n---------- Forwarded message ---------\nFrom: A\nDate: B\nSubject: C\nTo: D\n\n> quoted in fwd", false},
		{"from line alone is not a block", "From: tôi\nNội dung", "From: tôi\nNội dung", false},
	}
	for _, c := range cases {
		if got := extractReply(c.in, -1, c.fwd); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if got := extractReply("mới\n\ncũ", len("mới\n\n"), false); got != "mới" {
		t.Errorf("marker cut: %q", got)
	}
	if got := extractReply("xem\n---------- Forwarded message ---------\nnội dung", len("xem\n"), false); !strings.Contains(got, "nội dung") {
		t.Errorf("forward marker at quote offset was cut: %q", got)
	}
}

func TestForwardSubject(t *testing.T) {
	for s, want := range map[string]bool{
		"Fwd: x": true, "FW: x": true, "Chuyển tiếp: x": true, "TL: x": false,
		"Re: Fwd: x": false, "Fwd: Re: x": true, "x": false, "RE[2]: x": false,
	} {
		if got := isForwardSubject(s); got != want {
			t.Errorf("isForwardSubject(%q) = %v", s, got)
		}
	}
}

func TestFix2231(t *testing.T) {
	in := "attachment; filename*0*=windows-1258''Gi%E1y; filename*1*=%20t%F4%EC.pdf; size=10"
	_, params, _, err := parseMediaType(in)
	if err != nil {
		t.Fatal(err)
	}
	if params["filename"] != "Giáy tố.pdf" || params["size"] != "10" {
		t.Errorf("params = %v", params)
	}
	// UTF-8 is left for mime.ParseMediaType.
	if got := fix2231("attachment; filename*=utf-8''%C4%90"); got != "attachment; filename*=utf-8''%C4%90" {
		t.Errorf("utf-8 rewritten: %q", got)
	}
}

func TestDetectAuto(t *testing.T) {
	base := "From: a@example.com\r\nSubject: x\r\n"
	cases := []struct {
		hdr  string
		auto bool
	}{
		{"", false},
		{"Auto-Submitted: no\r\n", false},
		{"Auto-Submitted: auto-generated\r\n", true},
		{"X-Autorespond: 1\r\n", true},
		{"Precedence: list\r\n", true},
		{"Precedence: first-class\r\n", false},
		{"X-Auto-Response-Suppress: DR, RN, NRN\r\n", false},
		{"X-Auto-Response-Suppress: OOF, AutoReply\r\n", true},
		{"Return-Path: <>\r\n", true},
		{"Return-Path: <a@example.com>\r\n", false},
	}
	for _, c := range cases {
		m := mustParse(t, base+c.hdr+"\r\nbody", Limits{})
		if m.Auto.Auto != c.auto {
			t.Errorf("%q: Auto = %+v", c.hdr, m.Auto)
		}
	}
	m := mustParse(t, "From: postmaster@example.com\r\nSubject: hi\r\n\r\nx", Limits{})
	if !m.Auto.Auto {
		t.Errorf("postmaster sender not auto")
	}
}

func nested(depth int, close bool, body string) string {
	var b strings.Builder
	b.WriteString("Subject: deep\r\n")
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\n" + body + "\r\n")
	if close {
		for i := depth - 1; i >= 0; i-- {
			fmt.Fprintf(&b, "--b%d--\r\n", i)
		}
	}
	return b.String()
}

// enmime's cost grows about 2^depth with unclosed nested boundaries; the
// closers Parse appends and the multipart cap keep hostile nesting cheap.
func TestDeepNesting(t *testing.T) {
	start := time.Now()
	m := mustParse(t, nested(120, false, "sâu"), Limits{})
	if !hasWarning(m, "multipart containers") {
		t.Errorf("no cap warning; warnings %v", m.Warnings)
	}
	// Closers placed so that they do not close anything: the cap still holds.
	hostile := nested(40, false, strings.Repeat("x", 100000))
	for i := 0; i < 40; i++ {
		hostile = strings.Replace(hostile, "Subject: deep\r\n", fmt.Sprintf("Subject: deep\r\nX-Pad: \n--b%d--\r\n", i), 1)
	}
	mustParse(t, hostile, Limits{})
	// The same boundary at every level is cheap for enmime but builds a
	// deep tree; the walker stops descending.
	same := strings.Repeat("Content-Type: multipart/mixed; boundary=s\r\n\r\n--s\r\n", 200) + "Content-Type: text/plain\r\n\r\nsâu\r\n"
	mustParse(t, "Subject: same\r\n"+same, Limits{})
	// A truncated but honest message keeps its text.
	m = mustParse(t, nested(6, false, strings.Repeat("Nội dung ", 100000)), Limits{})
	if !strings.HasPrefix(m.Text, "Nội dung") || !hasWarning(m, "probably truncated") {
		t.Errorf("truncated message: text %.20q warnings %v", m.Text, m.Warnings)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("deep nesting took %v", d)
	}
}

func TestHTMLOnlyWithMetaAndNoCharset(t *testing.T) {
	raw := "Subject: x\r\nContent-Type: text/html\r\n\r\n<meta charset=\"windows-1258\"><p>" + string(to1258("Hộ nghèo")) + "</p>"
	m := mustParse(t, raw, Limits{})
	if m.Text != "Hộ nghèo" || !strings.Contains(m.HTML, "Hộ nghèo") {
		t.Errorf("Text %q HTML %q", m.Text, m.HTML)
	}
}

func TestAttachmentBytes(t *testing.T) {
	m := mustParse(t, attachmentMsg(10), Limits{})
	a := m.Attachments[0]
	if a.Size != 10 || !bytes.Equal(a.Data, bytes.Repeat([]byte("a"), 10)) {
		t.Fatalf("attachment %+v", a)
	}
}

func TestFilenames(t *testing.T) {
	cases := map[string]string{
		`..\..\windows\win.ini`:           "win.ini",
		"/etc/passwd":                     "passwd",
		"..":                              "",
		"a\x00b\x1b.pdf":                  "ab.pdf",
		strings.Repeat("ệ", 300) + ".pdf": strings.Repeat("ệ", 65) + ".pdf",
	}
	for in, want := range cases {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOutlookHTMLOnlyReply(t *testing.T) {
	raw := "Subject: RE: [PA-7KQ2M-XH4RT] x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<div>Tôi đã nộp bổ sung.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Desk<br><b>Sent:</b> Monday<br><b>To:</b> me<br><b>Subject:</b> x</div><div>Lịch sử cũ</div>`
	m := mustParse(t, raw, Limits{})
	if m.Reply != "Tôi đã nộp bổ sung." || !strings.Contains(m.Text, "Lịch sử cũ") {
		t.Errorf("Reply %q Text %q", m.Reply, m.Text)
	}
	// The same markup under a forward subject is the forwarded letter.
	m = mustParse(t, strings.Replace(raw, "RE:", "FW:", 1), Limits{})
	if !strings.Contains(m.Reply, "Lịch sử cũ") {
		t.Errorf("forward lost its content: %q", m.Reply)
	}
}

func TestWarningsAreClean(t *testing.T) {
	m := mustParse(t, "\x00\x01 not a header\r\n\r\nbody", Limits{})
	for _, w := range m.Warnings {
		if strings.ContainsAny(w, "\x00\x01") {
			t.Errorf("control bytes in warning %q", w)
		}
	}
}

func TestHostileHTMLNestingStaysLinear(t *testing.T) {
	in := strings.Repeat("<ul><li>x", 20000) + strings.Repeat("<blockquote>y", 20000)
	out, _ := htmlToText(in)
	if len(out) > 40*len(in) {
		t.Errorf("output %d bytes for %d bytes of input", len(out), len(in))
	}
}

// TestJapaneseHeadersWithoutTheRightLabel covers two Japanese headers that
// came out as mojibake ("ƒc�[ƒ‹"): a Subject of raw Shift_JIS bytes with no
// label at all, and a From name whose encoded word says ISO-2022-JP but
// holds Shift_JIS. Declared decoding that yields invalid text, and raw
// bytes that are not UTF-8, are tried as the likely CJK charsets before the
// Western fallback.
func TestJapaneseHeadersWithoutTheRightLabel(t *testing.T) {
	sjis := func(s string) string {
		b, err := japanese.ShiftJIS.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	qEncode := func(b string) string {
		var sb strings.Builder
		for i := 0; i < len(b); i++ {
			fmt.Fprintf(&sb, "=%02X", b[i])
		}
		return sb.String()
	}
	raw := "From: =?ISO-2022-JP?Q?" + qEncode(sjis("山田太郎")) + "?= <yamada@example.jp>\r\n" +
		"To: hotro@civicdesk.gov.vn\r\n" +
		"Subject: " + sjis("ツールの申請について") + "\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nXin chào.\r\n"
	m := mustParse(t, raw, Limits{})
	if m.Subject != "ツールの申請について" {
		t.Errorf("Subject = %q, want ツールの申請について", m.Subject)
	}
	if m.From.Name != "山田太郎" || m.From.Email != "yamada@example.jp" {
		t.Errorf("From = %+v, want 山田太郎 <yamada@example.jp>", m.From)
	}
	// Vietnamese in windows-1258 must still win over a CJK reading.
	if got, _ := decodeHeader(string(to1258("Nguyễn Văn Đức trợ cấp"))); got != "Nguyễn Văn Đức trợ cấp" {
		t.Errorf("raw 1258 header = %q", got)
	}
	// Western text stays Western, even where its bytes also form GBK or
	// Shift_JIS pairs (an accented letter followed by an ASCII one).
	for _, w := range []string{"café crème", "Bürling Straße", "Müller Gößweiner", "José Peña Ibáñez"} {
		raw, err := charmap.Windows1252.NewEncoder().String(w)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := decodeHeader(raw); got != w {
			t.Errorf("raw latin-1 header = %q, want %q", got, w)
		}
	}
}

// TestEncodedNameWithComma covers a display name split over several RFC
// 2047 words, one of which carries a comma ("Bürling, Andreas"): commas
// are not allowed inside encoded words in a phrase, so net/mail refuses the
// header and the lenient splitter cut it at the comma, leaving the raw
// fragment "=20Andreas?=" as the name.
func TestEncodedNameWithComma(t *testing.T) {
	for _, in := range []string{
		`=?UTF-8?Q?B=C3=BCrling,?= =?UTF-8?Q?=20Andreas?= <andreas.buerling@example.de>`,
		`=?UTF-8?Q?B=C3=BCrling,=20Andreas?= <andreas.buerling@example.de>`,
		`=?utf-8?B?QsO8cmxpbmcs?= =?utf-8?B?IEFuZHJlYXM=?= <andreas.buerling@example.de>`,
	} {
		got, _ := parseAddressList(in)
		want := []Address{{"Bürling, Andreas", "andreas.buerling@example.de"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parseAddressList(%q) = %v, want %v", in, got, want)
		}
	}
	raw := "From: =?UTF-8?Q?B=C3=BCrling,?= =?UTF-8?Q?=20Andreas?= <andreas.buerling@example.de>\r\nSubject: x\r\n\r\nbody\r\n"
	if m := mustParse(t, raw, Limits{}); m.From.Name != "Bürling, Andreas" {
		t.Errorf("From.Name = %q, want Bürling, Andreas", m.From.Name)
	}
}
