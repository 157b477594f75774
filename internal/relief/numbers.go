package relief

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/unmask"
)

// Numbers are the applicant's full identifiers of one application, for an unmasked export.
type Numbers = unmask.Numbers

// FullNumbers returns the applicants' full identifiers of those of the applications ids in a's scope. Only
// finance and auditors may ask; the caller (an unmasked export, SPEC §8.1) audits the whole export.
func FullNumbers(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Numbers, error) {
	return unmask.Read(ctx, q, a, "SELECT id, applicant_id_number AS id_number, applicant_phone AS phone FROM applications", ids)
}
