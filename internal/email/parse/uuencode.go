package parse

import (
	"encoding/base64"
	"strings"
)

// Old mailers and some scanners' "send to email" features still put files
// in the body as uuencoded blocks:
//
//	begin 644 to-khai.pdf
//	M)5!$1BTQ+C0*...
//	`
//	end
//
// (or "begin-base64 644 name" ... "===="). uuBlock is one such block found
// in a text body.
type uuBlock struct {
	name        string
	start, stop int // byte range of the whole block in the text, end exclusive
	lines       []string
	base64      bool
	size        int // exact decoded size for classic blocks, an upper bound for base64
}

// findUUBlocks scans text for complete, well-formed blocks. A block that
// is malformed anywhere is left in the text: a citizen's prose that happens
// to start with "begin 644" must not vanish.
func findUUBlocks(text string) []uuBlock {
	if !strings.Contains(text, "begin") {
		return nil
	}
	var out []uuBlock
	off := 0
	for off < len(text) {
		nl := strings.IndexByte(text[off:], '\n')
		lineEnd := len(text)
		if nl >= 0 {
			lineEnd = off + nl
		}
		line := strings.TrimRight(text[off:lineEnd], "\r ")
		if name, b64, ok := uuHeader(line); ok {
			if blk, ok := scanUUBody(text, off, lineEnd, name, b64); ok {
				out = append(out, blk)
				off = blk.stop
				continue
			}
		}
		if nl < 0 {
			break
		}
		off = lineEnd + 1
	}
	return out
}

// uuHeader parses "begin <octal mode> <name>".
func uuHeader(line string) (string, bool, bool) {
	b64 := false
	rest, ok := strings.CutPrefix(line, "begin ")
	if !ok {
		rest, ok = strings.CutPrefix(line, "begin-base64 ")
		if !ok {
			return "", false, false
		}
		b64 = true
	}
	mode, name, ok := strings.Cut(rest, " ")
	if !ok || len(mode) < 3 || len(mode) > 4 {
		return "", false, false
	}
	for i := 0; i < len(mode); i++ {
		if mode[i] < '0' || mode[i] > '7' {
			return "", false, false
		}
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", false, false
	}
	return name, b64, true
}

func scanUUBody(text string, start, hdrEnd int, name string, b64 bool) (uuBlock, bool) {
	blk := uuBlock{name: name, start: start, base64: b64}
	off := hdrEnd + 1
	for off <= len(text) {
		nl := strings.IndexByte(text[off:], '\n')
		lineEnd := len(text)
		if nl >= 0 {
			lineEnd = off + nl
		}
		line := strings.TrimRight(text[off:lineEnd], "\r")
		next := lineEnd + 1
		if next > len(text) {
			next = len(text)
		}
		if b64 {
			if line == "====" {
				blk.stop = next
				return blk, len(blk.lines) > 0
			}
			if !isBase64Line(line) {
				return blk, false
			}
			blk.size += len(line) * 3 / 4
		} else {
			if line == "end" {
				blk.stop = next
				return blk, len(blk.lines) > 0
			}
			n, ok := uuLineLen(line)
			if !ok {
				return blk, false
			}
			blk.size += n
		}
		blk.lines = append(blk.lines, line)
		if nl < 0 {
			break
		}
		off = next
	}
	return blk, false
}

func isBase64Line(l string) bool {
	if l == "" || len(l) > 1000 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// uuLineLen validates one classic uuencoded line and returns its byte count.
// The terminating zero-length line is "`" (or a single space).
func uuLineLen(l string) (int, bool) {
	if l == "" {
		return 0, false
	}
	n := int((l[0] - ' ') & 63)
	if n == 0 {
		return 0, len(l) == 1
	}
	need := (n + 2) / 3 * 4
	// Some encoders add a checksum character; some transports strip the
	// trailing spaces that encode zero bits (decode pads them back).
	if len(l)-1 < need-3 || len(l)-1 > need+2 {
		return 0, false
	}
	for i := 1; i < len(l); i++ {
		if l[i] < ' ' || l[i] > '`' {
			return 0, false
		}
	}
	return n, true
}

// decode returns the block's bytes. It is only called after limits have
// been checked against blk.size.
func (blk uuBlock) decode() []byte {
	if blk.base64 {
		joined := strings.Join(blk.lines, "")
		out, err := base64.StdEncoding.DecodeString(joined)
		if err != nil {
			return nil
		}
		return out
	}
	out := make([]byte, 0, blk.size)
	for _, l := range blk.lines {
		n := int((l[0] - ' ') & 63)
		body := l[1:]
		if need := (n + 2) / 3 * 4; len(body) < need {
			body += strings.Repeat("`", need-len(body))
		}
		var chunk []byte
		for i := 0; i+3 < len(body) && len(chunk) < n; i += 4 {
			c0 := (body[i] - ' ') & 63
			c1 := (body[i+1] - ' ') & 63
			c2 := (body[i+2] - ' ') & 63
			c3 := (body[i+3] - ' ') & 63
			chunk = append(chunk, c0<<2|c1>>4, c1<<4|c2>>2, c2<<6|c3)
		}
		if len(chunk) > n {
			chunk = chunk[:n]
		}
		out = append(out, chunk...)
	}
	return out
}
