package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/web"
	"bangfu/internal/web/webtest"
)

// Who before what, for a record's scope: every write route on a record (…/:id…), called by a role allowed on
// it with a body that is refused — garbage, an unknown field, a wrong type — on a record that does not exist
// answers 404 not_found, as it does with a valid body, never the 400 that would come first. A route on a
// record whose read internal/web/scope.go does not name fails here.
func TestScopeBeforeBody_ARefusedBodyOnNoRecordIs404(t *testing.T) {
	srv := webtest.New(t)
	clients := map[actor.Role]*webtest.Client{}
	for r, u := range callers {
		clients[r] = srv.Login(u)
	}
	bodies := []string{"{garbage", `{"zz_not_a_field": 1}`, `{"reason": 7, "amount_fen": "lots", "name": []}`}
	walked := 0
	for _, rt := range apiRoutes(srv) {
		if rt.Method == http.MethodGet || !strings.Contains(rt.Path, ":id") {
			continue
		}
		if _, public, _ := web.RouteRoles(rt.Method, rt.Path, ""); public {
			continue
		}
		actions := web.StateActions(rt.Method, rt.Path)
		if actions == nil {
			actions = []string{""}
		}
		for _, action := range actions {
			p := concrete(rt.Path, map[string]string{":id": "987654321"}, action)
			allowed, _, _ := web.RouteRoles(rt.Method, rt.Path, action)
			i := slices.IndexFunc(actor.Roles, func(r actor.Role) bool { return slices.Contains(allowed, r) })
			if i < 0 {
				t.Errorf("%s %s: no role may call it", rt.Method, p)
				continue
			}
			role := actor.Roles[i]
			walked++
			for _, b := range bodies {
				if r := clients[role].Do(rt.Method, p, b); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
					t.Errorf("%s %s as %s with body %q: %d %s, want 404 not_found (add the record's read to recordReads in internal/web/scope.go)",
						rt.Method, p, role, b, r.Status, r.Body)
				}
			}
		}
	}
	if walked < 30 {
		t.Fatalf("only %d write routes on a record walked", walked)
	}
}

// Another community's caseworker gets the same 404 for a bad body as for a good one — whether the body fails
// to bind or the service finds a field wrong — while the household's own caseworker is told what is wrong.
func TestScopeBeforeBody_AnotherCommunitysRecordIs404WhateverTheBody(t *testing.T) {
	srv := webtest.New(t)
	own, other := srv.Login("caseworker1"), srv.Login("caseworker2")
	h := create(t, srv, own, 1)
	good := household(srv, 1)
	badID := household(srv, 1)
	badID["id_number"] = "330108199001011234" // a wrong check digit: the service's rule, not a tag's
	for _, tc := range []struct {
		name, method, path string
		body               any
	}{
		{"does not bind", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), `{"zz_not_a_field": 1}`},
		{"not JSON", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), "{garbage"},
		{"a wrong field (validated in the service)", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), badID},
		{"a document's reason missing", "DELETE", fmt.Sprintf("/api/v1/households/%d/documents/1", h.ID), map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := own.Do(tc.method, tc.path, tc.body); r.Status != http.StatusBadRequest {
				t.Errorf("own caseworker: %d %s, want 400", r.Status, r.Body)
			}
			if r := other.Do(tc.method, tc.path, tc.body); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
				t.Errorf("another community's caseworker: %d %s, want 404 not_found", r.Status, r.Body)
			}
		})
	}
	// The same 404 with a valid body: the service's own answer, which the refused bodies above match.
	other.Refused(http.StatusNotFound, "not_found", "PUT", fmt.Sprintf("/api/v1/households/%d", h.ID), good)
}
