package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// RefTransfer is a transfer as an area checking its own records sees it: which record it was written for,
// what it moves and where it stands.
type RefTransfer struct {
	ID           int64  `db:"id"`
	RefID        string `db:"ref_id"`
	Amount       int64  `db:"amount"`
	State        string `db:"state"`          // pending, posted or voided
	ReversedByID *int64 `db:"reversed_by_id"` // the reversing transfer, if any
}

// TransfersOfRefType lists every transfer written for a record of refType (e.g. "application"), oldest first:
// how an area compares its records with the ledger without reading the ledger's tables.
func TransfersOfRefType(ctx context.Context, q sqlx.QueryerContext, refType string) ([]RefTransfer, error) {
	ts := []RefTransfer{}
	err := sqlx.SelectContext(ctx, q, &ts, `SELECT t.id, t.ref_id, t.amount, `+transferState+` AS state,
		(SELECT r.id FROM fund_transfers r WHERE r.reverses_id = t.id) AS reversed_by_id
		FROM fund_transfers t WHERE t.ref_type = ? ORDER BY t.id`, refType)
	return ts, err
}
