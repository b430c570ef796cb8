package spam

import (
	"strings"
	"unicode/utf8"
)

// link is one URL or bare domain found in the text.
type link struct {
	start, end         int    // byte span of the whole link in the text
	hostStart, hostEnd int    // byte span of the host name in the text
	nameEnd            int    // end of the host without its top-level domain
	host               string // lower-cased host without port or trailing dot
	kind               domainKind
	badTLD             bool
	lookalike          bool // an untrusted host named after a trusted brand
}

// domainKind classifies a host against the configured domain lists.
type domainKind uint8

const (
	domainOther domainKind = iota
	domainTrusted
	domainBlocked
	domainShortener
	domainChatInvite
)

// commonTLDs are the top-level domains a bare "name.tld" must end with to be
// read as a link. Without a scheme, "TP.HCM", "Q.1", "v.v" and "hoso.pdf"
// must stay prose, so only TLDs that actually appear in link spam are listed
// here; the TLDs of every configured domain are added when rules compile.
var commonTLDs = []string{
	"com", "net", "org", "info", "biz", "vn", "io", "co", "me", "asia", "xyz",
	"top", "club", "vip", "online", "site", "shop", "store", "live", "fun",
	"win", "bet", "app", "ly", "gl", "gd", "cc", "tv", "ws", "pro", "link",
	"click", "icu", "buzz", "life", "world", "today", "one", "gg", "to", "us",
	"uk", "ru", "cn", "edu", "gov", "casino", "games", "game", "poker", "loan",
}

// domainSet answers "is this host, or a domain it belongs to, listed?".
type domainSet map[string]domainKind

// lookup walks from the full host up through its parent domains, so that a
// listed "w88.com" also catches "vn.w88.com" while "notw88.com" stays clear.
func (d domainSet) lookup(host string) (domainKind, string) {
	for h := host; h != ""; {
		if k, ok := d[h]; ok {
			return k, h
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return domainOther, ""
}

// spaceAt returns the width of the white space (as unicode.IsSpace) that
// starts at text[i], or 0. The non-ASCII spaces are matched by their UTF-8
// bytes, so ordinary letters are rejected without decoding them.
func spaceAt(text string, i int) int {
	c := text[i]
	if c < utf8.RuneSelf {
		if c == ' ' || '\t' <= c && c <= '\r' {
			return 1
		}
		return 0
	}
	rest := text[i:]
	switch c {
	case 0xC2: // U+0085, U+00A0
		if len(rest) >= 2 && (rest[1] == 0x85 || rest[1] == 0xA0) {
			return 2
		}
	case 0xE1: // U+1680
		if strings.HasPrefix(rest, "\u1680") {
			return 3
		}
	case 0xE2: // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F
		if len(rest) >= 3 {
			b1, b2 := rest[1], rest[2]
			if b1 == 0x80 && (0x80 <= b2 && b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF) ||
				b1 == 0x81 && b2 == 0x9F {
				return 3
			}
		}
	case 0xE3: // U+3000
		if strings.HasPrefix(rest, "\u3000") {
			return 3
		}
	}
	return 0
}

// chunks calls fn for every maximal run of non-space text.
func chunks(text string, fn func(start, end int)) {
	for i := 0; i < len(text); {
		if w := spaceAt(text, i); w > 0 {
			i += w
			continue
		}
		j := i + 1
		for j < len(text) && spaceAt(text, j) == 0 {
			j++
		}
		fn(i, j)
		i = j
	}
}

// findLinks returns the links in text in order of position. Links are
// "http(s)://…", "www.…" and bare "name.tld" with a known TLD; e-mail
// addresses are not links. Score does the same inside its single pass over
// the chunks of a submission.
func (c *compiled) findLinks(text string, out []link) []link {
	chunks(text, func(cs, ce int) { out = c.chunkLinks(text, cs, ce, out) })
	return out
}

// chunkLinks appends the links in the space-free chunk text[cs:ce].
func (c *compiled) chunkLinks(text string, cs, ce int, out []link) []link {
	pos := cs
	for pos < ce {
		k := indexLinkStart(text[pos:ce])
		stop := ce
		if k >= 0 {
			stop = pos + k
		}
		out = c.bareDomains(text, pos, stop, out)
		if k < 0 {
			return out
		}
		us := pos + k
		hs := us
		if hasSchemeAt(text[:ce], us) {
			hs = us + strings.IndexByte(text[us:ce], ':') + 3
		}
		ue := urlEnd(text, hs, ce)
		hStart, hEnd := hostSpan(text, hs, ue)
		if hEnd > hStart {
			out = append(out, c.newLink(text, us, ue, hStart, hEnd))
		}
		if ue <= us {
			ue = us + 1
		}
		pos = ue
	}
	return out
}

func (c *compiled) newLink(text string, start, end, hStart, hEnd int) link {
	host := strings.TrimRight(strings.ToLower(text[hStart:hEnd]), ".")
	l := link{start: start, end: end, hostStart: hStart, hostEnd: hEnd, nameEnd: hEnd, host: host}
	if i := strings.LastIndexByte(text[hStart:hEnd], '.'); i >= 0 {
		l.nameEnd = hStart + i
	}
	// A DNS name is at most 253 bytes; the cap also keeps the walk over
	// parent domains from going quadratic on a megabyte of "www.www.…".
	if len(host) <= 253 {
		l.kind, _ = c.domains.lookup(host)
	}
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		l.badTLD = c.badTLDs[host[i+1:]]
	}
	if l.kind == domainOther && c.lookalike != nil {
		l.lookalike = c.hasBrandPart(host)
	}
	return l
}

// hasBrandPart reports whether one of the labels of host, or one of their
// hyphen-separated parts, is a lookalike brand: "bhxh-hotro.online" and
// "vcb.xacthuc.com" are, "bhxhvn.com" is not (substrings would catch
// innocent names).
// Like the domain lookup it only reads the first 253 bytes, the most a DNS
// name can have, and it does not allocate.
func (c *compiled) hasBrandPart(host string) bool {
	host = host[:min(len(host), 253)]
	for start := 0; start < len(host); {
		end := start
		for end < len(host) && host[end] != '.' && host[end] != '-' {
			end++
		}
		if end-start >= 3 && c.lookalike[host[start:end]] {
			return true
		}
		start = end + 1
	}
	return false
}

// indexLinkStart finds "http://", "https://" or a "www." that starts a word.
func indexLinkStart(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'h', 'H':
			if hasSchemeAt(s, i) {
				return i
			}
		case 'w', 'W':
			if i+4 <= len(s) && strings.EqualFold(s[i:i+4], "www.") && (i == 0 || !isHostByte(s[i-1])) {
				return i
			}
		}
	}
	return -1
}

