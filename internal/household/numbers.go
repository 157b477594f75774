package household

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
)

// Numbers are the full identifiers of one household, for an unmasked export.
type Numbers struct {
	ID       int64  `db:"id"`
	IDNumber string `db:"id_number"`
	Phone    string `db:"phone"`
}

// FullNumbers returns the full identifiers of the households ids that lie in a's scope. It writes no audit
// event: the caller (an unmasked export, SPEC §8.1) records one for the whole export, with its filter and
// row count, and only finance and auditors may ask (checked here as well as by the caller).
func FullNumbers(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) (map[int64]Numbers, error) {
	if err := a.Require(actor.Finance, actor.Auditor); err != nil {
		return nil, err
	}
	out := make(map[int64]Numbers, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	scope, args := a.Scope("org_path")
	query, inArgs, err := sqlx.In("SELECT id, id_number, phone FROM households WHERE id IN (?) AND "+scope, append([]any{ids}, args...)...)
	if err != nil {
		return nil, err
	}
	var rows []Numbers
	if err := sqlx.SelectContext(ctx, q, &rows, query, inArgs...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
