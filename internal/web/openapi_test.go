package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"bangfu/internal/web/webtest"
)

// TestOpenAPI_DescribesEveryRoute: every route the server registers is in /api/v1/openapi.json, and every
// operation there is a registered route (SPEC §9.2). A new route fails here until it is described.
func TestOpenAPI_DescribesEveryRoute(t *testing.T) {
	s := webtest.New(t)
	r := s.Anonymous().Do("GET", "/api/v1/openapi.json", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json without a session: %d %s", r.Status, r.Body)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}

	param := regexp.MustCompile(`\{(\w+)\}`)
	described := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + param.ReplaceAllString(path, ":$1")
			described[key] = true
			if op["summary"] == nil || op["responses"] == nil {
				t.Errorf("%s: an operation needs a summary and its responses", key)
			}
		}
	}

	registered := map[string]bool{}
	for _, rt := range s.Config.Handler.(*echo.Echo).Routes() {
		if strings.HasSuffix(rt.Path, "/*") || strings.HasPrefix(rt.Method, "echo_") {
			continue // the UI's files and the API's catch-all 404
		}
		registered[rt.Method+" "+rt.Path] = true
	}
	var missing, stale []string
	for k := range registered {
		if !described[k] {
			missing = append(missing, k)
		}
	}
	for k := range described {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(stale)
	for _, k := range missing {
		t.Errorf("route %s is not in internal/web/openapi.json: describe it there", k)
	}
	for _, k := range stale {
		t.Errorf("internal/web/openapi.json describes %s, which the server does not register", k)
	}
	if len(registered) < 40 {
		t.Fatalf("only %d routes found: the route walk is broken", len(registered))
	}
}
