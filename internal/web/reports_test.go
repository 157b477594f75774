package web_test

import (
	"net/http"
	"testing"

	"bangfu/internal/web/webtest"
)

// TestDashboard_AnswersEachRoleInItsScope: the district's auditor and a community caseworker see their own
// subtree's counts; only the ledger's readers get the money section; the work lists follow the roles.
func TestDashboard_AnswersEachRoleInItsScope(t *testing.T) {
	s := webtest.NewDemo(t)
	type dash struct {
		Households struct {
			Open int `json:"open"`
		} `json:"households"`
		Applications struct {
			Total int `json:"total"`
		} `json:"applications"`
		Money     *struct{}  `json:"money"`
		Campaigns []struct{} `json:"campaigns"`
		Waiting   []struct {
			Key string `json:"key"`
			N   int    `json:"n"`
		} `json:"waiting"`
	}
	get := func(user string) dash {
		var d dash
		s.Login(user).Must(http.StatusOK, "GET", "/api/v1/reports/dashboard", nil).Decode(&d)
		return d
	}
	district, community := get("auditor1"), get("caseworker1")
	if district.Households.Open == 0 || district.Applications.Total == 0 {
		t.Fatalf("the demo district shows no households or applications: %+v", district)
	}
	if community.Households.Open >= district.Households.Open || community.Applications.Total > district.Applications.Total {
		t.Errorf("caseworker1 (one community) sees %+v, no less than the district's %+v", community, district)
	}
	var inScope int
	if err := s.DB.R.Get(&inScope, `SELECT count(*) FROM households WHERE status NOT IN ('exited', 'rejected')
		AND org_path LIKE (SELECT path FROM orgs WHERE code = 'BJ-XX-JH') || '%'`); err != nil {
		t.Fatal(err)
	}
	if community.Households.Open != inScope {
		t.Errorf("caseworker1's open households = %d, the community holds %d", community.Households.Open, inScope)
	}
	if len(district.Campaigns) == 0 {
		t.Error("the demo's campaigns of the year are not on the district's dashboard")
	}
	if district.Money == nil || community.Money != nil {
		t.Errorf("money section: auditor %v, caseworker %v; want only the auditor's", district.Money != nil, community.Money != nil)
	}
	keys := map[string]bool{}
	for _, q := range get("supervisor2").Waiting {
		keys[q.Key] = true
	}
	if !keys["approval"] || !keys["review"] || keys["finance"] || keys["returned"] {
		t.Errorf("supervisor2's work lists = %v, want the supervisor's only", keys)
	}
}

// TestReports_RefuseAnAdminBeforeTheQuery: admin reads no case data (SPEC §1.2); the refusal comes before the
// query is looked at.
func TestReports_RefuseAnAdminBeforeTheQuery(t *testing.T) {
	s := webtest.New(t)
	admin := s.Login("admin")
	admin.Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/dashboard", nil)
	admin.Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/annual?year=abc&format=nope", nil)
	s.Anonymous().Refused(http.StatusUnauthorized, "unauthenticated", "GET", "/api/v1/reports/dashboard", nil)
}

func TestAnnual_RefusesABadYearAndAnswersXLSX(t *testing.T) {
	s := webtest.NewDemo(t)
	sup := s.Login("supervisor2")
	sup.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/annual?year=abc", nil)
	sup.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/annual?year=1999", nil)
	sup.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/annual?year=2026&format=pdf", nil)
	var r struct {
		Year      int   `json:"year"`
		People    int   `json:"people"`
		AmountFen int64 `json:"amount_fen"`
		Aid       []struct {
			Key       string `json:"key"`
			AmountFen int64  `json:"amount_fen"`
		} `json:"aid"`
	}
	sup.Must(http.StatusOK, "GET", "/api/v1/reports/annual?year=2026", nil).Decode(&r)
	var paid int64
	if err := s.DB.R.Get(&paid, `SELECT coalesce(sum(amount_fen), 0) FROM applications WHERE aid_year = 2026
		AND status IN ('disbursed', 'received')`); err != nil {
		t.Fatal(err)
	}
	if r.Year != 2026 || r.AmountFen != paid || paid == 0 {
		t.Errorf("annual 2026: year %d amount %d, the demo paid %d", r.Year, r.AmountFen, paid)
	}
	res := sup.Must(http.StatusOK, "GET", "/api/v1/reports/annual?year=2026&format=xlsx", nil)
	f, rows := openXLSX(t, res.Body)
	defer f.Close()
	if len(rows) < 10 || rows[0][0] != "类别" || rows[0][4] != "金额（元）" {
		t.Fatalf("annual workbook: %d rows, header %v", len(rows), rows[0])
	}
	var events int
	if err := s.DB.R.Get(&events, "SELECT count(*) FROM audit_events WHERE action = 'export' AND entity_id = 'annual'"); err != nil || events != 1 {
		t.Errorf("annual export audited %d times (%v), want once", events, err)
	}
}
