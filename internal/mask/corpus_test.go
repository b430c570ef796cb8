package mask

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/civicdesk/civicdesk/internal/vnfold"
)

// letter is one entry of testdata/letters.txt.
type letter struct {
	title, name, phone, email string
	pii, keep                 []string
	text                      string
}

func loadLetters(t *testing.T) []letter {
	t.Helper()
	f, err := os.Open("testdata/letters.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []letter
	var cur *letter
	inText := false
	split := func(v string) []string {
		var items []string
		for _, s := range strings.Split(v, " | ") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		return items
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			out = append(out, letter{title: strings.TrimPrefix(line, "=== ")})
			cur, inText = &out[len(out)-1], false
		case cur == nil:
		case inText:
			cur.text += line + "\n"
		case line == "---":
			inText = true
		default:
			k, v, _ := strings.Cut(line, ":")
			v = strings.TrimSpace(v)
			switch k {
			case "name":
				cur.name = v
			case "phone":
				cur.phone = v
			case "email":
				cur.email = v
			case "pii":
				cur.pii = split(v)
			case "keep":
				cur.keep = split(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// digitChunks returns the digits of each stretch of s between letters:
// "0912/345/677" and "0912,345,682" become one chunk each.
func digitChunks(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			flush()
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	flush()
	return out
}

// survives reports whether identifier id can still be read in masked: the
// text itself (ignoring case and diacritics), or, for numbers, the digits
// that masking must hide (all but the last three of a phone) in any
// grouping.
func survives(id, masked string) bool {
	if strings.Contains(vnfold.Fold(masked), vnfold.Fold(id)) {
		return true
	}
	d := strings.Join(digitChunks(foldCompat(id)), "")
	if len(d) < 6 {
		return false
	}
	if len(d) >= 9 {
		d = d[:len(d)-3]
	}
	for _, c := range digitChunks(masked) {
		if strings.Contains(c, d) {
			return true
		}
	}
	return false
}

// TestMaskCorpus masks 60+ realistic letters about relief payments,
// pensions, tax deferral and unemployment benefit, as the public Q&A
// does: with the ticket's name, phone and email, and the identifiers the
// letter gives after a label (IDsIn). No identifier may survive, and the
// ordinary text each letter lists (amounts, legal document numbers, dates
// of events, public bodies) must.
func TestMaskCorpus(t *testing.T) {
	letters := loadLetters(t)
	if len(letters) < 60 {
		t.Fatalf("%d letters; the corpus needs at least 60", len(letters))
	}
	ids, survived, kept := 0, 0, 0
	for _, l := range letters {
		opt := Options{Names: []string{l.name}, Phones: []string{l.phone}, IDs: IDsIn(l.text)}
		if l.email != "" {
			opt.Emails = []string{l.email}
		}
		out := Mask(l.text, opt)
		for _, id := range l.pii {
			ids++
			if survives(id, out) {
				survived++
				t.Errorf("%s: %q survives masking:\n%s", l.title, id, out)
			}
		}
		for _, k := range l.keep {
			if !strings.Contains(out, k) {
				t.Errorf("%s: ordinary text %q was masked:\n%s", l.title, k, out)
			} else {
				kept++
			}
		}
		if again := Mask(out, opt); again != out {
			t.Errorf("%s: not idempotent:\n once  %q\n twice %q", l.title, out, again)
		}
	}
	t.Logf("%d letters, %d identifiers, %d survived; %d ordinary phrases kept", len(letters), ids, survived, kept)
}
