package spam

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// This file holds the text-shape signals added in rules version 2: words
// written with digits for letters, advertising pictographs and messaging
// handles. None of them looks at vocabulary, so they still fire when an
// advertiser invents new words; each is weak on its own.

// leetWords counts the distinct words (up to 8) in toks that have a
// leetspeak digit between two letters ("v1agra", "h4ng", "g14o"), and
// returns up to three examples as written. Digits only at the edge of a
// word ("F0", "4G", "100mg", "C1234567") do not count: codes, units and
// document numbers look like that, and citizens write them all the time.
func leetWords(text string, toks []token) (int, []string) {
	var seen []string
	var ex []string
	for i := range toks {
		t := &toks[i]
		if t.letters == 0 || t.digits == 0 || !t.leetOnly || !interiorDigit(t.fold) {
			continue
		}
		if slices.Contains(seen, t.fold) {
			continue
		}
		seen = append(seen, t.fold)
		if len(ex) < 3 {
			ex = append(ex, quote(text[t.oStart:t.oEnd]))
		}
		if len(seen) == 8 {
			break
		}
	}
	return len(seen), ex
}

// interiorDigit reports whether the folded word f has a run of digits with
// a letter right before and right after it.
func interiorDigit(f string) bool {
	for i := 1; i < len(f)-1; i++ {
		if !isASCIIDigit(f[i]) || !isASCIILetter(f[i-1]) {
			continue
		}
		j := i
		for j < len(f) && isASCIIDigit(f[j]) {
			j++
		}
		if j < len(f) && isASCIILetter(f[j]) {
			return true
		}
		i = j
	}
	return false
}

func isASCIIDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' }

// countPromo counts the advertising pictographs in text. They all sit at
// U+2000 or above (ParseRules checks), whose UTF-8 lead bytes are 0xE2 and
// up, so ASCII and Vietnamese letters (lead bytes up to 0xE1) are skipped
// byte by byte without decoding.
func (c *compiled) countPromo(text string) int {
	n := 0
	for i := 0; i < len(text); {
		if text[i] < 0xE2 {
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(text[i:])
		if c.promo[r] {
			n++
		}
		i += w
	}
	return n
}

// chunkHandles appends the messaging handles in the space-free chunk
// text[cs:ce] to hs (distinct, at most three, quoted): an "@" that does not
// follow a letter or digit (so not an e-mail address), then 3 to 32
// letters, digits, "_" or ".", with at least one letter, and not followed by
// a domain ("@gmail.com" alone is a half-written address, not a handle).
func chunkHandles(text string, cs, ce int, hs []string) []string {
	for {
		k := strings.IndexByte(text[cs:ce], '@')
		if k < 0 || len(hs) >= 3 {
			return hs
		}
		at := cs + k
		cs = at + 1
		if at > 0 && (isHostByte(text[at-1]) || text[at-1] == '_') {
			continue
		}
		j, letters := at+1, 0
		for j < ce && (isHostByte(text[j]) || text[j] == '_') && text[j] != '-' {
			if 'a' <= text[j]|0x20 && text[j]|0x20 <= 'z' {
				letters++
			}
			j++
		}
		end := j
		for end > at+1 && text[end-1] == '.' {
			end-- // sentence punctuation after the handle
		}
		if n := end - at - 1; n < 3 || n > 32 || letters == 0 || strings.IndexByte(text[at+1:end], '.') >= 0 {
			continue
		}
		h := quote(text[at:end])
		if !slices.Contains(hs, h) {
			hs = append(hs, h)
		}
	}
}

// hasFirstPerson reports whether the prose (outside links) has one of the
// first-person words. "tôi" right after "chúng" is "we", the voice of a
// company, and counts only when we is set (workers writing together
// write "chúng tôi" too).
//
// In text typed with diacritics a word without them is a different word:
// "minh" in "xác minh" is not "mình", "toi" in "tới" is not "tôi". Only
// when most of the text lacks diacritics ("toi ten la Hoa") does an
// unmarked word stand for the marked one.
func (c *compiled) hasFirstPerson(text string, toks []token, we bool) bool {
	marked, letters := 0, 0
	for i := range toks {
		if toks[i].letters > 0 {
			letters++
			if toks[i].marked {
				marked++
			}
		}
	}
	withMarks := marked*5 >= letters // a fifth of the words or more
	for i := range toks {
		t := &toks[i]
		if t.inLink {
			continue
		}
		w, ok := c.firstPerson[t.fold]
		if !ok || !tokMatches(text, t, &w) || (withMarks && w.marked && !t.marked) {
			continue
		}
		if !we && i > 0 && toks[i-1].fold == "chung" {
			continue
		}
		return true
	}
	return false
}

// contactMeans names the first way to reach someone that body offers: a
// link outside trusted domains (anywhere in the submission), a messaging
// handle, an e-mail address or a phone number; "" if none.
func contactMeans(body string, links []link, handle bool) string {
	for _, l := range links {
		if l.kind != domainTrusted {
			return "link " + quote(l.host)
		}
	}
	if handle {
		return "messaging handle"
	}
	if at := strings.IndexByte(body, '@'); at > 0 && isHostByte(body[at-1]) && strings.IndexByte(body[at:], '.') > 0 {
		return "e-mail address"
	}
	if hasPhoneNumber(body) {
		return "phone number"
	}
	return ""
}

// hasPhoneNumber reports whether s has something written like a Vietnamese
// phone number: starting with 0 or +84, 10 or 11 digits in all (mobile
// and landline; masking x's count as digits), with single spaces, dots or
// hyphens between groups, not glued to letters or further digits. ID card
// numbers (9 or 12 digits) do not qualify; dotted document codes
// ("000.00.22.H56") stop at the letter and fall short. A 10-digit tax code
// starting with 0 does qualify: the signal using this is weak and needs
// the absence of any first-person word too.
func hasPhoneNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '0' && c != '+' {
			continue
		}
		if i > 0 && (isHostByte(s[i-1]) && s[i-1] != '.' && s[i-1] != '-') {
			continue
		}
		j, n := i, 0
		if c == '+' {
			if !strings.HasPrefix(s[i:], "+84") {
				continue
			}
			j, n = i+3, 1
		}
		for j < len(s) && n <= 12 {
			d := s[j]
			if '0' <= d && d <= '9' || d == 'x' || d == 'X' {
				n++
				j++
				continue
			}
			if (d == ' ' || d == '.' || d == '-') && j+1 < len(s) && ('0' <= s[j+1] && s[j+1] <= '9' || s[j+1] == 'x' || s[j+1] == 'X') {
				j++
				continue
			}
			break
		}
		if n >= 10 && n <= 11 && (j == len(s) || !isWordByte(s[j])) {
			return true
		}
		i = j
	}
	return false
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
}
