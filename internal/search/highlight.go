package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// Highlighter marks the words of a query in stored ticket text.
//
// Both backends highlight with it instead of with their engine's own
// highlighter: bleve's highlighter works on byte offsets of the analysed
// text, and our folding character filters change byte lengths ("ả" is three
// bytes, "a" one), so its offsets would cut through letters; Meilisearch does
// not HTML-escape the text around its tags. Matching here uses the same
// rules as the search itself (folded equality, one edit on long words).
type Highlighter struct {
	words []queryWord
}

type queryWord struct {
	folded []rune
	fuzzy  bool
}

// Fragment sizes, in runes. A fragment is long enough to read a match in
// context and short enough for a result list.
const (
	fragmentRunes   = 160
	fragmentContext = 50
	maxFragments    = 3
)

// NewHighlighter prepares the words of a query text for highlighting.
func NewHighlighter(text string) *Highlighter {
	h := &Highlighter{}
	for _, w := range Words(text) {
		h.words = append(h.words, queryWord{folded: []rune(vnfold.Canonical(w)), fuzzy: Fuzzy(w)})
	}
	return h
}

// matches reports whether a document word matches any query word.
func (h *Highlighter) matches(word string) bool {
	f := []rune(vnfold.Canonical(word))
	for _, q := range h.words {
		if string(q.folded) == string(f) || (q.fuzzy && withinOneEdit(q.folded, f)) {
			return true
		}
	}
	return false
}

// span is a byte range of a matched word in NFC text.
type span struct{ start, end int }

// find returns the spans of matched words in text, which must be NFC.
func (h *Highlighter) find(text string) []span {
	var out []span
	start := -1
	for i, r := range text + " " {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			if h.matches(text[start:i]) {
				out = append(out, span{start, i})
			}
			start = -1
		}
	}
	return out
}

// Mark returns text with every matched word wrapped in <mark> and the rest
// HTML-escaped, or "" when nothing matches. Used for short fields (titles).
func (h *Highlighter) Mark(text string) string {
	text = norm.NFC.String(text)
	spans := h.find(text)
	if len(spans) == 0 {
		return ""
	}
	return render(text, spans, 0, len(text))
}

// Fragments returns up to three escaped, marked excerpts of text around its
// matches, or nil when nothing matches. Used for long fields (bodies,
// messages, notes).
func (h *Highlighter) Fragments(text string) []string {
	text = norm.NFC.String(text)
	spans := h.find(text)
	if len(spans) == 0 {
		return nil
	}
	if utf8.RuneCountInString(text) <= fragmentRunes {
		return []string{render(text, spans, 0, len(text))}
	}
	var out []string
	end := 0
	for _, s := range spans {
		if s.start < end {
			continue // already inside the previous fragment
		}
		from := backRunes(text, s.start, fragmentContext)
		to := forwardRunes(text, from, fragmentRunes)
		to = max(to, s.end)
		frag := render(text, spans, from, to)
		if from > 0 {
			frag = "…" + frag
		}
		if to < len(text) {
			frag += "…"
		}
		out = append(out, frag)
		end = to
		if len(out) == maxFragments {
			break
		}
	}
	return out
}

// Fields highlights each named field (short fields marked whole, others
// fragmented) and returns only the fields that matched, or nil.
func (h *Highlighter) Fields(short map[string]string, long map[string][]string) map[string][]string {
	if len(h.words) == 0 {
		return nil
	}
	out := map[string][]string{}
	for name, text := range short {
		if m := h.Mark(text); m != "" {
			out[name] = []string{m}
		}
	}
	for name, texts := range long {
		var frags []string
		for _, t := range texts {
			frags = append(frags, h.Fragments(t)...)
		}
		if len(frags) > maxFragments {
			frags = frags[:maxFragments]
		}
		if len(frags) > 0 {
			out[name] = frags
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// render escapes text[from:to] and wraps the spans inside it in <mark>.
func render(text string, spans []span, from, to int) string {
	var b strings.Builder
	pos := from
	for _, s := range spans {
		if s.start < from || s.end > to {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	return b.String()
}

// backRunes moves n runes back from byte offset i, then forward to the start
// of a word so a fragment does not begin mid-word.
func backRunes(text string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:i])
		i -= size
	}
	if i == 0 {
		return 0
	}
	if j := strings.IndexFunc(text[i:], unicode.IsSpace); j >= 0 {
		return i + j + 1
	}
	return i
}

// forwardRunes moves n runes forward from byte offset i, then back to the
// last space so a fragment does not end mid-word.
func forwardRunes(text string, i, n int) int {
	start := i
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	if i >= len(text) {
		return len(text)
	}
	if j := strings.LastIndexFunc(text[start:i], unicode.IsSpace); j > 0 {
		return start + j
	}
	return i
}

// withinOneEdit reports whether a and b are at most one insertion, deletion
// or substitution apart (Levenshtein distance <= 1) after the same first
// letter: the typo allowance of the search.
func withinOneEdit(a, b []rune) bool {
	if len(a) == 0 || len(b) == 0 || a[0] != b[0] {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return string(a[i+min(1, len(a)-i):]) == string(b[i+min(1, len(b)-i):])
	}
	return string(a[i:]) == string(b[i+1:])
}
