package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
)

// Get reads the one row of query into a T. No row is the 404 whose message is missing, in the user's words
// ("活动不存在"); any other error is returned as it is.
func Get[T any](ctx context.Context, q sqlx.QueryerContext, missing, query string, args ...any) (T, error) {
	var out T
	err := sqlx.GetContext(ctx, q, &out, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return out, apperr.NotFoundf("%s", missing)
	}
	return out, err
}
