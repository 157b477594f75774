package household

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[Status]string{
	Draft: "草稿", Submitted: "已提交", Visited: "已走访", Publicizing: "公示中", Filed: "已建档",
	ReviewDue: "待年审", Exited: "已撤档", Rejected: "已驳回",
}

// Actions a user may take on a household. Besides the lifecycle steps, "edit", "documents" (upload and
// remove documents) and "reveal" (read full numbers) are listed so that the UI asks one question.
const (
	ActEdit      = "edit"
	ActSubmit    = "submit"
	ActReturn    = "return"
	ActReject    = "reject"
	ActVisit     = "visit"
	ActPublicize = "publicize"
	ActObject    = "object"
	ActResolve   = "resolve-objection"
	ActFile      = "file"
	ActReview    = "review"
	ActExit      = "exit"
	ActReopen    = "reopen"
	ActDocuments = "documents"
	ActReveal    = "reveal"
)

var (
	caseworker = []actor.Role{actor.Caseworker}
	supervisor = []actor.Role{actor.Supervisor}
	caseOrSup  = []actor.Role{actor.Caseworker, actor.Supervisor}
	open       = []Status{Draft, Submitted, Visited, Publicizing, Filed, ReviewDue}
)

// Transition is one row of the lifecycle table (SPEC §3.3): from which statuses an action may be taken, the
// status it leads to ("" keeps the status), who may take it, and whether it is a decision on the file, which
// the person who submitted the file may never take (SPEC §1.2, segregation of duties).
type Transition struct {
	Action   string
	From     []Status
	To       Status
	Roles    []actor.Role
	Decision bool
}

// Lifecycle is the state machine of a household file. Every action goes through Can, which reads this table.
var Lifecycle = []Transition{
	{ActEdit, []Status{Draft}, "", caseworker, false},
	{ActSubmit, []Status{Draft}, Submitted, caseworker, false},
	{ActReturn, []Status{Submitted, Visited, Publicizing}, Draft, supervisor, true},
	{ActReject, []Status{Submitted, Visited, Publicizing}, Rejected, supervisor, true},
	{ActVisit, []Status{Submitted}, Visited, caseworker, false},
	{ActPublicize, []Status{Visited}, Publicizing, caseOrSup, false},
	{ActObject, []Status{Publicizing}, "", caseOrSup, false},
	{ActResolve, []Status{Publicizing}, "", supervisor, false},
	{ActFile, []Status{Publicizing}, Filed, supervisor, true},
	{ActReview, []Status{ReviewDue}, Filed, supervisor, true}, // or Exited, by the decision
	{ActExit, []Status{Filed, ReviewDue}, Exited, supervisor, false},
	{ActReopen, []Status{Exited}, "", caseworker, false}, // opens a new draft file
	{ActDocuments, open, "", caseOrSup, false},
	// SPEC §7: full numbers for the roles that pay, approve, audit or keep the file; never admins.
	{ActReveal, []Status{Draft, Submitted, Visited, Publicizing, Filed, ReviewDue, Exited, Rejected}, "",
		[]actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}, false},
}

