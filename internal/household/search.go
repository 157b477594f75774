package household

import (
	"context"
	"database/sql"
	"math"
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

// Page is one page of a household list. Counting a million matches would cost more than the page itself
// (SPEC §10), so Total is exact up to TotalCap; beyond it Total is TotalCap and TotalCapped is set, and the
// UI shows "10000+".
type Page struct {
	Items       []Brief `json:"items"`
	Total       int     `json:"total"`
	TotalCapped bool    `json:"total_capped"`
}

// TotalCap is the largest Total a list reports exactly.
const TotalCap = 10000

// totalCap is TotalCap; tests lower it. forcePlan makes tests take one plan: "read" or "walk".
var (
	totalCap  = TotalCap
	forcePlan string
)

var (
	fullID = regexp.MustCompile(`^\d{17}[\dX]$`)
	idTail = regexp.MustCompile(`^\d{1,16}[\dX]$`)
	mobile = regexp.MustCompile(`^1[3-9]\d{9}$`)
)

// A sort order and the index that yields it: walking the index in order and stopping when the page is full
// is the plan for lists that match many households. covering says whether the index holds every filter
// column, so that the walk skips non-matching households without reading them.
type order struct {
	by       string
	index    string
	covering bool
}

var sorting = map[string]order{
	"":           {"h.updated_at DESC, h.id DESC", "households_recent", true},
	"updated":    {"h.updated_at DESC, h.id DESC", "households_recent", true},
	"name":       {"h.head_name, h.id", "households_name", false},
	"file_no":    {"h.file_no", "sqlite_autoindex_households_1", false},
	"per_capita": {"h.per_capita_fen, h.id", "households_per_capita", false},
	"filed":      {"h.filed_at DESC, h.id DESC", "households_filed", false},
}

// Relative costs of the plans' steps, measured on the generated million (bench_test.go): reading a row of
// households by id costs about five index entries, probing household_terms about two.
const (
	costRow   = 5
	costProbe = 2
)

// cond is an SQL condition with its arguments.
type cond struct {
	sql  string
	args []any
}

func join(cs []cond) (string, []any) {
	var parts []string
	var args []any
	for _, c := range cs {
		parts = append(parts, c.sql)
		args = append(args, c.args...)
	}
	if len(parts) == 0 {
		return "1", nil
	}
	return strings.Join(parts, " AND "), args
}

// span is an index range that holds every household a list can match: the plan reads it and checks the
// rest of the conditions on each entry.
type span struct {
	index string // the households index, or "" for household_terms
	where cond   // the range, on h (households) or t (household_terms)
	size  int    // entries in the range, counted up to a cap (estimate)
}

// query is a parsed Filter: the conditions on households h, and the search terms q requires.
type query struct {
	scope   cond   // the actor's subtree, a range of org paths (internal/actor)
	filters []cond // conditions on columns that households_scope and households_recent hold
	spans   []span
	terms   []string // for a name: every term of q; a match has them all
	exact   bool     // a match is exactly a household with terms[0]: no further check of the name
	name    string   // for a name longer than a pair: the household's name must contain it
	ids     string   // for ID numbers and phones: the subquery of candidate households (small)
	idArgs  []any
}

// List returns the households in a's scope that match f: a page of them and how many match (SPEC §9.2).
//
// The plan is chosen for each request so that its work stays bounded on a million households: the count
// stops at totalCap+1; a list that matches few households is read from the narrowest index range that holds
// them (the rarest search term, or the subtree, or one filter value) and sorted; a list that matches many is
// read in the order of the page from a sort index and stops when the page is full.
func List(ctx context.Context, db sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter) (Page, error) {
	// The plans bound most searches well, but a few combinations (a very common name with a rare filter over
	// the whole district) still read long index ranges: past the budget the search is interrupted and the
	// user asked to narrow it, rather than holding a connection for seconds.
	ctx, cancel := context.WithTimeout(ctx, listBudget)
	defer cancel()
	page, err := list(ctx, db, a, now, f)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return Page{}, apperr.New(apperr.Validation, "查询范围过大，请输入更完整的姓名、身份证号或增加筛选条件后再查")
	}
	return page, err
}

// neverFiled are the statuses whose households have no filed_at.
var neverFiled = map[string]bool{string(Draft): true, string(Submitted): true, string(Visited): true,
	string(Publicizing): true, string(Rejected): true}

