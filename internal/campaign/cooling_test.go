package campaign_test

import (
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/campaign"
	"bangfu/internal/ledger"
)

// SPEC §5, §6: a purchase posts its cost from the budget line and books its goods into stock, together.
func TestBuy_PostsTheCostAndBooksTheGoodsIntoStock(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	p := f.buy(c, g, 100, 280_000)
	line, _ := ledger.GetAccount(f.ctx, f.svc.DB.R, c.BudgetAccountID)
	if got := line.Balance().Available; got != 1_000_000-280_000 {
		t.Errorf("line available %d, want %d", got, 1_000_000-280_000)
	}
	if gs := f.goods(c.ID); gs[0].StockQty != 100 || gs[0].PurchasedQty != 100 {
		t.Errorf("good after purchase: %+v", gs[0])
	}
	money, _ := ledger.GetTransfer(f.ctx, f.svc.DB.R, p.MoneyTransferID)
	goods, _ := ledger.GetTransfer(f.ctx, f.svc.DB.R, p.GoodsTransferID)
	if money.Unit != "CNY" || money.Amount != 280_000 || goods.Unit != "箱" || goods.Amount != 100 || money.State != ledger.Posted {
		t.Errorf("transfers: %+v / %+v", money, goods)
	}
	f.books()
}

// An invoice of a supplier is booked once; a purchase beyond the budget is an overspend; neither is audited.
func TestBuy_RefusesAnInvoiceTwiceAndAnOverspend(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(300_000)
	p := f.buy(c, g, 10, 30_000)
	n := f.auditCount()
	in := campaign.NewPurchase{GoodID: g.ID, Supplier: p.Supplier, InvoiceNo: p.InvoiceNo, Quantity: 1, CostFen: 100, PurchasedOn: "2026-07-10"}
	_, err := f.svc.Buy(f.ctx, f.fin, c.ID, in)
	wantCode(t, err, apperr.Conflict)
	in.InvoiceNo, in.CostFen = "FP-NEW", 300_000
	_, err = f.svc.Buy(f.ctx, f.fin, c.ID, in)
	wantCode(t, err, apperr.Conflict)
	if apperr.From(err).Fields["cost_fen"] == "" {
		t.Errorf("overspend names no cost_fen: %v", err)
	}
	if f.auditCount() != n {
		t.Errorf("a refusal wrote audit events")
	}
}

// SPEC §5: stock can never go negative under any interleaving — 50 deliveries race for 20 cases of one
// each: exactly 20 succeed, stock ends at 0, and the books and the audit chain verify.
func TestDeliver_FiftyRacingDeliveriesAgainstStockForTwentyDeliverExactlyTwenty(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 20, 60_000)
	ok, refused := race(t, 50, "delivery", func(int) error {
		_, err := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 1))
		return err
	})
	if ok != 20 || refused != 30 {
		t.Fatalf("%d delivered, %d refused; want 20 and 30", ok, refused)
	}
	if gs := f.goods(c.ID); gs[0].StockQty != 0 || gs[0].DeliveredQty != 20 {
		t.Errorf("good after the race: %+v", gs[0])
	}
	f.books()
}

// A delivery above the stock is a conflict naming the item; a closed campaign records nothing.
func TestDeliver_RefusesMoreThanTheStockAndAClosedCampaign(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 5, 15_000)
	n := f.auditCount()
	_, err := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 6))
	wantCode(t, err, apperr.Conflict)
	if apperr.From(err).Fields["items[0].quantity"] == "" {
		t.Errorf("no field for the item: %v", err)
	}
	if f.auditCount() != n {
		t.Errorf("a refusal wrote audit events")
	}
	if _, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActClose, campaign.ActionInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 1))
	wantCode(t, err, apperr.Conflict)
	_, err = f.svc.Buy(f.ctx, f.fin, c.ID, campaign.NewPurchase{GoodID: g.ID, Supplier: "x", InvoiceNo: "y", Quantity: 1, CostFen: 1, PurchasedOn: "2026-07-10"})
	wantCode(t, err, apperr.Conflict)
}

