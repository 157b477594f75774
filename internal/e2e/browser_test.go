// Package e2e drives the real UI in headless Chromium through chromedp, the way a user would: type, click,
// read what the page shows. The tests run when Chromium is installed; with BANGFU_E2E=1 (as CI sets it)
// a missing Chromium is a failure, not a skip.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// browser is one Chromium tab pointed at a fresh test server.
type browser struct {
	ctx   context.Context
	srv   *webtest.Server
	t     *testing.T
	loads int
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// start opens a headless browser on a new test server.
func start(t *testing.T) *browser {
	t.Helper()
	return startOn(t, webtest.New)
}

// startOn is start over the server newServer builds (webtest.NewDemo: the whole demo).
func startOn(t *testing.T, newServer func(testing.TB, ...func(*web.Config)) *webtest.Server) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("BANGFU_E2E") == "1" {
			t.Fatal("BANGFU_E2E=1 but no Chromium found: apt-get install -y chromium")
		}
		t.Skip("Chromium not installed; set BANGFU_E2E=1 to make this a failure")
	}
	srv := newServer(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	b := &browser{ctx: ctx, srv: srv, t: t}
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot(filepath.Join(os.TempDir(), strings.ReplaceAll(t.Name(), "/", "_")+".png"))
		}
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return b
}

// run runs chromedp steps in order and fails the test on error.
func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// value returns the current value of the form control matching the CSS selector sel.
func (b *browser) value(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// waitText waits until the element matching sel shows want somewhere in its text.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var s string
	for time.Now().Before(deadline) {
		if got, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel))); err == nil {
			if s = got; strings.Contains(s, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("%s never showed %q; last text: %q", sel, want, s)
}

// open loads the app at a hash route (#/users/new) as a fresh page: a real navigation, so it neither races
// the app's own hash changes after log-in nor waits for a load event that a bare hash change never fires.
func (b *browser) open(hash string) {
	b.t.Helper()
	b.loads++
	b.run(chromedp.Navigate(fmt.Sprintf("%s/?load=%d%s", b.srv.URL, b.loads, hash)))
}

// login fills in the log-in form and waits for the application shell.
func (b *browser) login(username, password string) {
	b.t.Helper()
	b.run(
		chromedp.Navigate(b.srv.URL+"/#/"),
		chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SendKeys(chromedp.CSS("#login-username"), username),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
	)
}

// shot saves a screenshot named name into the folder BANGFU_SCREENSHOTS names, when it names one.
func (b *browser) shot(name string) {
	if dir := os.Getenv("BANGFU_SCREENSHOTS"); dir != "" {
		b.screenshot(filepath.Join(dir, name+".png"))
	}
}

func (b *browser) screenshot(path string) {
	if png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(path, png, 0o644)
		b.t.Logf("screenshot: %s", path)
	}
}
