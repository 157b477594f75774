package finaudit_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/finaudit"
	"bangfu/internal/ledger"
	"bangfu/internal/ledger/ledgertest"
	"bangfu/internal/money"
	"bangfu/internal/store"
	"bangfu/internal/storetest"
)

// agreesWithTheLedger checks every row of a whole-history summary against the ledger's recomputation
// (`bangfu ledger check` recomputes the cached sums from the transfers and must find no difference; the
// summary, computed from the transfers its own way, must then equal those sums to the fen).
// failer is what both *testing.T and *rapid.T offer.
type failer interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func agreesWithTheLedger(t failer, db *store.DB, u finaudit.FundUse) {
	t.Helper()
	r, err := ledger.Check(context.Background(), db.R)
	if err != nil || !r.OK() {
		t.Fatalf("ledger check: %+v %v", r.Differences, err)
	}
	rows := append(append(append([]finaudit.FundUseRow{}, u.Funds...), u.Lines...), u.Allocations...)
	n := 0
	for _, row := range rows {
		acc, err := ledger.GetAccount(context.Background(), db.R, row.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if int64(row.AvailableFen) != acc.CreditsPosted-acc.DebitsPosted-acc.DebitsPending || int64(row.ReservedFen) != acc.DebitsPending {
			t.Fatalf("%s: available %d reserved %d, ledger %d and %d", row.Name, row.AvailableFen, row.ReservedFen,
				acc.CreditsPosted-acc.DebitsPosted-acc.DebitsPending, acc.DebitsPending)
		}
		if got := row.ReceivedFen - row.AllocatedFen - row.PaidFen - row.ReservedFen + row.ReversedFen; got != row.AvailableFen {
			t.Fatalf("%s: received − allocated − paid − reserved + reversed = %d, available %d", row.Name, got, row.AvailableFen)
		}
		var m finaudit.Flows
		for _, x := range row.Months {
			m.ReceivedFen += x.ReceivedFen
			m.AllocatedFen += x.AllocatedFen
			m.PaidFen += x.PaidFen
			m.ReversedFen += x.ReversedFen
		}
		if m.ReceivedFen != row.ReceivedFen || m.AllocatedFen != row.AllocatedFen || m.PaidFen != row.PaidFen || m.ReversedFen != row.ReversedFen {
			t.Fatalf("%s: the months add up to %+v, the row says %+v", row.Name, m, row.Flows)
		}
	}
	var accounts int
	if err := db.R.Get(&accounts, "SELECT count(*) FROM fund_accounts WHERE kind IN ('fund', 'budget', 'allocation') AND unit = 'CNY'"); err != nil {
		t.Fatal(err)
	}
	if n != accounts {
		t.Fatalf("summary has %d rows, the ledger %d accounts", n, accounts)
	}
}

func TestFundUse_EqualsTheLedgerRecomputationOnTheDemo(t *testing.T) {
	db := demoDB(t)
	u, err := service(db).FundUse(context.Background(), user(t, db, "finance1"), finaudit.FundUseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	agreesWithTheLedger(t, db, u)
	var paid money.Fen
	for _, r := range append(u.Lines, u.Allocations...) {
		paid += r.PaidFen
	}
	reg, err := service(db).Register(context.Background(), user(t, db, "finance1"), finaudit.RegisterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The register holds every payment: the relief disbursements and the campaign costs (SPEC §5: goods
	// bought, health checks done), which are paid from budget lines too.
	var campaignFen money.Fen
	if err := db.R.Get(&campaignFen, `SELECT coalesce(sum(amount), 0) FROM fund_transfers WHERE unit = 'CNY'
		AND ref_type IN ('campaign_purchase', 'campaign_enrolment')`); err != nil {
		t.Fatal(err)
	}
	costs := reg.ByType["cooling"].Fen + reg.ByType["health_check"].Fen
	if paid != reg.TotalFen || costs != campaignFen || campaignFen == 0 || len(u.Months) < 3 {
		t.Errorf("paid %d by the summary, %d in the register of which %d campaign costs, %d by the campaigns' transfers; %d months",
			paid, reg.TotalFen, costs, campaignFen, len(u.Months))
	}
	if len(u.Funds) < 3 || len(u.Lines) < 5 || len(u.Allocations) < 5 || u.Allocations[0].OrgName == "" {
		t.Errorf("funds %d, lines %d, allocations %d", len(u.Funds), len(u.Lines), len(u.Allocations))
	}
}

// One month's summary equals that month of the whole history's series, and the months partition it.
func TestFundUse_APeriodIsTheSameMonthOfTheWholeSeries(t *testing.T) {
	db := demoDB(t)
	s, fin := service(db), user(t, db, "finance1")
	whole, err := s.FundUse(context.Background(), fin, finaudit.FundUseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	m := whole.Months[len(whole.Months)/2]
	start, _ := time.ParseInLocation("2006-01", m.Month, clock.China)
	month, err := s.FundUse(context.Background(), fin, finaudit.FundUseFilter{From: start.Format("2006-01-02"), To: start.AddDate(0, 1, -1).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	if len(month.Months) != 1 || month.Months[0] != m {
		t.Errorf("the month alone: %+v, in the whole series: %+v", month.Months, m)
	}
	for _, bad := range []finaudit.FundUseFilter{{From: "2026-02-30"}, {To: "tomorrow"}, {From: "2026-05-01", To: "2026-04-01"}} {
		if _, err := s.FundUse(context.Background(), fin, bad); apperr.CodeOf(err) != apperr.Validation {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	for _, u := range []string{"caseworker1", "admin"} {
		if _, err := s.FundUse(context.Background(), user(t, db, u), finaudit.FundUseFilter{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// On random histories of receipts, budgets, allocations, reservations, payments, voids and reversals spread
// over months, the summary equals the ledger's recomputation, and two adjacent periods add up to both.
func TestFundUse_EqualsTheLedgerOnRandomHistories(t *testing.T) {
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		db := storetest.Open(t)
		if err := ledgertest.SmallTree(db); err != nil {
			rt.Fatal(err)
		}
		clk := clock.NewManual(time.Date(2026, 1, 5, 9, 0, 0, 0, clock.China))
		books := &ledger.Service{DB: db, Clock: clk}
		ctx := context.Background()
		fin := actor.Actor{Username: "finance1", Roles: []actor.Role{actor.Finance}, OrgID: 1, OrgPath: "/1/", RequestID: "rapid"}
		must := func(acc ledger.Account, err error) int64 {
			if err != nil {
				rt.Fatal(err)
			}
			return acc.ID
		}
		funds := []int64{must(books.CreateFund(ctx, fin, ledger.NewFund{Name: "本级经费", Purposes: []string{"general"}})),
			must(books.CreateFund(ctx, fin, ledger.NewFund{Name: "上级补助", Purposes: []string{"general", "medical"}}))}
		lines := []int64{must(books.CreateBudgetLine(ctx, fin, ledger.NewBudgetLine{Year: 2026, AidType: "living"})),
			must(books.CreateBudgetLine(ctx, fin, ledger.NewBudgetLine{Year: 2026, AidType: "medical"}))}
		var payees []int64
		for i := 1; i <= 3; i++ {
			payees = append(payees, must(books.EnsureAccount(ctx, fin, ledger.AccountRef{Kind: ledger.Payee, RefType: "household",
				RefID: strconv.Itoa(i), Unit: money.CNY, OrgID: 4, Name: fmt.Sprint("户 ", i)})))
		}
		var allocs, pending, posted []int64
		amount := rapid.Int64Range(1, 2_000_000)
		ok := func(err error) {
			if err != nil && apperr.CodeOf(err) == apperr.Internal {
				rt.Fatal(err)
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"wait": func(t *rapid.T) { clk.Advance(time.Duration(rapid.IntRange(1, 40).Draw(t, "days")) * 24 * time.Hour) },
			"receive": func(t *rapid.T) {
				tr, err := books.Receive(ctx, fin, ledger.ReceiveInput{FundID: rapid.SampledFrom(funds).Draw(t, "fund"), AmountFen: money.Fen(amount.Draw(t, "amt"))})
				ok(err)
				if err == nil {
					posted = append(posted, tr.ID)
				}
			},
			"budget": func(t *rapid.T) {
				tr, err := books.Budget(ctx, fin, ledger.BudgetInput{FundID: rapid.SampledFrom(funds).Draw(t, "fund"),
					BudgetLineID: rapid.SampledFrom(lines).Draw(t, "line"), AmountFen: money.Fen(amount.Draw(t, "amt"))})
				ok(err)
				if err == nil {
					posted = append(posted, tr.ID)
				}
			},
			"allocate": func(t *rapid.T) {
				tr, err := books.Allocate(ctx, fin, ledger.AllocateInput{BudgetLineID: rapid.SampledFrom(lines).Draw(t, "line"),
					OrgID: rapid.SampledFrom([]int64{4, 5}).Draw(t, "org"), AmountFen: money.Fen(amount.Draw(t, "amt"))})
				ok(err)
				if err == nil {
					posted = append(posted, tr.ID)
					allocs = append(allocs, tr.CreditAccountID)
				}
			},
			"reserve": func(t *rapid.T) {
				from := append(append([]int64{}, lines...), allocs...)
				tr, err := books.Reserve(ctx, fin, ledger.TransferInput{DebitAccountID: rapid.SampledFrom(from).Draw(t, "from"),
					CreditAccountID: rapid.SampledFrom(payees).Draw(t, "payee"), Amount: amount.Draw(t, "amt")})
				ok(err)
				if err == nil {
					pending = append(pending, tr.ID)
				}
			},
			"settle": func(t *rapid.T) {
				if len(pending) == 0 {
					t.Skip("nothing pending")
				}
				i := rapid.IntRange(0, len(pending)-1).Draw(t, "i")
				id := pending[i]
				pending = append(pending[:i], pending[i+1:]...)
				if rapid.Bool().Draw(t, "post") {
					_, err := books.Post(ctx, fin, id, ledger.Settlement{VoucherNo: "V", PaymentMethod: "bank"})
					ok(err)
					posted = append(posted, id)
				} else {
					_, err := books.Void(ctx, fin, id, "作废")
					ok(err)
				}
			},
			"reverse": func(t *rapid.T) {
				if len(posted) == 0 {
					t.Skip("nothing posted")
				}
				_, err := books.Reverse(ctx, fin, rapid.SampledFrom(posted).Draw(t, "id"), ledger.ReverseInput{Reason: "更正"})
				ok(err)
			},
		})
		s := &finaudit.Service{DB: db, Clock: clk}
		whole, err := s.FundUse(ctx, fin, finaudit.FundUseFilter{})
		if err != nil {
			rt.Fatal(err)
		}
		agreesWithTheLedger(rt, db, whole)
		// Two adjacent periods add up to the whole.
		mid := clock.Date(time.Date(2026, 1, 5, 0, 0, 0, 0, clock.China).AddDate(0, 0, rapid.IntRange(0, 200).Draw(rt, "mid")))
		next, _ := time.ParseInLocation("2006-01-02", mid, clock.China)
		a, err1 := s.FundUse(ctx, fin, finaudit.FundUseFilter{To: mid})
		b, err2 := s.FundUse(ctx, fin, finaudit.FundUseFilter{From: next.AddDate(0, 0, 1).Format("2006-01-02")})
		if err1 != nil || err2 != nil {
			rt.Fatal(err1, err2)
		}
		for i, w := range whole.Lines {
			x, y := a.Lines[i], b.Lines[i]
			if x.ReceivedFen+y.ReceivedFen != w.ReceivedFen || x.PaidFen+y.PaidFen != w.PaidFen ||
				x.AllocatedFen+y.AllocatedFen != w.AllocatedFen || x.ReversedFen+y.ReversedFen != w.ReversedFen {
				rt.Fatalf("%s: up to %s %+v and after %+v do not add up to %+v", w.Name, mid, x.Flows, y.Flows, w.Flows)
			}
		}
	})
}
