package finaudit

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// Payee is the payee of one payment of the register unmasked: the applicant's name and, for a bank payment,
// the household's card.
type Payee struct {
	ApplicationID int64  `db:"id"`
	Name          string `db:"applicant_name"`
	Card          string `db:"card"`
}

// FullPayees returns the unmasked payees of those of the applications ids in a's scope. Only finance and
// auditors may ask; the caller (an unmasked export of the register, SPEC §8.1) audits the whole export.
func FullPayees(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Payee, error) {
	if err := a.Require(actor.Finance, actor.Auditor); err != nil {
		return nil, err
	}
	scope, args := a.Scope("org_path")
	return store.SelectIn[Payee](ctx, q, `SELECT id, applicant_name, CASE WHEN payment_method = 'bank' THEN
		coalesce((SELECT h.bank_card FROM households h WHERE h.id = applications.household_id), '') ELSE '' END AS card
		FROM applications WHERE id IN (?) AND `+scope, ids, args...)
}
