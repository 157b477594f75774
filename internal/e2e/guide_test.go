package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// guideDir holds the per-role guides (Chinese) and their screenshots.
const guideDir = "../../docs/guide"

// guideShots are the screenshots the guides show: who, which page, what to wait for, and the file.
var guideShots = []struct{ user, page, ready, file string }{
	{"caseworker1", "#/households", "#household-list tbody td:not(.table-empty)", "caseworker-households.png"},
	{"supervisor1", "#/approvals", "#approval-queue tbody td:not(.table-empty)", "supervisor-approvals.png"},
	{"finance1", "#/funds", "#fund-list tbody td:not(.table-empty)", "finance-funds.png"},
	{"auditor1", "#/audit", "#audit-list tbody td:not(.table-empty)", "auditor-audit.png"},
	{"admin", "#/users", "#user-list tbody td:not(.table-empty)", "admin-users.png"},
}

// TestBrowser_GuideScreenshots opens, on the demo data, the page each guide shows for its role and takes
// the screenshot at a modest window size. With BANGFU_SCREENSHOTS=1 (make screenshots) they are written into
// docs/guide/img for the guides; with another value, into that folder; unset, into a temporary folder, so
// that the pages are still walked and every shot still taken.
func TestBrowser_GuideScreenshots(t *testing.T) {
	dir := t.TempDir()
	switch v := os.Getenv("BANGFU_SCREENSHOTS"); v {
	case "":
	case "1":
		dir = filepath.Join(guideDir, "img")
	default:
		dir = v
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := startOn(t, webtest.NewDemo)
	b.run(chromedp.EmulateViewport(1100, 700))
	for i, s := range guideShots {
		if i == 0 {
			b.login(s.user, demo.Password)
		} else {
			b.run(switchUser(s.user))
		}
		b.run(chromedp.WaitVisible(chromedp.CSS("#logout")))
		b.open(s.page)
		b.run(chromedp.WaitVisible(chromedp.CSS(s.ready)), evaluate(`document.activeElement && document.activeElement.blur(), true`))
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) > 400<<10 {
			t.Fatalf("%s: %d bytes, not a small PNG", s.file, len(png))
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGuide_EveryReferencedImageExists: every image a guide shows is in the repository, and every guide
// screenshot the browser test takes is shown by a guide (no browser needed).
func TestGuide_EveryReferencedImageExists(t *testing.T) {
	guides, err := filepath.Glob(filepath.Join(guideDir, "*.md"))
	if err != nil || len(guides) < 5 {
		t.Fatalf("guides: %v %v", guides, err)
	}
	ref := regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+)\)`)
	shown := map[string]bool{}
	for _, g := range guides {
		src, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ref.FindAllStringSubmatch(string(src), -1) {
			p := filepath.Join(filepath.Dir(g), m[1])
			shown[filepath.Clean(p)] = true
			if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
				t.Errorf("%s shows %s, which is missing: run make screenshots", filepath.Base(g), m[1])
			}
		}
	}
	for _, s := range guideShots {
		if !shown[filepath.Clean(filepath.Join(guideDir, "img", s.file))] {
			t.Errorf("the screenshot %s is taken but no guide shows it", s.file)
		}
	}
}