// SPEC §5: the receiver confirms with a one-time code without an account: single use, valid 7 days, audited.
func TestConfirmByCode_IsSingleUseExpiresAndIsAudited(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 10, 30_000)
	d, err := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 2))
	if err != nil {
		t.Fatal(err)
	}
	if d.Code == "" || d.Status != campaign.Unconfirmed {
		t.Fatalf("delivery: %+v", d)
	}
	r, err := f.svc.LookUpCode(f.ctx, campaign.CodeInput{Code: d.Code})
	if err != nil || r.DeliveryNo != d.DeliveryNo || r.ReceiverName == "张建华" {
		t.Fatalf("look-up: %+v %v (the name must be masked)", r, err)
	}
	lower := []byte(d.Code)
	for i := range lower {
		if lower[i] >= 'A' && lower[i] <= 'Z' {
			lower[i] += 'a' - 'A'
		}
	}
	if _, err := f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: " " + string(lower) + " "}, "req-1", "10.0.0.9"); err != nil {
		t.Fatalf("confirm typed in lower case: %v", err)
	}
	_, err = f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: d.Code}, "req-2", "10.0.0.9")
	wantCode(t, err, apperr.NotFound)
	var n int
	f.svc.DB.R.Get(&n, "SELECT count(*) FROM audit_events WHERE action = 'campaign.confirm_by_code' AND client_addr = '10.0.0.9'")
	if n != 1 {
		t.Errorf("%d confirmation events, want 1", n)
	}
	got, _ := f.svc.Delivery(f.ctx, f.cw, d.ID)
	if got.Status != campaign.Confirmed || got.ConfirmMethod != "code" {
		t.Errorf("after confirmation: %+v", got)
	}

	d2, _ := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 1))
	f.clk.Advance(campaign.CodeValidity + time.Minute)
	_, err = f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: d2.Code}, "req-3", "10.0.0.9")
	wantCode(t, err, apperr.Conflict)
	// A new code replaces the expired one, and the old one stops working.
	re, err := f.svc.ActOnDelivery(f.ctx, f.cw, d2.ID, campaign.ActReissueCode, campaign.DeliveryAction{})
	if err != nil || re.Code == "" {
		t.Fatalf("reissue: %v", err)
	}
	_, err = f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: d2.Code}, "req-4", "10.0.0.9")
	wantCode(t, err, apperr.NotFound)
	if _, err := f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: re.Code}, "req-5", "10.0.0.9"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ConfirmByCode(f.ctx, campaign.CodeInput{Code: "short"}, "req-6", "10.0.0.9")
	wantCode(t, err, apperr.Validation)
	f.books()
}

// A correction is a reversing entry with a reason: the goods go back into stock and the delivery stays.
func TestReverseDelivery_PutsTheGoodsBackAndKeepsTheRecord(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 10, 30_000)
	d, _ := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 4))
	_, err := f.svc.ActOnDelivery(f.ctx, f.fin, d.ID, campaign.ActReverseDelivery, campaign.DeliveryAction{})
	wantCode(t, err, apperr.Validation)
	_, err = f.svc.ActOnDelivery(f.ctx, f.cw, d.ID, campaign.ActReverseDelivery, campaign.DeliveryAction{Reason: "x"})
	wantCode(t, err, apperr.Forbidden)
	out, err := f.svc.ActOnDelivery(f.ctx, f.fin, d.ID, campaign.ActReverseDelivery, campaign.DeliveryAction{Reason: "重复登记"})
	if err != nil || out.Status != campaign.Reversed {
		t.Fatalf("reverse: %+v %v", out, err)
	}
	if gs := f.goods(c.ID); gs[0].StockQty != 10 || gs[0].DeliveredQty != 0 {
		t.Errorf("after reversal: %+v", gs[0])
	}
	_, err = f.svc.ActOnDelivery(f.ctx, f.fin, d.ID, campaign.ActReverseDelivery, campaign.DeliveryAction{Reason: "again"})
	wantCode(t, err, apperr.Conflict)
	f.books()
}

