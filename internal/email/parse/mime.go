package parse

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// mediaTypeHook is installed with enmime.SetCustomParseMediaType. enmime
// calls it for every Content-Type and Content-Disposition it looks at, which
// makes it the one seam where we can steer enmime without forking it:
//
//   - every text/* type is reported with charset=utf-8, so enmime's decoder
//     passes the transfer-decoded bytes through untouched (its UTF-8 path is a
//     no-op) and decodeText can apply the declared label itself;
//
//   - RFC 2231 parameters in charsets other than UTF-8 (windows-1258 file
//     names from Vietnamese Outlook) are rewritten to UTF-8 first, because
//     Go's mime.ParseMediaType silently drops them;
//
//   - a Content-Type that cannot be parsed at all becomes "no type", which
//     enmime and we treat as text/plain as RFC 2045 §5.2 recommends, instead
//     of failing the whole message.
//
//   - at most maxMultiparts distinct multipart boundaries are honoured; a
//     further multipart is reported as application/octet-stream and kept as
//     an opaque attachment. enmime's nested boundary readers cost roughly
//     size × 2^depth when boundaries are left unclosed, so a one-kilobyte
//     message nesting 30 unclosed multiparts would otherwise run for hours.
//
// bad collects the headers that had to be rescued, for Message.Warnings.
type mediaTypeHook struct {
	bad        []string
	boundaries map[string]bool
	capped     bool
}

// maxMultiparts bounds distinct multipart containers per message. Real mail
// uses at most five or so (signed > mixed > alternative > related); the
// worst-case slowdown at eight unclosed levels is about 250x a flat parse.
const maxMultiparts = 8

func (h *mediaTypeHook) parse(ctype string) (string, map[string]string, []string, error) {
	mtype, params, invalid, err := parseMediaType(ctype)
	if err != nil {
		if len(h.bad) < 20 {
			h.bad = append(h.bad, "unparseable media type "+clip(ctype, 80)+"; treated as text/plain")
		}
		return "", map[string]string{}, nil, nil
	}
	switch {
	case strings.HasPrefix(mtype, "text/"):
		params["charset"] = "utf-8"
	case strings.HasPrefix(mtype, "multipart/"):
		b := params["boundary"]
		if h.boundaries[b] {
			break
		}
		if len(h.boundaries) >= maxMultiparts {
			if !h.capped {
				h.capped = true
				h.bad = append(h.bad, fmt.Sprintf("more than %d nested or sibling multipart containers; the rest kept as opaque attachments", maxMultiparts))
			}
			delete(params, "boundary")
			return "application/octet-stream", params, invalid, nil
		}
		if h.boundaries == nil {
			h.boundaries = make(map[string]bool)
		}
		h.boundaries[b] = true
	}
	return mtype, params, invalid, nil
}

// closeBoundaries appends the closing delimiters of multipart boundaries
// that are used but never closed, innermost first. Truncated messages are
// common (size limits in relays, interrupted uploads) and enmime is slow on
// unclosed nesting; closing them at the end is what enmime would assume
// anyway. Declarations are found by a plain byte search, which may also see
// "boundary=" inside a body; such a value only matters if a delimiter line
// with it exists too.
func closeBoundaries(raw []byte) ([]byte, string) {
	var missing [][]byte
	seen := map[string]bool{}
	for off := 0; off < len(raw) && len(seen) < 64; {
		i := indexBoundary(raw[off:])
		if i < 0 {
			break
		}
		p := off + i + len("boundary")
		off = p
		for p < len(raw) && (raw[p] == ' ' || raw[p] == '\t') {
			p++
		}
		if p >= len(raw) || raw[p] != '=' {
			continue
		}
		p++
		for p < len(raw) && (raw[p] == ' ' || raw[p] == '\t') {
			p++
		}
		quoted := p < len(raw) && raw[p] == '"'
		if quoted {
			p++
		}
		e := p
		for e < len(raw) && e-p < 200 && raw[e] != '"' && raw[e] != '\r' && raw[e] != '\n' && (quoted || raw[e] != ';' && raw[e] != ' ' && raw[e] != '\t') {
			e++
		}
		b := raw[p:e]
		if len(b) == 0 || seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		delim := append([]byte("\n--"), b...)
		if !bytes.Contains(raw, delim) || bytes.Contains(raw, append(delim, '-', '-')) {
			continue
		}
		missing = append(missing, b)
	}
	if len(missing) == 0 {
		return raw, ""
	}
	out := make([]byte, 0, len(raw)+len(missing)*80)
	out = append(out, raw...)
	if out[len(out)-1] != '\n' {
		out = append(out, '\r', '\n')
	}
	for i := len(missing) - 1; i >= 0; i-- {
		out = append(out, "--"...)
		out = append(out, missing[i]...)
		out = append(out, "--\r\n"...)
	}
	return out, fmt.Sprintf("message ends inside %d unclosed multipart container(s); probably truncated", len(missing))
}

