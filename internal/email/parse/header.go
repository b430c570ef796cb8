package parse

import (
	"encoding/base64"
	"io"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxSubjectRunes is where Subject is cut. 998 is the RFC 5322 line limit,
// generous for any real subject and small enough for a database column and
// for the tracking-code scan.
const MaxSubjectRunes = 998

// maxWordHeader bounds the header length we run the RFC 2047 scanner on; a
// longer header is cut first.
const maxWordHeader = 64 << 10

// maxRawSubject is how much of a raw Subject is decoded: even Q-encoded
// Vietnamese ("=E1=BB=97" per letter) fits MaxSubjectRunes in 16 KB, and a
// 200 KB subject then costs no more than a normal one.
const maxRawSubject = 16 << 10

// decodeHeader decodes an unstructured header value: RFC 2047 encoded words
// in any charset x/text knows, raw 8-bit bytes (UTF-8 or, failing that, the
// legacy fallback), and the usual breakage: encoded words glued to text,
// spaces inside Q words, a missing "?=", multi-byte characters split across
// adjacent words. Warnings are returned rather than failing.
func decodeHeader(s string) (string, []string) {
	if !strings.Contains(s, "=?") {
		if utf8.ValidString(s) {
			return finishText(s), nil
		}
		out, name := guessLegacy([]byte(s))
		return out, []string{"raw 8-bit header decoded as " + name}
	}
	var warns []string
	var out strings.Builder
	out.Grow(len(s))

	// Adjacent encoded words in the same charset are decoded together so
	// that a character split between them survives.
	var pend []byte
	pendCS := ""
	hasPend := false
	flush := func() {
		if !hasPend {
			return
		}
		text, warn := decodeText(pend, pendCS)
		if warn != "" {
			warns = append(warns, "encoded word: "+warn)
		}
		out.WriteString(text)
		pend, pendCS, hasPend = pend[:0], "", false
	}
	writeRaw := func(t string) {
		if t == "" {
			return
		}
		if utf8.ValidString(t) {
			out.WriteString(t)
			return
		}
		text, name := guessLegacy([]byte(t))
		warns = append(warns, "raw 8-bit header decoded as "+name)
		out.WriteString(text)
	}

	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		j += i
		cs, payload, end, ok := scanEncodedWord(s, j)
		if !ok {
			// Not an encoded word: keep "=?" literally and move on.
			flush()
			writeRaw(s[i : j+2])
			i = j + 2
			continue
		}
		between := s[i:j]
		if hasPend && strings.TrimSpace(between) == "" {
			// RFC 2047 §6.2: whitespace between encoded words is dropped.
		} else {
			flush()
			writeRaw(between)
		}
		if end > len(s) {
			end = len(s)
			warns = append(warns, "encoded word without closing \"?=\"")
		}
		ncs := normaliseLabel(cs)
		if hasPend && ncs != pendCS {
			flush()
		}
		pend = append(pend, payload...)
		pendCS, hasPend = ncs, true
		i = end
	}
	flush()
	writeRaw(s[i:])
	return finishText(out.String()), warns
}

// scanEncodedWord parses "=?charset?enc?text?=" at s[at:]. It returns the
// charset label, decoded payload bytes and the index after the word. When
// the closing "?=" is missing the whole rest is taken and end is len(s)+1 so
// the caller can warn.
func scanEncodedWord(s string, at int) (cs string, payload []byte, end int, ok bool) {
	p := at + 2
	q := strings.IndexByte(s[p:], '?')
	if q <= 0 || q > 64 {
		return "", nil, 0, false
	}
	cs = s[p : p+q]
	if strings.ContainsAny(cs, " \t\r\n\"()<>,;") {
		return "", nil, 0, false
	}
	if star := strings.IndexByte(cs, '*'); star >= 0 { // RFC 2231 language tag
		cs = cs[:star]
	}
	p += q + 1
	if p+1 >= len(s) || s[p+1] != '?' {
		return "", nil, 0, false
	}
	enc := s[p] | 0x20
	if enc != 'b' && enc != 'q' {
		return "", nil, 0, false
	}
	p += 2
	var text string
	if e := strings.Index(s[p:], "?="); e >= 0 {
		text, end = s[p:p+e], p+e+2
	} else {
		text, end = s[p:], len(s)+1
	}
	if enc == 'b' {
		payload = decodeB(text)
	} else {
		payload = decodeQ(text)
	}
	return cs, payload, end, true
}

