// Package unmask reads the full identifiers behind masked list rows, for an unmasked export (SPEC §8.1):
// households', applicants', enrolled workers' and delivery receivers' ID numbers and phones.
package unmask

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// Numbers are the full identifiers of one row: its ID number and phone (IDNumber empty where the row has none).
type Numbers struct {
	ID       int64  `db:"id"`
	IDNumber string `db:"id_number"`
	Phone    string `db:"phone"`
}

// Read returns the numbers that selectFrom ("SELECT id, … AS id_number, … AS phone FROM table", the table
// with an org_path) reads for those of the rows ids that lie in a's scope. Only finance and auditors may
// ask; it writes no audit event: the caller (an unmasked export) records one for the whole export, with its
// filter and row count.
func Read(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, selectFrom string, ids []int64) ([]Numbers, error) {
	if err := a.Require(actor.Finance, actor.Auditor); err != nil {
		return nil, err
	}
	scope, args := a.Scope("org_path")
	return store.SelectIn[Numbers](ctx, q, selectFrom+" WHERE id IN (?) AND "+scope, ids, args...)
}
