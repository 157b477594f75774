package household

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// DocumentKindsOf returns the kinds of the documents household id holds now (removed ones left out): the
// evidence that relief applications (SPEC §4) ask for. The caller has checked scope.
func DocumentKindsOf(ctx context.Context, q sqlx.QueryerContext, id int64) (map[string]bool, error) {
	kinds, err := DocumentKindsOfEach(ctx, q, []int64{id})
	if err != nil {
		return nil, err
	}
	if kinds[id] == nil {
		return map[string]bool{}, nil
	}
	return kinds[id], nil
}

// DocumentKindsOfEach is DocumentKindsOf for many households in one query, for lists: household id → the
// kinds it holds (a household without documents is absent).
func DocumentKindsOfEach(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64]map[string]bool, error) {
	out := map[int64]map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var rows []struct {
		HouseholdID int64  `db:"household_id"`
		Kind        string `db:"kind"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT DISTINCT household_id, kind FROM household_documents
		WHERE household_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) AND deleted_at IS NULL`, args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if out[r.HouseholdID] == nil {
			out[r.HouseholdID] = map[string]bool{}
		}
		out[r.HouseholdID][r.Kind] = true
	}
	return out, nil
}

// BankCardOf returns the real-name bank card registered for household id ("" if none): where a bank
// transfer of relief goes (SPEC §6). The caller has checked scope.
func BankCardOf(ctx context.Context, q sqlx.QueryerContext, id int64) (string, error) {
	var card string
	err := sqlx.GetContext(ctx, q, &card, "SELECT bank_card FROM households WHERE id = ?", id)
	return card, err
}
