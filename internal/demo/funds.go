package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// demoFunds are the fund sources, what they may pay for, and what arrived into them (yuan, payer).
var demoFunds = []struct {
	name     string
	purposes []string
	receipts []struct {
		yuan  int64
		payer string
	}
}{
	{"上级补助", []string{"general", "education", "medical"}, []struct {
		yuan  int64
		payer string
	}{{2_000_000, "市总工会 年度帮扶资金"}, {1_500_000, "市总工会 第二批帮扶资金"}}},
	{"本级经费", []string{"general", "education", "medical", "disaster"}, []struct {
		yuan  int64
		payer string
	}{{1_200_000, "区总工会 年度预算"}}},
	{"疫情防控专项", []string{"epidemic"}, []struct {
		yuan  int64
		payer string
	}{{500_000, "区财政局 疫情防控专项资金"}}},
	{"社会捐赠", []string{"general", "education"}, []struct {
		yuan  int64
		payer string
	}{{300_000, "滨江区慈善总会"}, {86_500, "爱心企业联合捐赠"}}},
}

// demoLines are this year's budget lines: aid type, purpose, fund and yuan.
var demoLines = []struct {
	aidType, purpose, fund string
	yuan                   int64
}{
	{"living", "general", "上级补助", 1_200_000},
	{"medical", "medical", "上级补助", 1_200_000},
	{"education", "education", "上级补助", 400_000},
	{"education", "education", "社会捐赠", 200_000},
	{"warmth", "general", "本级经费", 500_000},
	{"condolence", "general", "本级经费", 150_000},
	{"cooling", "general", "本级经费", 200_000},
	{"health_check", "general", "本级经费", 300_000},
	{"living", "epidemic", "疫情防控专项", 400_000},
}

// demoAllocations are the shares given to grassroots unions (下拨): aid type, purpose, org code, yuan.
var demoAllocations = []struct {
	aidType, purpose, org string
	yuan                  int64
}{
	{"living", "general", "BJ-XX-JH-01", 120_000},
	{"living", "general", "BJ-XX-JH-02", 160_000},
	{"living", "general", "BJ-CH-CH-01", 60_000},
	{"living", "general", "BJ-CH-SY-01", 40_000},
	{"living", "general", "BJ-XX-GH-01", 100_000},
	{"living", "general", "BJ-XX-GH-02", 120_000},
	{"warmth", "general", "BJ-XX-GH-01", 50_000},
	{"warmth", "general", "BJ-CH-SY-02", 25_000},
	{"living", "epidemic", "BJ-XX-JH-02", 100_000},
	{"living", "epidemic", "BJ-XX-GH-02", 80_000},
}

// seedFunds writes the demo ledger as finance1, through the ledger's own operations.
func seedFunds(ctx context.Context, db *store.DB, now time.Time) error {
	var finID int64
	if err := db.R.GetContext(ctx, &finID, "SELECT id FROM users WHERE username = 'finance1'"); err != nil {
		return fmt.Errorf("demo funds: finance1: %w", err)
	}
	fin, err := auth.ActorFor(ctx, db.R, finID, "demo")
	if err != nil {
		return err
	}
	year := int64(now.In(clock.China).Year())
	return db.Write(ctx, func(tx *sqlx.Tx) error {
		funds := map[string]ledger.Account{}
		voucher := 0
		next := func(prefix string) string { voucher++; return fmt.Sprintf("%s-%d-%03d", prefix, year, voucher) }
		for _, f := range demoFunds {
			acc, err := ledger.CreateFund(ctx, tx, fin, now, ledger.NewFund{Name: f.name, Purposes: f.purposes})
			if err != nil {
				return fmt.Errorf("demo fund %s: %w", f.name, err)
			}
			funds[f.name] = acc
			for _, r := range f.receipts {
				if _, err := ledger.Receive(ctx, tx, fin, now, ledger.ReceiveInput{FundID: acc.ID, AmountFen: money.Yuan(r.yuan),
					VoucherNo: next("收"), PaymentMethod: "bank", Memo: r.payer}); err != nil {
					return fmt.Errorf("demo receipt into %s: %w", f.name, err)
				}
			}
		}
		lines := map[[2]string]ledger.Account{}
		for _, l := range demoLines {
			key := [2]string{l.aidType, l.purpose}
			line, ok := lines[key]
			if !ok {
				var err error
				line, err = ledger.CreateBudgetLine(ctx, tx, fin, now, ledger.NewBudgetLine{Year: year, AidType: l.aidType, Purpose: l.purpose})
				if err != nil {
					return fmt.Errorf("demo budget line %s: %w", l.aidType, err)
				}
				lines[key] = line
			}
			if _, err := ledger.Budget(ctx, tx, fin, now, ledger.BudgetInput{FundID: funds[l.fund].ID, BudgetLineID: line.ID,
				AmountFen: money.Yuan(l.yuan), VoucherNo: next("预"), Memo: "年度预算安排"}); err != nil {
				return fmt.Errorf("demo budget %s from %s: %w", l.aidType, l.fund, err)
			}
		}
		for _, al := range demoAllocations {
			o, err := org.ByCode(ctx, tx, al.org)
			if err != nil {
				return err
			}
			if _, err := ledger.Allocate(ctx, tx, fin, now, ledger.AllocateInput{BudgetLineID: lines[[2]string{al.aidType, al.purpose}].ID,
				OrgID: o.ID, AmountFen: money.Yuan(al.yuan), VoucherNo: next("拨"), Memo: "下拨" + o.Name}); err != nil {
				return fmt.Errorf("demo allocation to %s: %w", al.org, err)
			}
		}
		return nil
	})
}
