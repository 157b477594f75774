package household

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// Numbers are the full identifiers of one household, for an unmasked export.
type Numbers struct {
	ID       int64  `db:"id"`
	IDNumber string `db:"id_number"`
	Phone    string `db:"phone"`
}

// FullNumbers returns the full identifiers of those of the households ids that lie in a's scope. Only finance
// and auditors may ask; it writes no audit event: the caller (an unmasked export, SPEC §8.1) records one for
// the whole export, with its filter and row count.
func FullNumbers(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Numbers, error) {
	if err := a.Require(actor.Finance, actor.Auditor); err != nil {
		return nil, err
	}
	scope, args := a.Scope("org_path")
	return store.SelectIn[Numbers](ctx, q, "SELECT id, id_number, phone FROM households WHERE id IN (?) AND "+scope, ids, args...)
}
