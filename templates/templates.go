// Package templates holds the HTML templates and static files, embedded in
// the binary, and the Vietnamese/English message table they use.
//
// Every page is parsed once with the layout at start-up, so a template
// error stops the process instead of surfacing on a user's request.
package templates

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/civicdesk/civicdesk/internal/calendar"
)

//go:embed *.html
var pages embed.FS

//go:embed static
var static embed.FS

// Static is the file system served under /static.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Set is the parsed pages.
type Set struct {
	pages map[string]*template.Template
}

// hcm is Vietnam's time zone; dates are shown in local time.
var hcm = calendar.Location()

// Parse parses every page with the layout.
func Parse() (*Set, error) {
	names, err := fs.Glob(pages, "*.html")
	if err != nil {
		return nil, err
	}
	s := &Set{pages: map[string]*template.Template{}}
	for _, n := range names {
		if n == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(pages, "layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		s.pages[strings.TrimSuffix(n, ".html")] = t
	}
	return s, nil
}

// Render writes page with data. data should embed or be a *Page.
func (s *Set) Render(w io.Writer, page string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
	}
	return t.Execute(w, data)
}

// Page is what every page gets: the language, the CSRF token for forms, and
// the signed-in user if any.
type Page struct {
	Lang     string
	CSRF     string
	Title    string
	UserName string
	UserRole string
	Path     string
	Data     any
	// Contact is the hotline and intake address the layout shows.
	Contact Contact
}

// T looks up a message in the page's language.
func (p *Page) T(key string) string { return Message(p.Lang, key) }

// Size is n bytes written for the page's language (see Size).
func (p *Page) Size(n int) string { return Size(p.Lang, int64(n)) }

// Size writes a file size the way people read one: "340 KB", "2,5 MB" on
// Vietnamese pages (decimal comma), "2.5 MB" on English ones. Units are
// 1024-based because the upload limit is counted that way, so a file at
// the limit shows the same figure as the limit.
func Size(lang string, n int64) string {
	if n < 1024 {
		return strconv.FormatInt(max(n, 0), 10) + " B"
	}
	if kb := (n + 512) >> 10; kb < 1024 {
		return strconv.FormatInt(kb, 10) + " KB"
	}
	mb := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	mb = strings.TrimSuffix(mb, ".0")
	if lang != "en" {
		mb = strings.Replace(mb, ".", ",", 1)
	}
	return mb + " MB"
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(hcm).Format("02/01/2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(hcm).Format("02/01/2006 15:04")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"num": Number,
}

// Number writes a count or a rounded figure the way the page's language
// does: "20.000" and "2,5" in Vietnamese, "20,000" and "2.5" in English.
// The figures arrive rounded (percentages to one place, averages to two),
// so at most three decimals are ever shown.
func Number(lang string, v any) string {
	tag := language.Vietnamese
	if lang == "en" {
		tag = language.English
	}
	return message.NewPrinter(tag).Sprint(number.Decimal(v, number.MaxFractionDigits(3)))
}
