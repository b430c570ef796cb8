package parse

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

// Charset handling lives here rather than in enmime because enmime's own
// conversion is wrong for the mail we receive: it maps "us-ascii" to
// windows-1252 (so UTF-8 sent with a us-ascii label turns into mojibake), its
// chardet guess never answers windows-1258 and can override a correct label
// with a Western one, and a charset outside its table is passed through as
// raw bytes. The media-type hook in mime.go therefore tells enmime that every
// text part is UTF-8, which makes it leave the transfer-decoded bytes alone,
// and decodeText below does the real work with golang.org/x/text.

// charsetKind says how a label should be treated before any decoding.
type charsetKind int

const (
	csUnknown charsetKind = iota // label not known to x/text
	csNone                       // no label, or a 7-bit label that says nothing about 8-bit bytes
	csUTF8                       // UTF-8 (or a label that x/text resolves to it)
	csOther                      // a real charset that x/text can decode
)

// lookupCharset resolves a MIME charset label with x/text. The WHATWG index
// goes first because it knows the aliases mail clients actually write
// (cp1258, x-cp1258, latin1 …) and maps ISO-8859-1 to its windows-1252
// superset, which is what senders mean in practice; the IANA index catches
// the rest (IBM code pages and so on).
func lookupCharset(label string) (encoding.Encoding, charsetKind) {
	l := normaliseLabel(label)
	switch l {
	case "", "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "646", "7bit", "none", "default", "unknown", "unknown-8bit", "x-unknown":
		return nil, csNone
	case "utf-8", "utf8", "unicode-1-1-utf-8", "x-utf-8":
		return nil, csUTF8
	case "utf-16":
		// RFC 2781: big-endian unless a BOM says otherwise. The WHATWG
		// index would pick little-endian, which is a browser convention.
		return xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), csOther
	}
	if e, err := htmlindex.Get(l); err == nil && e != nil {
		return e, classify(e)
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(l); err == nil && e != nil {
			return e, classify(e)
		}
	}
	// Common manglings: "cp-1258", "win1258", "windows1258".
	for _, p := range []string{"cp-", "cp", "win-", "win", "windows"} {
		if rest, ok := strings.CutPrefix(l, p); ok && rest != "" && isDigits(rest) {
			if e, err := htmlindex.Get("windows-" + rest); err == nil && e != nil {
				return e, classify(e)
			}
		}
	}
	return nil, csUnknown
}

// classify reports csUTF8 for encodings that are UTF-8 in disguise so the
// caller validates instead of transcoding.
func classify(e encoding.Encoding) charsetKind {
	if e == encoding.Nop || e == xunicode.UTF8 || e == xunicode.UTF8BOM {
		return csUTF8
	}
	return csOther
}

