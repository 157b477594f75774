package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
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
	asked := 0
	for name, js := range pageSources(t) {
		for _, m := range regexp.MustCompile(`ctx\.may\('([^']+)'\)`).FindAllStringSubmatch(js, -1) {
			asked++
			if !slices.Contains(known, m[1]) {
				t.Errorf("%s asks ctx.may(%q), which is not a route of internal/web/permissions.go", name, m[1])
			}
		}
		for _, m := range regexp.MustCompile(`ctx\.can\('([^']+)'\)`).FindAllStringSubmatch(js, -1) {
			asked++
			if !slices.Contains(web.CapabilityNames(), m[1]) {
				t.Errorf("%s asks ctx.can(%q), which is not a capability of internal/web/permissions.go", name, m[1])
			}
		}
	}
	if asked < 15 {
		t.Fatalf("the pages ask ctx.may or ctx.can %d times; they no longer ask the server who may act", asked)
	}
	if regexp.MustCompile(`\broles: \[`).Match(src) {
		t.Error("nav.js lists roles per page again: name the route the page needs instead")
	}
}

// pageSources reads the UI's modules: the shell, the helpers and every page, by file name.
func pageSources(t *testing.T) map[string]string {
	t.Helper()
	var files []string
	for _, glob := range []string{"../../static/*.js", "../../static/pages/*.js", "../../static/pages/*/*.js"} {
		m, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	out := map[string]string{}
	for _, p := range files {
		js, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel("../../static", p)
		out[rel] = string(js)
	}
	if len(out) < 30 {
		t.Fatalf("found %d UI modules under static/", len(out))
	}
	return out
}

// TestPages_AskTheServerWhoMayActInsteadOfNamingRoles: a page offers a button for what GET /me says the user
// may call (ctx.may) or may choose (ctx.can), never for a role it names itself: a role test in a page is a
// copy of the permission table that drifts from it. Roles are only shown (roleLabel), not tested.
func TestPages_AskTheServerWhoMayActInsteadOfNamingRoles(t *testing.T) {
	roleTest := regexp.MustCompile(`hasRole\(|roles[^;\n]*\.(includes|some|indexOf|find)\(|\b(r|role)\s*===? '(caseworker|supervisor|finance|auditor|admin)'`)
	for name, js := range pageSources(t) {
		for i, line := range strings.Split(js, "\n") {
			if strings.Contains(line, "roleLabel") || strings.Contains(line, "badge(") {
				continue // shown, not tested
			}
			if roleTest.MatchString(line) {
				t.Errorf("%s:%d decides by role: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestCapabilities_AreWhatTheAreaAllows: GET /me answers export.unmasked to exactly the roles whose unmasked
// export the server answers, so the UI offers the choice to those, and only those, who may make it.
func TestCapabilities_AreWhatTheAreaAllows(t *testing.T) {
	srv := webtest.New(t)
	for _, user := range []string{"caseworker1", "supervisor1", "finance1", "auditor1"} {
		c := srv.Login(user)
		var me struct {
			Capabilities []string `json:"capabilities"`
		}
		c.Must(http.StatusOK, "GET", "/api/v1/me", nil).Decode(&me)
		offered := slices.Contains(me.Capabilities, "export.unmasked")
		got := c.Do("GET", "/api/v1/households/export?unmasked=1", nil).Status
		if answered := got == http.StatusOK; answered != offered {
			t.Errorf("%s: /me offers the unmasked export %v, the export answers %d", user, offered, got)
		}
	}
}
