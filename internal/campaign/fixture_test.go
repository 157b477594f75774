package campaign_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/campaign"
	"bangfu/internal/clock"
	"bangfu/internal/demotest"
	"bangfu/internal/ledger"
	"bangfu/internal/ledger/ledgertest"
	"bangfu/internal/money"
	"bangfu/internal/relief"
)

// fixture is a fresh database with the demo orgs and users, a manual clock in July 2026 and the campaign
// service over them.
type fixture struct {
	t                          *testing.T
	ctx                        context.Context
	svc                        *campaign.Service
	clk                        *clock.Manual
	cw, cw2, sup, fin, auditor actor.Actor
	admin                      actor.Actor
	site                       int64 // a grassroots union in caseworker1's scope
	otherSite                  int64 // one in caseworker2's scope
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 7, 14, 9, 0, 0, 0, clock.China))
	db := demotest.Seed(t, clk)
	f := &fixture{t: t, ctx: ctx, svc: &campaign.Service{DB: db, Clock: clk}, clk: clk}
	f.cw, f.cw2, f.sup, f.fin = f.as("caseworker1"), f.as("caseworker2"), f.as("supervisor1"), f.as("finance1")
	f.auditor, f.admin = f.as("auditor1"), f.as("admin")
	f.site, f.otherSite = f.orgID("BJ-XX-JH-01"), f.orgID("BJ-XX-GH-01")
	return f
}

func (f *fixture) orgID(code string) int64 {
	f.t.Helper()
	return demotest.OrgID(f.t, f.svc.DB, code)
}

func (f *fixture) as(username string) actor.Actor {
	f.t.Helper()
	return demotest.Actor(f.t, f.svc.DB, username)
}

// line receives fen into a general fund and puts it on the district's 2026 line of kind; it returns the line.
func (f *fixture) line(kind string, fen money.Fen) ledger.Account {
	f.t.Helper()
	var line ledger.Account
	now := f.clk.Now()
	if err := f.svc.DB.Write(f.ctx, func(tx *sqlx.Tx) (err error) {
		line, err = ledgertest.FundLine(f.ctx, tx, f.fin, now, ledgertest.Line{Fund: "本级经费" + kind, Year: 2026, AidType: kind,
			AmountFen: fen, Voucher: "1"})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return line
}

// cooling is an open cooling campaign of the district with one good (矿泉水, ¥30 a case) and its line.
func (f *fixture) cooling(budgetFen money.Fen) (campaign.View, campaign.Good) {
	f.t.Helper()
	line := f.line("cooling", budgetFen)
	c, err := f.svc.Create(f.ctx, f.fin, campaign.New{Kind: campaign.Cooling, Name: "2026年夏季送清凉", StartsOn: "2026-07-01",
		EndsOn: "2026-08-31", BudgetAccountID: line.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	g, err := f.svc.AddGood(f.ctx, f.fin, c.ID, campaign.NewGood{Name: "矿泉水", Unit: "箱", UnitPriceFen: 3000})
	if err != nil {
		f.t.Fatal(err)
	}
	v, err := f.svc.Act(f.ctx, f.fin, c.ID, campaign.ActOpen, campaign.ActionInput{})
	if err != nil {
		f.t.Fatal(err)
	}
	return v, g
}

var invoices int

func (f *fixture) buy(c campaign.View, g campaign.Good, qty, costFen int64) campaign.Purchase {
	f.t.Helper()
	invoices++
	p, err := f.svc.Buy(f.ctx, f.fin, c.ID, campaign.NewPurchase{GoodID: g.ID, Supplier: "农夫山泉杭州经销部",
		InvoiceNo: fmt.Sprintf("FP%06d", invoices), Quantity: qty, CostFen: money.Fen(costFen), PurchasedOn: "2026-07-10"})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) delivery(g campaign.Good, qty int64) campaign.NewDelivery {
	return campaign.NewDelivery{SiteKind: "rest_station", SiteName: "西兴劳动者驿站", SiteAddress: "滨江区西兴街道江汉路1号",
		Outdoor: true, Workers: 40, DeliveredOn: "2026-07-14", ReceiverName: "张建华", ReceiverPhone: "13912345678",
		Items: []campaign.NewItem{{GoodID: g.ID, Quantity: qty}}}
}

func (f *fixture) goods(id int64) []campaign.Good {
	f.t.Helper()
	gs, err := f.svc.Goods(f.ctx, f.fin, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return gs
}

// books runs what `bangfu ledger check` runs — the ledger against its cached sums, each application's money,
// the campaigns' records against the ledger — and verifies the audit chain.
func (f *fixture) books() {
	f.t.Helper()
	r, err := ledger.Check(f.ctx, f.svc.DB.R)
	if err != nil || !r.OK() {
		f.t.Fatalf("ledger check: %v %+v", err, r)
	}
	if _, problems, err := relief.CheckMoney(f.ctx, f.svc.DB.R); err != nil || len(problems) > 0 {
		f.t.Fatalf("applications' money: %v %v", err, problems)
	}
	if _, problems, err := campaign.CheckBooks(f.ctx, f.svc.DB.R); err != nil || len(problems) > 0 {
		f.t.Fatalf("campaign books: %v %v", err, problems)
	}
	v, err := audit.Verify(f.ctx, f.svc.DB.R)
	if err != nil || !v.OK {
		f.t.Fatalf("audit verify: %v %+v", err, v)
	}
}

func (f *fixture) auditCount() int {
	f.t.Helper()
	var n int
	if err := f.svc.DB.R.Get(&n, "SELECT count(*) FROM audit_events"); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// race runs do(0) to do(n-1) all at once and counts the calls that succeeded and those refused as a
// conflict; any other error fails t, naming what was done.
func race(t *testing.T, n int, what string, do func(i int) error) (ok, refused int) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := do(i)
			mu.Lock()
			defer mu.Unlock()
			switch apperr.CodeOf(err) {
			case "":
				ok++
			case apperr.Conflict:
				refused++
			default:
				t.Errorf("%s: %v", what, err)
			}
		}()
	}
	wg.Wait()
	return ok, refused
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}
