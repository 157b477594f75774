package household

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/unmask"
)

// Numbers are the full identifiers of one household, for an unmasked export.
type Numbers = unmask.Numbers

// FullNumbers returns the full identifiers of those of the households ids that lie in a's scope. Only finance
// and auditors may ask; it writes no audit event: the caller (an unmasked export, SPEC §8.1) records one for
// the whole export, with its filter and row count.
func FullNumbers(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, ids []int64) ([]Numbers, error) {
	return unmask.Read(ctx, q, a, "SELECT id, id_number, phone FROM households", ids)
}
