package ledger

import (
	"context"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
)

// FindFunding returns the account a payment for aidType in year by the grassroots union orgID draws on,
// among accounts serving one of purposes (专款专用: an epidemic line pays only pandemic cases), earlier
// purposes first: the union's own allocation (下拨额度) of a line for that year and type when it has one;
// otherwise a budget line of the union or an ancestor, the nearest first. Among equals, the one with the most
// available. 404 when there is none.
func FindFunding(ctx context.Context, q sqlx.QueryerContext, orgID, year int64, aidType string, purposes []string) (Account, error) {
	if len(purposes) == 0 {
		purposes = []string{DefaultPurpose(aidType)}
	}
	// The candidates are few (a line per purpose, an allocation per line and union): they are read whole
	// and ranked here, which keeps the statements simple enough for SQLite to keep them prepared.
	var allocs []Account
	if err := sqlx.SelectContext(ctx, q, &allocs, selectAccount+` WHERE f.kind = 'allocation' AND f.org_id = ?
		AND f.year = ? AND f.aid_type = ?`, orgID, year, aidType); err != nil {
		return Account{}, err
	}
	if best, ok := bestFunding(allocs, purposes, ""); ok {
		return best, nil
	}
	path, err := orgPath(ctx, q, orgID)
	if err != nil {
		return Account{}, err
	}
	var lines []Account
	if err := sqlx.SelectContext(ctx, q, &lines, selectAccount+` WHERE f.kind = 'budget' AND f.year = ? AND f.aid_type = ?`,
		year, aidType); err != nil {
		return Account{}, err
	}
	if best, ok := bestFunding(lines, purposes, path); ok {
		return best, nil
	}
	names := make([]string, len(purposes))
	for i, p := range purposes {
		names[i] = Purposes[p]
	}
	return Account{}, apperr.NotFoundf("%d 年度没有%s的预算科目（资金用途：%s）", year, AidTypes[aidType], strings.Join(names, "或"))
}

// bestFunding picks among accounts serving one of purposes (and, when under is set, owned by an org whose
// path is a prefix of it): the earliest purpose, then the nearest owner, then the most available, then the
// oldest account.
func bestFunding(accs []Account, purposes []string, under string) (Account, bool) {
	var best Account
	found := false
	better := func(a, b Account) bool {
		ra, rb := slices.Index(purposes, *a.Purpose), slices.Index(purposes, *b.Purpose)
		if ra != rb {
			return ra < rb
		}
		if len(a.OrgPath) != len(b.OrgPath) {
			return len(a.OrgPath) > len(b.OrgPath)
		}
		if av, bv := a.Balance().Available, b.Balance().Available; av != bv {
			return av > bv
		}
		return a.ID < b.ID
	}
	for _, a := range accs {
		if a.Purpose == nil || !slices.Contains(purposes, *a.Purpose) || (under != "" && !strings.HasPrefix(under, a.OrgPath)) {
			continue
		}
		a.fill()
		if !found || better(a, best) {
			best, found = a, true
		}
	}
	return best, found
}

func orgPath(ctx context.Context, q sqlx.QueryerContext, orgID int64) (string, error) {
	var path string
	err := sqlx.GetContext(ctx, q, &path, "SELECT path FROM orgs WHERE id = ?", orgID)
	return path, err
}
