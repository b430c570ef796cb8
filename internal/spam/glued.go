package spam

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// proseSeparators are the characters people put between words without a
// space in ordinary writing: "TP.HCM", "0912-345-678", "12/5/2024",
// "Nguyễn,Văn". Anything else between two words ("_", "•", "|", "~", "*",
// emoji …) is what SEO spam uses to glue a brand to filler so that it
// survives word-based filters while staying readable.
const proseSeparators = ".,;:!?()[]{}\"'-–—/…“”‘’%+&«»"

// fileExtensions end tokens that are attachment names ("don_de_nghi.pdf"),
// which citizens mention and which legitimately contain underscores.
var fileExtensions = []string{".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".heic", ".zip", ".rar", ".txt"}

// gluedCounter counts distinct glued tokens and keeps a few examples. A
// token repeated word for word counts once: a mail reply quotes its own
// subject line, and a brand repeated by an injection is judged by
// brandShapes instead.
type gluedCounter struct {
	n        int
	examples []string
	limit    int
	seen     []string // distinct tokens so far (lower case), at most maxGluedSeen
	// slug counts the distinct glued tokens written in plain ASCII
	// ("tructiep_bongda_ko66"), the way SEO keywords are written.
	slug int
}

const maxGluedSeen = 32

// chunk checks the space-free chunk text[cs:ce], given the links found in
// it, in order. Only the parts outside links are looked at: URLs have
// underscores and odd characters for legitimate reasons.
func (g *gluedCounter) chunk(text string, cs, ce int, links []link) {
	pos := cs
	for _, l := range links {
		g.part(text, pos, max(pos, l.start))
		pos = max(pos, l.end)
	}
	g.part(text, pos, ce)
}

func (g *gluedCounter) part(text string, a, b int) {
	if b <= a || !mayBeGlued(text[a:b]) || !isGlued(text[a:b]) {
		return
	}
	tok := strings.Trim(text[a:b], proseSeparators)
	for _, s := range g.seen {
		if strings.EqualFold(s, tok) {
			return
		}
	}
	if len(g.seen) < maxGluedSeen {
		g.seen = append(g.seen, tok)
	}
	g.n++
	if isASCIIString(tok) {
		g.slug++
	}
	if len(g.examples) < g.limit {
		g.examples = append(g.examples, quote(tok))
	}
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isCJK reports letters of Chinese, Japanese and Korean writing, and their
// punctuation and full-width forms. Those scripts do not separate words
// with spaces, so a line of them is one long "chunk" with ideographic
// commas inside: not gluing.
func isCJK(r rune) bool {
	switch {
	case 0x2E80 <= r && r <= 0x9FFF, // radicals, CJK punctuation, kana, Han
		0xAC00 <= r && r <= 0xD7AF,   // Hangul syllables
		0xF900 <= r && r <= 0xFAFF,   // compatibility ideographs
		0xFF00 <= r && r <= 0xFFEF,   // full-width and half-width forms
		0x20000 <= r && r <= 0x3FFFF: // Han extensions
		return true
	}
	return false
}

// isReference reports a ticket or file reference: "Ticket#11392",
// "[Phiếu#TK-2025_004512]", "#11452", "TK-2025_004512", "HS_2025_0012".
// Mail replies repeat them in the subject and the quoted text, and nothing
// about them says spam. The shape: an optional word and "#", then a code
// of capitals, digits and separators with a run of at least three digits;
// or such a code on its own. Lower-case slugs ("nha_cai_88") are not codes.
func isReference(s string) bool {
	s = strings.Trim(s, proseSeparators+"<>")
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		for _, r := range s[:i] {
			if !unicode.IsLetter(r) && r != '_' && r != '-' && r != ' ' {
				return false
			}
		}
		s = s[i+1:]
	}
	run, longest := 0, 0
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			run++
			longest = max(longest, run)
			continue
		case 'A' <= r && r <= 'Z', r == '-', r == '_', r == '.', r == '/':
		default:
			return false
		}
		run = 0
	}
	return longest >= 3
}

// asciiOdd marks the ASCII characters that are neither letters, digits nor
// prose separators.
var asciiOdd = func() (t [128]bool) {
	for c := 0x21; c < 0x7F; c++ {
		if !isWordRune(rune(c)) && !strings.ContainsRune(proseSeparators, rune(c)) {
			t[c] = true
		}
	}
	return t
}()

// mayBeGlued is a byte scan that rules out most chunks before isGlued
// decodes them: a chunk of letters, digits and prose punctuation cannot be
// glued. Vietnamese letters have the UTF-8 lead bytes 0xC3–0xC6 and 0xE1;
// any other non-ASCII rune might be an odd separator.
func mayBeGlued(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			if asciiOdd[c] {
				return true
			}
		case c < 0xC0, 0xC3 <= c && c <= 0xC6, c == 0xE1:
			// a continuation byte, or a Vietnamese letter
		default:
			return true
		}
	}
	return false
}

// isGlued reports whether a space-free chunk is words joined by at least one
// odd separator, and looks like deliberate gluing rather than an accident:
// three or more words, or a word mixing letters and digits (a brand such as
// "fb88"), or a long run of letters.
func isGlued(s string) bool {
	segs, odd, alnum, anyLetter, mixed := 0, false, 0, false, false
	inSeg, segLetter, segDigit, sepOdd := false, false, false, false
	for i := 0; i < len(s); {
		var r rune
		if c := s[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var w int
			r, w = utf8.DecodeRuneInString(s[i:])
			i += w
		}
		if isWordRune(r) {
			if !inSeg {
				if segs > 0 && sepOdd {
					odd = true
				}
				sepOdd, inSeg = false, true
			}
			alnum++
			if '0' <= r && r <= '9' || r >= utf8.RuneSelf && unicode.IsDigit(r) {
				segDigit = true
			} else if !unicode.Is(unicode.Mn, r) {
				segLetter, anyLetter = true, true
			}
			continue
		}
		if inSeg {
			segs++
			mixed = mixed || segLetter && segDigit
			inSeg, segLetter, segDigit = false, false, false
		}
		if !strings.ContainsRune(proseSeparators, r) {
			sepOdd = true
		}
	}
	if inSeg {
		segs++
		mixed = mixed || segLetter && segDigit
	}
	if !odd || !anyLetter || segs < 2 || !(segs >= 3 || mixed || alnum >= 8) {
		return false
	}
	// Rare from here on: rule out references, CJK text, e-mail addresses
	// and attachment names.
	if isReference(s) || strings.IndexFunc(s, isCJK) >= 0 {
		return false
	}
	s = strings.TrimFunc(s, func(r rune) bool { return !isWordRune(r) })
	if at := strings.IndexByte(s, '@'); at > 0 && strings.IndexByte(s[at:], '.') > 0 {
		return false
	}
	for _, ext := range fileExtensions {
		if len(s) > len(ext) && strings.EqualFold(s[len(s)-len(ext):], ext) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	case 0xC0 <= r && r < 0x250:
		return r != 0xD7 && r != 0xF7 // letters, except × and ÷
	case 0x1E00 <= r && r < 0x1F00:
		return true // Latin Extended Additional: precomposed Vietnamese
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
