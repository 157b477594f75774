package web_test

import (
	"net/http"
	"testing"

	"bangfu/internal/web/webtest"
)

// TestBind_ATypeErrorNamesTheJSONField (issue 15 item 6): a wrong type names the field as the JSON has it,
// also when the Go struct keeps it in an embedded struct (household.Input embeds Fields) or in a list.
func TestBind_ATypeErrorNamesTheJSONField(t *testing.T) {
	srv := webtest.New(t)
	cw := srv.Login("caseworker1")
	for _, tc := range []struct {
		change func(map[string]any)
		field  string
	}{
		{func(b map[string]any) { b["org_id"] = "江南建设" }, "org_id"},
		{func(b map[string]any) { b["income_wages_fen"] = "很多" }, "income_wages_fen"},
		{func(b map[string]any) { b["migrant"] = "是" }, "migrant"},
		{func(b map[string]any) {
			b["members"] = []map[string]any{{"name": "李秀英", "monthly_income_fen": "零"}}
		}, "members.monthly_income_fen"},
	} {
		body := household(srv, 1)
		tc.change(body)
		r := cw.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/households", body)
		_, msg, fields := r.Error()
		if len(fields) != 1 || fields[tc.field] == "" {
			t.Errorf("want field %s, got %v (%s)", tc.field, fields, msg)
		}
	}
	// A top-level field of a struct without embedding is unchanged.
	fin := srv.Login("finance1")
	r := fin.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/funds", map[string]any{"kind": "fund", "org_id": "一"})
	if _, _, fields := r.Error(); fields["org_id"] == "" {
		t.Errorf("funds: %v", fields)
	}
}
