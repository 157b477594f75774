package campaign_test

import (
	"testing"

	"bangfu/internal/apperr"
	"bangfu/internal/campaign"
)

// Coverage counts what reached the reader's scope: the district sees both caseworkers' sites, a caseworker
// only its own; the confirmed and unconfirmed deliveries and the goods' value follow.
func TestCoverage_CountsTheReadersScope(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 100, 300_000)
	in := f.delivery(g, 10) // a rest station, 40 workers, ¥300
	d, err := f.svc.Deliver(f.ctx, f.cw, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: d.Code}, "r1", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	in = f.delivery(g, 5)
	in.SiteKind, in.SiteOrgID, in.Workers = "org", f.otherSite, 10
	if _, err := f.svc.Deliver(f.ctx, f.cw2, c.ID, in); err != nil {
		t.Fatal(err)
	}
	h := f.health(10_000_000, 20)
	e := worker(1)
	e.OrgID = f.site
	en, err := f.svc.Enrol(f.ctx, f.cw, h.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ActOnEnrolment(f.ctx, f.cw, en.ID, campaign.ActCheck, campaign.EnrolmentAction{Date: "2026-07-14"}); err != nil {
		t.Fatal(err)
	}

	byID := func(p campaign.CoveragePage, id int64) campaign.Coverage {
		t.Helper()
		for _, c := range p.Items {
			if c.ID == id {
				return c
			}
		}
		t.Fatalf("campaign %d not in the coverage", id)
		return campaign.Coverage{}
	}
	all, err := f.svc.Coverage(f.ctx, f.auditor, campaign.Filter{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	got := byID(all, c.ID)
	if got.Deliveries != 2 || got.Confirmed != 1 || got.Unconfirmed != 1 || got.Sites != 2 || got.RestStations != 1 ||
		got.WorkersCovered != 50 || got.DeliveredValueFen != 45_000 || got.UnionsReached != 1 || got.UnionsPlanned < 2 {
		t.Errorf("district coverage of the cooling campaign: %+v", got)
	}
	if len(got.Goods) != 1 || got.Goods[0].Quantity != 15 || got.Goods[0].ValueFen != 45_000 {
		t.Errorf("goods delivered: %+v", got.Goods)
	}
	hc := byID(all, h.ID)
	if hc.Quota != 20 || hc.Enrolled != 1 || hc.Checked != 1 || hc.UnionsPlanned != 1 || hc.UnionsReached != 1 || hc.ChecksCostFen != 30_000 {
		t.Errorf("district coverage of the health check: %+v", hc)
	}
	if all.Totals.DeliveredValueFen != 45_000 || all.Totals.Checked != 1 {
		t.Errorf("totals: %+v", all.Totals)
	}

	mine, err := f.svc.Coverage(f.ctx, f.cw2, campaign.Filter{Kind: campaign.Cooling})
	if err != nil {
		t.Fatal(err)
	}
	got = byID(mine, c.ID)
	if got.Deliveries != 1 || got.Confirmed != 0 || got.Unconfirmed != 1 || got.WorkersCovered != 10 || got.DeliveredValueFen != 15_000 {
		t.Errorf("caseworker2's coverage counts another scope: %+v", got)
	}
	if len(mine.Items) != mine.Total || mine.Total != 1 {
		t.Errorf("kind filter: %d items of %d", len(mine.Items), mine.Total)
	}
	none, _ := f.svc.Coverage(f.ctx, f.auditor, campaign.Filter{Year: 2025})
	if none.Total != 0 {
		t.Errorf("year 2025: %d campaigns", none.Total)
	}
}

func TestCoverage_RefusesAdminAndABadFilter(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Coverage(f.ctx, f.admin, campaign.Filter{})
	wantCode(t, err, apperr.Forbidden)
	_, err = f.svc.Coverage(f.ctx, f.auditor, campaign.Filter{Kind: "picnic"})
	wantCode(t, err, apperr.Validation)
	_, err = f.svc.Coverage(f.ctx, f.auditor, campaign.Filter{Year: 99})
	wantCode(t, err, apperr.Validation)
}
