package relief

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Filter selects applications for lists and queues. Empty fields do not filter.
type Filter struct {
	Queue       string `query:"queue"` // approval, finance, receipt, review, docs_overdue
	Q           string `query:"q"`     // applicant name (any part), application number, full ID number
	Status      string `query:"status"`
	Type        string `query:"type"`
	Green       string `query:"green"` // "1" or "0"
	HouseholdID int64  `query:"household_id"`
	OrgID       int64  `query:"org_id"`
	Year        int    `query:"year"`
	Page        int    `query:"page"`
	PerPage     int    `query:"per_page"`
}

// Queues are the work lists of SPEC §4.2 and §4.3, each with its order.
var queues = map[string]struct{ where, order string }{
	// green-channel cases first, nearest deadline first; then the oldest submission
	"approval": {"a.status IN ('submitted', 'first_approved')",
		"a.green DESC, CASE WHEN a.green = 1 THEN a.decide_by END, a.submitted_at, a.id"},
	"finance":      {"a.status = 'approved'", "a.green DESC, a.approved_at, a.id"},
	"receipt":      {"a.status = 'disbursed'", "a.disbursed_at, a.id"},
	"review":       {"a.green = 1 AND a.status IN ('approved', 'disbursed', 'received') AND a.reviewed_at IS NULL", "a.approved_at, a.id"},
	"docs_overdue": {"a.green = 1 AND a.status IN ('approved', 'disbursed', 'received') AND a.docs_due < ? AND " + docsMissing(), "a.docs_due, a.id"},
}

// docsMissing is the SQL condition that the household of a decided green case still lacks a document its
// type needs: what Application.At reports as MissingDocs, so that the queue lists exactly the overdue cases.
func docsMissing() string {
	var byType []string
	for _, t := range Types {
		var missing []string
		for _, k := range union(GreenDocs, RequiredDocs[t]) {
			missing = append(missing, "NOT EXISTS (SELECT 1 FROM household_documents d WHERE d.household_id = a.household_id AND d.kind = '"+
				k+"' AND d.deleted_at IS NULL)")
		}
		byType = append(byType, "(a.type = '"+string(t)+"' AND ("+strings.Join(missing, " OR ")+"))")
	}
	return "a.household_id IS NOT NULL AND (" + strings.Join(byType, " OR ") + ")"
}

// Page is one page of a list.
type Page struct {
	Items []Application `json:"items"`
	Total int           `json:"total"`
}

// List returns the applications in a's scope that match f, and how many match in all.
func List(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter) (Page, error) {
	scope, args := a.Scope("a.org_path")
	where := []string{scope}
	add := func(cond string, v ...any) { where = append(where, cond); args = append(args, v...) }
	order := "a.id DESC"
	if f.Queue != "" {
		qu, ok := queues[f.Queue]
		if !ok {
			return Page{}, apperr.Invalid("queue", "未知的工作队列")
		}
		if strings.Contains(qu.where, "?") {
			add(qu.where, clock.Date(now))
		} else {
			add(qu.where)
		}
		order = qu.order
	}
	if f.Status != "" {
		if _, ok := StatusNames[Status(f.Status)]; !ok {
			return Page{}, apperr.Invalid("status", "未知的申请状态")
		}
		add("a.status = ?", f.Status)
	}
	if f.Type != "" {
		if !Type(f.Type).Valid() {
			return Page{}, apperr.Invalid("type", "未知的救助类型")
		}
		add("a.type = ?", f.Type)
	}
	switch f.Green {
	case "":
	case "1", "0":
		add("a.green = ?", f.Green == "1")
	default:
		return Page{}, apperr.Invalid("green", "绿色通道筛选应为 1 或 0")
	}
	if f.HouseholdID != 0 {
		add("a.household_id = ?", f.HouseholdID)
	}
	if f.OrgID != 0 {
		add("a.org_id = ?", f.OrgID)
	}
	if f.Year != 0 {
		add("a.aid_year = ?", f.Year)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		if len([]rune(t)) > 40 {
			return Page{}, apperr.Invalid("q", "搜索词不能超过 40 个字")
		}
		add(`(a.applicant_name LIKE ? ESCAPE '\' OR a.app_no = ? OR a.applicant_id_number = ?)`,
			"%"+likeEscape(t)+"%", strings.ToUpper(t), strings.ToUpper(t))
	}
	page, per := store.Paging(f.Page, f.PerPage)
	cond := strings.Join(where, " AND ")
	out := Page{Items: []Application{}}
	if err := sqlx.GetContext(ctx, q, &out.Total, "SELECT count(*) FROM applications a WHERE "+cond, args...); err != nil {
		return Page{}, err
	}
	if err := sqlx.SelectContext(ctx, q, &out.Items, selectApplication+" WHERE "+cond+" ORDER BY "+order+
		" LIMIT ? OFFSET ?", append(slices.Clone(args), per, (page-1)*per)...); err != nil {
		return Page{}, err
	}
	apps := make([]*Application, len(out.Items))
	for i := range out.Items {
		apps[i] = &out.Items[i]
	}
	return out, atAll(ctx, q, apps, now)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
