package parse

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders an HTML body as readable plain text for the ticket:
// paragraphs and line breaks kept, lists as "- " or "1. ", links as
// "text (url)", blockquotes prefixed with ">" so the reply stripper sees
// them, script/style/title dropped. It streams tokens instead of building a
// DOM because mail HTML is often huge and broken and only the text matters.
//
// quoteAt is the byte offset in the result where the first quoted-history
// container starts (Gmail's gmail_quote, Thunderbird's moz-cite-prefix,
// Outlook's divRplyFwdMsg, a cited blockquote, Yahoo's yahoo_quoted), or -1.
// The reply stripper trusts these markers more than text heuristics.
func htmlToText(src string) (text string, quoteAt int) {
	w := &textWriter{quoteAt: -1}
	z := html.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(0)
	skip := atom.Atom(0) // raw-text element whose content is dropped
	skipDepth := 0       // <template> nesting, content dropped
	var links []linkState
	var paras []paraState
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			w.finish()
			return w.b.String(), w.quoteAt
		case html.TextToken:
			if skip != 0 || skipDepth > 0 {
				continue
			}
			if w.pre > 0 {
				w.writePre(string(z.Text()))
			} else {
				w.writeText(string(z.Text()))
			}
			if len(paras) > 0 && w.b.Len() > paras[len(paras)-1].start {
				paras[len(paras)-1].hasText = true
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var attrs map[string]string
			if hasAttr {
				attrs = readAttrs(z)
			}
			if skipDepth > 0 {
				if a == atom.Template {
					skipDepth++
				}
				continue
			}
			switch a {
			case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes, atom.Xmp, atom.Textarea:
				if tt == html.StartTagToken {
					skip = a
				}
				continue
			case atom.Template, atom.Head:
				if a == atom.Template && tt == html.StartTagToken {
					skipDepth++
				}
				continue
			}
			w.markQuote(a, attrs)
			switch a {
			case atom.Br:
				w.lineBreak()
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				mso := strings.Contains(strings.ToLower(attrs["class"]), "mso")
				w.block(paraGap(mso))
				paras = append(paras, paraState{mso: mso, start: w.b.Len()})
			case atom.Div, atom.Table, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer,
				atom.Address, atom.Center, atom.Form, atom.Fieldset, atom.Dl, atom.Dt, atom.Dd,
				atom.Figure, atom.Figcaption, atom.Main, atom.Nav, atom.Aside, atom.Caption, atom.Hr:
				w.block(1)
			case atom.Ul, atom.Ol:
				w.block(1)
				w.lists = append(w.lists, listState{ordered: a == atom.Ol})
			case atom.Li:
				w.block(1)
				w.listItem()
			case atom.Blockquote:
				w.block(1)
				w.quote++
				w.quoteFresh = true
			case atom.Pre:
				w.block(1)
				w.pre++
			case atom.Td, atom.Th:
				w.space = true
			case atom.A:
				if tt == html.StartTagToken {
					links = append(links, linkState{href: strings.TrimSpace(attrs["href"]), start: w.b.Len()})
				}
			case atom.Img:
				if alt := strings.TrimSpace(attrs["alt"]); alt != "" {
					w.writeText("[" + alt + "]")
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip != 0 {
				if a == skip {
					skip = 0
				}
				continue
			}
			if skipDepth > 0 {
				if a == atom.Template {
					skipDepth--
				}
				continue
			}
			switch a {
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				gap := paraGap(false)
				if n := len(paras); n > 0 {
					ps := paras[n-1]
					paras = paras[:n-1]
					gap = paraGap(ps.mso)
					if ps.mso && !ps.hasText {
						// An empty MsoNormal paragraph is Outlook's blank line.
						gap = 2
					}
				}
				w.block(gap)
			case atom.Div, atom.Table, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer,
				atom.Address, atom.Center, atom.Form, atom.Fieldset, atom.Dl, atom.Dt, atom.Dd,
				atom.Figure, atom.Figcaption, atom.Main, atom.Nav, atom.Aside, atom.Caption, atom.Li:
				w.block(1)
			case atom.Ul, atom.Ol:
				if n := len(w.lists); n > 0 {
					w.lists = w.lists[:n-1]
				}
				w.block(1)
			case atom.Blockquote:
				w.block(1)
				if w.quote > 0 {
					w.quote--
				}
			case atom.Pre:
				w.block(1)
				if w.pre > 0 {
					w.pre--
				}
			case atom.Td, atom.Th:
				w.space = true
			case atom.A:
				if n := len(links); n > 0 {
					l := links[n-1]
					links = links[:n-1]
					w.linkEnd(l)
				}
			}
		}
	}
}

type linkState struct {
	href  string
	start int
}

type paraState struct {
	mso     bool
	start   int
	hasText bool
}

type listState struct {
	ordered bool
	n       int
}

// maxIndent caps list indentation and quote markers: deeper nesting adds
// nothing readable, and hostile HTML nesting thousands of levels would
// otherwise make the output grow with the square of the input.
const maxIndent = 8

// paraGap: paragraphs and headings get a blank line, except Outlook's
// MsoNormal paragraphs which have zero margins and are really just lines.
func paraGap(mso bool) int {
	if mso {
		return 1
	}
	return 2
}

func readAttrs(z *html.Tokenizer) map[string]string {
	m := make(map[string]string, 4)
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "class", "id", "type", "href", "alt":
			m[string(k)] = string(v)
		}
		if !more {
			return m
		}
	}
}