// listBudget is how long one household search may take; tests lower it.
var listBudget = 1500 * time.Millisecond

func list(ctx context.Context, db sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter) (Page, error) {
	sort, ok := sorting[f.Sort]
	if !ok {
		return Page{}, apperr.Invalid("sort", "排序方式无效")
	}
	whole, err := seesAll(ctx, db, a)
	if err != nil {
		return Page{}, err
	}
	q, err := parse(a, now, f, whole)
	if err != nil {
		return Page{}, err
	}
	if err := q.estimate(ctx, db); err != nil {
		return Page{}, err
	}
	// Among spans of one size (every one capped, say) a covering one is read without visiting rows.
	d := q.spans[0]
	for _, x := range q.spans[1:] {
		if x.size < d.size || x.size == d.size && covers[x.index] && !covers[d.index] {
			d = x
		}
	}
	from, where, args := q.plan(d, true)
	var n int
	if err := sqlx.GetContext(ctx, db, &n, "SELECT count(*) FROM (SELECT 1 FROM "+from+" WHERE "+where+
		" LIMIT ?)", append(args, totalCap+1)...); err != nil {
		return Page{}, err
	}
	out := Page{Items: []Brief{}, Total: min(n, totalCap), TotalCapped: n > totalCap}
	page, per := store.Paging(f.Page, f.PerPage)
	if !out.TotalCapped && n <= (page-1)*per {
		return out, nil
	}
	// Walking the sort index reads about (offset+per) × rows / matches entries; reading the span
	// reads all of it.
	var rows int
	if err := sqlx.GetContext(ctx, db, &rows, "SELECT coalesce(max(id), 0) FROM households"); err != nil {
		return Page{}, err
	}
	step := 1
	if !sort.covering {
		step = costRow
	}
	if q.terms != nil {
		step += costProbe * len(q.terms)
	}
	walk := page * per * rows / max(n, 1) * step
	read := d.size
	if d.size > totalCap {
		// The span was only counted up to the cap: it may hold every row, and reading it means reading and
		// sorting all of it, which a capped walk never does.
		read = rows
	}
	if !covers[d.index] || q.name != "" || q.ids != "" {
		read *= costRow
	}
	if sort.index == "households_filed" && (neverFiled[f.Status] || f.Status == string(ReviewDue) || f.ReviewDue) {
		// The walk's estimate assumes the matches are spread along the sort index. Files never filed have no
		// filed_at and sit at the end of the filed order, files due for review just before them: a walk would
		// read every recently filed household first (2 s for 公示中 by filing date at a million).
		walk = math.MaxInt
	}
	from, where, args = q.plan(d, false)
	if q.ids == "" && (walk < read && forcePlan != "read" || forcePlan == "walk") {
		from, where, args = q.walk(sort)
	}
	err = sqlx.SelectContext(ctx, db, &out.Items, `SELECT h.id, h.file_no, h.status, h.head_name, h.id_number,
		h.phone, h.org_id, o.name AS org_name, h.industry, h.main_cause, h.migrant, h.suggested_category, h.category,
		h.per_capita_fen, h.filed_at, h.updated_at FROM households h JOIN orgs o ON o.id = h.org_id
		WHERE h.id IN (SELECT h.id FROM `+from+" WHERE "+where+" ORDER BY "+sort.by+` LIMIT ? OFFSET ?)
		ORDER BY `+sort.by, append(args, per, (page-1)*per)...)
	if err != nil {
		return Page{}, err
	}
	cutoff := reviewCutoff(now)
	for i := range out.Items {
		b := &out.Items[i]
		b.IDNumber, b.Phone = ident.MaskID(b.IDNumber), ident.MaskPhone(b.Phone)
		b.Status = b.Stored
		if b.Stored == Filed && b.FiledAt.Valid && b.FiledAt.String <= cutoff {
			b.Status = ReviewDue
		}
	}
	return out, nil
}

// covers are the households indexes that hold every filter column: a span of one is read without rows.
var covers = map[string]bool{"households_scope": true, "households_status_filed": true}

