package ledger

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
)

// FindFunding returns the account a payment for aidType in year by the grassroots union orgID draws on,
// among accounts serving one of purposes (专款专用: an epidemic line pays only pandemic cases), earlier
// purposes first: the union's own allocation (下拨额度) of a line for that year and type when it has one;
// otherwise a budget line of the union or an ancestor, the nearest first. Among equals, the one with
// the most available. 404 when there is none.
func FindFunding(ctx context.Context, q sqlx.QueryerContext, orgID, year int64, aidType string, purposes []string) (Account, error) {
	if len(purposes) == 0 {
		purposes = []string{DefaultPurpose(aidType)}
	}
	in := "?" + strings.Repeat(", ?", len(purposes)-1)
	rank := "CASE f.purpose"
	var rankArgs []any
	for i, p := range purposes {
		rank += " WHEN ? THEN " + string(rune('0'+i))
		rankArgs = append(rankArgs, p)
	}
	rank += " END"
	args := []any{orgID, year, aidType}
	for _, p := range purposes {
		args = append(args, p)
	}
	acc, err := getAccount(ctx, q, `f.kind = 'allocation' AND f.org_id = ? AND f.year = ? AND f.aid_type = ?
		AND f.purpose IN (`+in+`) ORDER BY `+rank+`, f.credits_posted - f.debits_posted - f.debits_pending DESC, f.id LIMIT 1`,
		append(args, rankArgs...)...)
	if apperr.CodeOf(err) != apperr.NotFound {
		return acc, err
	}
	path, err := orgPath(ctx, q, orgID)
	if err != nil {
		return Account{}, err
	}
	args = []any{year, aidType, path}
	for _, p := range purposes {
		args = append(args, p)
	}
	acc, err = getAccount(ctx, q, `f.kind = 'budget' AND f.year = ? AND f.aid_type = ?
		AND substr(?, 1, length(f.org_path)) = f.org_path AND f.purpose IN (`+in+`)
		ORDER BY `+rank+`, length(f.org_path) DESC, f.credits_posted - f.debits_posted - f.debits_pending DESC, f.id LIMIT 1`,
		append(args, rankArgs...)...)
	if apperr.CodeOf(err) == apperr.NotFound {
		names := make([]string, len(purposes))
		for i, p := range purposes {
			names[i] = Purposes[p]
		}
		return acc, apperr.NotFoundf("%d 年度没有%s的预算科目（资金用途：%s）", year, AidTypes[aidType], strings.Join(names, "或"))
	}
	return acc, err
}

func orgPath(ctx context.Context, q sqlx.QueryerContext, orgID int64) (string, error) {
	var path string
	err := sqlx.GetContext(ctx, q, &path, "SELECT path FROM orgs WHERE id = ?", orgID)
	return path, err
}
