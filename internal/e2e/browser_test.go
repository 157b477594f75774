// Package e2e drives the real UI in headless Chromium through chromedp, the way a user would.
// The tests run when Chromium is installed; with BANGFU_E2E=1 they fail when it is not.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// browserPath finds Chromium, or fails (BANGFU_E2E=1) or returns "" so the caller returns early.
func browserPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BANGFU_E2E") == "1" {
		t.Fatal("BANGFU_E2E=1 but no Chromium is installed")
	}
	t.Log("no Chromium installed: browser test not run")
	return ""
}

// browser starts a test server and a headless browser tab; ok is false when no browser is installed.
func browser(t *testing.T) (srv *webtest.Server, ctx context.Context, ok bool) {
	path := browserPath(t)
	if path == "" {
		return nil, nil, false
	}
	srv = webtest.New(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun, chromedp.WindowSize(1400, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return srv, ctx, true
}

// login opens the login page and logs in as username.
func login(srv *webtest.Server, username string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(srv.URL+"/#/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SetValue(chromedp.CSS("#login-username"), username),
		chromedp.SetValue(chromedp.CSS("#login-password"), demo.Password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	)
}
