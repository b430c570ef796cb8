package spam

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicdesk/civicdesk/internal/vnfold"
	"golang.org/x/text/unicode/norm"
)

// maxFieldBytes bounds how much of each free-text field is scored. Spam shows
// itself in the first few kilobytes; the cap keeps the worst case linear and
// small even when a bot posts megabytes.
const maxFieldBytes = 64 << 10

// foldEntry says how one non-ASCII rune folds.
type foldEntry struct {
	s      string // folded replacement, possibly several runes; "" drops the rune
	ok     bool   // the entry is set (for the dense tables)
	marked bool   // the rune carries a Vietnamese diacritic or is đ/Đ
	upper  bool   // the rune is an upper-case letter, for shouting
	lower  bool   // the rune is a lower-case letter
}

// foldTable maps the non-ASCII runes whose fold differs from unicode.ToLower.
// It is derived from vnfold.Fold at start-up, so Vietnamese folds exactly as
// it does for routing and search, but without running NFD over every
// submission (which costs tens of microseconds per kilobyte of Vietnamese
// text). On top of vnfold it maps compatibility characters (full-width,
// mathematical, circled letters) by NFKC and look-alike Greek and Cyrillic
// letters to Latin, because spammers use them to dodge keyword filters. The
// Latin blocks that Vietnamese uses are copied into dense arrays, which are
// faster than the map.
var (
	foldTable = buildFoldTable()
	latinFold = denseFold(0xC0, 0x250)
	vietFold  = denseFold(0x1E00, 0x1F00)
)

func denseFold(lo, hi rune) []foldEntry {
	t := make([]foldEntry, hi-lo)
	for r := lo; r < hi; r++ {
		if e, ok := foldTable[r]; ok {
			t[r-lo] = e
		}
	}
	return t
}

// lookupFold returns the fold entry for a non-ASCII rune, if it has one.
func lookupFold(r rune) (foldEntry, bool) {
	switch {
	case 0xC0 <= r && r < 0x250:
		e := latinFold[r-0xC0]
		return e, e.ok
	case 0x1E00 <= r && r < 0x1F00:
		e := vietFold[r-0x1E00]
		return e, e.ok
	}
	e, ok := foldTable[r]
	return e, ok
}

// confusables maps Cyrillic and Greek letters that look like Latin ones, a
// cheap trick to dodge keyword filters ("саsino" with Cyrillic "а").
var confusables = map[rune]string{
	'а': "a", 'А': "a", 'в': "b", 'В': "b", 'е': "e", 'Е': "e", 'к': "k", 'К': "k",
	'м': "m", 'М': "m", 'н': "h", 'Н': "h", 'о': "o", 'О': "o", 'р': "p", 'Р': "p",
	'с': "c", 'С': "c", 'т': "t", 'Т': "t", 'у': "y", 'У': "y", 'х': "x", 'Х': "x",
	'і': "i", 'І': "i", 'ј': "j", 'Ј': "j", 'ѕ': "s", 'Ѕ': "s", 'ԁ': "d",
	'α': "a", 'Α': "a", 'β': "b", 'Β': "b", 'ε': "e", 'Ε': "e", 'ζ': "z", 'Ζ': "z",
	'η': "n", 'Η': "h", 'ι': "i", 'Ι': "i", 'κ': "k", 'Κ': "k", 'μ': "u", 'Μ': "m",
	'ν': "v", 'Ν': "n", 'ο': "o", 'Ο': "o", 'ρ': "p", 'Ρ': "p", 'τ': "t", 'Τ': "t",
	'υ': "u", 'Υ': "y", 'χ': "x", 'Χ': "x",
}