func transition(action string) (Transition, bool) {
	for _, t := range Lifecycle {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// Can reports whether a may take action on h (whose Status was set by At) at now: nil, or 403 for the wrong
// role or the submitter's own decision, 409 for a status the action does not apply to or a guard (publicity
// not over, an open objection). Scope is checked before, when h was read.
func Can(a actor.Actor, h *Household, action string, now time.Time) error {
	t, ok := transition(action)
	if !ok {
		return apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(t.Roles...); err != nil {
		return err
	}
	if !contains(statusStrings(t.From), string(h.Status)) {
		return apperr.Conflictf("档案当前状态为「%s」，不能执行此操作", StatusNames[h.Status])
	}
	if t.Decision && h.SubmittedBy.Valid && h.SubmittedBy.Int64 == a.UserID {
		return apperr.Forbiddenf("不能审批自己提交的档案（职责分离）")
	}
	switch action {
	case ActFile:
		today := clock.Date(now)
		if h.PublicityEnd.Valid && today <= h.PublicityEnd.String {
			return apperr.Conflictf("公示期至 %s 结束，期满后方可建档", h.PublicityEnd.String)
		}
		if h.OpenObjections > 0 {
			return apperr.Conflictf("公示期间有 %d 条异议尚未处理，处理后方可建档", h.OpenObjections)
		}
	case ActReopen:
		if h.ReopenedAs.Valid {
			return apperr.Conflictf("该档案已返困重开过，请查看新档案")
		}
	}
	return nil
}

func statusStrings(ss []Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// Actions lists the actions a may take on h now, in table order: the UI shows exactly these.
func Actions(a actor.Actor, h *Household, now time.Time) []string {
	out := []string{}
	for _, t := range Lifecycle {
		if Can(a, h, t.Action, now) == nil {
			out = append(out, t.Action)
		}
	}
	return out
}

// ActionInput carries what the lifecycle actions need; each action reads its own fields.
type ActionInput struct {
	Reason string `json:"reason" validate:"max=500"`
	// visit: the home-visit record
	VisitDate     string `json:"visit_date" validate:"omitempty,datetime=2006-01-02"`
	Visitors      string `json:"visitors" validate:"max=200"`
	Findings      string `json:"findings" validate:"max=2000"`
	ConsentSigned bool   `json:"consent_signed"`
	// publicize
	StartDate string `json:"start_date" validate:"omitempty,datetime=2006-01-02"`
	// object / resolve-objection
	Content     string `json:"content" validate:"max=1000"`
	RaisedBy    string `json:"raised_by" validate:"max=100"`
	ObjectionID int64  `json:"objection_id"`
	Resolution  string `json:"resolution" validate:"max=1000"`
	Upheld      bool   `json:"upheld"`
	// file / review / exit
	Category   string `json:"category" validate:"omitempty,oneof=deep relative accident ineligible"`
	Decision   string `json:"decision" validate:"omitempty,oneof=confirm recategorize exit"`
	ExitReason string `json:"exit_reason" validate:"omitempty,oneof=recovered retired moved deceased other"`
}

// ExitReasonNames are the Chinese names of the exit reasons (SPEC §3.3).
var ExitReasonNames = map[string]string{"recovered": "已脱困", "retired": "已退休", "moved": "迁出本区", "deceased": "已故", "other": "其他"}

func required(field, value, message string) error {
	if utf8.RuneCountInString(strings.TrimSpace(value)) == 0 {
		return apperr.Invalid(field, message)
	}
	return nil
}

// Act takes a lifecycle action on household id in its own transaction and returns the household after it
// (for reopen: the new file).
func Act(ctx context.Context, db *store.DB, a actor.Actor, now time.Time, id int64, action string, in ActionInput) (Household, error) {
	var out Household
	err := db.Write(ctx, func(tx *sqlx.Tx) (err error) {
		out, err = ActTx(ctx, tx, a, now, id, action, in)
		return err
	})
	return out, err
}

// ActTx is Act inside the caller's transaction.
func ActTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, action string, in ActionInput) (Household, error) {
	if err := tags.Struct(&in); err != nil {
		return Household{}, err
	}
	old, err := Get(ctx, tx, a, id)
	if err != nil {
		return Household{}, err
	}
	old.At(now)
	if action == ActEdit || action == ActDocuments || action == ActReveal {
		return Household{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := Can(a, &old, action, now); err != nil {
		return Household{}, err
	}
	at := store.FormatTime(now)
	today := clock.Date(now)
	in.Reason = strings.TrimSpace(in.Reason)
	set := func(sqlText string, args ...any) error {
		_, err := tx.ExecContext(ctx, "UPDATE households SET updated_at = ?, "+sqlText+" WHERE id = ?",
			append(append([]any{at}, args...), id)...)
		return err
	}
	switch action {
	case ActSubmit:
		err = set("status = 'submitted', submitted_by = ?, submitted_at = ?", a.UserID, at)
	case ActReturn, ActReject:
		if err := required("reason", in.Reason, "请填写理由"); err != nil {
			return Household{}, err
		}
		to := "draft"
		if action == ActReject {
			to = "rejected"
			if err := releaseIDs(ctx, tx, id); err != nil {
				return Household{}, err
			}
		}
		err = set("status = ?, last_reason = ?", to, in.Reason)
	case ActVisit:
		err = visit(ctx, tx, a, at, today, id, in)
		if err == nil {
			err = set("status = 'visited'")
		}
	case ActPublicize:
		err = publicize(ctx, tx, today, &old, in, set)
	case ActObject:
		if err := required("content", in.Content, "请填写异议内容"); err != nil {
			return Household{}, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO household_objections (household_id, content, raised_by, recorded_by,
			recorded_at) VALUES (?, ?, ?, ?, ?)`, id, strings.TrimSpace(in.Content), strings.TrimSpace(in.RaisedBy), a.UserID, at)
		if err == nil {
			err = set("status = status")
		}
	case ActResolve:
		err = resolveObjection(ctx, tx, a, at, id, in)
		if err == nil {
			err = set("status = status")
		}
	case ActFile:
		err = file(&old, in, at, a, set)
	case ActReview:
		err = review(ctx, tx, &old, in, at, set)
	case ActExit:
		if in.ExitReason == "" {
			return Household{}, apperr.Invalid("exit_reason", "请选择撤档原因")
		}
		if in.ExitReason == "other" {
			if err := required("reason", in.Reason, "原因为「其他」时请说明"); err != nil {
				return Household{}, err
			}
		}
		if err := releaseIDs(ctx, tx, id); err != nil {
			return Household{}, err
		}
		err = set("status = 'exited', exit_reason = ?, last_reason = ?", in.ExitReason, in.Reason)
	case ActReopen:
		return reopen(ctx, tx, a, now, &old)
	}
	if err != nil {
		return Household{}, err
	}
	h, err := get(ctx, tx, id)
	if err != nil {
		return Household{}, err
	}
	h.At(now)
	return h, record(ctx, tx, a, now, &h, "household."+strings.ReplaceAll(action, "-", "_"), &old, &h, in.Reason)
}

func visit(ctx context.Context, tx *sqlx.Tx, a actor.Actor, at, today string, id int64, in ActionInput) error {
	bad := map[string]string{}
	if in.VisitDate == "" {
		bad["visit_date"] = "请填写走访日期"
	} else if in.VisitDate > today {
		bad["visit_date"] = "走访日期不能晚于今天"
	}
	if strings.TrimSpace(in.Visitors) == "" {
		bad["visitors"] = "请填写走访人员"
	}
	if strings.TrimSpace(in.Findings) == "" {
		bad["findings"] = "请填写走访情况"
	}
	if !in.ConsentSigned {
		bad["consent_signed"] = "入户核查须由户主签署核对授权书"
	}
	if len(bad) > 0 {
		return apperr.FieldErrors(bad)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO household_visits (household_id, visit_date, visitors, findings,
		consent_signed, recorded_by, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)`, id, in.VisitDate,
		strings.TrimSpace(in.Visitors), strings.TrimSpace(in.Findings), a.UserID, at)
	return err
}

func publicize(ctx context.Context, tx *sqlx.Tx, today string, h *Household, in ActionInput, set func(string, ...any) error) error {
	if in.StartDate == "" {
		return apperr.Invalid("start_date", "请填写公示开始日期")
	}
	if in.StartDate < today {
		return apperr.Invalid("start_date", "公示开始日期不能早于今天")
	}
	p, err := policy.InForce(ctx, tx, h.OrgID, in.StartDate)
	if err != nil {
		return err
	}
	end, err := PublicityEnd(ctx, tx, in.StartDate, p.Params.PublicityDays)
	if err != nil {
		return err
	}
	return set("status = 'publicizing', publicity_start = ?, publicity_end = ?", in.StartDate, end)
}

func resolveObjection(ctx context.Context, tx *sqlx.Tx, a actor.Actor, at string, id int64, in ActionInput) error {
	if in.ObjectionID == 0 {
		return apperr.Invalid("objection_id", "请选择要处理的异议")
	}
	if err := required("resolution", in.Resolution, "请填写处理结果"); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE household_objections SET resolution = ?, upheld = ?, resolved_by = ?,
		resolved_at = ? WHERE id = ? AND household_id = ? AND resolved_at IS NULL`,
		strings.TrimSpace(in.Resolution), in.Upheld, a.UserID, at, in.ObjectionID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflictf("该异议不存在或已处理")
	}
	return nil
}

// decideCategory is the category a supervisor confirms: the suggestion, or another one with a reason
// (SPEC §3.2: an override needs a reason and is audited). A household is never filed as ineligible.
func decideCategory(h *Household, in ActionInput) (Category, string, error) {
	c := Category(in.Category)
	if c == "" {
		c = h.SuggestedCategory
	}
	if c == Ineligible {
		return "", "", apperr.Invalid("category", "建议类别为「不符合条件」，不能建档；请驳回，或改定类别并说明理由")
	}
	if c != h.SuggestedCategory {
		if utf8.RuneCountInString(in.Reason) < 2 {
			return "", "", apperr.Invalid("reason", "改定类别须说明理由")
		}
		return c, in.Reason, nil
	}
	return c, "", nil
}

func file(h *Household, in ActionInput, at string, a actor.Actor, set func(string, ...any) error) error {
	c, why, err := decideCategory(h, in)
	if err != nil {
		return err
	}
	return set(`status = 'filed', category = ?, category_override = ?, filed_by = ?, filed_at = ?,
		first_filed_at = coalesce(first_filed_at, ?)`, c, why, a.UserID, at, at)
}

// review is the annual review of SPEC §3.3: confirm the file, re-categorise it, or exit it.
func review(ctx context.Context, tx *sqlx.Tx, h *Household, in ActionInput, at string, set func(string, ...any) error) error {
	switch in.Decision {
	case "confirm":
		return set("filed_at = ?", at)
	case "recategorize":
		if in.Category == "" {
			return apperr.Invalid("category", "请选择新的类别")
		}
		c, why, err := decideCategory(&Household{SuggestedCategory: h.Category}, in)
		if err != nil {
			return err
		}
		return set("category = ?, category_override = ?, filed_at = ?", c, why, at)
	case "exit":
		if in.ExitReason == "" {
			return apperr.Invalid("exit_reason", "请选择撤档原因")
		}
		if err := releaseIDs(ctx, tx, h.ID); err != nil {
			return err
		}
		return set("status = 'exited', exit_reason = ?, last_reason = ?", in.ExitReason, in.Reason)
	}
	return apperr.Invalid("decision", "请选择复核结论：确认、改定类别或撤档")
}

// reopen opens a new draft file (返困) with the data of the exited household h, linked both ways.
func reopen(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h *Household) (Household, error) {
	in := Input{Fields: h.Fields}
	for _, m := range h.Members {
		m.ID = 0
		in.Members = append(in.Members, m)
	}
	created, err := insert(ctx, tx, a, now, in, h.ID, "household.create")
	if err != nil {
		return Household{}, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE households SET reopened_as = ?, updated_at = ? WHERE id = ?",
		created.ID, store.FormatTime(now), h.ID); err != nil {
		return Household{}, err
	}
	after := *h
	after.ReopenedAs = sql.NullInt64{Int64: created.ID, Valid: true}
	if err := record(ctx, tx, a, now, h, "household.reopen", h, &after, fmt.Sprintf("返困重开为档案 %s", created.FileNo)); err != nil {
		return Household{}, err
	}
	return created, nil
}
