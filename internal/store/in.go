package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// SelectIn reads into a slice of T the rows of query, whose first placeholder is the list in "IN (?)" that
// ids fill and whose later ones args fill. No ids, no query.
func SelectIn[T any](ctx context.Context, q sqlx.QueryerContext, query string, ids []int64, args ...any) ([]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, all, err := sqlx.In(query, append([]any{ids}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []T
	return out, sqlx.SelectContext(ctx, q, &out, query, all...)
}
