package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the parser's output (review the diff!)")

// golden is the reviewed expectation for one corpus file. Attachment data
// is represented by its SHA-256 so the goldens stay readable.
type golden struct {
	MessageID     string       `json:"message_id,omitempty"`
	InReplyTo     string       `json:"in_reply_to,omitempty"`
	References    []string     `json:"references,omitempty"`
	Subject       string       `json:"subject"`
	From          Address      `json:"from"`
	To            []Address    `json:"to,omitempty"`
	Cc            []Address    `json:"cc,omitempty"`
	ReplyTo       []Address    `json:"reply_to,omitempty"`
	Date          string       `json:"date,omitempty"`
	Text          string       `json:"text"`
	Reply         string       `json:"reply"`
	HTML          string       `json:"html,omitempty"`
	Attachments   []goldenFile `json:"attachments,omitempty"`
	Dropped       []string     `json:"dropped,omitempty"`
	Auto          AutoInfo     `json:"auto"`
	Bounce        *Bounce      `json:"bounce,omitempty"`
	TrackingCodes []string     `json:"tracking_codes,omitempty"`
	Warnings      []string     `json:"warnings,omitempty"`
}

type goldenFile struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Inline      bool   `json:"inline,omitempty"`
	SHA256      string `json:"sha256"`
}

func toGolden(m *Message) golden {
	g := golden{
		MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References,
		Subject: m.Subject, From: m.From, To: m.To, Cc: m.Cc, ReplyTo: m.ReplyTo,
		Text: m.Text, Reply: m.Reply, HTML: m.HTML, Dropped: m.Dropped,
		Auto: m.Auto, Bounce: m.Bounce, TrackingCodes: m.TrackingCodes, Warnings: m.Warnings,
	}
	if !m.Date.IsZero() {
		g.Date = m.Date.Format(time.RFC3339)
	}
	for _, a := range m.Attachments {
		sum := sha256.Sum256(a.Data)
		g.Attachments = append(g.Attachments, goldenFile{a.Filename, a.ContentType, a.Size, a.Inline, hex.EncodeToString(sum[:])})
	}
	return g
}

func marshalGolden(g golden) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func corpusFiles(tb testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 32 {
		tb.Fatalf("corpus has %d files, want at least 32", len(files))
	}
	return files
}

// TestCorpus parses every corpus file and compares with its golden.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw, DefaultLimits())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkInvariants(t, m)
			got := marshalGolden(toGolden(m))
			gpath := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.WriteFile(gpath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gpath)
			if err != nil {
				t.Fatalf("missing golden (run with -update and review): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s\n--- got ---\n%s", gpath, got)
			}
		})
	}
}

// checkInvariants holds for every message, whatever the input.
func checkInvariants(t testing.TB, m *Message) {
	t.Helper()
	for name, s := range map[string]string{"Text": m.Text, "Reply": m.Reply, "HTML": m.HTML, "Subject": m.Subject, "From.Name": m.From.Name} {
		if !utf8.ValidString(s) {
			t.Fatalf("%s is not valid UTF-8: %q", name, s)
		}
	}
	if n := utf8.RuneCountInString(m.Subject); n > MaxSubjectRunes {
		t.Fatalf("subject has %d runes", n)
	}
	if strings.ContainsAny(m.Subject, "\r\n\t\x00") {
		t.Fatalf("subject has control characters: %q", m.Subject)
	}
	for _, a := range m.Attachments {
		if a.Size != len(a.Data) {
			t.Fatalf("attachment %q: Size %d, len(Data) %d", a.Filename, a.Size, len(a.Data))
		}
	}
	for _, w := range m.Warnings {
		if strings.HasPrefix(w, "internal error") {
			t.Fatalf("parser recovered from a panic: %s", w)
		}
	}
}

// TestCorpusKnownText checks decoded text against the hand-written
// originals the generator encoded, independently of the goldens.
func TestCorpusKnownText(t *testing.T) {
	nfc := func(s string) string { return strings.TrimSpace(s) }
	cases := []struct {
		file, field, want string
	}{
		{"05-windows1258-qp-pdf", "text", unemploymentText},
		{"05-windows1258-qp-pdf", "subject", unemploymentSubject},
		{"05-windows1258-qp-pdf", "from", unemploymentName},
		{"06-base64-utf8", "text", reliefBase64Text},
		{"08-missing-charset-1258", "text", taxDeferralText},
		{"09-wrong-label-latin1-is-utf8", "text", wrongLatin1Text},
		{"10-wrong-label-utf8-is-1258", "text", pensionText},
		{"11-rfc2047-names-filenames", "subject", "Gửi giấy xác nhận thu nhập để xét hỗ trợ"},
		{"11-rfc2047-names-filenames", "to", "Cổng phản ánh"},
		{"11-rfc2047-names-filenames", "files", "Giấy xác nhận thu nhập.pdf|Ảnh CCCD mặt trước.jpg"},
		{"12-rfc2231-filenames", "files", "Đơn đề nghị hưởng trợ cấp.docx|Quyết định hưởng trợ cấp thất nghiệp tháng 4 năm 2024.pdf|Bảng kê đóng bảo hiểm xã hội.xlsx|Sổ hộ khẩu và giấy khai sinh của con.pdf"},
		{"35-html-meta-charset-1258", "text", metaHTMLText},
		{"38-raw-utf8-headers-nfd", "text", nfdText},
		{"38-raw-utf8-headers-nfd", "subject", nfdSubject},
		{"38-raw-utf8-headers-nfd", "from", nfdName},
		{"43-windows1258-base64-html-alt", "text", "Xin chào,\nTôi muốn hỏi về chế độ hưu trí sớm cho người làm nghề nặng nhọc.\nĐoàn Văn Lực"},
		{"43-windows1258-base64-html-alt", "subject", "Hưu trí sớm"},
		{"43-windows1258-base64-html-alt", "from", "Đoàn Văn Lực"},
	}
	for _, c := range cases {
		raw, err := os.ReadFile(filepath.Join("testdata", "corpus", c.file+".eml"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		var got string
		switch c.field {
		case "text":
			got = m.Text
		case "subject":
			got = m.Subject
		case "from":
			got = m.From.Name
		case "to":
			got = m.To[0].Name
		case "files":
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename)
			}
			got = strings.Join(names, "|")
		}
		if nfc(got) != nfc(c.want) {
			t.Errorf("%s %s:\n got %q\nwant %q", c.file, c.field, got, c.want)
		}
	}
}

