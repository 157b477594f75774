package campaign_test

import (
	"testing"
	"time"

	"bangfu/internal/apperr"
	"bangfu/internal/campaign"
	"bangfu/internal/demo"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
)

// health is an open health-check campaign (¥300 a check) with a quota of quota for f.site.
func (f *fixture) health(budgetFen money.Fen, quota int64) campaign.View {
	f.t.Helper()
	line := f.line("health_check", budgetFen)
	c, err := f.svc.Create(f.ctx, f.fin, campaign.New{Kind: campaign.HealthCheck, Name: "2026年职工免费体检", StartsOn: "2026-07-01",
		EndsOn: "2026-11-30", BudgetAccountID: line.ID, Provider: "滨江区人民医院体检中心", PriceFen: 30000})
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActOpen, campaign.ActionInput{})
	wantCode(f.t, err, apperr.Conflict) // no quotas yet
	var in campaign.QuotaInput
	in.Quotas = append(in.Quotas, struct {
		OrgID int64 `json:"org_id"`
		Quota int64 `json:"quota"`
	}{f.site, quota})
	if _, err := f.svc.SetQuotas(f.ctx, f.fin, c.ID, in); err != nil {
		f.t.Fatal(err)
	}
	v, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActOpen, campaign.ActionInput{})
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

func worker(i int) campaign.NewEnrolment {
	birth := time.Date(1970+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	return campaign.NewEnrolment{Name: "职工", IDNumber: demo.ResidentID("330108", birth, i, i%2 == 0), Migrant: i%3 == 0}
}

// SPEC §5: the quota per union cannot be exceeded, also under concurrent enrolments — 50 race for 20.
func TestEnrol_FiftyRacingEnrolmentsForAQuotaOfTwentyEnrolExactlyTwenty(t *testing.T) {
	f := newFixture(t)
	c := f.health(10_000_000, 20)
	ok, refused := race(t, 50, "enrol", func(i int) error {
		in := worker(i)
		in.OrgID = f.site
		_, err := f.svc.Enrol(f.ctx, f.cw, c.ID, in)
		return err
	})
	if ok != 20 || refused != 30 {
		t.Fatalf("%d enrolled, %d refused; want 20 and 30", ok, refused)
	}
	f.books()
}

// A worker is enrolled once per campaign; the ID is checked with its check digit; the cost is posted when
// checked; enrolled → checked → report_delivered, or withdrawn.
func TestEnrol_OnceCheckDigitAndTheCostWhenChecked(t *testing.T) {
	f := newFixture(t)
	c := f.health(10_000_000, 5)
	in := worker(1)
	in.OrgID = f.site
	e, err := f.svc.Enrol(f.ctx, f.cw, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Enrol(f.ctx, f.cw, c.ID, in)
	wantCode(t, err, apperr.Conflict)
	bad := worker(2)
	bad.OrgID, bad.IDNumber = f.site, bad.IDNumber[:17]+"0"
	if bad.IDNumber == worker(2).IDNumber {
		bad.IDNumber = bad.IDNumber[:17] + "1"
	}
	_, err = f.svc.Enrol(f.ctx, f.cw, c.ID, bad)
	wantCode(t, err, apperr.Validation)
	other := worker(3)
	other.OrgID = f.otherSite
	_, err = f.svc.Enrol(f.ctx, f.cw, c.ID, other)
	wantCode(t, err, apperr.Validation)

	_, err = f.svc.ActOnEnrolment(f.ctx, f.cw, e.ID, campaign.ActReport, campaign.EnrolmentAction{Date: "2026-07-14"})
	wantCode(t, err, apperr.Conflict)
	e, err = f.svc.ActOnEnrolment(f.ctx, f.cw, e.ID, campaign.ActCheck, campaign.EnrolmentAction{Date: "2026-07-14"})
	if err != nil || e.Status != campaign.Checked {
		t.Fatalf("check: %v", err)
	}
	line, _ := ledger.GetAccount(f.ctx, f.svc.DB.R, c.BudgetAccountID)
	if line.Balance().Available != 10_000_000-30000 {
		t.Errorf("line after a check: %d", line.Balance().Available)
	}
	_, err = f.svc.ActOnEnrolment(f.ctx, f.cw, e.ID, campaign.ActWithdraw, campaign.EnrolmentAction{Reason: "x"})
	wantCode(t, err, apperr.Conflict)
	if e, err = f.svc.ActOnEnrolment(f.ctx, f.cw, e.ID, campaign.ActReport, campaign.EnrolmentAction{Date: "2026-07-14"}); err != nil || e.Status != campaign.ReportDelivered {
		t.Fatalf("report: %v", err)
	}
	// A withdrawn worker frees the place and may enrol again.
	w := worker(4)
	w.OrgID = f.site
	e2, _ := f.svc.Enrol(f.ctx, f.cw, c.ID, w)
	if _, err := f.svc.ActOnEnrolment(f.ctx, f.cw, e2.ID, campaign.ActWithdraw, campaign.EnrolmentAction{Reason: "调离本单位"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Enrol(f.ctx, f.cw, c.ID, w); err != nil {
		t.Fatalf("enrol again after withdrawal: %v", err)
	}
	v, _ := f.svc.Get(f.ctx, f.sup, c.ID)
	if v.Figures.Enrolled != 2 || v.Figures.Checked != 1 || v.Figures.ReportsDelivered != 1 || v.Figures.Withdrawn != 1 || v.Figures.SpentFen != 30000 {
		t.Errorf("figures: %+v", v.Figures)
	}
	f.books()
}

// The quotas sum within the budget: the checks still to come at the price fit what the line has.
func TestSetQuotas_StayWithinTheBudget(t *testing.T) {
	f := newFixture(t)
	c := f.health(30000*20, 20)
	var in campaign.QuotaInput
	in.Quotas = append(in.Quotas, struct {
		OrgID int64 `json:"org_id"`
		Quota int64 `json:"quota"`
	}{f.otherSite, 1})
	_, err := f.svc.SetQuotas(f.ctx, f.fin, c.ID, in)
	wantCode(t, err, apperr.Conflict)
}
