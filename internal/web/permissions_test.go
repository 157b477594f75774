package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// apiRoutes lists the /api/v1 routes the server registers (not the catch-alls that answer 404).
func apiRoutes(srv *webtest.Server) []*echo.Route {
	var out []*echo.Route
	for _, r := range web.New(web.Config{DB: srv.DB, Clock: srv.Clock}).Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "/*") || r.Method == echo.RouteNotFound {
			continue
		}
		out = append(out, r)
	}
	return out
}

// concrete fills a route's parameters: ids, a document, a date, and the state-machine action.
func concrete(path string, ids map[string]string, action string) string {
	for _, p := range []string{":id", ":doc", ":date"} {
		v, ok := ids[p]
		if !ok {
			v = map[string]string{":id": "1", ":doc": "1", ":date": "2026-10-01"}[p]
		}
		path = strings.Replace(path, p, v, 1)
	}
	return strings.Replace(path, ":action", action, 1)
}

// TestPermissions_EveryRouteHasAnEntry walks the routes echo registers: each /api/v1 route needs a line in
// internal/web/permissions.go, and each line there a registered route.
func TestPermissions_EveryRouteHasAnEntry(t *testing.T) {
	srv := webtest.New(t)
	registered := map[string]bool{}
	for _, r := range apiRoutes(srv) {
		key := r.Method + " " + r.Path
		registered[key] = true
		if !slices.Contains(web.PermissionTable(), key) {
			t.Errorf("route %q has no entry in the permission table: add a line\n\t%q: []actor.Role{…the roles that may call it…},\nto routeRoles in internal/web/permissions.go (SPEC §1.2; admin reads no case or money data)", key, key)
		}
	}
	for _, key := range web.PermissionTable() {
		if !registered[key] {
			t.Errorf("the permission table names %q, which the server does not register: remove or correct its line in internal/web/permissions.go", key)
		}
	}
}

// callers are the demo users, one per role.
var callers = map[actor.Role]string{
	actor.Caseworker: "caseworker1", actor.Supervisor: "supervisor1", actor.Finance: "finance1",
	actor.Auditor: "auditor1", actor.Admin: "admin",
}

// TestPermissions_AWriteRouteRefusesARoleThatMayNotActWhateverTheBody: who before what. For every
// state-changing route (each action of the state-machine routes) and every role the table does not allow,
// an empty, a garbage and a wrongly-typed body all get 403 forbidden, never a 400 that would teach the
// shape of a request that role may not make. A role the table allows gets past the check (not 403).
func TestPermissions_AWriteRouteRefusesARoleThatMayNotActWhateverTheBody(t *testing.T) {
	srv := webtest.New(t)
	clients := map[actor.Role]*webtest.Client{}
	for r, u := range callers {
		clients[r] = srv.Login(u)
	}
	bodies := []string{"", "{garbage", `{"org_id": "x", "amount_fen": "lots", "reason": 7}`, "[]"}
	writes := 0
	for _, rt := range apiRoutes(srv) {
		if _, public, _ := web.RouteRoles(rt.Method, rt.Path, ""); rt.Method == http.MethodGet || rt.Path == "/api/v1/session" || public {
			continue // a public route carries its own credential (a log-in, a receiver's code)
		}
		actions := web.StateActions(rt.Method, rt.Path)
		if actions == nil {
			actions = []string{""}
		}
		for _, action := range actions {
			p := concrete(rt.Path, nil, action)
			t.Run(rt.Method+" "+p, func(t *testing.T) {
				writes++
				allowed, _, known := web.RouteRoles(rt.Method, rt.Path, action)
				if !known {
					t.Fatalf("no permission entry")
				}
				for _, role := range actor.Roles {
					c := clients[role]
					for _, b := range bodies {
						r := c.Do(rt.Method, p, b)
						if slices.Contains(allowed, role) {
							if r.Status == http.StatusForbidden {
								// An allowed role passes the route check; the service may still refuse with
								// reasons of its own (scope, segregation), but not for a garbage body.
								t.Errorf("%s (allowed) with body %q: 403 %s", role, b, r.Body)
							}
							if r.Status >= 500 {
								t.Errorf("%s with body %q: %d %s", role, b, r.Status, r.Body)
							}
							continue
						}
						if r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
							t.Errorf("%s may not act but with body %q got %d %s, want 403 forbidden: %s", role, b, r.Status, r.ErrorCode(), r.Body)
						}
					}
				}
			})
		}
	}
	if writes < 40 {
		t.Fatalf("only %d write routes walked", writes)
	}
}

// TestPermissions_AdminIsRefusedEveryCaseAndMoneyRoute (SPEC §1.2): admin gets 403 on every household, application, referral,
// fund, allocation and report route — lists, details, members, visits, history, decisions, checks and
// document downloads of a real file with a real ID scan — while a caseworker reads the same file.
func TestPermissions_AdminIsRefusedEveryCaseAndMoneyRoute(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 1)
	up := upload(t, cw, srv, h, "id_scan", "id.png", pngBytes())
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	docID := fmt.Sprint(int64(up.JSON()["id"].(float64)))
	ids := map[string]string{":id": fmt.Sprint(h.ID), ":doc": docID}
	cw.Must(http.StatusOK, "GET", concrete("/api/v1/households/:id/documents/:doc", ids, ""), nil)

	admin := srv.Login("admin")
	casePrefixes := []string{"/api/v1/households", "/api/v1/applications", "/api/v1/referrals", "/api/v1/funds",
		"/api/v1/allocations", "/api/v1/reports"}
	walked := 0
	for _, rt := range apiRoutes(srv) {
		if !slices.ContainsFunc(casePrefixes, func(p string) bool { return strings.HasPrefix(rt.Path, p) }) {
			continue
		}
		actions := web.StateActions(rt.Method, rt.Path)
		if actions == nil {
			actions = []string{""}
		}
		for _, action := range actions {
			p := concrete(rt.Path, ids, action)
			walked++
			r := admin.Do(rt.Method, p, nil)
			if r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
				t.Errorf("admin %s %s: %d %s, want 403 forbidden", rt.Method, p, r.Status, r.Body)
			}
		}
	}
	if walked < 40 {
		t.Fatalf("only %d case and money routes walked", walked)
	}
	// What admin does manage still works, and GET /me lists no case route for the UI's navigation.
	admin.Must(http.StatusOK, "GET", "/api/v1/users", nil)
	var me struct {
		Routes []string `json:"routes"`
	}
	admin.Must(http.StatusOK, "GET", "/api/v1/me", nil).Decode(&me)
	if !slices.Contains(me.Routes, "GET /api/v1/users") {
		t.Errorf("admin's routes lack the user list: %v", me.Routes)
	}
	for _, r := range me.Routes {
		if slices.ContainsFunc(casePrefixes, func(p string) bool { return strings.Contains(r, p) }) {
			t.Errorf("admin's routes list a case or money route: %s", r)
		}
	}
	var cwMe struct {
		Routes []string `json:"routes"`
	}
	cw.Must(http.StatusOK, "GET", "/api/v1/me", nil).Decode(&cwMe)
	for _, want := range []string{"GET /api/v1/households", "POST /api/v1/households/:id/submit"} {
		if !slices.Contains(cwMe.Routes, want) {
			t.Errorf("caseworker's routes lack %s: %v", want, cwMe.Routes)
		}
	}
	if slices.Contains(cwMe.Routes, "POST /api/v1/households/:id/file") {
		t.Errorf("caseworker's routes list filing, a supervisor's decision")
	}
}
