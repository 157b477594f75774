package report_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/report"
	"bangfu/internal/store"
)

// fixtureNow is the clock of the hand-built fixture: the households below were filed either within the year
// (filed) or more than a year ago (review_due).
var fixtureNow = time.Date(2026, 6, 15, 10, 0, 0, 0, clock.China)

// fixture is the demo's orgs and users with a few households and applications written straight into the
// tables, so that every count of the dashboard can be worked out by hand.
type fixture struct {
	db  *store.DB
	svc *report.Service
	as  map[string]actor.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := clock.NewManual(fixtureNow)
	db := demotest.Seed(t, clk)
	f := &fixture{db: db, svc: &report.Service{DB: db, Clock: clk}, as: map[string]actor.Actor{}}
	for _, u := range demo.Users {
		f.as[u.Username] = demotest.Actor(t, db, u.Username)
	}
	return f
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.db.W.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

var seq int

// household writes one household of the grassroots union code; filed is its filing time ("" for none).
func (f *fixture) household(t *testing.T, code, status, suggested, category, created, filed string) int64 {
	t.Helper()
	seq++
	var filedAt any
	if filed != "" {
		filedAt = filed
	}
	res, err := f.db.W.Exec(`INSERT INTO households (file_no, status, org_id, org_path, head_name, gender, id_number,
		id_suffix, birth_date, phone, employer, industry, employment_status, union_member_since, migrant, address,
		bank_card, health, disability, income_wages_fen, income_business_fen, income_property_fen, income_transfer_fen,
		expense_medical_fen, expense_disability_fen, expense_schooling_fen, expense_housing_fen, main_cause,
		secondary_causes, excl_car, excl_homes, excl_shareholder, excl_child_abroad, excl_refused_checks, note,
		suggested_category, category, category_policy_id, per_capita_fen, category_basis, category_override,
		created_by, created_at, updated_at, first_filed_at, filed_at)
		SELECT printf('KN%09d', ?1), ?2, o.id, o.path, '测试户' || ?1, 'male', printf('110101198001%06d', ?1), '0000',
			'1980-01-01', printf('138%08d', ?1), '', 'construction', 'employed', '', 0, '', '', 'healthy', 'none',
			0, 0, 0, 0, 0, 0, 0, 0, 'illness', '', 0, 0, 0, 0, 0, '', ?3, ?4, (SELECT min(id) FROM policies), 0, '', '',
			1, ?5, ?5, ?6, ?6
		FROM orgs o WHERE o.code = ?7`, seq, status, suggested, category, created, filedAt, code)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	f.exec(t, "INSERT INTO household_terms (term, household_id, org_path) SELECT 'n:', id, org_path FROM households WHERE id = ?", id)
	return id
}

// application writes one application of household hh that has not reached the money (no transfer).
func (f *fixture) application(t *testing.T, hh int64, typ, status string, green bool, amount int64, decideBy string) {
	t.Helper()
	seq++
	reason := ""
	if green {
		reason = "accident"
	}
	var submitted any
	if status != "draft" {
		submitted = store.FormatTime(fixtureNow.Add(-time.Hour))
	}
	f.exec(t, `INSERT INTO applications (app_no, type, status, household_id, beneficiary, applicant_name, applicant_id_number,
		org_id, org_path, aid_year, amount_fen, green, green_reason, created_by, created_at, updated_at, submitted_at, decide_by)
		SELECT printf('JZ%09d', ?1), ?2, ?3, h.id, 'h:' || h.id, h.head_name, h.id_number, h.org_id, h.org_path, 2026, ?4, ?5, ?6,
			1, ?7, ?7, ?8, ?9 FROM households h WHERE h.id = ?10`,
		seq, typ, status, amount, green, reason, store.FormatTime(fixtureNow.Add(-2*time.Hour)), submitted, decideBy, hh)
}

const (
	thisYear = "2026-03-01T02:00:00.000000Z"
	lastYear = "2025-03-01T02:00:00.000000Z" // a filing more than a year before fixtureNow: review due
)

// build writes the fixture: in caseworker1's community (BJ-XX-JH) and in caseworker2's (BJ-XX-GH), both under
// supervisor1's sub-district (BJ-XX), and one in the other sub-district (BJ-CH).
func (f *fixture) build(t *testing.T) {
	t.Helper()
	jh1 := f.household(t, "BJ-XX-JH-01", "filed", "deep", "deep", lastYear, thisYear)
	jh2 := f.household(t, "BJ-XX-JH-01", "filed", "relative", "relative", lastYear, lastYear) // review due
	f.household(t, "BJ-XX-JH-02", "draft", "relative", "", thisYear, "")
	f.household(t, "BJ-XX-JH-02", "submitted", "deep", "", thisYear, "")
	f.household(t, "BJ-XX-JH-02", "exited", "deep", "deep", lastYear, lastYear) // not open
	gh1 := f.household(t, "BJ-XX-GH-01", "filed", "accident", "accident", thisYear, thisYear)
	f.household(t, "BJ-XX-GH-01", "publicizing", "deep", "", thisYear, "")
	ch1 := f.household(t, "BJ-CH-CH-01", "filed", "deep", "deep", thisYear, thisYear)
	f.household(t, "BJ-CH-CH-01", "rejected", "ineligible", "", thisYear, "") // not open

	soon := store.FormatTime(fixtureNow.Add(20 * time.Hour))
	past := store.FormatTime(fixtureNow.Add(-time.Hour))
	f.application(t, jh1, "living", "submitted", false, 90000, "")
	f.application(t, jh1, "medical", "submitted", true, 300000, soon)
	f.application(t, jh2, "medical", "first_approved", false, 1200000, "")
	f.application(t, jh2, "condolence", "returned", false, 50000, "")
	f.application(t, gh1, "medical", "submitted", true, 200000, past)
	f.application(t, gh1, "living", "rejected", false, 80000, "")
	f.application(t, gh1, "living", "draft", false, 70000, "") // drafts are not on the dashboard
	f.application(t, ch1, "condolence", "submitted", false, 40000, "")
}

func counts(cs []report.Count) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.Key] = c.N
	}
	return m
}