func hasSchemeAt(s string, i int) bool {
	return i+7 <= len(s) && strings.EqualFold(s[i:i+7], "http://") ||
		i+8 <= len(s) && strings.EqualFold(s[i:i+8], "https://")
}

// urlEnd finds where a URL whose scheme (if any) ends before us stops: at a
// character RFC 3986 never allows in a URL (quotes, angle brackets, "|" …),
// at the scheme of a second URL pasted straight after it, or at the end of
// the chunk; trailing sentence punctuation is left out.
func urlEnd(text string, us, ce int) int {
	e := us
	for e < ce && !strings.ContainsRune("\"<>`|^{}", rune(text[e])) {
		if (text[e] == 'h' || text[e] == 'H') && e > us && hasSchemeAt(text[:ce], e) {
			break
		}
		e++
	}
	return trimURLTail(text, us, e)
}

// trimURLTail drops sentence punctuation that follows a URL in prose.
func trimURLTail(text string, us, e int) int {
	for e > us {
		r, w := utf8.DecodeLastRuneInString(text[us:e])
		if strings.ContainsRune(".,;:!?)]}'…”’", r) {
			e -= w
			continue
		}
		break
	}
	return e
}

// hostSpan isolates the host in an authority: it stops at the path, drops
// "user@" (so "https://dichvucong.gov.vn@evil.com" is evil.com, as the
// browser sees it) and the port.
func hostSpan(text string, hs, ue int) (int, int) {
	he := hs
	for he < ue && isAuthorityByte(text[he]) {
		he++
	}
	if i := strings.LastIndexByte(text[hs:he], '@'); i >= 0 {
		hs += i + 1
	}
	if hs < he && text[hs] == '[' {
		if i := strings.IndexByte(text[hs:he], ']'); i >= 0 {
			return hs + 1, hs + i
		}
		return hs, hs
	}
	if i := strings.IndexByte(text[hs:he], ':'); i >= 0 {
		he = hs + i
	}
	return hs, he
}

// isAuthorityByte reports whether c may appear in the "user@host:port" part
// of a URL; non-ASCII bytes are allowed for internationalised host names.
func isAuthorityByte(c byte) bool {
	return isHostByte(c) || c >= utf8.RuneSelf || strings.IndexByte("_~%!$&'()*+,;=:@[]", c) >= 0
}

func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// bareDomains finds "name.tld" links without a scheme in text[a:b].
func (c *compiled) bareDomains(text string, a, b int, out []link) []link {
	if strings.IndexByte(text[a:b], '.') < 0 {
		return out
	}
	for i := a; i < b; {
		if !isHostByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < b && isHostByte(text[j]) {
			j++
		}
		rs, re := i, j
		i = j
		for rs < re && (text[rs] == '.' || text[rs] == '-') {
			rs++
		}
		for re > rs && (text[re-1] == '.' || text[re-1] == '-') {
			re--
		}
		if rs >= re || strings.IndexByte(text[rs:re], '.') < 0 {
			continue
		}
		// E-mail addresses are contact details, not links.
		if (rs > a && text[rs-1] == '@') || (j < b && text[j] == '@') {
			continue
		}
		if !c.isDomain(text[rs:re]) {
			continue
		}
		end := re
		if re == j && j < b && text[j] == '/' {
			end = urlEnd(text, j, b)
			i = end
		}
		out = append(out, c.newLink(text, rs, end, rs, re))
	}
	return out
}

// isDomain reports whether s is dot-separated host labels ending in a TLD
// that bare links use.
func (c *compiled) isDomain(s string) bool {
	labels := 0
	for s != "" {
		i := strings.IndexByte(s, '.')
		label := s
		if i >= 0 {
			label, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		labels++
		if s == "" {
			return labels >= 2 && c.linkTLDs[strings.ToLower(label)]
		}
	}
	return false
}