// textWriter accumulates output with deferred whitespace so that offsets
// recorded during the walk (quoteAt, link starts) stay valid: nothing is
// ever rewritten after it is written.
type textWriter struct {
	b       strings.Builder
	nl      int  // newlines wanted before the next text
	space   bool // a space is wanted before the next text
	quote   int  // blockquote depth
	pre     int
	lists   []listState
	bullet  string // list marker waiting for the item's first text
	quoteAt int
	// quoteFresh is set at a blockquote start: a paragraph opening the
	// quote must not put a blank quoted line first.
	quoteFresh bool
}

func (w *textWriter) block(n int) {
	if n > w.nl {
		w.nl = n
	}
	w.space = false
}

func (w *textWriter) lineBreak() {
	w.nl++
	w.space = false
}

func (w *textWriter) listItem() {
	if len(w.lists) == 0 {
		w.bullet = "- "
		return
	}
	l := &w.lists[len(w.lists)-1]
	l.n++
	indent := strings.Repeat("  ", min(len(w.lists)-1, maxIndent))
	if l.ordered {
		w.bullet = indent + strconv.Itoa(l.n) + ". "
	} else {
		w.bullet = indent + "- "
	}
}

// flush emits pending newlines (at most one blank line) and the quote
// prefix, or the pending space.
func (w *textWriter) flush() {
	if w.b.Len() == 0 {
		w.nl, w.space, w.quoteFresh = 0, false, false
		w.writePrefix()
		return
	}
	if w.nl > 0 {
		n := min(w.nl, 2)
		if w.quoteFresh {
			n = 1
		}
		w.quoteFresh = false
		for i := 0; i < n; i++ {
			w.b.WriteByte('\n')
			if i < n-1 && w.quote > 0 {
				w.b.WriteString(strings.Repeat(">", min(w.quote, maxIndent)))
			}
		}
		w.nl, w.space = 0, false
		w.writePrefix()
		return
	}
	if w.space {
		w.b.WriteByte(' ')
		w.space = false
	}
}

func (w *textWriter) writePrefix() {
	if w.quote > 0 {
		w.b.WriteString(strings.Repeat(">", min(w.quote, maxIndent)))
		w.b.WriteByte(' ')
	}
	if w.bullet != "" {
		w.b.WriteString(w.bullet)
		w.bullet = ""
	}
}

// writeText writes collapsed inline text. Non-breaking spaces count as
// whitespace: Outlook uses &nbsp; for layout, not meaning.
func (w *textWriter) writeText(t string) {
	start := -1
	for i, r := range t {
		if isHTMLSpace(r) {
			if start >= 0 {
				w.word(t[start:i])
				start = -1
			}
			w.space = true
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		w.word(t[start:])
	}
}

func (w *textWriter) word(s string) {
	w.flush()
	w.b.WriteString(s)
}

func isHTMLSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\u00A0', '\u200B':
		return true
	}
	return false
}

// writePre keeps whitespace and line structure of <pre> text.
func (w *textWriter) writePre(t string) {
	t = strings.ReplaceAll(t, "\r\n", "\n")
	for i, line := range strings.Split(t, "\n") {
		if i > 0 {
			w.nl++
		}
		if line != "" {
			w.flush()
			w.b.WriteString(line)
		}
	}
}

// markQuote records where quoted history begins.
func (w *textWriter) markQuote(a atom.Atom, attrs map[string]string) {
	if w.quoteAt >= 0 || attrs == nil {
		return
	}
	hit := false
	switch {
	case a == atom.Blockquote && strings.EqualFold(attrs["type"], "cite"):
		hit = true
	case attrs["id"] == "divRplyFwdMsg" || attrs["id"] == "appendonsend":
		hit = true
	default:
		for _, c := range strings.Fields(attrs["class"]) {
			switch c {
			case "gmail_quote", "gmail_quote_container", "moz-cite-prefix", "yahoo_quoted":
				hit = true
			}
		}
	}
	if hit {
		w.quoteAt = w.b.Len()
	}
}

// linkEnd appends " (url)" after a link's text unless the text already is
// the URL. Only web and mail links are shown: a javascript: or data: URL is
// never something a case officer should copy.
func (w *textWriter) linkEnd(l linkState) {
	href := l.href
	lower := strings.ToLower(href)
	if !(strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "mailto:")) {
		return
	}
	if len(href) > 2048 || !utf8.ValidString(href) {
		return
	}
	var text string
	if l.start <= w.b.Len() {
		text = strings.TrimSpace(w.b.String()[l.start:])
	}
	bare := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(lower, "mailto:"), "https://"), "http://")
	lt := strings.ToLower(text)
	if lt == lower || lt == bare || strings.TrimSuffix(lt, "/") == strings.TrimSuffix(bare, "/") {
		return
	}
	if text == "" {
		w.writeText(href)
		return
	}
	// Written straight after the link text, ignoring pending whitespace, so
	// the URL stays on the link's line.
	w.b.WriteString(" (" + href + ")")
}

func (w *textWriter) finish() {
	// Trailing newlines and spaces are simply not written.
	w.nl, w.space = 0, false
}
