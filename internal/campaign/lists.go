package campaign

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/store"
)

// records is one list of a campaign's records in a reader's scope — its deliveries, its enrolments, its
// warmth list. Who may read and which campaign are checked once, in listOf, and the filters and the paging
// have one shape for all of them.
type records struct {
	c     Campaign
	from  string // the table and its alias: "campaign_deliveries d"
	where []string
	args  []any
}

// listOf checks that a may read campaign id and starts the list of its rows in table (under alias) that lie
// in a's scope.
func (s *Service) listOf(ctx context.Context, a actor.Actor, id int64, table, alias string) (*records, error) {
	c, err := s.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	scope, args := a.Scope(alias + ".org_path")
	return &records{c: c, from: table + " " + alias, where: []string{alias + ".campaign_id = ?", scope},
		args: append([]any{id}, args...)}, nil
}

// and narrows the list by one condition.
func (r *records) and(cond string, args ...any) {
	r.where, r.args = append(r.where, cond), append(r.args, args...)
}

// withStatus narrows r to the rows whose expr is status, unless status is empty; a status names does not
// know is refused.
func withStatus[K ~string](r *records, expr, status string, names map[K]string) error {
	if status == "" {
		return nil
	}
	if _, ok := names[K(status)]; !ok {
		return apperr.Invalid("status", "状态取值无效")
	}
	r.and(expr+" = ?", status)
	return nil
}

// RecordPage is one page of a campaign's records and how many the filter selects (SPEC §9.2).
type RecordPage[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// readPage counts r's rows and reads one page of them: selectFrom is the SELECT … FROM of the rows, with the
// same alias, and order their order.
func readPage[T any](ctx context.Context, q sqlx.QueryerContext, r *records, selectFrom, order string, page, perPage int) (RecordPage[T], error) {
	cond := strings.Join(r.where, " AND ")
	out := RecordPage[T]{Items: []T{}}
	if err := sqlx.GetContext(ctx, q, &out.Total, "SELECT count(*) FROM "+r.from+" WHERE "+cond, r.args...); err != nil {
		return out, err
	}
	page, per := store.Paging(page, perPage)
	err := sqlx.SelectContext(ctx, q, &out.Items, selectFrom+" WHERE "+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(r.args[:len(r.args):len(r.args)], per, (page-1)*per)...)
	return out, err
}