func buildFoldTable() map[rune]foldEntry {
	ranges := [][2]rune{
		{0x00A0, 0x024F},   // Latin-1 supplement, Latin extended A and B
		{0x0370, 0x04FF},   // Greek and Cyrillic (for confusables)
		{0x1E00, 0x1EFF},   // Latin extended additional: precomposed Vietnamese
		{0x2070, 0x209F},   // super- and subscripts
		{0x2100, 0x214F},   // letterlike symbols
		{0x2460, 0x24FF},   // enclosed alphanumerics: ⓒⓐⓢⓘⓝⓞ
		{0xFF01, 0xFF5E},   // full-width ASCII
		{0x1D400, 0x1D7FF}, // mathematical alphanumerics: 𝐜𝐚𝐬𝐢𝐧𝐨
		{0x1F130, 0x1F189}, // squared and negative circled letters
	}
	t := make(map[rune]foldEntry)
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			if !utf8.ValidRune(r) || unicode.Is(unicode.Mn, r) {
				continue
			}
			f := vnfold.Fold(norm.NFKC.String(string(r)))
			if c, ok := confusables[r]; ok {
				f = c
			}
			marked := r == 'đ' || r == 'Đ' || hasMark(norm.NFD.String(string(r)))
			if f == string(unicode.ToLower(r)) && !marked {
				continue
			}
			t[r] = foldEntry{s: f, ok: true, marked: marked, upper: unicode.IsUpper(r), lower: unicode.IsLower(r)}
		}
	}
	// Fold the replacements themselves until nothing changes, so that
	// folding is idempotent: "ϰ" becomes "κ" under NFKC, and "κ" is a
	// look-alike of "k".
	for changed, pass := true, 0; changed && pass < 8; pass++ {
		changed = false
		for r, e := range t {
			var b strings.Builder
			for _, o := range e.s {
				if e2, ok := t[o]; ok {
					b.WriteString(e2.s)
				} else {
					b.WriteRune(unicode.ToLower(o))
				}
			}
			if b.String() != e.s {
				e.s, changed = b.String(), true
				t[r] = e
			}
		}
	}
	return t
}

func hasMark(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			return true
		}
	}
	return false
}

// markedForm is the spelling of a word with its diacritics, in a form that
// compares equal however the word was encoded: compatibility characters
// (full-width, mathematical bold) and look-alike letters replaced, format
// characters dropped, lower case, composed. It is only computed when a word
// and a term already agree once folded and both carry diacritics, so its
// allocations stay off the common path.
func markedForm(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Cf, r) {
			continue
		}
		if c, ok := confusables[r]; ok {
			b = append(b, c...)
			continue
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	return norm.NFC.String(string(b))
}

// sameMarks reports whether the word s is spelt with the diacritics given as
// a markedForm. Composed Vietnamese needs only a case-insensitive comparison;
// anything more exotic goes through markedForm.
func sameMarks(s, marks string) bool {
	for _, r := range s {
		if !(r < 0x80 || 0xC0 <= r && r < 0x250 || 0x1E00 <= r && r <= 0x1EFF) {
			return markedForm(s) == marks
		}
	}
	return strings.EqualFold(s, marks)
}

// toNFC composes decomposed input. Vietnamese typed with Unikey's "Unicode tổ
// hợp" setting arrives decomposed; the combining marks it uses all live in
// U+0300–U+037F, whose UTF-8 lead bytes are 0xCC and 0xCD, so the common,
// already-composed case is detected with two fast byte scans.
func toNFC(s string) string {
	if strings.IndexByte(s, 0xCC) < 0 && strings.IndexByte(s, 0xCD) < 0 {
		return s
	}
	return norm.NFC.String(s)
}

// clip cuts s to at most maxFieldBytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxFieldBytes {
		return s
	}
	n := maxFieldBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// token is one word of the folded text: a run of letters and digits.
type token struct {
	fold         string    // folded form: lower case, no diacritics
	alts         [2]string // other readings of a derived word, such as leetspeak
	oStart, oEnd int       // byte span in the original (NFC) text
	marked       bool      // the original spelling carries diacritics
	derived      bool      // rebuilt from obfuscation (leetspeak, spaced letters)
	letters      int       // folded letters
	digits       int       // folded digits
	leetOnly     bool      // every digit is one that leetspeak uses for a letter
	skip         bool      // inside a trusted link, or a link path or TLD: not scanned for terms
	inLink       bool      // inside any link: not a word of prose
}

// tokenStats are by-products of the tokenizing pass.
type tokenStats struct {
	upper, lower int // cased letters from offset casedFrom on, for shouting
}

// isLeetDigit reports whether leetspeak commonly writes a letter as b.
func isLeetDigit(b byte) bool {
	switch b {
	case '0', '1', '3', '4', '5', '7':
		return true
	}
	return false
}

// deleet maps leetspeak digits to the letters they stand for; one selects
// the letter used for '1' ("i" in "v1agra", "l" in "s1ot").
func deleet(s string, one byte) string {
	b := []byte(s)
	for i, c := range b {
		switch c {
		case '0':
			b[i] = 'o'
		case '1':
			b[i] = one
		case '3':
			b[i] = 'e'
		case '4':
			b[i] = 'a'
		case '5':
			b[i] = 's'
		case '7':
			b[i] = 't'
		}
	}
	return string(b)
}

// tokenizer folds text and splits it into words. Its buffers are reused
// between calls (see scratch), so a warm tokenizer allocates only the folded
// string.
type tokenizer struct {
	buf   []byte   // folded words, each followed by one space
	ends  [][2]int // byte span of each word in buf
	toks  []token
	cur   token
	start int
	in    bool
	st    tokenStats
}