// A purchase whose goods were delivered cannot be reversed; one still in stock can, once.
func TestReversePurchase_OnlyWhatIsStillInStock(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	p := f.buy(c, g, 5, 15_000)
	f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 1))
	_, err := f.svc.ReversePurchase(f.ctx, f.fin, p.ID, campaign.Reverse{Reason: "发票作废"})
	wantCode(t, err, apperr.Conflict)
	p2 := f.buy(c, g, 5, 15_000)
	if _, err := f.svc.ReversePurchase(f.ctx, f.fin, p2.ID, campaign.Reverse{Reason: "发票作废"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ReversePurchase(f.ctx, f.fin, p2.ID, campaign.Reverse{Reason: "again"})
	wantCode(t, err, apperr.Conflict)
	line, _ := ledger.GetAccount(f.ctx, f.svc.DB.R, c.BudgetAccountID)
	if line.Balance().Available != 1_000_000-15_000 {
		t.Errorf("line available %d", line.Balance().Available)
	}
	f.books()
}

// Who before what: a role that may not act is refused 403 whatever it sends; admin reads nothing.
func TestService_RoleIsCheckedBeforeTheInput(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	cases := []struct {
		name string
		call func() error
	}{
		{"create by a caseworker", func() error { _, err := f.svc.Create(f.ctx, f.cw, campaign.New{}); return err }},
		{"buy by a caseworker", func() error { _, err := f.svc.Buy(f.ctx, f.cw, c.ID, campaign.NewPurchase{}); return err }},
		{"good by a supervisor", func() error { _, err := f.svc.AddGood(f.ctx, f.sup, c.ID, campaign.NewGood{}); return err }},
		{"deliver by finance", func() error { _, err := f.svc.Deliver(f.ctx, f.fin, c.ID, campaign.NewDelivery{}); return err }},
		{"deliver by an auditor", func() error { _, err := f.svc.Deliver(f.ctx, f.auditor, 999, campaign.NewDelivery{}); return err }},
		{"close by a caseworker", func() error {
			_, err := f.svc.Act(f.ctx, f.cw, c.ID, campaign.ActClose, campaign.ActionInput{})
			return err
		}},
		{"enrol by finance", func() error { _, err := f.svc.Enrol(f.ctx, f.fin, c.ID, campaign.NewEnrolment{}); return err }},
		{"quota by a caseworker", func() error { _, err := f.svc.SetQuotas(f.ctx, f.cw, c.ID, campaign.QuotaInput{}); return err }},
		{"list by admin", func() error { _, err := f.svc.List(f.ctx, f.admin, campaign.Filter{}); return err }},
		{"goods by admin", func() error { _, err := f.svc.Goods(f.ctx, f.admin, c.ID); return err }},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) { wantCode(t, k.call(), apperr.Forbidden) })
	}
	for _, a := range []actor.Actor{f.cw, f.cw2, f.sup, f.fin, f.auditor} {
		if _, err := f.svc.Get(f.ctx, a, c.ID); err != nil {
			t.Errorf("%s reads the district campaign: %v", a.Username, err)
		}
	}
	_ = g
}

// A caseworker records deliveries to a union in their own scope only, and sees only their scope's deliveries.
func TestDeliver_ScopeOfTheSite(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 10, 30_000)
	in := f.delivery(g, 1)
	in.SiteKind, in.SiteOrgID = "org", f.otherSite
	_, err := f.svc.Deliver(f.ctx, f.cw, c.ID, in)
	wantCode(t, err, apperr.Validation)
	in.SiteOrgID = f.site
	if _, err := f.svc.Deliver(f.ctx, f.cw, c.ID, in); err != nil {
		t.Fatal(err)
	}
	page, _ := f.svc.Deliveries(f.ctx, f.cw2, c.ID, campaign.DeliveryFilter{})
	if page.Total != 0 {
		t.Errorf("caseworker2 sees %d deliveries of caseworker1's scope", page.Total)
	}
	page, _ = f.svc.Deliveries(f.ctx, f.auditor, c.ID, campaign.DeliveryFilter{})
	if page.Total != 1 {
		t.Errorf("the district auditor sees %d deliveries, want 1", page.Total)
	}
}

// 专款专用: a campaign draws on a line of its own kind and year only.
func TestCreate_RefusesABudgetLineOfAnotherKind(t *testing.T) {
	f := newFixture(t)
	warmth := f.line("warmth", 100_000)
	_, err := f.svc.Create(f.ctx, f.fin, campaign.New{Kind: campaign.Cooling, Name: "送清凉", StartsOn: "2026-07-01", EndsOn: "2026-08-31", BudgetAccountID: warmth.ID})
	wantCode(t, err, apperr.Validation)
	cool := f.line("cooling", 100_000)
	_, err = f.svc.Create(f.ctx, f.fin, campaign.New{Kind: campaign.Cooling, Name: "送清凉", StartsOn: "2027-07-01", EndsOn: "2027-08-31", BudgetAccountID: cool.ID})
	wantCode(t, err, apperr.Validation)
}

// The campaign table: nothing is recorded on a closed campaign, and close waits for every confirmation.
func TestRules_ClosedCampaignRecordsNothing(t *testing.T) {
	for _, r := range campaign.Rules {
		c := &campaign.Campaign{Header: campaign.Header{Kind: r.Kinds[0], Status: campaign.Closed}}
		who := actor.Actor{UserID: 1, Roles: r.Roles, OrgPath: "/1/"}
		if err := campaign.Can(who, c, r.Action); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("%s on a closed campaign: %v, want a conflict", r.Action, err)
		}
	}
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 10, 30_000)
	d, _ := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 1))
	_, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActClose, campaign.ActionInput{})
	wantCode(t, err, apperr.Conflict)
	if _, err := f.svc.ActOnDelivery(f.ctx, f.cw, d.ID, campaign.ActConfirm, campaign.DeliveryAction{SignatureRef: "签收单 001"}); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActClose, campaign.ActionInput{})
	if err != nil || v.Status != campaign.Closed {
		t.Fatalf("close: %v", err)
	}
	if v.Figures.Sites != 1 || v.Figures.WorkersCovered != 40 || v.Figures.DeliveredValueFen != 3000 || v.Figures.OutdoorSites != 1 {
		t.Errorf("figures: %+v", v.Figures)
	}
}
