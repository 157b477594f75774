package household

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
// remove documents), "reveal" (read full numbers), "apply" (draft a relief application) and "applications"
// (read its relief records) are listed so that the UI asks one question.
const (
	ActEdit         = "edit"
	ActSubmit       = "submit"
	ActReturn       = "return"
	ActReject       = "reject"
	ActVisit        = "visit"
	ActPublicize    = "publicize"
	ActObject       = "object"
	ActResolve      = "resolve-objection"
	ActFile         = "file"
	ActReview       = "review"
	ActExit         = "exit"
	ActReopen       = "reopen"
	ActDocuments    = "documents"
	ActReveal       = "reveal"
	ActApply        = "apply"
	ActApplications = "applications"
)

// ActionNames are the Chinese names of the actions, served to the UI.
var ActionNames = map[string]string{
	ActEdit: "修改", ActSubmit: "提交审核", ActReturn: "退回修改", ActReject: "驳回", ActVisit: "登记入户走访",
	ActPublicize: "开始公示", ActObject: "登记异议", ActResolve: "处理异议", ActFile: "建档", ActReview: "年度复核",
	ActExit: "撤档", ActReopen: "返困重开", ActDocuments: "管理材料", ActReveal: "查看完整号码", ActApply: "申请救助",
	ActApplications: "救助记录",
}

var (
	caseworker  = []actor.Role{actor.Caseworker}
	supervisor  = []actor.Role{actor.Supervisor}
	caseOrSup   = []actor.Role{actor.Caseworker, actor.Supervisor}
	caseReaders = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}
	open        = []Status{Draft, Submitted, Visited, Publicizing, Filed, ReviewDue}
	every       = []Status{Draft, Submitted, Visited, Publicizing, Filed, ReviewDue, Exited, Rejected}
)

// Transition is one row of the lifecycle table (SPEC §3.3): from which statuses an action may be taken, the
// status it leads to ("" keeps the status), who may take it, whether it is a decision on the file (which the
// person who submitted the file may never take: SPEC §1.2, segregation of duties), the guard that must hold
// besides the status, the input fields it requires, and the function that takes it. A row without a function
// is a permission the UI asks about (edit, documents, reveal, apply), taken through its own service method.
type Transition struct {
	Action   string
	From     []Status
	To       Status
	Roles    []actor.Role
	Decision bool
	Guard    func(h *Household, now time.Time) error
	Requires []string
	take     func(s *step) error
}

// Lifecycle is the state machine of a household file. Every action goes through Can, which reads this table.
var Lifecycle []Transition

func init() {
	Lifecycle = []Transition{
		{Action: ActEdit, From: []Status{Draft}, Roles: caseworker},
		{Action: ActSubmit, From: []Status{Draft}, To: Submitted, Roles: caseworker, take: submit},
		{Action: ActReturn, From: []Status{Submitted, Visited, Publicizing}, To: Draft, Roles: supervisor, Decision: true,
			Requires: []string{"reason"}, take: returnToDraft},
		{Action: ActReject, From: []Status{Submitted, Visited, Publicizing}, To: Rejected, Roles: supervisor, Decision: true,
			Requires: []string{"reason"}, take: reject},
		{Action: ActVisit, From: []Status{Submitted}, To: Visited, Roles: caseworker,
			Requires: []string{"visit_date", "visitors", "findings", "consent_signed"}, take: visit},
		{Action: ActPublicize, From: []Status{Visited}, To: Publicizing, Roles: caseOrSup, Requires: []string{"start_date"}, take: publicize},
		{Action: ActObject, From: []Status{Publicizing}, Roles: caseOrSup, Requires: []string{"content"}, take: object},
		{Action: ActResolve, From: []Status{Publicizing}, Roles: supervisor, Requires: []string{"objection_id", "resolution"},
			take: resolveObjection},
		{Action: ActFile, From: []Status{Publicizing}, To: Filed, Roles: supervisor, Decision: true, Guard: publicityOver, take: file},
		// review leads to filed (confirm, recategorize) or exited, by the decision
		{Action: ActReview, From: []Status{ReviewDue}, To: Filed, Roles: supervisor, Decision: true, Requires: []string{"decision"}, take: review},
		{Action: ActExit, From: []Status{Filed, ReviewDue}, To: Exited, Roles: supervisor, Requires: []string{"exit_reason"}, take: exit},
		{Action: ActReopen, From: []Status{Exited}, Roles: caseworker, Guard: notReopened, take: reopen}, // opens a new draft file
		{Action: ActDocuments, From: open, Roles: caseOrSup},
		// SPEC §7: full numbers for the roles that pay, approve, audit or keep the file; never admins.
		{Action: ActReveal, From: every, Roles: caseReaders},
		// SPEC §4: a caseworker drafts relief for an open file; the relief area checks the type's own rules.
		{Action: ActApply, From: open, Roles: caseworker},
		{Action: ActApplications, From: every, Roles: caseReaders},
	}
}