// asciiClass marks ASCII letters and digits, which make up most of the
// folded text.
var asciiClass = func() (t [128]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 2
	}
	return t
}()

func (z *tokenizer) end() {
	if !z.in {
		return
	}
	z.in = false
	z.ends = append(z.ends, [2]int{z.start, len(z.buf)})
	z.toks = append(z.toks, z.cur)
	z.buf = append(z.buf, ' ')
}

// emit adds one folded rune o, which came from text[at:next].
func (z *tokenizer) emit(o rune, at, next int, marked bool) {
	var class uint8
	if o < utf8.RuneSelf {
		class = asciiClass[o]
	} else if unicode.IsLetter(o) {
		class = 1
	} else if unicode.IsDigit(o) {
		class = 3 // a digit, but not one leetspeak uses
	}
	if class == 0 {
		z.end()
		return
	}
	if !z.in {
		z.in = true
		z.cur = token{oStart: at, leetOnly: true}
		z.start = len(z.buf)
	}
	z.buf = utf8.AppendRune(z.buf, o)
	z.cur.oEnd = next
	z.cur.marked = z.cur.marked || marked
	switch class {
	case 1:
		z.cur.letters++
	case 2:
		z.cur.digits++
		z.cur.leetOnly = z.cur.leetOnly && isLeetDigit(byte(o))
	case 3:
		z.cur.digits++
		z.cur.leetOnly = false
	}
}

// run tokenizes text, appending to z.toks, and returns the folded text:
// the words joined by single spaces, which is exactly NormalizeBody.
// Letters and digits make words; combining marks and format characters
// (zero-width spaces used to break up keywords) are skipped without ending a
// word; everything else separates words. Case is counted from casedFrom on.
func (z *tokenizer) run(text string, casedFrom int) string {
	z.buf, z.ends, z.in, z.st = z.buf[:0], z.ends[:0], false, tokenStats{}
	first := len(z.toks)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				if i >= casedFrom {
					z.st.upper++
				}
				c += 'a' - 'A'
			} else if 'a' <= c && c <= 'z' && i >= casedFrom {
				z.st.lower++
			}
			if z.in && asciiClass[c] == 1 {
				// Fast path: a letter continuing a word.
				z.buf = append(z.buf, c)
				z.cur.oEnd = i + 1
				z.cur.letters++
			} else {
				z.emit(rune(c), i, i+1, false)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(text[i:])
		next := i + w
		e, ok := lookupFold(r)
		if i >= casedFrom {
			if ok && e.upper || !ok && unicode.IsUpper(r) {
				z.st.upper++
			} else if ok && e.lower || !ok && unicode.IsLower(r) {
				z.st.lower++
			}
		}
		if ok {
			for _, o := range e.s {
				z.emit(o, i, next, e.marked)
			}
			if e.s == "" {
				z.end()
			}
		} else if unicode.Is(unicode.Mn, r) {
			// A mark NFC could not compose: part of the word, flagged.
			if z.in {
				z.cur.oEnd = next
				z.cur.marked = true
			}
		} else if unicode.Is(unicode.Cf, r) {
			// Zero-width and other format characters are invisible, so a
			// word broken up by them is still one word to a reader.
			if z.in {
				z.cur.oEnd = next
			}
		} else {
			z.emit(unicode.ToLower(r), i, next, false)
		}
		i = next
	}
	z.end()
	folded := string(z.buf)
	for k, sp := range z.ends {
		z.toks[first+k].fold = folded[sp[0]:sp[1]]
	}
	return strings.TrimSuffix(folded, " ")
}

// tokenize is run on a fresh tokenizer, for code off the hot path.
func tokenize(text string, casedFrom int) ([]token, string, tokenStats) {
	var z tokenizer
	folded := z.run(text, casedFrom)
	return z.toks, folded, z.st
}

// NormalizeBody is the canonical form of a message body used to detect the
// same text arriving from many senders: Unicode-composed, folded with
// vnfold (lower case, no diacritics, đ→d), compatibility characters such as
// full-width letters mapped to ASCII, look-alike Cyrillic and Greek letters
// mapped to Latin, zero-width characters removed, and every run of
// punctuation, symbols and white space collapsed to one space. Callers
// compute Input.SameBodyCount by counting earlier submissions whose
// NormalizeBody is equal.
func NormalizeBody(s string) string {
	_, folded, _ := tokenize(toNFC(clip(s)), len(s))
	return folded
}