// normaliseLabel lower-cases a label and strips the quoting and stray
// "charset=" prefixes that broken mailers leave in it.
func normaliseLabel(label string) string {
	l := strings.ToLower(strings.TrimSpace(label))
	l = strings.Trim(l, "\"' ;")
	if rest, ok := strings.CutPrefix(l, "charset="); ok {
		l = strings.Trim(rest, "\"' ")
	}
	if i := strings.IndexAny(l, " \t;"); i >= 0 {
		l = l[:i]
	}
	return l
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decodeText turns the transfer-decoded bytes of a text part into clean
// UTF-8 in NFC. label is the declared charset ("" if none). The second result
// is a warning for the ticket log when the label could not be trusted.
func decodeText(b []byte, label string) (string, string) {
	// A BOM is stronger evidence than any label.
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return finishText(string(b[3:])), ""
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		s, _ := xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder().Bytes(b)
		return finishText(string(s)), ""
	}
	enc, kind := lookupCharset(label)
	switch kind {
	case csNone:
		if isASCII(b) {
			return finishText(string(b)), ""
		}
		if utf8.Valid(b) {
			if label == "" {
				return finishText(string(b)), "no charset declared; 8-bit content decoded as UTF-8"
			}
			return finishText(string(b)), "charset " + quoteLabel(label) + " declared but content is UTF-8; decoded as UTF-8"
		}
		s, name := guessLegacy(b)
		if label == "" {
			return s, "no charset declared and content is not UTF-8; decoded as " + name
		}
		return s, "charset " + quoteLabel(label) + " declared but content is 8-bit and not UTF-8; decoded as " + name
	case csUTF8:
		if utf8.Valid(b) {
			return finishText(string(b)), ""
		}
		s, name := guessLegacy(b)
		return s, "charset " + quoteLabel(label) + " declared but content is not valid UTF-8; decoded as " + name
	case csUnknown:
		if utf8.Valid(b) {
			return finishText(string(b)), "unknown charset " + quoteLabel(label) + "; content is valid UTF-8, decoded as UTF-8"
		}
		s, name := guessLegacy(b)
		return s, "unknown charset " + quoteLabel(label) + "; decoded as " + name
	}
	// A single-byte label on bytes that form valid multi-byte UTF-8 is
	// almost always a webmail that sent UTF-8 and lied about it: real
	// windows-125x or ISO-8859 text essentially never happens to be valid
	// UTF-8 once it contains 8-bit characters.
	if _, single := enc.(*charmap.Charmap); single && !isASCII(b) && utf8.Valid(b) {
		return finishText(string(b)), "charset " + quoteLabel(label) + " declared but content is valid UTF-8; decoded as UTF-8"
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err == nil && bytes.Contains(out, replacementChar) && !bytes.Contains(b, replacementChar) {
		// The label is wrong: its decoder had to replace bytes it cannot
		// read ("ISO-2022-JP" on Shift_JIS bytes). A reading that is valid
		// as a whole, by the script it yields, beats the label; otherwise
		// the replaced text is kept: a label with one damaged byte is
		// still better than a single-byte guess.
		if !isASCII(b) && utf8.Valid(b) {
			return finishText(string(b)), "charset " + quoteLabel(label) + " declared but content is valid UTF-8; decoded as UTF-8"
		}
		if s, name, ok := guessCJK(b); ok {
			return s, "charset " + quoteLabel(label) + " declared but content is not valid in it; decoded as " + name
		}
	}
	if err != nil {
		// Decoders in x/text replace bad input rather than fail, so this is
		// a truncated multi-byte sequence at worst; keep what we have.
		if utf8.Valid(b) {
			return finishText(string(b)), "charset " + quoteLabel(label) + " could not decode the content; used UTF-8"
		}
		s, name := guessLegacy(b)
		return s, "charset " + quoteLabel(label) + " could not decode the content; decoded as " + name
	}
	return finishText(string(out)), ""
}

func quoteLabel(l string) string {
	l = strings.TrimSpace(l)
	if len(l) > 40 {
		l = l[:40]
	}
	return "\"" + strings.ToValidUTF8(l, "?") + "\""
}

// guessLegacy decodes bytes that are not UTF-8. Both candidates accept any
// byte, so the choice is made on content: windows-1258 is taken when the
// result contains letters or tone marks that only Vietnamese uses (ă, đ, ơ,
// ư, or a combining tone mark after a letter). Otherwise windows-1252 (the
// practical meaning of "latin1") is used. The Vietnamese prior is deliberate:
// this system's senders are Vietnamese citizens.
//
// Before that, the bytes are tried as the multi-byte East Asian charsets
// (Shift_JIS, EUC-JP, GBK, Big5, EUC-KR): a subject in one of them read as
// windows-1252 is unreadable mojibake ("ƒc�[ƒ‹"). A CJK reading is only
// taken when it decodes without a single invalid sequence into nothing but
// CJK script, and the windows-1258 reading does not look Vietnamese.
func guessLegacy(b []byte) (string, string) {
	vi, _ := charmap.Windows1258.NewDecoder().Bytes(b)
	vs := vietnameseScore(vi)
	if n := nonASCIICount(b); vs*4 < n {
		if s, name, ok := guessCJK(b); ok {
			return s, name
		}
	}
	if vs > 0 {
		return finishText(string(vi)), "windows-1258"
	}
	l1, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return finishText(string(l1)), "windows-1252"
}

// cjkCharsets are tried in this order; on equal evidence the first wins.
var cjkCharsets = []struct {
	name     string
	enc      encoding.Encoding
	japanese bool
}{
	{"shift_jis", japanese.ShiftJIS, true},
	{"euc-jp", japanese.EUCJP, true},
	{"gbk", simplifiedchinese.GBK, false},
	{"big5", traditionalchinese.Big5, false},
	{"euc-kr", korean.EUCKR, false},
}

// guessCJK reads b as each East Asian charset and keeps the reading with
// the most script evidence: every non-ASCII character must be CJK (Han,
// kana, Hangul, CJK punctuation or full-width forms), at least two of them,
// mostly in runs of two or more.
// Kana count double for the Japanese charsets, since GBK and Big5 readings
// of Shift_JIS bytes are all rare Han characters.
func guessCJK(b []byte) (string, string, bool) {
	best, bestName, bestScore := "", "", 0
	for _, c := range cjkCharsets {
		out, err := c.enc.NewDecoder().Bytes(b)
		if err != nil || bytes.Contains(out, replacementChar) {
			continue
		}
		score, cjk, inRun, run := 0, 0, 0, 0
		endRun := func() {
			if run >= 2 {
				inRun += run
			}
			run = 0
		}
		for _, r := range string(out) {
			if r < utf8.RuneSelf {
				endRun()
				continue
			}
			cjk++
			run++
			switch {
			case 0x3040 <= r && r <= 0x30FF, 0x31F0 <= r && r <= 0x31FF, 0xFF66 <= r && r <= 0xFF9F: // kana, "ー" included
				score++
				if c.japanese {
					score++
				}
			case unicode.In(r, unicode.Han, unicode.Hangul), 0x3000 <= r && r <= 0x303F, 0xFF00 <= r && r <= 0xFFEF:
				score++
			default:
				score = -1 << 30
			}
		}
		endRun()
		// Real CJK text comes in runs of characters; a Latin-1 name read
		// as GBK or Shift_JIS gives lone ideographs, each an accented
		// letter that swallowed the ASCII letter after it ("Bürling").
		if inRun*2 < cjk {
			continue
		}
		if score >= 2 && score > bestScore {
			best, bestName, bestScore = string(out), c.name, score
		}
	}
	if bestName == "" {
		return "", "", false
	}
	return finishText(best), bestName, true
}

func nonASCIICount(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	return n
}

// vietnameseScore counts evidence that decoded windows-1258 text really is
// Vietnamese.
func vietnameseScore(b []byte) int {
	score := 0
	prevLetter := false
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch r {
		case 'ă', 'Ă', 'đ', 'Đ', 'ơ', 'Ơ', 'ư', 'Ư':
			score++
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
			if prevLetter {
				score++
			}
		}
		prevLetter = unicode.IsLetter(r)
	}
	return score
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// finishText makes decoded text safe and canonical: valid UTF-8 and NFC, so
// that windows-1258 output (base letter + combining tone mark) and macOS NFD
// compare equal to what a citizen typed elsewhere.
func finishText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if isASCIIString(s) {
		return s
	}
	return norm.NFC.String(s)
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// findMetaCharset looks for <meta charset=...> or the http-equiv form in the
// first few kilobytes of an HTML part, which is where Outlook and webmail put
// it when the MIME header has no charset.
func findMetaCharset(b []byte) string {
	const window = 4096
	if len(b) > window {
		b = b[:window]
	}
	lower := bytes.ToLower(b)
	for off := 0; ; {
		i := bytes.Index(lower[off:], []byte("<meta"))
		if i < 0 {
			return ""
		}
		start := off + i
		end := bytes.IndexByte(lower[start:], '>')
		if end < 0 {
			return ""
		}
		tag := lower[start : start+end]
		if j := bytes.Index(tag, []byte("charset")); j >= 0 {
			rest := bytes.TrimLeft(tag[j+len("charset"):], " \t\r\n")
			if len(rest) > 0 && rest[0] == '=' {
				rest = bytes.TrimLeft(rest[1:], " \t\r\n\"'")
				k := 0
				for k < len(rest) && (rest[k] == '-' || rest[k] == '_' || rest[k] == '.' || rest[k] == ':' ||
					(rest[k] >= 'a' && rest[k] <= 'z') || (rest[k] >= '0' && rest[k] <= '9')) {
					k++
				}
				if k > 0 {
					return string(rest[:k])
				}
			}
		}
		off = start + end
	}
}

// replacementChar is U+FFFD in UTF-8: what decoders write for bytes they
// cannot read. (bytes.ContainsRune with utf8.RuneError also matches
// invalid input, so the bytes are searched for instead.)
var replacementChar = []byte("\uFFFD")
