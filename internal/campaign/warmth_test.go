package campaign_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/apperr"
	"bangfu/internal/auth"
	"bangfu/internal/campaign"
	"bangfu/internal/demo"
	"bangfu/internal/relief"
)

// warmth is an open warmth campaign of the district over the demo households.
func (f *fixture) warmth() campaign.View {
	f.t.Helper()
	if err := demo.Households(f.ctx, f.svc.DB, &auth.Service{DB: f.svc.DB, Clock: f.clk, BcryptCost: bcrypt.MinCost}); err != nil {
		f.t.Fatal(err)
	}
	line := f.line("warmth", 10_000_000)
	c, err := f.svc.Create(f.ctx, f.fin, campaign.New{Kind: campaign.Warmth, Name: "2026年送温暖", StartsOn: "2026-07-01",
		EndsOn: "2026-12-31", BudgetAccountID: line.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	v, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActOpen, campaign.ActionInput{})
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// filedFileNos are file numbers of caseworker1's filed households of category.
func (f *fixture) filedFileNos(category string) []string {
	f.t.Helper()
	var out []string
	if err := f.svc.DB.R.Select(&out, `SELECT file_no FROM households WHERE status = 'filed' AND category = ? AND org_path LIKE ?
		ORDER BY file_no`, category, f.cw.OrgPath+"%"); err != nil {
		f.t.Fatal(err)
	}
	if len(out) < 2 {
		f.t.Fatalf("%d filed %s households in caseworker1's scope", len(out), category)
	}
	return out
}

// SPEC §5 and §4.1: the list from a filter creates one submitted warmth application per filed household in
// scope through the relief area; a second run changes nothing; a household that had warmth aid this year is
// refused with the relief rule's reason; holiday-duty workers join by name; the bulk approval decides them.
func TestApplyWarmth_CreatesOneApplicationPerHouseholdOnceAndKeepsEveryReliefRule(t *testing.T) {
	f := newFixture(t)
	c := f.warmth()
	nos := f.filedFileNos("relative")

	// One household already had its warmth aid this year, outside the campaign.
	var hid int64
	if err := f.svc.DB.R.Get(&hid, "SELECT id FROM households WHERE file_no = ?", nos[0]); err != nil {
		t.Fatal(err)
	}
	rs := &relief.Service{DB: f.svc.DB, Clock: f.clk}
	prior, err := rs.Create(f.ctx, f.cw, relief.Input{Type: relief.Warmth, HouseholdID: hid, Purpose: "端午慰问"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Act(f.ctx, f.cw, prior.ID, relief.ActSubmit, relief.ActionInput{}); err != nil {
		t.Fatal(err)
	}

	run, err := f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{Category: "relative",
		Workers: []campaign.WarmthWorker{
			{Name: "坚守一", IDNumber: demo.ResidentID("330108", f.clk.Now().AddDate(-40, 0, 0), 901, true), OrgID: f.site, DutyNote: "春节坚守供水岗位"},
			{Name: "坚守二", IDNumber: "330108198001011234", OrgID: f.site, DutyNote: "春节值守"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if run.Total != len(nos)+2 || run.Created != len(nos) || run.Refused != 2 || run.Existed != 0 {
		t.Fatalf("first run: %d items, %d created, %d refused, %d existed; want %d, %d, 2, 0", run.Total, run.Created, run.Refused,
			run.Existed, len(nos)+2, len(nos))
	}
	var ids []int64
	for _, it := range run.Items {
		switch {
		case it.Ref == nos[0]:
			if it.Result != campaign.WarmthRefused || it.Code != apperr.Conflict || !strings.Contains(it.Message, "每户每年一次") && !strings.Contains(it.Message, "不能重复申请") {
				t.Errorf("the household paid this year: %+v", it)
			}
		case it.Name == "坚*二":
			if it.Result != campaign.WarmthRefused || it.Code != apperr.Validation || it.Message == "" {
				t.Errorf("a worker with a wrong ID number: %+v", it)
			}
		default:
			if it.Result != campaign.WarmthCreated || it.AppStatus != "submitted" || it.AppNo == "" {
				t.Errorf("item %+v", it)
			}
			ids = append(ids, it.ApplicationID)
		}
	}

	// A second run changes nothing and writes nothing.
	events := f.auditCount()
	again, err := f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{Category: "relative"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Existed != len(nos)-1 || again.Refused != 1 {
		t.Errorf("second run: %d created, %d existed, %d refused", again.Created, again.Existed, again.Refused)
	}
	if n := f.auditCount(); n != events {
		t.Errorf("the second run wrote %d audit events", n-events)
	}

	// The supervisors decide them with the existing bulk approval.
	bulk, err := rs.ApproveMany(f.ctx, f.sup, relief.BulkApproval{IDs: ids, Reason: "送温暖名单审核通过"})
	if err != nil {
		t.Fatal(err)
	}
	if bulk.Approved != len(ids) {
		t.Errorf("bulk approval: %+v", bulk)
	}
	list, err := f.svc.WarmthList(f.ctx, f.auditor, c.ID, campaign.WarmthFilter{Status: "approved"})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != len(ids) {
		t.Errorf("approved on the list: %d, want %d", list.Total, len(ids))
	}
	cov, err := f.svc.Coverage(f.ctx, f.auditor, campaign.Filter{Kind: campaign.Warmth})
	if err != nil {
		t.Fatal(err)
	}
	if len(cov.Items) != 1 || cov.Items[0].Households != int64(len(ids)) || cov.Items[0].Approved != int64(len(ids)) {
		t.Errorf("warmth coverage: %+v", cov.Items)
	}
	f.books()
}

func TestApplyWarmth_Refusals(t *testing.T) {
	f := newFixture(t)
	c := f.warmth()
	_, err := f.svc.ApplyWarmth(f.ctx, f.fin, c.ID, campaign.WarmthInput{Category: "nonsense"})
	wantCode(t, err, apperr.Forbidden) // who before what
	_, err = f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{Category: "nonsense"})
	wantCode(t, err, apperr.Validation)
	_, err = f.svc.ApplyWarmth(f.ctx, f.cw, 9999, campaign.WarmthInput{})
	wantCode(t, err, apperr.NotFound)
	// A pasted file number of another caseworker's scope is refused as an item, not the run.
	var other string
	if err := f.svc.DB.R.Get(&other, "SELECT file_no FROM households WHERE org_path LIKE ? LIMIT 1", f.cw2.OrgPath+"%"); err != nil {
		t.Fatal(err)
	}
	run, err := f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{FileNos: []string{other, f.filedFileNos("relative")[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if run.Refused != 1 || run.Created != 1 || run.Items[0].Code != apperr.NotFound {
		t.Errorf("pasted list: %+v", run)
	}
	h := f.health(1_000_000, 5)
	_, err = f.svc.ApplyWarmth(f.ctx, f.cw, h.ID, campaign.WarmthInput{})
	wantCode(t, err, apperr.Conflict) // not a warmth campaign
	if _, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActClose, campaign.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{})
	wantCode(t, err, apperr.Conflict)
	f.books()
}

// Two caseworkers' browsers send the same list at once: each worker gets one application, whichever run
// reaches them first, and the books agree.
func TestApplyWarmth_TwoRacingRunsCreateEachApplicationOnce(t *testing.T) {
	f := newFixture(t)
	line := f.line("warmth", 10_000_000)
	c, err := f.svc.Create(f.ctx, f.fin, campaign.New{Kind: campaign.Warmth, Name: "2026年送温暖", StartsOn: "2026-07-01",
		EndsOn: "2026-12-31", BudgetAccountID: line.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActOpen, campaign.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	var in campaign.WarmthInput
	for i := range 20 {
		in.Workers = append(in.Workers, campaign.WarmthWorker{Name: "坚守" + string(rune('甲'+i)), IDNumber: worker(i).IDNumber, OrgID: f.site, DutyNote: "春节值守"})
	}
	runs := make([]campaign.WarmthRun, 4)
	var wg sync.WaitGroup
	for k := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, in)
			if err != nil {
				t.Error(err)
			}
			runs[k] = r
		}()
	}
	wg.Wait()
	created, existed := 0, 0
	for _, r := range runs {
		created, existed = created+r.Created, existed+r.Existed
	}
	var apps int
	if err := f.svc.DB.R.Get(&apps, "SELECT count(*) FROM applications WHERE type = 'warmth'"); err != nil {
		t.Fatal(err)
	}
	if created != 20 || existed != 60 || apps != 20 {
		t.Errorf("%d created, %d existed, %d applications; want 20, 60, 20", created, existed, apps)
	}
	f.books()
}

// SPEC §5: a supervisor decides the list in bulk while the campaign runs, each item by the relief rules; once
// the campaign is closed the list is no longer decided there (its figures are final), and no action offers it.
func TestApproveWarmth_DecidesTheListWhileTheCampaignRunsAndNotOnceItIsClosed(t *testing.T) {
	f := newFixture(t)
	c := f.warmth()
	nos := f.filedFileNos("relative")
	if _, err := f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{FileNos: nos[:1]}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.ApproveWarmth(f.ctx, f.cw, c.ID, campaign.WarmthApproval{Reason: strings.Repeat("长", 501)})
	wantCode(t, err, apperr.Forbidden) // who before what
	_, err = f.svc.ApproveWarmth(f.ctx, f.sup, c.ID, campaign.WarmthApproval{Reason: strings.Repeat("长", 501)})
	wantCode(t, err, apperr.Validation)
	if v, err := f.svc.Get(f.ctx, f.sup, c.ID); err != nil || !slices.Contains(v.Actions, campaign.ActApproveWarmth) {
		t.Fatalf("a running campaign's actions for a supervisor: %v %v", v.Actions, err)
	}
	bulk, err := f.svc.ApproveWarmth(f.ctx, f.sup, c.ID, campaign.WarmthApproval{Reason: "名单审核通过"})
	if err != nil || bulk.Total != 1 || bulk.Approved != 1 {
		t.Fatalf("approval while open: %+v %v", bulk, err)
	}
	_, err = f.svc.ApproveWarmth(f.ctx, f.sup, c.ID, campaign.WarmthApproval{})
	wantCode(t, err, apperr.Conflict) // nothing left to decide

	// A second household joins the list, then finance closes the campaign.
	if _, err := f.svc.ApplyWarmth(f.ctx, f.cw, c.ID, campaign.WarmthInput{FileNos: nos[1:2]}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActClose, campaign.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	events := f.auditCount()
	_, err = f.svc.ApproveWarmth(f.ctx, f.sup, c.ID, campaign.WarmthApproval{Reason: "补批"})
	wantCode(t, err, apperr.Conflict)
	if !strings.Contains(apperr.From(err).Message, "活动已结束") {
		t.Errorf("refusal %q does not say the campaign is closed", apperr.From(err).Message)
	}
	if n := f.auditCount(); n != events {
		t.Errorf("the refused approval wrote %d audit events", n-events)
	}
	list, err := f.svc.WarmthList(f.ctx, f.auditor, c.ID, campaign.WarmthFilter{Status: "submitted"})
	if err != nil || list.Total != 1 {
		t.Errorf("after the refusal, submitted on the list: %d %v, want 1", list.Total, err)
	}
	if v, err := f.svc.Get(f.ctx, f.sup, c.ID); err != nil || slices.Contains(v.Actions, campaign.ActApproveWarmth) {
		t.Errorf("a closed campaign still offers its bulk approval: %v %v", v.Actions, err)
	}
	f.books()
}