// deriveTokens undoes the common keyword obfuscations on a token stream:
// leetspeak inside a word ("c4sino" → "casino") and words spelled out one
// character at a time ("n h a c a i" → "nhacai"). When a spelt-out run uses
// one separator inside words and spaces between them ("c.a c.u.o.c",
// "N.H.A C.A.I 1 2 B E T"), it is cut into words at the spaces ("ca cuoc",
// "nha cai 12bet"), and the whole run written together is returned
// separately in blobs, for terms matched as single words.
// Both are nil when the stream has nothing to undo, so clean text is
// scanned only once.
func deriveTokens(text string, toks []token) (stream, blobs []token) {
	need := false
	for i := range toks {
		t := &toks[i]
		if (t.letters > 0 && t.digits > 0 && t.leetOnly) || (single(*t) && i+2 < len(toks) &&
			single(toks[i+1]) && single(toks[i+2])) {
			need = true
			break
		}
	}
	if !need {
		return nil, nil
	}
	stream = make([]token, 0, len(toks))
	for i := 0; i < len(toks); {
		t := toks[i]
		if !single(t) {
			if t.letters > 0 && t.digits > 0 && t.leetOnly {
				t = leetToken(t, t.fold)
			}
			stream = append(stream, t)
			i++
			continue
		}
		j, letters, spaced, tight := i+1, t.letters, false, false
		for j < len(toks) && single(toks[j]) && closeGap(text, toks[j-1], toks[j]) {
			if strings.IndexByte(text[toks[j-1].oEnd:toks[j].oStart], ' ') >= 0 {
				spaced = true
			} else {
				tight = true
			}
			letters += toks[j].letters
			j++
		}
		if j-i < 3 || letters < 2 {
			// Not a spelt-out word: keep the run as it is, and do not
			// rescan it from each of its tokens.
			stream = append(stream, toks[i:j]...)
			i = j
			continue
		}
		run := toks[i:j]
		if !(spaced && tight) {
			stream = append(stream, joinTokens(run))
			i = j
			continue
		}
		blobs = append(blobs, joinTokens(run))
		// Cut at the spaces; single characters left on their own between
		// cuts ("1 2 B E T") are a word spelt with spaces: join them too.
		type piece struct{ a, b int }
		var pieces []piece
		start := 0
		for k := 1; k <= len(run); k++ {
			if k == len(run) || strings.IndexByte(text[run[k-1].oEnd:run[k].oStart], ' ') >= 0 {
				pieces = append(pieces, piece{start, k})
				start = k
			}
		}
		for p := 0; p < len(pieces); {
			q := p
			for q < len(pieces) && pieces[q].b-pieces[q].a == 1 {
				q++
			}
			switch {
			case q-p >= 3:
				stream = append(stream, joinTokens(run[pieces[p].a:pieces[q-1].b]))
				p = q
			default:
				stream = append(stream, joinTokens(run[pieces[p].a:pieces[p].b]))
				p++
			}
		}
		i = j
	}
	return stream, blobs
}

// leetToken reads a letters-and-digits word as leetspeak.
func leetToken(t token, f string) token {
	t.fold = deleet(f, 'i')
	if strings.IndexByte(f, '1') >= 0 {
		t.alts[0] = deleet(f, 'l')
	}
	t.derived, t.marked = true, false
	t.letters, t.digits = t.letters+t.digits, 0
	return t
}

// joinTokens writes a run of single characters as one word. The word is
// kept as written ("12bet") with its leetspeak reading ("c4sino" → "casino")
// as an alternative.
func joinTokens(run []token) token {
	if len(run) == 1 {
		return run[0]
	}
	var b strings.Builder
	t := token{oStart: run[0].oStart, oEnd: run[len(run)-1].oEnd, inLink: run[0].inLink, leetOnly: true}
	for _, r := range run {
		b.WriteString(r.fold)
		t.letters += r.letters
		t.digits += r.digits
		t.leetOnly = t.leetOnly && r.leetOnly
	}
	t.fold = b.String()
	if t.letters > 0 && t.digits > 0 && t.leetOnly {
		t.alts[0] = deleet(t.fold, 'i')
		if strings.IndexByte(t.fold, '1') >= 0 {
			t.alts[1] = deleet(t.fold, 'l')
		}
	}
	t.derived = true
	return t
}

// single reports whether t is a single letter or digit.
func single(t token) bool {
	return t.letters+t.digits == 1
}

// closeGap reports whether two tokens are separated only by a short run of
// spaces or punctuation on the same line, as in "c . a . s . i . n . o".
func closeGap(text string, a, b token) bool {
	gap := text[a.oEnd:b.oStart]
	return len(gap) <= 3 && strings.IndexByte(gap, '\n') < 0
}
