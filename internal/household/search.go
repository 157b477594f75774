package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
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
// is the plan for lists that match many households. Each index holds the org path, every filter column and the
// head's name (migration 23), so that the walk skips non-matching households without reading them.
type order struct {
	by    string
	index string
}

var sorting = map[string]order{
	"":           {"h.updated_at DESC, h.id DESC", "households_recent"},
	"updated":    {"h.updated_at DESC, h.id DESC", "households_recent"},
	"name":       {"h.head_name, h.id", "households_name"},
	"file_no":    {"h.file_no", "households_file_no"},
	"per_capita": {"h.per_capita_fen, h.id", "households_per_capita"},
	"filed":      {"h.filed_at DESC, h.id DESC", "households_filed"},
}

// costRow is what reading a row of households by id costs, in index entries read in order, measured on the
// generated million (bench_test.go).
const costRow = 5

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
	scope   cond     // the actor's subtree, a range of org paths (internal/actor)
	filters []cond   // conditions on columns that households_scope and the sort indexes hold
	spans   []span   // for a list without q or ID numbers: the households index ranges that hold every match
	terms   []string // for a name: every term of q; a match has them all
	text    string   // for a name: q, which the household's name contains exactly when it has all of terms
	name    string   // for a name longer than a pair: q, which a term's entries are checked for
	ids     string   // for ID numbers and phones: the subquery of candidate households (small)
	idArgs  []any
}

// List returns the households in a's scope that match f: a page of them and how many match (SPEC §9.2).
//
// The plan is chosen for each request so that its work stays bounded on a million households (SPEC §10): the
// count stops at totalCap+1; a name search, and a district-wide list, read one range of a name term's index
// entries, which hold every filter column and sort key (listByTerm); other lists read the narrowest households
// index range that holds their matches, or walk a sort index when they match many. No search is refused for
// matching too much.
func List(ctx context.Context, db sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter) (Page, error) {
	return list(ctx, db, a, now, f)
}

// neverFiled are the statuses whose households have no filed_at.
var neverFiled = map[string]bool{string(Draft): true, string(Submitted): true, string(Visited): true,
	string(Publicizing): true, string(Rejected): true}

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
	if a.OrgPath == "" {
		// An actor without an org sees nothing (its scope is the condition "0", under which SQLite refuses a
		// partial index named by INDEXED BY).
		return Page{Items: []Brief{}}, nil
	}
	// A name, a district-wide list and a union's list read one range of a name term's entries (a union's: its org
	// path in household_terms_scope), which hold every filter column and sort key.
	if q.ids == "" && (q.terms != nil || whole || f.OrgID != 0) {
		return listByTerm(ctx, db, a, now, f, q, sort, whole, 0)
	}
	if q.ids == "" {
		// A subtree's list without q: the "n:" entries of a small subtree (a community's 10,000) hold every filter
		// column and sort key, so that counting and sorting them reads no household; a larger one is read through
		// the households indexes below.
		sc, args := a.Scope("t.org_path")
		var size int
		if err := sqlx.GetContext(ctx, db, &size, "SELECT count(*) FROM (SELECT 1 FROM household_terms t INDEXED BY "+
			"household_terms_scope WHERE t.term = 'n:' AND "+nameTerms+" AND "+sc+" LIMIT ?)", append(args, 2*totalCap+1)...); err != nil {
			return Page{}, err
		}
		if size <= 2*totalCap {
			return listByTerm(ctx, db, a, now, f, q, sort, whole, size)
		}
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
	from, where, args := q.plan(d)
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
	walk := page * per * rows / max(n, 1)
	read := d.size
	if d.size > totalCap {
		// The span was only counted up to the cap: it may hold every row, and reading it means reading and
		// sorting all of it, which a capped walk never does.
		read = rows
	}
	if !covers[d.index] || q.ids != "" {
		read *= costRow
	}
	if sort.index == "households_filed" && (neverFiled[f.Status] || f.Status == string(ReviewDue) || f.ReviewDue) {
		// The walk's estimate assumes the matches are spread along the sort index. Files never filed have no
		// filed_at and sit at the end of the filed order, files due for review just before them: a walk would
		// read every recently filed household first (2 s for 公示中 by filing date at a million).
		walk = math.MaxInt
	}
	from, where, args = q.plan(d)
	if q.ids == "" && (walk < read && forcePlan != "read" || forcePlan == "walk") {
		from, where, args = q.walk(sort)
	}
	return out, fill(ctx, db, now, &out, "h.id FROM "+from, where, sort.by, args, per, (page-1)*per)
}

