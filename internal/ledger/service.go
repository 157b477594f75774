package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Service is the ledger's entry point for the HTTP API and the command line: each method checks who may act
// (SPEC §1.2: finance keeps the books; finance, auditors and supervisors read them, each in their own
// subtree; admin reads no money data) and runs in one write transaction with its audit event. Areas that move
// money as part of their own change call the package functions (Reserve, Post, Void …) inside their
// transaction instead.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// readers are the roles that read the ledger.
var readers = []actor.Role{actor.Finance, actor.Auditor, actor.Supervisor}

// CanRead refuses the roles that may not read the ledger.
func CanRead(a actor.Actor) error { return a.Require(readers...) }

// NewAccount is what the API's POST /funds takes: a fund source (kind "fund") or a budget line ("budget").
type NewAccount struct {
	Kind     string   `json:"kind" validate:"required,oneof=fund budget"`
	Name     string   `json:"name" validate:"max=100"`
	Purposes []string `json:"purposes" validate:"max=8"`
	Year     int64    `json:"year"`
	AidType  string   `json:"aid_type"`
	Purpose  string   `json:"purpose"`
	OrgID    int64    `json:"org_id"`
}

// CreateAccount opens a fund source or a budget line. Finance only.
func (s *Service) CreateAccount(ctx context.Context, a actor.Actor, in NewAccount) (Account, error) {
	if err := a.Require(actor.Finance); err != nil {
		return Account{}, err
	}
	switch Kind(in.Kind) {
	case FundSource:
		return s.CreateFund(ctx, a, NewFund{Name: in.Name, Purposes: in.Purposes, OrgID: in.OrgID})
	case BudgetLine:
		return s.CreateBudgetLine(ctx, a, NewBudgetLine{Year: in.Year, AidType: in.AidType, Purpose: in.Purpose, Name: in.Name, OrgID: in.OrgID})
	}
	return Account{}, apperr.Invalid("kind", "账户类型应为经费来源或预算科目")
}

func (s *Service) CreateFund(ctx context.Context, a actor.Actor, in NewFund) (Account, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Account, error) { return CreateFund(ctx, tx, a, now, in) })
}

func (s *Service) CreateBudgetLine(ctx context.Context, a actor.Actor, in NewBudgetLine) (Account, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Account, error) { return CreateBudgetLine(ctx, tx, a, now, in) })
}

func (s *Service) Receive(ctx context.Context, a actor.Actor, in ReceiveInput) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Receive(ctx, tx, a, now, in) })
}

func (s *Service) Budget(ctx context.Context, a actor.Actor, in BudgetInput) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Budget(ctx, tx, a, now, in) })
}

func (s *Service) Allocate(ctx context.Context, a actor.Actor, in AllocateInput) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Allocate(ctx, tx, a, now, in) })
}

func (s *Service) Reverse(ctx context.Context, a actor.Actor, id int64, in ReverseInput) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Reverse(ctx, tx, a, now, id, in) })
}

func (s *Service) Reserve(ctx context.Context, a actor.Actor, in TransferInput) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Reserve(ctx, tx, a, now, in) })
}

func (s *Service) Post(ctx context.Context, a actor.Actor, id int64, st Settlement) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Post(ctx, tx, a, now, id, st) })
}

func (s *Service) Void(ctx context.Context, a actor.Actor, id int64, reason string) (Transfer, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Transfer, error) { return Void(ctx, tx, a, now, id, reason) })
}

func (s *Service) EnsureAccount(ctx context.Context, a actor.Actor, ref AccountRef) (Account, error) {
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Account, error) { return EnsureAccount(ctx, tx, a, now, ref) })
}

// AccountPage is one page of accounts.
type AccountPage struct {
	Items []Account `json:"items"`
	Total int       `json:"total"`
}

// Accounts lists the accounts in a's scope that match f.
func (s *Service) Accounts(ctx context.Context, a actor.Actor, f AccountFilter) (AccountPage, error) {
	if err := CanRead(a); err != nil {
		return AccountPage{}, err
	}
	items, total, err := ListAccounts(ctx, s.DB.R, a, f)
	return AccountPage{Items: items, Total: total}, err
}

// Account returns an account in a's scope.
func (s *Service) Account(ctx context.Context, a actor.Actor, id int64) (Account, error) {
	if err := CanRead(a); err != nil {
		return Account{}, err
	}
	return GetAccountInScope(ctx, s.DB.R, a, id)
}

// StatementPage is one page of an account's statement.
type StatementPage struct {
	Items []StatementLine `json:"items"`
	Total int             `json:"total"`
}

// AccountStatement returns the statement of an account in a's scope.
func (s *Service) AccountStatement(ctx context.Context, a actor.Actor, id int64, f StatementFilter) (StatementPage, error) {
	if err := CanRead(a); err != nil {
		return StatementPage{}, err
	}
	acc, err := GetAccountInScope(ctx, s.DB.R, a, id)
	if err != nil {
		return StatementPage{}, err
	}
	items, total, err := Statement(ctx, s.DB.R, acc, f)
	if err != nil {
		return StatementPage{}, err
	}
	// Each line's actions, by the rules the actions enforce: the other account is read once per page.
	others := map[int64]Account{acc.ID: acc}
	for i := range items {
		l := &items[i]
		accs := [2]Account{}
		for j, id := range []int64{l.DebitAccountID, l.CreditAccountID} {
			if _, ok := others[id]; !ok {
				if others[id], err = GetAccount(ctx, s.DB.R, id); err != nil {
					return StatementPage{}, err
				}
			}
			accs[j] = others[id]
		}
		l.Transfer.offer(a, accs[0], accs[1])
	}
	return StatementPage{Items: items, Total: total}, nil
}

// Transfer returns a transfer that a may see: one of its accounts other than the outside world is in a's
// subtree; any other transfer is not acknowledged.
func (s *Service) Transfer(ctx context.Context, a actor.Actor, id int64) (Transfer, error) {
	if err := CanRead(a); err != nil {
		return Transfer{}, err
	}
	t, err := GetTransfer(ctx, s.DB.R, id)
	if err != nil {
		return Transfer{}, err
	}
	debit, err := GetAccount(ctx, s.DB.R, t.DebitAccountID)
	if err != nil {
		return Transfer{}, err
	}
	credit, err := GetAccount(ctx, s.DB.R, t.CreditAccountID)
	if err != nil {
		return Transfer{}, err
	}
	for _, acc := range []Account{debit, credit} {
		if acc.Kind != External && a.Sees(acc.OrgPath) {
			t.offer(a, debit, credit)
			return t, nil
		}
	}
	return Transfer{}, apperr.NotFoundf("转账记录不存在")
}