// decodeB decodes base64 leniently: whitespace and padding are ignored and a
// damaged tail is dropped rather than losing the whole word.
func decodeB(t string) []byte {
	clean := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		if ce, ok := err.(base64.CorruptInputError); ok {
			n = int(ce) / 4 * 3
			if n > len(out) {
				n = len(out)
			}
		}
	}
	return out[:n]
}

// decodeQ decodes the RFC 2047 "Q" encoding; malformed escapes are kept.
func decodeQ(t string) []byte {
	out := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(t):
			h, ok1 := unhex(t[i+1])
			l, ok2 := unhex(t[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				i += 2
			} else {
				out = append(out, c)
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// cleanLine collapses all whitespace (including the CRLF left by folding)
// to single spaces, drops control and format characters that could hide
// text or spoof display (bidi overrides, zero-width spaces), and trims.
func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), isBidiControl(r), r == '\uFEFF', r == '\u200B':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// cleanSubject produces the display subject and says whether it was cut.
func cleanSubject(raw string) (string, []string) {
	cut := len(raw) > maxRawSubject
	raw = cutAtSpace(raw, maxRawSubject)
	s, warns := decodeHeader(raw)
	s = cleanLine(s)
	if n := utf8.RuneCountInString(s); n > MaxSubjectRunes || cut {
		end, count := len(s), 0
		for i := range s {
			if count == MaxSubjectRunes {
				end = i
				break
			}
			count++
		}
		s = strings.TrimSpace(s[:end])
		warns = append(warns, "subject truncated to 998 characters")
	}
	return s, warns
}

// cutAtSpace shortens s to at most n bytes, preferring the last whitespace
// so that an encoded word is not cut in half.
func cutAtSpace(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexAny(s[:n], " \t\r\n"); i > n/2 {
		return s[:i]
	}
	return s[:n]
}

// wordDecoder lets net/mail decode encoded words in any x/text charset, with
// the same fallbacks as bodies instead of failing on an unknown label.
var wordDecoder = &mime.WordDecoder{
	CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		s, _ := decodeText(b, label)
		return strings.NewReader(s), nil
	},
}

// parseAddressList reads an address header. net/mail is tried first for its
// full RFC 5322 grammar; when it refuses (unquoted dots or commas in names,
// raw 8-bit text, stray brackets) a forgiving splitter takes over so the
// citizen's address is not lost.
func parseAddressList(raw string) ([]Address, []string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	raw = cutAtSpace(raw, maxWordHeader)
	var warns []string
	if !utf8.ValidString(raw) {
		var name string
		raw, name = guessLegacy([]byte(raw))
		warns = append(warns, "raw 8-bit address header decoded as "+name)
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	list, err := p.ParseList(raw)
	var out []Address
	if err == nil {
		for _, a := range list {
			out = append(out, makeAddress(a.Name, a.Address))
		}
	} else {
		out = lenientAddresses(raw)
		if len(out) == 0 {
			warns = append(warns, "unparseable address header "+clip(raw, 80))
		}
	}
	for i := range out {
		if strings.Contains(out[i].Name, "=?") {
			// Quoted encoded words: wrong per RFC 2047 but what Outlook
			// and many webmails send; net/mail leaves them encoded.
			n, w := decodeHeader(out[i].Name)
			out[i].Name = cleanName(n)
			warns = append(warns, w...)
		}
	}
	return out, warns
}

func makeAddress(name, addr string) Address {
	return Address{Name: cleanName(name), Email: cleanEmail(addr)}
}

func cleanName(n string) string {
	n = cleanLine(finishText(n))
	n = strings.TrimSpace(strings.Trim(n, "\"'"))
	return n
}

// cleanEmail trims an address and lower-cases its domain (domains are case
// insensitive; local parts officially are not, so they are left alone).
func cleanEmail(a string) string {
	a = strings.Trim(cleanLine(a), "<>\"' ")
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		a = a[:at+1] + strings.ToLower(a[at+1:])
	}
	return a
}

// lenientAddresses splits on commas outside quotes and angle brackets and
// pulls "Name <addr>" or a bare addr out of each piece.
func lenientAddresses(raw string) []Address {
	var pieces []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '=':
			// A comma inside an encoded word ("=?UTF-8?Q?B=C3=BCrling,?=")
			// is part of the name, not a separator.
			if !inQuote && strings.HasPrefix(raw[i:], "=?") {
				if _, _, end, ok := scanEncodedWord(raw, i); ok && end <= len(raw) {
					i = end - 1
				}
			}
		case '"':
			inQuote = !inQuote
		case '<':
			if !inQuote {
				depth++
			}
		case '>':
			if !inQuote && depth > 0 {
				depth--
			}
		case ',', ';':
			if !inQuote && depth == 0 {
				pieces = append(pieces, raw[start:i])
				start = i + 1
			}
		}
	}
	pieces = append(pieces, raw[start:])
	var out []Address
	for _, p := range pieces {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if lt := strings.LastIndexByte(p, '<'); lt >= 0 {
			gt := strings.IndexByte(p[lt:], '>')
			addr := p[lt+1:]
			if gt >= 0 {
				addr = p[lt+1 : lt+gt]
			}
			if strings.Contains(addr, "@") {
				out = append(out, makeAddress(p[:lt], addr))
				continue
			}
		}
		for _, f := range strings.Fields(p) {
			if strings.Contains(f, "@") {
				name := strings.TrimSpace(strings.Replace(p, f, "", 1))
				name = strings.Trim(name, "()")
				out = append(out, makeAddress(name, f))
				break
			}
		}
	}
	return out
}

