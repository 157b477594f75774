package household

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/ident"
	"bangfu/internal/store"
)

// Filter selects households for the search page (SPEC §9.2). Empty fields do not filter.
type Filter struct {
	Q         string `query:"q"` // name (any part), full ID number, its last 4 or more digits, or phone
	Status    string `query:"status"`
	Category  string `query:"category"`
	Cause     string `query:"cause"`
	Industry  string `query:"industry"`
	OrgID     int64  `query:"org_id"`
	Migrant   string `query:"migrant"` // "1" or "0"
	ReviewDue bool   `query:"review_due"`
	Sort      string `query:"sort"` // updated (default), name, file_no, per_capita, filed
	Page      int    `query:"page"`
	PerPage   int    `query:"per_page"`
}

var (
	fullID  = regexp.MustCompile(`^\d{17}[\dX]$`)
	idTail  = regexp.MustCompile(`^\d{1,16}[\dX]$`)
	mobile  = regexp.MustCompile(`^1[3-9]\d{9}$`)
	sorting = map[string]string{
		"": "h.updated_at DESC, h.id DESC", "updated": "h.updated_at DESC, h.id DESC", "name": "h.head_name, h.id",
		"file_no": "h.file_no", "per_capita": "h.per_capita_fen, h.id", "filed": "h.filed_at DESC, h.id DESC",
	}
)

// tailMatch selects households with an ID number (head or member) ending in tail, through the index of
// last-four terms; the ends-with test runs only on those few candidates.
const tailMatch = `SELECT t.household_id FROM household_terms t JOIN households x ON x.id = t.household_id
	WHERE t.term = ? AND (substr(x.id_number, -?) = ? OR EXISTS (SELECT 1 FROM household_members m
	WHERE m.household_id = x.id AND substr(m.id_number, -?) = ?))`

// candidates turns q into a subquery of household ids, all of it answered from the household_terms index.
func candidates(q string) (string, []any, error) {
	q = strings.ToUpper(strings.Join(strings.Fields(q), ""))
	tail := func(s string) []any { return []any{"s:" + s[len(s)-4:], len(s), s, len(s), s} }
	switch {
	case fullID.MatchString(q):
		return "SELECT household_id FROM household_terms WHERE term = ?", []any{"i:" + q}, nil
	case mobile.MatchString(q): // a phone number, or the last 11 digits of an ID number
		return "SELECT household_id FROM household_terms WHERE term = ? UNION " + tailMatch,
			append([]any{"p:" + q}, tail(q)...), nil
	case idTail.MatchString(q):
		if len(q) < 4 {
			return "", nil, apperr.Invalid("q", "按身份证号查询请输入至少后4位")
		}
		return tailMatch, tail(q), nil
	}
	r := []rune(q)
	if len(r) == 1 {
		return "SELECT household_id FROM household_terms WHERE term = ?", []any{"n:" + q}, nil
	}
	// Any part of the name: the first pair of characters narrows through the index, instr checks the rest.
	return `SELECT t.household_id FROM household_terms t JOIN households x ON x.id = t.household_id
		WHERE t.term = ? AND instr(x.head_name, ?) > 0`, []any{"n:" + string(r[:2]), q}, nil
}

// List returns the households in a's scope that match f, a page of them and how many match in all.
func List(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter) ([]Brief, int, error) {
	scope, args := a.Scope("h.org_path")
	where := []string{scope}
	add := func(cond string, v ...any) { where = append(where, cond); args = append(args, v...) }
	if strings.TrimSpace(f.Q) != "" {
		sub, subArgs, err := candidates(f.Q)
		if err != nil {
			return nil, 0, err
		}
		add("h.id IN ("+sub+")", subArgs...)
	}
	cutoff := reviewCutoff(now)
	switch f.Status {
	case "":
	case string(ReviewDue):
		f.ReviewDue = true
	case string(Filed):
		add("h.status = 'filed' AND h.filed_at > ?", cutoff)
	case string(Draft), string(Submitted), string(Visited), string(Publicizing), string(Exited), string(Rejected):
		add("h.status = ?", f.Status)
	default:
		return nil, 0, apperr.Invalid("status", "状态取值无效")
	}
	if f.ReviewDue {
		add("h.status = 'filed' AND h.filed_at <= ?", cutoff)
	}
	if f.Category != "" {
		add("h.category = ?", f.Category)
	}
	if f.Cause != "" {
		add("h.main_cause = ?", f.Cause)
	}
	if f.Industry != "" {
		add("h.industry = ?", f.Industry)
	}
	if f.OrgID != 0 {
		add("h.org_id = ?", f.OrgID)
	}
	switch f.Migrant {
	case "":
	case "1", "true":
		add("h.migrant = 1")
	case "0", "false":
		add("h.migrant = 0")
	default:
		return nil, 0, apperr.Invalid("migrant", "取值应为 1 或 0")
	}
	order, ok := sorting[f.Sort]
	if !ok {
		return nil, 0, apperr.Invalid("sort", "排序方式无效")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := sqlx.GetContext(ctx, q, &total, "SELECT count(*) FROM households h WHERE "+cond, args...); err != nil {
		return nil, 0, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	items := []Brief{}
	err := sqlx.SelectContext(ctx, q, &items, `SELECT h.id, h.file_no, h.status, h.head_name, h.id_number, h.phone,
		h.org_id, o.name AS org_name, h.industry, h.main_cause, h.migrant, h.suggested_category, h.category,
		h.per_capita_fen, h.filed_at, h.updated_at FROM households h JOIN orgs o ON o.id = h.org_id
		WHERE `+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		b := &items[i]
		b.IDNumber, b.Phone = ident.MaskID(b.IDNumber), ident.MaskPhone(b.Phone)
		b.Status = b.Stored
		if b.Stored == Filed && b.FiledAt.Valid && b.FiledAt.String <= cutoff {
			b.Status = ReviewDue
		}
	}
	return items, total, nil
}
