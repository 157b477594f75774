package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/web"
)

// TestNav_EveryPageNeedsARouteOfThePermissionTable: static/nav.js names, for each page, the API route it is
// built on ("needs"), and the UI shows the page to whoever GET /me says may call it. A route renamed or
// removed on the server must not leave a page that nobody, or everybody, sees.
func TestNav_EveryPageNeedsARouteOfThePermissionTable(t *testing.T) {
	src, err := os.ReadFile("../../static/nav.js")
	if err != nil {
		t.Fatal(err)
	}
	known := web.PermissionTable()
	for _, r := range actor.Roles {
		known = append(known, web.AllowedRoutes([]actor.Role{r})...)
	}
	found := regexp.MustCompile(`(?:needs|navNeeds): '([^']+)'`).FindAllStringSubmatch(string(src), -1)
	if len(found) < 20 {
		t.Fatalf("nav.js names %d routes; it no longer says what its pages need", len(found))
	}
	for _, m := range found {
		if !slices.Contains(known, m[1]) {
			t.Errorf("nav.js: a page needs %q, which is not a route of internal/web/permissions.go", m[1])
		}
	}
	pages, err := filepath.Glob("../../static/pages/*/*.js")
	if err != nil {
		t.Fatal(err)
	}
	top, _ := filepath.Glob("../../static/pages/*.js")
	for _, p := range append(pages, top...) {
		js, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`ctx\.may\('([^']+)'\)`).FindAllStringSubmatch(string(js), -1) {
			if !slices.Contains(known, m[1]) {
				t.Errorf("%s asks ctx.may(%q), which is not a route of internal/web/permissions.go", filepath.Base(p), m[1])
			}
		}
	}
	if regexp.MustCompile(`\broles: \[`).Match(src) {
		t.Error("nav.js lists roles per page again: name the route the page needs instead")
	}
}