func transition(action string) (Transition, bool) {
	for _, t := range Lifecycle {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// publicityOver guards filing: the publicity period is over and no objection is open (SPEC §3.3).
func publicityOver(h *Household, now time.Time) error {
	if h.PublicityEnd.Valid && clock.Date(now) <= h.PublicityEnd.String {
		return apperr.Conflictf("公示期至 %s 结束，期满后方可建档", h.PublicityEnd.String)
	}
	if h.OpenObjections > 0 {
		return apperr.Conflictf("公示期间有 %d 条异议尚未处理，处理后方可建档", h.OpenObjections)
	}
	return nil
}

// notReopened guards reopening: an exited file is reopened once.
func notReopened(h *Household, _ time.Time) error {
	if h.ReopenedAs.Valid {
		return apperr.Conflictf("该档案已返困重开过，请查看新档案")
	}
	return nil
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
	if !slices.Contains(t.From, h.Status) {
		return apperr.Conflictf("档案当前状态为「%s」，不能执行此操作", StatusNames[h.Status])
	}
	if t.Decision && h.SubmittedBy.Valid && h.SubmittedBy.Int64 == a.UserID {
		return apperr.Forbiddenf("不能审批自己提交的档案（职责分离）")
	}
	if t.Guard != nil {
		return t.Guard(h, now)
	}
	return nil
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

// requirement is how a required action field is found missing, and what the user is told.
type requirement struct {
	missing func(in *ActionInput) bool
	message string
}

func blank(s string) bool { return utf8.RuneCountInString(strings.TrimSpace(s)) == 0 }

// requirements are the fields a Transition may require, by JSON name.
var requirements = map[string]requirement{
	"reason":         {func(in *ActionInput) bool { return blank(in.Reason) }, "请填写理由"},
	"visit_date":     {func(in *ActionInput) bool { return in.VisitDate == "" }, "请填写走访日期"},
	"visitors":       {func(in *ActionInput) bool { return blank(in.Visitors) }, "请填写走访人员"},
	"findings":       {func(in *ActionInput) bool { return blank(in.Findings) }, "请填写走访情况"},
	"consent_signed": {func(in *ActionInput) bool { return !in.ConsentSigned }, "入户核查须由户主签署核对授权书"},
	"start_date":     {func(in *ActionInput) bool { return in.StartDate == "" }, "请填写公示开始日期"},
	"content":        {func(in *ActionInput) bool { return blank(in.Content) }, "请填写异议内容"},
	"objection_id":   {func(in *ActionInput) bool { return in.ObjectionID == 0 }, "请选择要处理的异议"},
	"resolution":     {func(in *ActionInput) bool { return blank(in.Resolution) }, "请填写处理结果"},
	"decision":       {func(in *ActionInput) bool { return in.Decision == "" }, "请选择复核结论：确认、改定类别或撤档"},
	"exit_reason":    {func(in *ActionInput) bool { return in.ExitReason == "" }, "请选择撤档原因"},
}

// checkRequired refuses an action whose required fields are missing: one field by its message, several
// together with a message beside each.
func (t Transition) checkRequired(in *ActionInput) error {
	bad := map[string]string{}
	var first string
	for _, f := range t.Requires {
		if r := requirements[f]; r.missing(in) {
			if first == "" {
				first = f
			}
			bad[f] = r.message
		}
	}
	switch len(bad) {
	case 0:
		return nil
	case 1:
		return apperr.Invalid(first, bad[first])
	}
	return apperr.FieldErrors(bad)
}

// step is one action being taken: the household before it, the input and the statement that saves it.
type step struct {
	ctx   context.Context
	tx    *sqlx.Tx
	a     actor.Actor
	now   time.Time
	at    string // now, as stored
	today string // now's date in China
	old   *Household
	in    ActionInput
	// reopened is the new file reopen opened: the household the action answers with.
	reopened *Household
}

// set updates the household's row with the given assignments and the update time.
func (s *step) set(sqlText string, args ...any) error {
	_, err := s.tx.ExecContext(s.ctx, "UPDATE households SET updated_at = ?, "+sqlText+" WHERE id = ?",
		append(append([]any{s.at}, args...), s.old.ID)...)
	return err
}

// ActTx takes a lifecycle action on household id inside the caller's transaction and returns the household
// after it (for reopen: the new file). Who before what: the action's roles are checked before its input.
func ActTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, action string, in ActionInput) (Household, error) {
	t, ok := transition(action)
	if !ok || t.take == nil {
		return Household{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(t.Roles...); err != nil {
		return Household{}, err
	}
	if err := tags.Struct(&in); err != nil {
		return Household{}, err
	}
	old, err := Get(ctx, tx, a, id)
	if err != nil {
		return Household{}, err
	}
	old.At(now)
	if err := Can(a, &old, action, now); err != nil {
		return Household{}, err
	}
	if err := t.checkRequired(&in); err != nil {
		return Household{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	s := &step{ctx: ctx, tx: tx, a: a, now: now, at: store.FormatTime(now), today: clock.Date(now), old: &old, in: in}
	if err := t.take(s); err != nil {
		return Household{}, err
	}
	if s.reopened != nil {
		return *s.reopened, nil
	}
	h, err := get(ctx, tx, id)
	if err != nil {
		return Household{}, err
	}
	h.At(now)
	return h, record(ctx, tx, a, now, &h, "household."+strings.ReplaceAll(action, "-", "_"), &old, &h, in.Reason)
}

func submit(s *step) error {
	return s.set("status = ?, submitted_by = ?, submitted_at = ?", Submitted, s.a.UserID, s.at)
}

func returnToDraft(s *step) error { return s.set("status = ?, last_reason = ?", Draft, s.in.Reason) }

func reject(s *step) error {
	if err := releaseIDs(s.ctx, s.tx, s.old.ID); err != nil {
		return err
	}
	return s.set("status = ?, last_reason = ?", Rejected, s.in.Reason)
}

func object(s *step) error {
	_, err := s.tx.ExecContext(s.ctx, `INSERT INTO household_objections (household_id, content, raised_by, recorded_by,
		recorded_at) VALUES (?, ?, ?, ?, ?)`, s.old.ID, strings.TrimSpace(s.in.Content), strings.TrimSpace(s.in.RaisedBy), s.a.UserID, s.at)
	if err != nil {
		return err
	}
	return s.set("status = status")
}

func exit(s *step) error {
	if s.in.ExitReason == "other" && blank(s.in.Reason) {
		return apperr.Invalid("reason", "原因为「其他」时请说明")
	}
	if err := releaseIDs(s.ctx, s.tx, s.old.ID); err != nil {
		return err
	}
	return s.set("status = ?, exit_reason = ?, last_reason = ?", Exited, s.in.ExitReason, s.in.Reason)
}

func visit(s *step) error {
	if s.in.VisitDate > s.today {
		return apperr.FieldErrors(map[string]string{"visit_date": "走访日期不能晚于今天"})
	}
	_, err := s.tx.ExecContext(s.ctx, `INSERT INTO household_visits (household_id, visit_date, visitors, findings,
		consent_signed, recorded_by, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)`, s.old.ID, s.in.VisitDate,
		strings.TrimSpace(s.in.Visitors), strings.TrimSpace(s.in.Findings), s.a.UserID, s.at)
	if err != nil {
		return err
	}
	return s.set("status = ?", Visited)
}

func publicize(s *step) error {
	if s.in.StartDate < s.today {
		return apperr.Invalid("start_date", "公示开始日期不能早于今天")
	}
	p, err := policy.InForce(s.ctx, s.tx, s.old.OrgID, s.in.StartDate)
	if err != nil {
		return err
	}
	end, err := PublicityEnd(s.ctx, s.tx, s.in.StartDate, p.Params.PublicityDays)
	if err != nil {
		return err
	}
	return s.set("status = ?, publicity_start = ?, publicity_end = ?", Publicizing, s.in.StartDate, end)
}

func resolveObjection(s *step) error {
	res, err := s.tx.ExecContext(s.ctx, `UPDATE household_objections SET resolution = ?, upheld = ?, resolved_by = ?,
		resolved_at = ? WHERE id = ? AND household_id = ? AND resolved_at IS NULL`,
		strings.TrimSpace(s.in.Resolution), s.in.Upheld, s.a.UserID, s.at, s.in.ObjectionID, s.old.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflictf("该异议不存在或已处理")
	}
	return s.set("status = status")
}

// decideCategory is the category a supervisor confirms: the suggestion, or another one with a reason
// (SPEC §3.2: an override needs a reason and is audited). A household is never filed as ineligible.
func decideCategory(suggested Category, in ActionInput) (Category, string, error) {
	c := Category(in.Category)
	if c == "" {
		c = suggested
	}
	if c == Ineligible {
		return "", "", apperr.Invalid("category", "建议类别为「不符合条件」，不能建档；请驳回，或改定类别并说明理由")
	}
	if c != suggested {
		if utf8.RuneCountInString(in.Reason) < 2 {
			return "", "", apperr.Invalid("reason", "改定类别须说明理由")
		}
		return c, in.Reason, nil
	}
	return c, "", nil
}

func file(s *step) error {
	c, why, err := decideCategory(s.old.SuggestedCategory, s.in)
	if err != nil {
		return err
	}
	return s.set(`status = ?, category = ?, category_override = ?, filed_by = ?, filed_at = ?,
		first_filed_at = coalesce(first_filed_at, ?)`, Filed, c, why, s.a.UserID, s.at, s.at)
}

// review is the annual review of SPEC §3.3: confirm the file, re-categorise it, or exit it.
func review(s *step) error {
	switch s.in.Decision {
	case "confirm":
		return s.set("filed_at = ?", s.at)
	case "recategorize":
		if s.in.Category == "" {
			return apperr.Invalid("category", "请选择新的类别")
		}
		c, why, err := decideCategory(s.old.Category, s.in)
		if err != nil {
			return err
		}
		return s.set("category = ?, category_override = ?, filed_at = ?", c, why, s.at)
	case "exit":
		if s.in.ExitReason == "" {
			return apperr.Invalid("exit_reason", "请选择撤档原因")
		}
		if err := releaseIDs(s.ctx, s.tx, s.old.ID); err != nil {
			return err
		}
		return s.set("status = ?, exit_reason = ?, last_reason = ?", Exited, s.in.ExitReason, s.in.Reason)
	}
	return apperr.Invalid("decision", "请选择复核结论：确认、改定类别或撤档")
}

// reopen opens a new draft file (返困) with the data of the exited household, linked both ways.
func reopen(s *step) error {
	h := s.old
	in := Input{Fields: h.Fields}
	for _, m := range h.Members {
		m.ID = 0
		in.Members = append(in.Members, m)
	}
	if err := in.check(s.now.In(clock.China)); err != nil {
		return err
	}
	created, err := insert(s.ctx, s.tx, s.a, s.now, in, h.ID, "household.create")
	if err != nil {
		return err
	}
	if _, err := s.tx.ExecContext(s.ctx, "UPDATE households SET reopened_as = ?, updated_at = ? WHERE id = ?",
		created.ID, s.at, h.ID); err != nil {
		return err
	}
	after := *h
	after.ReopenedAs = sql.NullInt64{Int64: created.ID, Valid: true}
	if err := record(s.ctx, s.tx, s.a, s.now, h, "household.reopen", h, &after, fmt.Sprintf("返困重开为档案 %s", created.FileNo)); err != nil {
		return err
	}
	created.At(s.now)
	s.reopened = &created
	return nil
}

// Statuses lists the statuses in lifecycle order, for the UI's filters.
var Statuses = []Status{Draft, Submitted, Visited, Publicizing, Filed, ReviewDue, Exited, Rejected}

// Steps lists the actions of the lifecycle table that are steps of their own (the UI's action buttons), in
// table order; the others (edit, documents, reveal, apply, applications) are permissions asked about.
func Steps() []string {
	var out []string
	for _, t := range Lifecycle {
		if t.take != nil {
			out = append(out, t.Action)
		}
	}
	return out
}

// AuditActions names every audit action code the household area writes (SPEC §7): the file's creation,
// change, unmasked read, duplicate override and documents, the holiday calendar, and "household."+action
// (dashes as underscores) for every row of Lifecycle that runs.
func AuditActions() map[string]string {
	out := map[string]string{
		"household.create": "困难职工档案·新建", "household.update": "困难职工档案·修改",
		"household.read_full": "困难职工档案·查看完整号码", "household.duplicate_override": "困难职工档案·授权重复建档",
		"household.document_upload": "困难职工档案·上传材料", "household.document_read": "困难职工档案·查看材料",
		"household.document_delete": "困难职工档案·删除材料",
		"holiday.update":            "节假日·设置", "holiday.delete": "节假日·删除",
	}
	for _, t := range Lifecycle {
		if t.take != nil {
			out["household."+strings.ReplaceAll(t.Action, "-", "_")] = "困难职工档案·" + ActionNames[t.Action]
		}
	}
	return out
}