// FuzzParse must never panic and never produce invalid UTF-8 text.
func FuzzParse(f *testing.F) {
	for _, path := range corpusFiles(f) {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	// Small seeds mutate much faster than whole messages.
	for _, s := range []string{
		"Subject: =?utf-8?B?4bs=?= =?windows-1258?Q?=F4=EC?=\r\nFrom: \"=?x?Q?a?=\" <a@b>\r\n\r\nx",
		"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>x<blockquote type=cite>y\r\n--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n",
		"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: failed\r\n--r--",
		"Subject: x\r\n\r\nbegin 644 a\r\n#86)C\r\n`\r\nend\r\n",
		"Content-Disposition: attachment; filename*0*=windows-1258''%E1; filename*1*=%F4\r\nContent-Type: application/pdf\r\n\r\n%PDF",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// The fuzzing engine has no hang detector; a parse this slow on
		// inputs of fuzzing size is a denial-of-service bug.
		var m *Message
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			m, err = Parse(raw, Limits{MaxAttachments: 5, MaxAttachmentBytes: 1 << 16, MaxTotalBytes: 1 << 17})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Parse took more than 10s on a %d-byte input", len(raw))
		}
		if err != nil {
			if len(bytes.TrimSpace(raw)) != 0 {
				t.Fatalf("error for non-empty input: %v", err)
			}
			return
		}
		checkInvariants(t, m)
		if len(m.Attachments) > 5 {
			t.Fatalf("%d attachments kept, limit 5", len(m.Attachments))
		}
	})
}

func loadCorpus(b *testing.B) ([][]byte, int64) {
	var msgs [][]byte
	var total int64
	for _, path := range corpusFiles(b) {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
		total += int64(len(raw))
	}
	return msgs, total
}

// BenchmarkParse parses the whole corpus per iteration.
func BenchmarkParse(b *testing.B) {
	msgs, total := loadCorpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range msgs {
			if _, err := Parse(raw, DefaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkEnmimeReadEnvelope is the baseline: bare enmime over the same
// corpus, for the Parse/enmime ratio.
func BenchmarkEnmimeReadEnvelope(b *testing.B) {
	msgs, total := loadCorpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range msgs {
			// Errors are ignored: enmime refusing a malformed message
			// is part of the baseline's behaviour, not a benchmark failure.
			_, _ = enmime.ReadEnvelope(bytes.NewReader(raw))
		}
	}
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TestCorpusAttachmentBytes checks decoded attachments against the bytes
// the generator encoded.
func TestCorpusAttachmentBytes(t *testing.T) {
	cases := map[string][][]byte{
		"03-nested-mixed-alt-related": {tinyPNG(), fakePDF("Mau 01/GHAN")},
		"05-windows1258-qp-pdf":       {fakePDF("So BHXH - Tran Thi Bich Ngoc")},
		"12-rfc2231-filenames": {
			[]byte("PK\x03\x04 docx stand-in"), fakePDF("Quyet dinh"),
			[]byte("PK\x03\x04 xlsx stand-in"), fakePDF("So ho khau"),
		},
	}
	for file, want := range cases {
		raw, err := os.ReadFile(filepath.Join("testdata", "corpus", file+".eml"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Attachments) != len(want) {
			t.Fatalf("%s: %d attachments, want %d", file, len(m.Attachments), len(want))
		}
		for i, w := range want {
			if !bytes.Equal(m.Attachments[i].Data, w) {
				t.Errorf("%s: attachment %d (%s) differs from the encoded bytes", file, i, m.Attachments[i].Filename)
			}
		}
	}
}

// BenchmarkEnmimeNoDetect is enmime with its chardet pass switched off, as
// Parse runs it: the remaining difference is Parse's own work (charset
// decoding, HTML sanitising and conversion, reply and bounce analysis).
func BenchmarkEnmimeNoDetect(b *testing.B) {
	msgs, total := loadCorpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	p := enmime.NewParser(enmime.DisableCharacterDetection(true))
	for b.Loop() {
		for _, raw := range msgs {
			_, _ = p.ReadEnvelope(bytes.NewReader(raw))
		}
	}
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
