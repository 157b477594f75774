package household

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// DocumentKindsOf returns the kinds of the documents household id holds now (removed ones left out): the
// evidence that relief applications (SPEC §4) ask for. The caller has checked scope.
func DocumentKindsOf(ctx context.Context, q sqlx.QueryerContext, id int64) (map[string]bool, error) {
	var kinds []string
	if err := sqlx.SelectContext(ctx, q, &kinds,
		"SELECT DISTINCT kind FROM household_documents WHERE household_id = ? AND deleted_at IS NULL", id); err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		have[k] = true
	}
	return have, nil
}
