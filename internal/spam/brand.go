package spam

import (
	"strings"
	"unicode/utf8"
)

// injectionMinMarked is how many words with diacritics the prose needs for
// glued-injection: a short message says too little about how its writer
// writes.
const injectionMinMarked = 12

// markedWords counts the words of prose (outside links) and those written
// with diacritics.
func markedWords(toks []token) (marked, n int) {
	for i := range toks {
		t := &toks[i]
		if t.inLink || t.derived || t.letters == 0 {
			continue
		}
		n++
		if t.marked {
			marked++
		}
	}
	return marked, n
}

// luckyNumbers are the numbers betting and game-card brands put in their
// names ("fb88", "mb66", "win79", "188bet", "789club").
var luckyNumbers = []string{"66", "88", "99", "68", "86", "79", "39", "168", "188", "365", "666", "789", "888", "999"}

// isBrandShape reports a word made of a short Latin name and a lucky
// number, either way round: "ko66", "sin88", "99ok", "188bet". Codes that
// citizens write ("QL22", "P11", "B2", "H5N1", a 5-digit ticket number)
// have other numbers, one letter, or more digits.
func isBrandShape(w string) bool {
	i := 0
	for i < len(w) && isLatinLetter(w[i]) {
		i++
	}
	j := len(w)
	for j > 0 && isLatinLetter(w[j-1]) {
		j--
	}
	switch {
	case i >= 2 && i <= 6 && i < len(w): // letters then digits
		return isLucky(w[i:])
	case i == 0 && j < len(w) && len(w)-j >= 2 && len(w)-j <= 5: // digits then letters
		return isLucky(w[:j])
	}
	return false
}

func isLucky(d string) bool {
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	for _, l := range luckyNumbers {
		if d == l {
			return true
		}
	}
	return false
}

func isLatinLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// brandShapes returns the brand-shaped words of text that occur at least
// twice or touch an underscore (glued to filler), lower-cased, at most
// three. A brand name once in passing says little; a brand an
// advertisement or an injection repeats, or glues, says what it sells.
func brandShapes(text string) []string {
	type seen struct {
		w     string
		n     int
		glued bool
	}
	var all []seen
	for i := 0; i < len(text); {
		if !isAlnumByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isAlnumByte(text[j]) {
			j++
		}
		// A word touching a non-ASCII letter is part of a longer word.
		if (i > 0 && text[i-1] >= utf8.RuneSelf) || (j < len(text) && text[j] >= utf8.RuneSelf) || j-i > 9 || !isBrandShape(text[i:j]) {
			i = j
			continue
		}
		w := strings.ToLower(text[i:j])
		glued := i > 0 && text[i-1] == '_' || j < len(text) && text[j] == '_'
		k := 0
		for k < len(all) && all[k].w != w {
			k++
		}
		if k == len(all) {
			if len(all) == 16 {
				i = j
				continue
			}
			all = append(all, seen{w: w})
		}
		all[k].n++
		all[k].glued = all[k].glued || glued
		i = j
	}
	var out []string
	for _, s := range all {
		if (s.n >= 2 || s.glued) && len(out) < 3 {
			out = append(out, s.w)
		}
	}
	return out
}

func isAlnumByte(c byte) bool { return isLatinLetter(c) || '0' <= c && c <= '9' }
