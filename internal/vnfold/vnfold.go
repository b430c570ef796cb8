// Package vnfold folds Vietnamese text for matching: diacritics are removed,
// "đ" becomes "d" and letters are lower-cased, so that "Đà Nẵng", "da nang"
// and "ĐÀ NẴNG" compare equal. Fold works letter by letter (spam rules and
// name masking rely on that); Canonical adds the spelling rule for words
// (i/y, qui/quy) and is what search, routing keywords and province names
// use, so that a word matched in one place matches in the others.
package vnfold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Version identifies what Canonical produces. Anything that stores its
// output (a search index) records it and is rebuilt when it changes.
//
//	1  diacritics removed, lower case, đ → d
//	2  syllable-final i/y after a consonant onset, and qui/quy, are one spelling
const Version = 2

// Fold returns s lower-cased with Vietnamese (and other Latin) diacritics
// removed. Input in NFC or NFD folds to the same result. Fold works letter
// by letter (callers such as the name masker and the spam normaliser rely
// on that); text that is matched word against word goes through Canonical.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining mark: tone or vowel diacritic
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Canonical is the folding used wherever words are matched: the search
// index and its queries (bleve analysers, Meilisearch documents), the
// highlighter and routing keywords. It is Fold followed by one spelling
// rule, because Vietnamese officially writes some syllables two ways:
//
//   - a syllable ending in i or y straight after a consonant onset is
//     written with i: kĩ/kỹ → "ki", lí/lý → "li", sĩ/sỹ → "si", tỉ/tỷ → "ti",
//     mĩ/mỹ → "mi", hi/hy → "hi", nghị stays "nghi";
//   - qui is quy: "qui định" → "quy dinh" (quy is the qu + uy reading).
//
// Nothing else changes. When a vowel comes before the i/y the two letters
// make different words and stay apart: "tai" (ear) and "tay" (hand), "tui"
// and "tuy", "thuy" (Thúy). "y" on its own stays "y" ("y tế"), and so does
// a y after a cluster that is not a Vietnamese onset ("sky").
func Canonical(s string) string {
	f := Fold(s)
	var b strings.Builder
	b.Grow(len(f))
	start := -1
	flush := func(end int) {
		if start >= 0 {
			b.WriteString(canonSyllable(f[start:end]))
			start = -1
		}
	}
	for i, r := range f {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(f))
	return b.String()
}

// onsets are the Vietnamese initial consonants, folded (đ is d).
var onsets = map[string]bool{
	"b": true, "c": true, "ch": true, "d": true, "g": true, "gh": true, "h": true,
	"k": true, "kh": true, "l": true, "m": true, "n": true, "ng": true, "ngh": true,
	"nh": true, "p": true, "ph": true, "r": true, "s": true, "t": true, "th": true,
	"tr": true, "v": true, "x": true,
}

// canonSyllable applies the i/y rule of Canonical to one folded word.
// The word may carry vowel marks (ê, ơ, ...) when called from ToneKey.
func canonSyllable(w string) string {
	if w == "qui" {
		return "quy"
	}
	n := len(w)
	if n < 2 || (w[n-1] != 'y' && w[n-1] != 'i') {
		return w
	}
	if onsets[w[:n-1]] {
		return w[:n-1] + "i"
	}
	return w
}

// tone marks as combining characters, in the order of the digits ToneKey
// appends: huyền, sắc, hỏi, ngã, nặng.
const toneMarks = "\u0300\u0301\u0309\u0303\u0323"

// HasDiacritics reports whether s carries any Vietnamese diacritic or đ,
// that is whether its writer chose accents at all.
func HasDiacritics(s string) bool {
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) || r == 'đ' || r == 'Đ' {
			return true
		}
	}
	return false
}

// ToneKey returns s with each word in a form that keeps every diacritic but
// not where the tone mark was placed: the tone is taken off the vowel and
// written as a digit (1 huyền … 5 nặng) at the end of the word, and the
// i/y rule of Canonical is applied to what remains. So "hoà" and "hòa", or
// "thuý" and "thúy", give the same key, while "thuế" ("thuê2") and "thuê"
// ("thuê") do not. Letters are lower-cased; other characters
// are kept.
func ToneKey(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(d) + 8)
	var word []rune
	tone := 0
	flush := func() {
		if len(word) == 0 {
			return
		}
		w := norm.NFC.String(string(word))
		b.WriteString(canonSyllable(w))
		if tone > 0 {
			b.WriteByte(byte('0' + tone))
		}
		word, tone = word[:0], 0
	}
	for _, r := range d {
		if i := strings.IndexRune(toneMarks, r); i >= 0 {
			tone = 1 + utf8.RuneCountInString(toneMarks[:i])
			continue
		}
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			word = append(word, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// Contains reports whether the folded haystack contains the folded needle.
func Contains(haystack, needle string) bool {
	return strings.Contains(Fold(haystack), Fold(needle))
}
