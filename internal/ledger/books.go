package ledger

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// Books runs one ledger operation in its own write transaction, for the HTTP API and the command line. Areas
// that move money as part of their own change call the package functions inside their transaction instead.
type Books struct{ DB *store.DB }

func (b Books) CreateFund(ctx context.Context, a actor.Actor, now time.Time, in NewFund) (Account, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Account, error) { return CreateFund(ctx, tx, a, now, in) })
}

func (b Books) CreateBudgetLine(ctx context.Context, a actor.Actor, now time.Time, in NewBudgetLine) (Account, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Account, error) { return CreateBudgetLine(ctx, tx, a, now, in) })
}

func (b Books) Receive(ctx context.Context, a actor.Actor, now time.Time, in ReceiveInput) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Receive(ctx, tx, a, now, in) })
}

func (b Books) Budget(ctx context.Context, a actor.Actor, now time.Time, in BudgetInput) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Budget(ctx, tx, a, now, in) })
}

func (b Books) Allocate(ctx context.Context, a actor.Actor, now time.Time, in AllocateInput) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Allocate(ctx, tx, a, now, in) })
}

func (b Books) Reverse(ctx context.Context, a actor.Actor, now time.Time, id int64, in ReverseInput) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Reverse(ctx, tx, a, now, id, in) })
}

func (b Books) Reserve(ctx context.Context, a actor.Actor, now time.Time, in TransferInput) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Reserve(ctx, tx, a, now, in) })
}

func (b Books) Post(ctx context.Context, a actor.Actor, now time.Time, id int64, s Settlement) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Post(ctx, tx, a, now, id, s) })
}

func (b Books) Void(ctx context.Context, a actor.Actor, now time.Time, id int64, reason string) (Transfer, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Transfer, error) { return Void(ctx, tx, a, now, id, reason) })
}

func (b Books) EnsureAccount(ctx context.Context, a actor.Actor, now time.Time, ref AccountRef) (Account, error) {
	return store.InTx(ctx, b.DB, func(tx *sqlx.Tx) (Account, error) { return EnsureAccount(ctx, tx, a, now, ref) })
}
