package ledger_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/ledger/ledgertest"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// fixture is a fresh database with a small union tree: the district (1), a sub-district (2) and under it, by
// way of a community (3), two grassroots unions (4, 5); and a finance user of the district.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    *store.DB
	books *ledger.Service
	fin   actor.Actor
	now   time.Time
}

const (
	district   = 1
	subDistr   = 2
	community  = 3
	grassrootA = 4
	grassrootB = 5
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureAt(t, filepath.Join(t.TempDir(), "ledger.db"))
}

func newFixtureAt(t testing.TB, path string) *fixture {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := ledgertest.SmallTree(db); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	return &fixture{t: t, ctx: context.Background(), db: db, books: &ledger.Service{DB: db, Clock: clock.NewManual(now)},
		fin: actor.Actor{UserID: 0, Username: "finance1", Roles: []actor.Role{actor.Finance}, OrgID: district, OrgPath: "/1/", RequestID: "test"},
		now: now}
}

func (f *fixture) fund(name string, purposes ...string) ledger.Account {
	f.t.Helper()
	acc, err := f.books.CreateFund(f.ctx, f.fin, ledger.NewFund{Name: name, Purposes: purposes})
	if err != nil {
		f.t.Fatal(err)
	}
	return acc
}

func (f *fixture) line(aidType, purpose string) ledger.Account {
	f.t.Helper()
	acc, err := f.books.CreateBudgetLine(f.ctx, f.fin, ledger.NewBudgetLine{Year: 2026, AidType: aidType, Purpose: purpose})
	if err != nil {
		f.t.Fatal(err)
	}
	return acc
}

func (f *fixture) payee(id string) ledger.Account {
	f.t.Helper()
	acc, err := f.books.EnsureAccount(f.ctx, f.fin, ledger.AccountRef{Kind: ledger.Payee, RefType: "household", RefID: id,
		Unit: money.CNY, OrgID: grassrootA, Name: "户 " + id})
	if err != nil {
		f.t.Fatal(err)
	}
	return acc
}

func (f *fixture) receive(fund ledger.Account, fen money.Fen) ledger.Transfer {
	f.t.Helper()
	tr, err := f.books.Receive(f.ctx, f.fin, ledger.ReceiveInput{FundID: fund.ID, AmountFen: fen})
	if err != nil {
		f.t.Fatal(err)
	}
	return tr
}

func (f *fixture) budget(fund, line ledger.Account, fen money.Fen) ledger.Transfer {
	f.t.Helper()
	tr, err := f.books.Budget(f.ctx, f.fin, ledger.BudgetInput{FundID: fund.ID, BudgetLineID: line.ID, AmountFen: fen})
	if err != nil {
		f.t.Fatal(err)
	}
	return tr
}

// funded returns a budget line holding fen, fed by a general fund.
func (f *fixture) funded(fen money.Fen) ledger.Account {
	f.t.Helper()
	fund := f.fund("本级经费", "general")
	line := f.line("living", "")
	f.receive(fund, fen)
	f.budget(fund, line, fen)
	return line
}

func (f *fixture) balance(id int64) ledger.Balance {
	f.t.Helper()
	acc, err := ledger.GetAccount(f.ctx, f.db.R, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return acc.Balance()
}

func (f *fixture) mustCheck() {
	f.t.Helper()
	r, err := ledger.Check(f.ctx, f.db.R)
	if err != nil {
		f.t.Fatal(err)
	}
	if !r.OK() {
		f.t.Fatalf("ledger check: %v", r.Differences)
	}
}

// refused fails the test unless err is an app error with code.
func refused(t testing.TB, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return apperr.From(err)
}
