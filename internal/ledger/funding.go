package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
)

// FindFunding returns the account a payment for aidType in year by the grassroots union orgID draws on: the
// union's own allocation (下拨额度) of a line for that year and type when it has one, the one with the most
// available if several; otherwise the budget line of FindBudgetLine. 404 when there is neither.
func FindFunding(ctx context.Context, q sqlx.QueryerContext, orgID, year int64, aidType string) (Account, error) {
	acc, err := getAccount(ctx, q, `f.kind = 'allocation' AND f.org_id = ? AND f.year = ? AND f.aid_type = ?
		ORDER BY f.credits_posted - f.debits_posted - f.debits_pending DESC, f.id LIMIT 1`, orgID, year, aidType)
	if apperr.CodeOf(err) != apperr.NotFound {
		return acc, err
	}
	return FindBudgetLine(ctx, q, orgID, year, aidType)
}