func rows(rs []report.ApplicationRow) map[string][2]int {
	m := map[string][2]int{}
	for _, r := range rs {
		m[r.Key] = [2]int{r.Green, r.Normal}
	}
	return m
}

func queues(qs []report.Queue) map[string]report.Queue {
	m := map[string]report.Queue{}
	for _, q := range qs {
		m[q.Key] = q
	}
	return m
}

func TestDashboard_CountsTheDistrictByHand(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	d, err := f.svc.Dashboard(context.Background(), f.as["auditor1"])
	if err != nil {
		t.Fatal(err)
	}
	h := d.Households
	if h.Open != 7 {
		t.Errorf("open households = %d, want 7 (9 written, one exited, one rejected)", h.Open)
	}
	wantStatus := map[string]int{"draft": 1, "submitted": 1, "visited": 0, "publicizing": 1, "filed": 3, "review_due": 1}
	if got := counts(h.ByStatus); fmt.Sprint(got) != fmt.Sprint(wantStatus) {
		t.Errorf("by status = %v, want %v", got, wantStatus)
	}
	wantCat := map[string]int{"deep": 2, "relative": 1, "accident": 1, "ineligible": 0, "": 3}
	if got := counts(h.ByCategory); fmt.Sprint(got) != fmt.Sprint(wantCat) {
		t.Errorf("by category = %v, want %v", got, wantCat)
	}
	a := d.Applications
	if a.Year != 2026 || a.Total != 7 || a.Green != 2 {
		t.Errorf("applications: year %d total %d green %d, want 2026, 7, 2", a.Year, a.Total, a.Green)
	}
	wantType := map[string][2]int{"living": {0, 2}, "medical": {2, 1}, "education": {0, 0}, "warmth": {0, 0}, "condolence": {0, 2}}
	if got := rows(a.ByType); fmt.Sprint(got) != fmt.Sprint(wantType) {
		t.Errorf("by type [green normal] = %v, want %v", got, wantType)
	}
	byStatus := rows(a.ByStatus)
	for st, want := range map[string][2]int{"submitted": {2, 2}, "first_approved": {0, 1}, "returned": {0, 1}, "rejected": {0, 1}, "approved": {0, 0}} {
		if byStatus[st] != want {
			t.Errorf("status %s [green normal] = %v, want %v", st, byStatus[st], want)
		}
	}
	for _, r := range a.ByType {
		if r.Key == "medical" && r.AmountFen != 300000+1200000+200000 {
			t.Errorf("medical amount = %d, want 1,700,000 fen", r.AmountFen)
		}
	}
	if d.Money == nil {
		t.Error("an auditor reads the ledger: the money section is missing")
	}
	q := queues(d.Waiting)
	if len(d.Waiting) != 2 || q["review"].N != 0 || q["docs_overdue"].N != 0 {
		t.Errorf("an auditor's work lists = %+v, want review and docs_overdue, both empty", d.Waiting)
	}
}

