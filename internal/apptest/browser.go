package apptest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser starts a headless Chromium for the test and returns a chromedp
// context. Without a browser the test is skipped, unless CIVICDESK_E2E=1
// (as CI sets it), when a missing browser is a failure.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("CIVICDESK_CHROME")
	if path == "" {
		for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if full, err := exec.LookPath(p); err == nil {
				path = full
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("CIVICDESK_E2E") == "1" {
			t.Fatal("CIVICDESK_E2E=1 but no chromium found (apt-get install chromium)")
		}
		t.Skip("no chromium on this machine; set CIVICDESK_E2E=1 to make this a failure")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel := chromedp.NewContext(actx)
	// The first Do starts the browser and must not carry a timeout (it
	// would bound the browser's life); later calls share the tab and get
	// one so a hung page fails the test instead of CI.
	if err := chromedp.Do(bctx); err != nil {
		cancel()
		acancel()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, tcancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(func() { tcancel(); cancel(); acancel() })
	return ctx
}