// fill reads the page of households h FROM from WHERE where in order by (ORDER BY, LIMIT per, OFFSET off) into
// out.Items, their numbers masked and their status as seen at now.
func fill(ctx context.Context, db sqlx.QueryerContext, now time.Time, out *Page, from, where, by string, args []any, per, off int) error {
	err := sqlx.SelectContext(ctx, db, &out.Items, `SELECT h.id, h.file_no, h.status, h.head_name, h.id_number,
		h.phone, h.org_id, o.name AS org_name, h.industry, h.main_cause, h.migrant, h.suggested_category, h.category,
		h.per_capita_fen, h.filed_at, h.updated_at FROM households h JOIN orgs o ON o.id = h.org_id
		WHERE h.id IN (SELECT `+from+" WHERE "+where+" ORDER BY "+by+` LIMIT ? OFFSET ?)
		ORDER BY `+strings.NewReplacer("t.household_id", "h.id", "t.", "h.").Replace(by), append(args, per, off)...)
	if err != nil {
		return err
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
	return nil
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
	// ID numbers and phones: a handful of candidates, always read through household_terms. An ID number's term
	// holds its digits reversed (migration 21): the IDs that end in s are one range of terms, each one a match.
	tail := func(s string) (string, []any) {
		p := idTerm(s)
		return "SELECT t.household_id FROM household_terms t WHERE t.term >= ? AND t.term < ? AND " + tscope,
			append([]any{p, p + "Z"}, args...) // after the digits and X
	}
	switch {
	case fullID.MatchString(s):
		q.ids, q.idArgs = "SELECT t.household_id FROM household_terms t WHERE t.term = ? AND "+tscope, append([]any{idTerm(s)}, args...)
	case mobile.MatchString(s): // a phone number, or the last 11 digits of an ID number
		sub, subArgs := tail(s)
		q.ids = "SELECT t.household_id FROM household_terms t WHERE t.term = ? AND " + tscope + " UNION " + sub
		q.idArgs = append(append([]any{"p:" + s}, args...), subArgs...)
	case idTail.MatchString(s):
		if len(s) < 4 {
			return nil, apperr.Invalid("q", "按身份证号查询请输入完整号码或至少后4位数字")
		}
		q.ids, q.idArgs = tail(s)
	}
	if q.ids != "" {
		q.spans = []span{{index: "ids"}}
		return q, nil
	}
	// A name or part of one: every character pair is a term (one character for a one-character q); the
	// rarest one's entries are read, and a name longer than a pair is checked on them for the whole of q.
	q.text = s
	r := []rune(s)
	if len(r) == 1 {
		q.terms = []string{"n:" + s}
	}
	for i := 0; i+1 < len(r); i++ {
		if t := "n:" + string(r[i:i+2]); !contains(q.terms, t) {
			q.terms = append(q.terms, t)
		}
	}
	if len(r) > 2 {
		q.name = s
	}
	q.spans = nil
	return q, nil
}

// estimate counts each span, up to totalCap+1 entries each: the ranges are index-only.
func (q *query) estimate(ctx context.Context, db sqlx.QueryerContext) error {
	if q.ids != "" {
		return nil
	}
	for i := range q.spans {
		d := &q.spans[i]
		if err := sqlx.GetContext(ctx, db, &d.size, "SELECT count(*) FROM (SELECT 1 FROM households h INDEXED BY "+
			d.index+" WHERE "+d.where.sql+" LIMIT ?)", append(d.where.args, totalCap+1)...); err != nil {
			return err
		}
	}
	return nil
}

// plan is the FROM and WHERE of the matches of a list without a name read through span d.
func (q *query) plan(d span) (string, string, []any) {
	if q.ids != "" {
		w, args := join(append([]cond{q.scope, {"h.id IN (" + q.ids + ")", q.idArgs}}, q.filters...))
		return "households h", w, args
	}
	w, args := join(append([]cond{d.where}, q.filters...))
	return "households h INDEXED BY " + d.index, w, args
}

// walk is the FROM and WHERE of the matches read in sort order from its index. The index holds the scope, the
// filter columns and the name (migration 23): the walk checks them all on its entries, reading no row.
func (q *query) walk(s order) (string, string, []any) {
	cs := append([]cond{q.scope}, q.filters...)
	if q.text != "" {
		cs = append(cs, cond{"instr(h.head_name, ?) > 0", []any{q.text}})
	}
	w, args := join(cs)
	return "households h INDEXED BY " + s.index, w, args
}

// insertTerms writes the search terms of household id, whose row is already written. A name term carries its
// household's filter columns and sort keys (migration 11) and an ID or phone term its org path, each copied in the
// one INSERT, so that the triggers that fill them for a writer that leaves them out do no second write.
func insertTerms(ctx context.Context, tx sqlx.ExecerContext, id int64, terms []string) error {
	for _, t := range terms {
		q := idTermSQL
		if strings.HasPrefix(t, "n:") {
			q = nameTermSQL
		}
		res, err := tx.ExecContext(ctx, q, t, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Join(err, fmt.Errorf("search term %q: household %d not found", t, id))
		}
	}
	return nil
}

const (
	nameTermSQL = `INSERT INTO household_terms (term, household_id, org_path, status, migrant, category, industry, main_cause,
		filed_at, updated_at, per_capita_fen, head_name, file_no) SELECT ?, id, org_path, status, migrant, category, industry,
		main_cause, filed_at, updated_at, per_capita_fen, head_name, file_no FROM households WHERE id = ?`
	idTermSQL = "INSERT INTO household_terms (term, household_id, org_path) SELECT ?, id, org_path FROM households WHERE id = ?"
)

// termSort is each sort order on the columns a name term's index entry holds (migration 11).
var termSort = map[string]string{
	"":           "t.updated_at DESC, t.household_id DESC",
	"updated":    "t.updated_at DESC, t.household_id DESC",
	"name":       "t.head_name, t.household_id",
	"file_no":    "t.file_no",
	"per_capita": "t.per_capita_fen, t.household_id",
	"filed":      "t.filed_at DESC, t.household_id DESC",
}

// nameTerms is the condition of the partial indexes household_terms_sig, household_terms_name (migration 18) and
// household_terms_scope (migration 29): a query names it word for word so that SQLite may use them.
const nameTerms = "t.term >= 'n:' AND t.term < 'n;'"

// termPlan is the FROM and WHERE of a name search (or of a list, the term "n:" that every household has) over
// one name term's index entries: households are never read to count or to sort.
//
// A user who sees the whole district searches household_terms_sig, whose key is the term and then sig, the
// filter columns as one number (migration 18): the search seeks each sig value its filters allow, so that the
// index range holds exactly the matches rather than every household with the name. Any other user, or a search
// of one union, searches household_terms_scope: the term and the subtree are one range, the filters checked on
// its entries, which hold them. byName reads household_terms_name instead, the term's entries in name order.
func termPlan(a actor.Actor, now time.Time, f Filter, term, name string, whole, byName bool, entries int) (string, string, []any) {
	cutoff := reviewCutoff(now)
	var cs []cond
	switch f.Status {
	case "", string(ReviewDue):
	case string(Filed):
		cs = append(cs, cond{"t.status = 'filed' AND t.filed_at > ?", []any{cutoff}})
	default:
		cs = append(cs, cond{"t.status = ?", []any{f.Status}})
	}
	if f.ReviewDue || f.Status == string(ReviewDue) {
		cs = append(cs, cond{"t.status = 'filed' AND t.filed_at <= ?", []any{cutoff}})
	}
	switch f.Migrant {
	case "1", "true":
		cs = append(cs, cond{"t.migrant = 1", nil})
	case "0", "false":
		cs = append(cs, cond{"t.migrant = 0", nil})
	}
	for _, c := range []struct{ col, v string }{{"category", f.Category}, {"industry", f.Industry}, {"main_cause", f.Cause}} {
		if c.v != "" {
			cs = append(cs, cond{"t." + c.col + " = ?", []any{c.v}})
		}
	}
	// Each of the three indexes holds name terms only (migrations 18 and 28).
	index, from := "household_terms_scope", ""
	cs = append(cs, cond{nameTerms, nil})
	switch {
	case byName:
		index = "household_terms_name"
	case whole && f.OrgID == 0:
		index = "household_terms_sig"
		if rs := sigRanges(f); rs != nil && len(rs)*seekCost <= entries {
			// One seek of the term and a run of sig values for each row of the runs, the filters' matches and
			// nothing else in between (the runs hold integers computed here, never input).
			var vs strings.Builder
			for i, r := range rs {
				if i > 0 {
					vs.WriteString(", ")
				}
				fmt.Fprintf(&vs, "(%d, %d)", r[0], r[1])
			}
			from = "(VALUES " + vs.String() + ") r CROSS JOIN "
			cs = append(cs, cond{"t.sig BETWEEN r.column1 AND r.column2", nil})
		}
	}
	if !whole || f.OrgID != 0 {
		sc, args := a.Scope("t.org_path")
		cs = append(cs, cond{sc, args})
		if f.OrgID != 0 {
			cs = append(cs, cond{"t.org_path = (SELECT path FROM orgs WHERE id = ?)", []any{f.OrgID}})
		}
	}
	if name != "" {
		cs = append(cs, cond{"instr(t.head_name, ?) > 0", []any{name}})
	}
	w, args := join(append([]cond{{"t.term = ?", []any{term}}}, cs...))
	return from + "household_terms t INDEXED BY " + index, w, args
}

// seekCost is what one seek of household_terms_sig costs, in index entries read in order: a term with fewer
// entries than its seeks cost is read whole, the filters checked on each entry. Tests set 0: always seek.
var seekCost = 4

// The digits of household_terms.sig (migration 18), in its order: each column's values and their codes, the
// code 0 for any other value. sigRanges must agree with the schema's expression, which
// TestSig_AgreesWithTheSchema checks.
var sigDigits = []struct {
	base  int
	codes map[string]int
}{
	{8, map[string]int{"draft": 1, "submitted": 2, "visited": 3, "publicizing": 4, "filed": 5, "exited": 6, "rejected": 7}},
	{8, map[string]int{"deep": 1, "relative": 2, "accident": 3, "ineligible": 4}},
	{2, map[string]int{"0": 0, "1": 1}},
	{8, map[string]int{"catering": 1, "accommodation": 2, "retail": 3, "manufacturing": 4, "construction": 5, "logistics": 6,
		"other": 7}},
	{16, map[string]int{"illness": 1, "disability": 2, "unemployment": 3, "laid_off": 4, "schooling": 5, "disaster": 6,
		"accident": 7, "pandemic": 8, "zero_employment": 9, "other": 10}},
}

// sigWanted is the value f asks of each digit of sig, "" for a column it does not filter.
func sigWanted(f Filter) []string {
	status := f.Status
	if status == string(ReviewDue) || f.ReviewDue {
		status = string(Filed)
	}
	migrant := map[string]string{"1": "1", "true": "1", "0": "0", "false": "0"}[f.Migrant]
	return []string{status, f.Category, migrant, f.Industry, f.Cause}
}

// sigRanges are the runs [lo, hi] of sig values that a household matching f's filters may have, in increasing
// order, or nil when f has none (every value). A filtered column contributes its value's code (an unknown value
// 0, with every other unknown one); a column without a filter before the last filtered one each code it has; the
// columns after the last filtered one every value of their digits, codes that no household has included, so that
// those make one run: a filter on the status alone is one run, on the migrant flag 40 (the status and category
// codes before it).
func sigRanges(f Filter) [][2]int {
	wanted := sigWanted(f)
	last := -1
	for i, w := range wanted {
		if w != "" {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	prefixes := []int{0}
	for i, d := range sigDigits[:last+1] {
		codes := []int{d.codes[wanted[i]]}
		if wanted[i] == "" {
			codes = []int{0}
			for _, c := range d.codes {
				if c != 0 {
					codes = append(codes, c)
				}
			}
		}
		next := make([]int, 0, len(prefixes)*len(codes))
		for _, p := range prefixes {
			for _, c := range codes {
				next = append(next, p*d.base+c)
			}
		}
		prefixes = next
	}
	run := 1
	for _, d := range sigDigits[last+1:] {
		run *= d.base
	}
	slices.Sort(prefixes)
	var out [][2]int
	for _, p := range prefixes {
		if n := len(out); n > 0 && out[n-1][1]+1 == p*run {
			out[n-1][1] += run
			continue
		}
		out = append(out, [2]int{p * run, p*run + run - 1})
	}
	return out
}

// listByTerm is List for a name, or for a list without q (the term "n:"). Its count reads at most totalCap+1
// index entries of the term, all matches; a list of at most totalCap matches is sorted from those entries; a list
// of more is read by walking a sort index of households until the page is full, which stops early since then at
// least one household in a hundred matches — unless span, the entries of the term in a's subtree when they were
// counted (a community's list), are fewer than the walk would read: the walk meets the subtree's households once
// in rows/n, and reading the span sorts at most 2×totalCap index entries.
func listByTerm(ctx context.Context, db sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter, q *query, s order, whole bool, span int) (Page, error) {
	terms := q.terms
	if terms == nil {
		terms = []string{"n:"}
	}
	// The term's entries are counted as far as they decide between seeking the filters and reading the range.
	limit := 1
	if len(terms) > 1 {
		limit = 5000
	}
	if whole && f.OrgID == 0 {
		limit = max(limit, len(sigRanges(f))*seekCost+1)
	}
	term, entries, err := rarest(ctx, db, terms, limit)
	if err != nil {
		return Page{}, err
	}
	from, where, args := termPlan(a, now, f, term, q.name, whole, false, entries)
	var n int
	if err := sqlx.GetContext(ctx, db, &n, "SELECT count(*) FROM (SELECT 1 FROM "+from+" WHERE "+where+" LIMIT ?)",
		append(args, totalCap+1)...); err != nil {
		return Page{}, err
	}
	out := Page{Items: []Brief{}, Total: min(n, totalCap), TotalCapped: n > totalCap}
	page, per := store.Paging(f.Page, f.PerPage)
	if !out.TotalCapped && n <= (page-1)*per {
		return out, nil
	}
	read := !out.TotalCapped
	if out.TotalCapped && span > 0 {
		var rows int
		if err := sqlx.GetContext(ctx, db, &rows, "SELECT coalesce(max(id), 0) FROM households"); err != nil {
			return Page{}, err
		}
		read = span < page*per*rows/n
	}
	by := termSort[f.Sort]
	switch {
	case (read || forcePlan == "read") && forcePlan != "walk":
		// At most totalCap matches: sorted from the entries just counted.
		from = "t.household_id FROM " + from
	case f.Sort == "name":
		// More, in name order: the term's entries in that order (household_terms_name) until the page is full. A
		// walk of households_name would read every name before the first match (王: half the district).
		from, where, args = termPlan(a, now, f, term, q.name, whole, true, entries)
		from = "t.household_id FROM " + from
	default:
		// More, in another order: the households in that order, each probed for the term, until the page is full;
		// at least one in a hundred matches.
		if s.index == "households_filed" && (f.Status != "" || f.ReviewDue) {
			// households_status_filed is in filing order within a status: the walk starts at the status.
			s.index = "households_status_filed"
		}
		from, where, args = q.walk(s)
		by = s.by
		from = "h.id FROM " + from
	}
	return out, fill(ctx, db, now, &out, from, where, by, args, per, (page-1)*per)
}

// rarest is the term of terms with the fewest entries and their number, counted up to limit each; among terms
// past it, the last (a name's later characters, given names, are rarer than its first, a surname).
func rarest(ctx context.Context, db sqlx.QueryerContext, terms []string, limit int) (string, int, error) {
	best, size := "", math.MaxInt
	for _, t := range terms {
		var n int
		if err := sqlx.GetContext(ctx, db, &n, "SELECT count(*) FROM (SELECT 1 FROM household_terms t WHERE t.term = ? AND "+nameTerms+" LIMIT ?)", t, limit); err != nil {
			return "", 0, err
		}
		if n <= size {
			best, size = t, n
		}
	}
	return best, size, nil
}