// seesAll says whether a's subtree holds every household, as a district user's does: its org-path range then
// excludes nothing, and leaving it out lets the planner use the plain term and order indexes (a range on
// org_path over a term or a status is no narrower, but it keeps households_terms_scope and the *_scope indexes
// in the plan). Org paths are ordered, so the subtree holds them all if it holds the least and the greatest.
func seesAll(ctx context.Context, db sqlx.QueryerContext, a actor.Actor) (bool, error) {
	if a.OrgPath == "" {
		return false, nil
	}
	var lo, hi sql.NullString
	if err := db.QueryRowxContext(ctx, "SELECT (SELECT min(org_path) FROM households), (SELECT max(org_path) FROM households)").
		Scan(&lo, &hi); err != nil {
		return false, err
	}
	return a.Sees(lo.String) && a.Sees(hi.String), nil
}

// parse turns f into conditions and the candidate spans of the plan; whole says that a's scope holds every
// household (seesAll), so that no condition on the org path is needed.
func parse(a actor.Actor, now time.Time, f Filter, whole bool) (*query, error) {
	q := &query{}
	scope, args := a.Scope("h.org_path")
	tscope, _ := a.Scope("t.org_path")
	statusIndex := "households_status_scope"
	// The whole scope as a span is a range of households_scope, a search rather than a scan of it.
	subtree := cond{scope, args}
	if whole {
		scope, args, tscope = "1", nil, "1"
		// SPEC §10: the status ranges of the district are long; this one holds every filter column and the
		// filing order (migration 8).
		statusIndex = "households_status_filed"
	}
	q.scope = cond{scope, args}
	add := func(index string, c cond) {
		q.filters = append(q.filters, c)
		if index != "" {
			q.spans = append(q.spans, span{index: index, where: cond{c.sql + " AND " + scope, append(c.args, args...)}})
		}
	}
	cutoff := reviewCutoff(now)
	switch f.Status {
	case "":
	case string(ReviewDue):
		f.ReviewDue = true
	case string(Filed):
		add(statusIndex, cond{"h.status = 'filed' AND h.filed_at > ?", []any{cutoff}})
	case string(Draft), string(Submitted), string(Visited), string(Publicizing), string(Exited), string(Rejected):
		add(statusIndex, cond{"h.status = ?", []any{f.Status}})
	default:
		return nil, apperr.Invalid("status", "状态取值无效")
	}
	if f.ReviewDue {
		add(statusIndex, cond{"h.status = 'filed' AND h.filed_at <= ?", []any{cutoff}})
	}
	if f.Category != "" {
		add("households_category_scope", cond{"h.category = ?", []any{f.Category}})
	}
	if f.Cause != "" {
		add("households_cause_scope", cond{"h.main_cause = ?", []any{f.Cause}})
	}
	if f.Industry != "" {
		add("households_industry_scope", cond{"h.industry = ?", []any{f.Industry}})
	}
	// A union's households all have its org path: the filter narrows households_scope to one path.
	if f.OrgID != 0 {
		add("", cond{"h.org_path = (SELECT path FROM orgs WHERE id = ?)", []any{f.OrgID}})
	}
	switch f.Migrant {
	case "":
	case "1", "true":
		add("households_migrant_scope", cond{"h.migrant = 1", nil})
	case "0", "false":
		add("households_migrant_scope", cond{"h.migrant = 0", nil})
	default:
		return nil, apperr.Invalid("migrant", "取值应为 1 或 0")
	}
	if f.OrgID != 0 {
		subtree = cond{scope + " AND h.org_path = (SELECT path FROM orgs WHERE id = ?)", append(args, f.OrgID)}
	}
	if !whole || f.OrgID != 0 || len(q.spans) == 0 {
		// The district's whole scope is never narrower than a filter's span: it is a span only without one.
		q.spans = append([]span{{index: "households_scope", where: subtree}}, q.spans...)
	}

	s := strings.ToUpper(strings.Join(strings.Fields(f.Q), ""))
	if s == "" {
		return q, nil
	}
	// ID numbers and phones: a handful of candidates, always read through household_terms.
	tail := func(s string) (string, []any) {
		return `SELECT t.household_id FROM household_terms t JOIN households x ON x.id = t.household_id
			WHERE t.term = ? AND ` + tscope + ` AND (substr(x.id_number, -?) = ? OR EXISTS (SELECT 1
			FROM household_members m WHERE m.household_id = x.id AND substr(m.id_number, -?) = ?))`,
			append(append([]any{"s:" + s[len(s)-4:]}, args...), len(s), s, len(s), s)
	}
	switch {
	case fullID.MatchString(s):
		q.ids, q.idArgs = "SELECT t.household_id FROM household_terms t WHERE t.term = ? AND "+tscope, append([]any{"i:" + s}, args...)
	case mobile.MatchString(s): // a phone number, or the last 11 digits of an ID number
		sub, subArgs := tail(s)
		q.ids = "SELECT t.household_id FROM household_terms t WHERE t.term = ? AND " + tscope + " UNION " + sub
		q.idArgs = append(append([]any{"p:" + s}, args...), subArgs...)
	case idTail.MatchString(s):
		if len(s) < 4 {
			return nil, apperr.Invalid("q", "按身份证号查询请输入至少后4位")
		}
		q.ids, q.idArgs = tail(s)
	}
	if q.ids != "" {
		q.spans = []span{{index: "ids"}}
		return q, nil
	}
	// A name or part of one: every character pair is a term (one character for a one-character q); the
	// rarest drives, the others are probed, and a name longer than a pair is checked for the whole of q.
	r := []rune(s)
	if len(r) == 1 {
		q.terms = []string{"n:" + s}
	}
	for i := 0; i+1 < len(r); i++ {
		if t := "n:" + string(r[i:i+2]); !contains(q.terms, t) {
			q.terms = append(q.terms, t)
		}
	}
	q.exact = len(r) <= 2
	if !q.exact {
		q.name = s
	}
	q.spans = nil
	for _, t := range q.terms {
		q.spans = append(q.spans, span{where: cond{"t.term = ? AND " + tscope, append([]any{t}, args...)}})
	}
	return q, nil
}