func TestDashboard_ACommunityCaseworkerSeesOnlyTheirSubtree(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	d, err := f.svc.Dashboard(context.Background(), f.as["caseworker1"]) // BJ-XX-JH
	if err != nil {
		t.Fatal(err)
	}
	if d.Households.Open != 4 {
		t.Errorf("open households = %d, want the community's 4", d.Households.Open)
	}
	wantStatus := map[string]int{"draft": 1, "submitted": 1, "visited": 0, "publicizing": 0, "filed": 1, "review_due": 1}
	if got := counts(d.Households.ByStatus); fmt.Sprint(got) != fmt.Sprint(wantStatus) {
		t.Errorf("by status = %v, want %v", got, wantStatus)
	}
	if d.Applications.Total != 4 || d.Applications.Green != 1 {
		t.Errorf("applications total %d green %d, want the community's 4 and 1", d.Applications.Total, d.Applications.Green)
	}
	if d.Money != nil {
		t.Errorf("a caseworker does not read the ledger, got money %+v", d.Money)
	}
	q := queues(d.Waiting)
	if _, ok := q["approval"]; ok {
		t.Error("a caseworker is shown the approval queue")
	}
	if q["returned"].N != 1 || q["households_draft"].N != 1 || q["households_submitted"].N != 1 {
		t.Errorf("caseworker's work lists = %+v, want 1 returned application, 1 draft and 1 submitted file", d.Waiting)
	}
}

func TestDashboard_TheSupervisorsQueuesHaveTheGreenCountdownsFirst(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	d, err := f.svc.Dashboard(context.Background(), f.as["supervisor1"]) // BJ-XX: both communities
	if err != nil {
		t.Fatal(err)
	}
	q := queues(d.Waiting)
	ap := q["approval"]
	if ap.N != 4 {
		t.Errorf("approval queue = %d, want 4 (3 submitted, 1 first_approved in BJ-XX)", ap.N)
	}
	if len(ap.Countdowns) != 2 {
		t.Fatalf("countdowns = %+v, want the two green cases", ap.Countdowns)
	}
	// The queue's own order: the nearest deadline first, so the overdue case leads.
	if !ap.Countdowns[0].Overdue || ap.Countdowns[1].Overdue {
		t.Errorf("countdowns = %+v, want the overdue case first and the other not overdue", ap.Countdowns)
	}
	if q["households_publicizing"].N != 1 || q["households_review_due"].N != 1 {
		t.Errorf("household work lists = %+v, want 1 in publicity and 1 due for review", d.Waiting)
	}
	if d.Money == nil {
		t.Error("a supervisor reads the fund-use summary: the money section is missing")
	}
}

func TestDashboard_RefusesAnAdmin(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Dashboard(context.Background(), f.as["admin"])
	if apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("admin: %v, want forbidden", err)
	}
	_, err = f.svc.Annual(context.Background(), f.as["admin"], report.AnnualFilter{Year: 2026})
	if apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("admin, annual: %v, want forbidden", err)
	}
}

func TestAnnual_CountsSurveyAndFilingByCategory(t *testing.T) {
	f := newFixture(t)
	f.build(t)
	r, err := f.svc.Annual(context.Background(), f.as["supervisor2"], report.AnnualFilter{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	// Registered in 2026: JH-02 draft (relative), JH-02 submitted (deep), GH-01 filed (accident), GH-01
	// publicizing (deep), CH-01 filed (deep), CH-01 rejected (ineligible). Filed in 2026: jh1 (deep), gh1
	// (accident), ch1 (deep).
	want := map[string][2]int{"deep": {3, 2}, "relative": {1, 0}, "accident": {1, 1}, "ineligible": {1, 0}}
	for _, c := range r.Categories {
		if got := [2]int{c.Surveyed, c.Filed}; got != want[c.Key] {
			t.Errorf("%s [surveyed filed] = %v, want %v", c.Key, got, want[c.Key])
		}
	}
	if r.Surveyed != 6 || r.Filed != 3 {
		t.Errorf("surveyed %d filed %d, want 6 and 3", r.Surveyed, r.Filed)
	}
	if r.GreenReport.Green.Submitted != 2 || r.GreenReport.Normal.Submitted != 5 {
		t.Errorf("green-channel report: %d green, %d normal submitted, want 2 and 5", r.GreenReport.Green.Submitted, r.GreenReport.Normal.Submitted)
	}
	if _, err := f.svc.Annual(context.Background(), f.as["supervisor2"], report.AnnualFilter{Year: 2031}); apperr.CodeOf(err) != apperr.Validation {
		t.Errorf("a year to come: %v, want validation", err)
	}
}