// maxReferences keeps threading data bounded; the first ID (thread root) and
// the most recent ones are what threading needs.
const maxReferences = 100

// parseMsgIDs extracts message IDs without their angle brackets. IDs are
// compared as opaque strings by the ticket layer, so brackets, folding and
// comments are removed here once.
func parseMsgIDs(raw string) []string {
	raw = strings.ToValidUTF8(raw, "")
	var ids []string
	if strings.Contains(raw, "<") {
		for {
			lt := strings.IndexByte(raw, '<')
			if lt < 0 {
				break
			}
			gt := strings.IndexByte(raw[lt:], '>')
			if gt < 0 {
				break
			}
			if id := cleanMsgID(raw[lt+1 : lt+gt]); id != "" {
				ids = append(ids, id)
			}
			raw = raw[lt+gt+1:]
		}
	} else {
		for _, f := range strings.FieldsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
			if id := cleanMsgID(f); id != "" && strings.Contains(id, "@") {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > maxReferences {
		ids = append(ids[:1:1], ids[len(ids)-maxReferences+1:]...)
	}
	return ids
}

func cleanMsgID(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if len(s) > 998 {
		return ""
	}
	return s
}

// dateLayouts are the shapes mail.ParseDate refuses but real clients send.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Monday, January 2, 2006 3:04 PM",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02T15:04:05Z07:00",
	time.ANSIC,
}

func parseDate(raw string) (time.Time, string) {
	raw = cleanLine(raw)
	if raw == "" {
		return time.Time{}, ""
	}
	if t, err := mail.ParseDate(raw); err == nil {
		return t, ""
	}
	s := raw
	if i := strings.IndexByte(s, '('); i > 0 {
		s = strings.TrimSpace(s[:i])
		if t, err := mail.ParseDate(s); err == nil {
			return t, ""
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, ""
		}
		if t, err := time.Parse(l, raw); err == nil {
			return t, ""
		}
	}
	return time.Time{}, "unparseable Date header " + clip(raw, 80)
}
