package web_test

import (
	"fmt"
	"strings"
	"testing"

	"bangfu/internal/web/webtest"
)

func defaultParams(t *testing.T, c *webtest.Client) map[string]any {
	t.Helper()
	return c.Must(200, "GET", "/api/v1/policies/current", nil).JSON()["params"].(map[string]any)
}

func TestPolicies_AFreshDatabaseHasTheDefaultsOfTheSpec(t *testing.T) {
	srv := webtest.New(t)
	p := srv.Login("caseworker1").Must(200, "GET", "/api/v1/policies/current", nil).JSON()
	want := map[string]float64{
		"dibao_monthly_fen": 90000, "relative_multiplier": 2.0, "accident_expense_ratio": 0.8,
		"living_cap_year_fen": 1080000, "medical_cap_year_fen": 3000000,
		"education_higher_filed_fen": 500000, "education_higher_unfiled_fen": 400000,
		"education_senior_filed_fen": 300000, "education_senior_unfiled_fen": 200000,
		"warmth_amount_fen": 100000, "household_cap_year_fen": 5000000, "second_approval_above_fen": 1000000,
		"green_max_amount_fen": 500000, "green_sla_hours": 24, "green_docs_days": 30, "green_monthly_quota": 50,
		"publicity_days": 5,
	}
	params := p["params"].(map[string]any)
	if len(params) != len(want) {
		t.Errorf("params has %d keys, want %d", len(params), len(want))
	}
	for k, v := range want {
		if params[k] != v {
			t.Errorf("%s = %v, want %v", k, params[k], v)
		}
	}
	if p["id"].(float64) == 0 || p["org_name"] != "全区" {
		t.Errorf("version: %v", p)
	}
}

func TestPolicies_ANewVersionTakesEffectOnItsDateAndOldDecisionsKeepTheirs(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	params := defaultParams(t, admin)
	params["dibao_monthly_fen"] = 95000
	params["living_cap_year_fen"] = 1140000
	created := admin.Must(201, "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-07-01", "params": params}).JSON()
	cw := srv.Login("caseworker1")
	if p := cw.Must(200, "GET", "/api/v1/policies/current", nil).JSON(); p["params"].(map[string]any)["dibao_monthly_fen"] != 90000.0 {
		t.Fatalf("before its date the new version must not apply: %v", p["id"])
	}
	p := cw.Must(200, "GET", "/api/v1/policies/current?date=2026-07-01", nil).JSON()
	if p["id"] != created["id"] || p["params"].(map[string]any)["dibao_monthly_fen"] != 95000.0 {
		t.Fatalf("on its date: %v", p)
	}
	if old := cw.Must(200, "GET", "/api/v1/policies/1", nil).JSON(); old["params"].(map[string]any)["dibao_monthly_fen"] != 90000.0 {
		t.Fatal("the old version must stay as it was")
	}
	if auditCount(t, srv, "policy.create") != 1 {
		t.Fatal("a new policy version must be audited")
	}
	if n := len(admin.Must(200, "GET", "/api/v1/policies", nil).JSON()["items"].([]any)); n != 2 {
		t.Fatalf("%d versions listed, want 2", n)
	}
}

func TestPolicies_AnOrgVersionAppliesToItsSubtreeOnly(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	params := defaultParams(t, admin)
	params["green_monthly_quota"] = 10
	admin.Must(201, "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-01-01", "org_id": srv.OrgID("BJ-XX"), "params": params})
	quota := func(code string) any {
		p := admin.Must(200, "GET", fmt.Sprintf("/api/v1/policies/current?org_id=%d", srv.OrgID(code)), nil).JSON()
		return p["params"].(map[string]any)["green_monthly_quota"]
	}
	if quota("BJ-XX-JH-01") != 10.0 || quota("BJ-XX") != 10.0 {
		t.Error("the sub-district version must apply to itself and its grassroots unions")
	}
	if quota("BJ-CH-CH-01") != 50.0 || quota("BJ") != 50.0 {
		t.Error("the sub-district version must not apply elsewhere")
	}
	// A later district-wide version does not override the nearer org's version.
	params["green_monthly_quota"] = 70
	admin.Must(201, "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-02-01", "params": params})
	if quota("BJ-XX-JH-01") != 10.0 || quota("BJ-CH-CH-01") != 70.0 {
		t.Error("the nearest org's version wins; elsewhere the newest district version")
	}
}

func TestPolicies_RefuseImpossibleParametersFieldByField(t *testing.T) {
	srv := webtest.New(t)
	admin := srv.Login("admin")
	params := defaultParams(t, admin)
	params["dibao_monthly_fen"] = -1
	params["relative_multiplier"] = 0
	r := admin.Refused(400, "validation", "POST", "/api/v1/policies", map[string]any{"effective_from": "2026-07-01", "params": params})
	_, _, f := r.Error()
	if f["params.dibao_monthly_fen"] == "" || f["params.relative_multiplier"] == "" {
		t.Fatalf("fields: %v", f)
	}
	admin.Refused(400, "validation", "POST", "/api/v1/policies", map[string]any{"effective_from": "July", "params": defaultParams(t, admin)})
}

func TestPolicies_StoredVersionsCannotBeEditedOrDeleted(t *testing.T) {
	srv := webtest.New(t)
	for _, stmt := range []string{"UPDATE policies SET params = '{}' WHERE id = 1", "DELETE FROM policies WHERE id = 1"} {
		_, err := srv.DB.W.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}