// indexBoundary finds the next "boundary" (any case) in s.
func indexBoundary(s []byte) int {
	for off := 0; ; {
		i := bytes.Index(s[off:], []byte("oundary"))
		if j := bytes.Index(s[off:], []byte("OUNDARY")); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			return -1
		}
		i += off
		if i > 0 && s[i-1]|0x20 == 'b' {
			return i - 1
		}
		off = i + 1
	}
}

// parseMediaType is enmime's tolerant media-type parser preceded by the
// RFC 2231 charset repair. It never returns a nil map without an error.
func parseMediaType(v string) (string, map[string]string, []string, error) {
	mtype, params, invalid, err := mediatype.Parse(fix2231(v))
	if err != nil {
		return "", nil, nil, err
	}
	if params == nil {
		params = map[string]string{}
	}
	return strings.ToLower(mtype), params, invalid, nil
}

// fix2231 rewrites extended parameters (name*=charset'lang'%XX and the
// name*0*= continuation form) whose charset is not UTF-8 into one UTF-8
// extended parameter with an empty language tag. Parameters already in
// UTF-8 or ASCII are left for mime.ParseMediaType, which handles them.
func fix2231(v string) string {
	if !strings.Contains(v, "*=") || !strings.Contains(v, "'") {
		return v
	}
	segs := splitParams(v)
	type section struct {
		idx      int
		extended bool
		value    string
		seg      int
	}
	groups := map[string][]section{}
	var order []string
	for i, s := range segs[1:] {
		k, val, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		ext := strings.HasSuffix(k, "*")
		k = strings.TrimSuffix(k, "*")
		base, num, hasNum := strings.Cut(k, "*")
		idx := 0
		if hasNum {
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > 100 {
				continue
			}
			idx = n
		} else if !ext {
			continue // plain parameter, nothing to repair
		}
		if _, seen := groups[base]; !seen {
			order = append(order, base)
		}
		groups[base] = append(groups[base], section{idx, ext, val, i + 1})
	}
	changed := false
	drop := map[int]bool{}
	var extra []string
	for _, base := range order {
		secs := groups[base]
		var first *section
		for i := range secs {
			if secs[i].idx == 0 {
				first = &secs[i]
				break
			}
		}
		if first == nil || !first.extended {
			continue
		}
		cs, rest, ok := strings.Cut(first.value, "'")
		if !ok {
			continue
		}
		_, data, ok := strings.Cut(rest, "'")
		if !ok {
			continue
		}
		if _, kind := lookupCharset(cs); kind == csUTF8 || strings.TrimSpace(cs) == "" || strings.EqualFold(cs, "us-ascii") {
			continue
		}
		// Collect sections in numeric order; a gap ends the value.
		byIdx := map[int]section{}
		for _, s := range secs {
			byIdx[s.idx] = s
		}
		var raw []byte
		for n := 0; ; n++ {
			s, ok := byIdx[n]
			if !ok {
				break
			}
			val := s.value
			if n == 0 {
				val = data
			}
			if s.extended {
				raw = append(raw, percentDecode(val)...)
			} else {
				raw = append(raw, strings.Trim(val, "\"")...)
			}
			drop[s.seg] = true
		}
		text, _ := decodeText(raw, cs)
		extra = append(extra, base+"*=utf-8''"+percentEncode(text))
		changed = true
	}
	if !changed {
		return v
	}
	var b strings.Builder
	b.WriteString(segs[0])
	for i, s := range segs[1:] {
		if drop[i+1] {
			continue
		}
		b.WriteString(";")
		b.WriteString(s)
	}
	for _, e := range extra {
		b.WriteString("; ")
		b.WriteString(e)
	}
	return b.String()
}

// percentEncode escapes everything but unreserved characters, which keeps
// the value a valid RFC 2231 token whatever the file name contains.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// splitParams splits a header value on semicolons that are not inside a
// quoted string.
func splitParams(v string) []string {
	var out []string
	start, inQuote := 0, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// percentDecode decodes %XX escapes and keeps anything malformed literally,
// since a half-broken file name is more useful than none.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if h, ok := unhex(s[i+1]); ok {
				if l, ok := unhex(s[i+2]); ok {
					out = append(out, h<<4|l)
					i += 2
					continue
				}
			}
		}
		out = append(out, s[i])
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// clip shortens s for use inside a warning, on a rune boundary, quoted.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }
