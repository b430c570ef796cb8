package web_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicdesk/civicdesk/internal/apptest"
	"github.com/civicdesk/civicdesk/internal/config"
)

func contactGet(t *testing.T, e *apptest.Env, path string) string {
	t.Helper()
	res, err := e.Client.Get(e.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return string(body)
}

// The footer, the home page and the confirmation page say where to call
// and write: the hotline as a tel: link (digits only in the link, the
// number as written in the text) and the first intake address, bare.
func TestPortalShowsHotlineAndIntakeAddress(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.Hotline = "1900 1234"
		c.IntakeAddresses = "PhanAnh@so.example.vn=, khac@so.example.vn"
	}})
	code := e.Submit(apptest.Submission())
	tel := `<a href="tel:19001234" class="tel">1900 1234</a>`
	mail := `<a href="mailto:phananh@so.example.vn" class="mailto">phananh@so.example.vn</a>`
	for _, path := range []string{"/", "/submitted/" + code, "/track"} {
		body := contactGet(t, e, path)
		footer := body[strings.Index(body, "<footer>"):]
		if !strings.Contains(footer, tel) || !strings.Contains(footer, mail) {
			t.Errorf("%s footer: tel link %v, mailto link %v", path, strings.Contains(footer, tel), strings.Contains(footer, mail))
		}
		if path == "/track" {
			continue
		}
		main := body[strings.Index(body, "<main>"):strings.Index(body, "</main>")]
		if !strings.Contains(main, tel) || !strings.Contains(main, mail) {
			t.Errorf("%s page: tel link %v, mailto link %v", path, strings.Contains(main, tel), strings.Contains(main, mail))
		}
	}
	if strings.Contains(contactGet(t, e, "/"), "khac@so.example.vn") {
		t.Error("the page shows an intake address past the first")
	}
}

// Without CIVICDESK_HOTLINE no number and no tel: link appear anywhere.
func TestPortalWithoutHotlineShowsNoNumber(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	code := e.Submit(apptest.Submission())
	for _, path := range []string{"/", "/submitted/" + code} {
		body := contactGet(t, e, path)
		if strings.Contains(body, "tel:") || strings.Contains(body, `class="tel"`) {
			t.Errorf("%s shows a hotline link with no hotline set", path)
		}
		if !strings.Contains(body, `href="mailto:phananh@localhost"`) {
			t.Errorf("%s shows no intake address", path)
		}
	}
}

// With no relay the tracking page neither offers nor claims an emailed
// link: it offers the phone proof and names the hotline.
func TestTrackingPageWithoutRelayOffersNoEmailLink(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) {
		c.RelayHost = ""
		c.Hotline = "1900 1234"
	}})
	code := e.Submit(apptest.Submission())
	czTicket(t, e, code)

	b := newCZBrowser(t, e)
	pg := b.get("/track/" + code)
	if strings.Contains(pg.Body, `id="form-link"`) || strings.Contains(pg.Body, "/track/"+code+"/link") {
		t.Fatal("the tracking page offers an emailed link with no relay")
	}
	if !strings.Contains(pg.Body, `id="form-verify"`) {
		t.Fatal("the tracking page offers no phone proof")
	}
	i := strings.Index(pg.Body, `id="cz-nomail"`)
	if i < 0 || !strings.Contains(pg.Body[i:], `href="tel:19001234"`) {
		t.Fatalf("no word that mail is off with the hotline to call: %v", i >= 0)
	}
	// A form posted from an old page makes no claim either.
	p := b.post("/track/"+code+"/link", nil)
	if p.Status != http.StatusSeeOther || strings.Contains(p.Location, "done=link") {
		t.Fatalf("link request with no relay: %d %q", p.Status, p.Location)
	}
	for _, path := range []string{p.Location, "/track/" + code + "?done=link"} {
		pg := b.get(path)
		if strings.Contains(pg.Body, `id="cz-done"`) || strings.Contains(pg.Body, "đường dẫn xác minh đã được gửi") {
			t.Fatalf("%s claims a link was sent", path)
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The start-up log names what is off without a relay and the URL to open
// once the listener is up.
func TestStartupLogNamesMailOffAndURL(t *testing.T) {
	var log lockedBuffer
	e := apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Log: &log, Configure: func(c *config.Config) { c.RelayHost = "" }})
	want := "off: email sign-in links, acknowledgements, answer mail"
	if n := strings.Count(log.String(), want); n != 1 {
		t.Errorf("relay-off lines naming the features: %d, want 1\n%s", n, log.String())
	}
	apptest.WaitFor(t, 10*time.Second, "the URL line", func() bool { return strings.Contains(log.String(), "url="+e.URL) })

	var log2 lockedBuffer
	apptest.Start(t, apptest.Options{Mode: apptest.WebOnly, Log: &log2, Configure: func(c *config.Config) {
		c.BaseURL = "https://phananh.example.vn"
	}})
	apptest.WaitFor(t, 10*time.Second, "the base URL line", func() bool {
		return strings.Contains(log2.String(), "url=https://phananh.example.vn")
	})
}
