// Package vnfold folds Vietnamese text for matching: diacritics are removed,
// "đ" becomes "d" and letters are lower-cased, so that "Đà Nẵng", "da nang"
// and "ĐÀ NẴNG" compare equal. Routing keywords, spam rules and search all
// use the same fold so that a word matched in one place matches in the others.
package vnfold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s lower-cased with Vietnamese (and other Latin) diacritics
// removed. Input in NFC or NFD folds to the same result.
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

// Contains reports whether the folded haystack contains the folded needle.
func Contains(haystack, needle string) bool {
	return strings.Contains(Fold(haystack), Fold(needle))
}
