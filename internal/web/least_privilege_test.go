package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"bangfu/internal/web/webtest"
)

// SPEC §1.2: admin manages users, orgs and policy versions and reads no case or money data. Every read of a
// household, a referral or the ledger answers admin 403, whether the record exists or not.
func TestAdmin_ReadsNoCaseOrMoneyData(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	h := create(t, srv, cw, 1)
	ref := cw.Must(http.StatusCreated, "POST", "/api/v1/referrals", map[string]any{"name": "刘强", "id_number": id(2),
		"org_id": srv.OrgID("BJ-XX-JH-01"), "reason": "收入略高于标准", "follow_up_date": "2026-04-01"}).JSON()
	fin := srv.Login("finance1")
	fund := fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "上级补助", "purposes": []string{"general"}}).JSON()
	tr := fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%v/receive", fund["id"]), map[string]any{"amount_fen": 100000}).JSON()

	admin := srv.Login("admin")
	for _, p := range []string{
		"/api/v1/households", fmt.Sprintf("/api/v1/households/%d", h.ID), fmt.Sprintf("/api/v1/households/%d/members", h.ID),
		fmt.Sprintf("/api/v1/households/%d/visits", h.ID), fmt.Sprintf("/api/v1/households/%d/objections", h.ID),
		fmt.Sprintf("/api/v1/households/%d/history", h.ID), fmt.Sprintf("/api/v1/households/%d/documents", h.ID),
		fmt.Sprintf("/api/v1/households/%d/documents/1", h.ID), "/api/v1/households/99999",
		"/api/v1/referrals", fmt.Sprintf("/api/v1/referrals/%v", ref["id"]),
		"/api/v1/funds", fmt.Sprintf("/api/v1/funds/%v", fund["id"]), fmt.Sprintf("/api/v1/funds/%v/transfers", fund["id"]),
		fmt.Sprintf("/api/v1/funds/transfers/%v", tr["id"]), "/api/v1/allocations",
	} {
		admin.Refused(http.StatusForbidden, "forbidden", "GET", p, nil)
	}
	admin.Refused(http.StatusForbidden, "forbidden", "POST", fmt.Sprintf("/api/v1/households/%d/reveal", h.ID), nil)
	// What admin keeps: users, orgs and policy versions.
	admin.Must(http.StatusOK, "GET", "/api/v1/users", nil)
	admin.Must(http.StatusOK, "GET", "/api/v1/orgs", nil)
	admin.Must(http.StatusOK, "GET", "/api/v1/policies", nil)
	// The same reads still answer the roles that work with the records.
	cw.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/households/%d", h.ID), nil)
	srv.Login("auditor1").Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/transfers/%v", tr["id"]), nil)
}

// Who before what: a role that may not act is refused 403 whatever it sends, before its input is looked at.
func TestHouseholdActions_CheckTheRoleBeforeTheInput(t *testing.T) {
	srv := webtest.New(t)
	h := create(t, srv, srv.Login("caseworker1"), 1)
	fin := srv.Login("finance1")
	fin.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "visit"), map[string]any{})
	fin.Refused(http.StatusForbidden, "forbidden", "POST", path(h, "return"), map[string]any{})
	fin.Refused(http.StatusForbidden, "forbidden", "POST", "/api/v1/households/99999/submit", map[string]any{})
}
