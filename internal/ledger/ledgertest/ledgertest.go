// Package ledgertest puts money on budget lines for tests, benchmarks and load tests, through the ledger's own
// Go API: what it writes passed the same rules as through HTTP.
package ledgertest

import (
	"context"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// SmallTree writes the union tree of the ledger's tests into an empty database: the district (1), a
// sub-district (2) and under it, by way of a community (3), two grassroots unions (4, 5), coded ORG1 … ORG5.
func SmallTree(db *store.DB) error {
	for _, o := range []struct {
		id, level int
		parent    any
		path      string
	}{{1, 1, nil, "/1/"}, {2, 2, 1, "/1/2/"}, {3, 3, 2, "/1/2/3/"}, {4, 4, 3, "/1/2/3/4/"}, {5, 4, 3, "/1/2/3/5/"}} {
		if _, err := db.W.Exec(`INSERT INTO orgs (id, code, name, level, parent_id, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			o.id, "ORG"+strconv.Itoa(o.id), "组织"+strconv.Itoa(o.id), o.level, o.parent, o.path, "2026-01-01T00:00:00.000000Z"); err != nil {
			return err
		}
	}
	return nil
}

// Line is a funded budget line to open: a general fund named Fund receives AmountFen (voucher 收-Voucher) and
// budgets all of it (voucher 预-Voucher) onto a new line of Year and AidType.
type Line struct {
	Fund      string
	Year      int64
	AidType   string
	AmountFen money.Fen
	Voucher   string
}

// FundLine opens the line in tx as fin (a finance user) at now and returns it.
func FundLine(ctx context.Context, tx *sqlx.Tx, fin actor.Actor, now time.Time, l Line) (ledger.Account, error) {
	fund, err := ledger.CreateFund(ctx, tx, fin, now, ledger.NewFund{Name: l.Fund, Purposes: []string{"general"}})
	if err != nil {
		return ledger.Account{}, err
	}
	if _, err := ledger.Receive(ctx, tx, fin, now, ledger.ReceiveInput{FundID: fund.ID, AmountFen: l.AmountFen,
		VoucherNo: "收-" + l.Voucher, PaymentMethod: "bank"}); err != nil {
		return ledger.Account{}, err
	}
	line, err := ledger.CreateBudgetLine(ctx, tx, fin, now, ledger.NewBudgetLine{Year: l.Year, AidType: l.AidType})
	if err != nil {
		return ledger.Account{}, err
	}
	_, err = ledger.Budget(ctx, tx, fin, now, ledger.BudgetInput{FundID: fund.ID, BudgetLineID: line.ID, AmountFen: l.AmountFen,
		VoucherNo: "预-" + l.Voucher})
	return line, err
}