// estimate counts each span, up to totalCap+1 entries each (the terms of a name further): the ranges are
// index-only.
func (q *query) estimate(ctx context.Context, db sqlx.QueryerContext) error {
	if q.ids != "" {
		return nil
	}
	for i := range q.spans {
		d := &q.spans[i]
		from, limit := "household_terms t", totalCap+1
		if d.index != "" {
			from = "households h INDEXED BY " + d.index
		} else if len(q.spans) > 1 {
			// The pairs of a district-wide name often all pass the cap (王伟 25,000 times, 伟芳 12,000 at a
			// million): counted further, the rarest one drives and the match reads half as many terms.
			limit = 4 * (totalCap + 1)
		}
		if err := sqlx.GetContext(ctx, db, &d.size, "SELECT count(*) FROM (SELECT 1 FROM "+from+" WHERE "+d.where.sql+
			" LIMIT ?)", append(d.where.args, limit)...); err != nil {
			return err
		}
	}
	return nil
}

// plan is the FROM and WHERE of the matches read through span d; a count of exact terms needs no row.
func (q *query) plan(d span, count bool) (string, string, []any) {
	if q.ids != "" {
		w, args := join(append([]cond{q.scope, {"h.id IN (" + q.ids + ")", q.idArgs}}, q.filters...))
		return "households h", w, args
	}
	if q.terms == nil {
		w, args := join(append([]cond{d.where}, q.filters...))
		return "households h INDEXED BY " + d.index, w, args
	}
	cs := []cond{d.where}
	for _, t := range q.terms {
		if t != d.where.args[0] {
			cs = append(cs, cond{"EXISTS (SELECT 1 FROM household_terms x WHERE x.term = ? AND x.household_id = t.household_id)", []any{t}})
		}
	}
	if count && q.exact && len(q.filters) == 0 {
		w, args := join(cs)
		return "household_terms t", w, args
	}
	if q.name != "" {
		cs = append(cs, cond{"instr(h.head_name, ?) > 0", []any{q.name}})
	}
	w, args := join(append(append(cs, q.scope), q.filters...))
	return "household_terms t CROSS JOIN households h ON h.id = t.household_id", w, args
}

// walk is the FROM and WHERE of the matches read in sort order from its index.
func (q *query) walk(s order) (string, string, []any) {
	cs := append([]cond{q.scope}, q.filters...)
	for _, t := range q.terms {
		cs = append(cs, cond{"EXISTS (SELECT 1 FROM household_terms x WHERE x.term = ? AND x.household_id = h.id)", []any{t}})
	}
	if q.name != "" {
		cs = append(cs, cond{"instr(h.head_name, ?) > 0", []any{q.name}})
	}
	w, args := join(cs)
	return "households h INDEXED BY " + s.index, w, args
}
