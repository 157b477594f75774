package relief

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// Numbers are the applicant's full identifiers of one application, for an unmasked export.
type Numbers struct {
	ID       int64  `db:"id"`
	IDNumber string `db:"applicant_id_number"`
	Phone    string `db:"applicant_phone"`
}

// FullNumbers returns the applicants' full identifiers of those of the applications ids in a's scope. Only
// finance and auditors may ask; the caller (an unmasked export, SPEC §8.1) audits the whole export.
func FullNumbers(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Numbers, error) {
	if err := a.Require(actor.Finance, actor.Auditor); err != nil {
		return nil, err
	}
	scope, args := a.Scope("org_path")
	return store.SelectIn[Numbers](ctx, q, "SELECT id, applicant_id_number, applicant_phone FROM applications WHERE id IN (?) AND "+scope, ids, args...)
}
