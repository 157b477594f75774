package relief

import (
	"database/sql"
	"slices"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
)

// Actions a user may take on an application. "edit" is listed so that the UI asks one question.
const (
	ActEdit     = "edit"
	ActSubmit   = "submit"
	ActApprove  = "approve"
	ActReturn   = "return"
	ActReject   = "reject"
	ActDisburse = "disburse"
	ActVoid     = "void"
	ActReceipt  = "confirm-receipt"
	ActReview   = "review"
	ActRecover  = "recover"
)

// ActionNames are the Chinese names of the actions.
var ActionNames = map[string]string{
	ActEdit: "修改", ActSubmit: "提交", ActApprove: "批准", ActReturn: "退回修改", ActReject: "驳回",
	ActDisburse: "发放", ActVoid: "作废", ActReceipt: "确认签收", ActReview: "事后复核", ActRecover: "追回",
}

// Transition is one row of the workflow table (SPEC §4.2): from which statuses an action may be taken, who
// may take it, and which segregation-of-duties rule of SPEC §1.2 guards it. The status it leads to depends
// on the case for approve (first_approved or approved) and is kept for review (the status does not change).
type Transition struct {
	Action string
	From   []Status
	Roles  []actor.Role
	Guard  guard
}

type guard int

const (
	noGuard      guard = iota
	notSubmitter       // the person who submitted it may not decide on it
	notApprover        // whoever approved it may not pay it
	notDecider         // the retrospective review is by a supervisor other than the approver (and the submitter)
	flagged            // only a green-channel payment its review flagged is recovered, once
)

var (
	caseworker = []actor.Role{actor.Caseworker}
	supervisor = []actor.Role{actor.Supervisor}
	finance    = []actor.Role{actor.Finance}
	undecided  = []Status{Submitted, FirstApproved}
)

// Workflow is the state machine of an application; every action goes through Can, which reads it.
var Workflow = []Transition{
	{ActEdit, []Status{Draft, Returned}, caseworker, noGuard},
	{ActSubmit, []Status{Draft, Returned}, caseworker, noGuard},
	{ActApprove, undecided, supervisor, notSubmitter},
	{ActReturn, undecided, supervisor, notSubmitter},
	{ActReject, undecided, supervisor, notSubmitter},
	{ActDisburse, []Status{Approved}, finance, notApprover},
	{ActVoid, []Status{Approved}, finance, noGuard},
	{ActReceipt, []Status{Disbursed}, []actor.Role{actor.Caseworker, actor.Finance}, noGuard},
	{ActReview, []Status{Approved, Disbursed, Received}, supervisor, notDecider},
	{ActRecover, []Status{Disbursed, Received}, finance, flagged},
}

func transition(action string) (Transition, bool) {
	for _, t := range Workflow {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// Can reports whether a may take action on app now: nil, 403 for the wrong role or a segregation-of-duties
// breach, 409 for a status the action does not apply to. Scope was checked when app was read.
func Can(a actor.Actor, app *Application, action string) error {
	t, ok := transition(action)
	if !ok {
		return apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(t.Roles...); err != nil {
		return err
	}
	if !slices.Contains(t.From, app.Status) {
		return apperr.Conflictf("申请当前状态为「%s」，不能%s", StatusNames[app.Status], ActionNames[action])
	}
	is := func(n sql.NullInt64) bool { return n.Valid && n.Int64 == a.UserID }
	switch t.Guard {
	case notSubmitter:
		if is(app.SubmittedBy) {
			return apperr.Forbiddenf("不能审批自己提交的申请（职责分离）")
		}
		if action == ActApprove && app.Status == FirstApproved && is(app.FirstApprovedBy) {
			return apperr.Forbiddenf("大额申请需由两名不同的审批人批准，您已作出第一次批准（职责分离）")
		}
	case notApprover:
		if is(app.ApprovedBy) || is(app.FirstApprovedBy) {
			return apperr.Forbiddenf("批准人不能经手发放自己批准的申请（职责分离）")
		}
	case notDecider:
		if !app.Green {
			return apperr.Conflictf("只有绿色通道申请需要事后复核")
		}
		if app.ReviewedAt.Valid {
			return apperr.Conflictf("该申请已于 %s 完成事后复核", app.ReviewedAt.String[:10])
		}
		if is(app.ApprovedBy) {
			return apperr.Forbiddenf("事后复核须由批准人以外的审批人进行（职责分离）")
		}
		if is(app.SubmittedBy) {
			return apperr.Forbiddenf("不能复核自己提交的申请（职责分离）")
		}
	case flagged:
		if app.ReviewOutcome != "flagged" {
			return apperr.Conflictf("只有事后复核存疑的绿色通道申请可以追回")
		}
		if app.RecoveredAt.Valid {
			return apperr.Conflictf("该笔救助金已于 %s 追回", app.RecoveredAt.String[:10])
		}
	}
	return nil
}

// Actions lists the actions a may take on app now, in table order: the UI shows exactly these.
func Actions(a actor.Actor, app *Application) []string {
	out := []string{}
	for _, t := range Workflow {
		if Can(a, app, t.Action) == nil {
			out = append(out, t.Action)
		}
	}
	return out
}
