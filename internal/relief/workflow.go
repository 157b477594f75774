package relief

import (
	"database/sql"
	"slices"
	"strings"

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

// Effect is what an action does to the application's money in the ledger (SPEC §4.2, §6).
type Effect string

const (
	NoMoney      Effect = ""
	ReserveMoney Effect = "reserve" // a pending transfer from the funding line to the payee (the final approval)
	PostMoney    Effect = "post"    // the reservation is paid
	VoidMoney    Effect = "void"    // the reservation is released back to its line
	ReverseMoney Effect = "reverse" // the payment is taken back by a reversing transfer
)

// Guard is a rule of SPEC §1.2 or §4.3 beyond role and status that an action obeys: Check returns nil or
// the refusal.
type Guard struct {
	Name  string
	Check func(a actor.Actor, app *Application) error
}

// Required is a field of ActionInput an action cannot go without, with the message when it is blank.
type Required struct{ Field, Message string }

// Transition is one row of the workflow table (SPEC §4.2): the action, the statuses it may be taken from and
// leads to, who may take it, the guards it obeys, the fields it requires and what it does to the money. To
// lists every status the action may lead to (approve: first_approved below second_approval_above's two
// approvals, else approved); an empty To leaves the status as it is (the retrospective review).
type Transition struct {
	Action   string
	From     []Status
	To       []Status
	Roles    []actor.Role
	Guards   []Guard
	Requires []Required
	Money    Effect
	do       func(*step) error // the action's own work, after role, status, guards and required fields
}

var (
	caseworker = []actor.Role{actor.Caseworker}
	supervisor = []actor.Role{actor.Supervisor}
	finance    = []actor.Role{actor.Finance}
	undecided  = []Status{Submitted, FirstApproved}
	paid       = []Status{Disbursed, Received}
)

// Workflow is the state machine of an application; every action goes through Can, which reads it, and
// ActTx, which runs the row's own function.
var Workflow = []Transition{
	{Action: ActEdit, From: []Status{Draft, Returned}, Roles: caseworker},
	{Action: ActSubmit, From: []Status{Draft, Returned}, To: []Status{Submitted}, Roles: caseworker, do: submit},
	{Action: ActApprove, From: undecided, To: []Status{FirstApproved, Approved}, Roles: supervisor,
		Guards: []Guard{notSubmitter, secondApprover}, Money: ReserveMoney, do: approve},
	{Action: ActReturn, From: undecided, To: []Status{Returned}, Roles: supervisor, Guards: []Guard{notSubmitter},
		Requires: []Required{{"reason", "请填写退回修改的原因"}}, do: sendBack},
	{Action: ActReject, From: undecided, To: []Status{Rejected}, Roles: supervisor, Guards: []Guard{notSubmitter},
		Requires: []Required{{"reason", "请填写驳回的原因"}}, do: reject},
	{Action: ActDisburse, From: []Status{Approved}, To: []Status{Disbursed}, Roles: finance, Guards: []Guard{notApprover},
		Requires: []Required{{"voucher_no", "请填写记账凭证号"}, {"payment_method", "请选择发放方式：银行转账（实名卡）或现金（签字领取）"}},
		Money:    PostMoney, do: disburse},
	{Action: ActVoid, From: []Status{Approved}, To: []Status{Cancelled}, Roles: finance,
		Requires: []Required{{"reason", "请填写作废原因"}}, Money: VoidMoney, do: void},
	{Action: ActReceipt, From: []Status{Disbursed}, To: []Status{Received}, Roles: []actor.Role{actor.Caseworker, actor.Finance},
		Requires: []Required{{"receipt_kind", "请选择签收方式：签字领取或银行回单"}, {"receipt_ref", "请填写签收记录编号或银行回单号"}},
		do:       confirmReceipt},
	{Action: ActReview, From: []Status{Approved, Disbursed, Received}, Roles: supervisor,
		Guards:   []Guard{greenOnly, notReviewed, reviewNotByApprover, reviewNotBySubmitter},
		Requires: []Required{{"outcome", "请选择复核结论：确认或存疑"}}, do: review},
	// SPEC §4.3: a flagged green-channel payment is taken back; the case then leaves the workflow.
	{Action: ActRecover, From: paid, To: []Status{Recovered}, Roles: finance, Guards: []Guard{flagged},
		Requires: []Required{{"reason", "请填写追回原因"}}, Money: ReverseMoney, do: takeBack},
}

func transition(action string) (Transition, bool) {
	for _, t := range Workflow {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// by reports whether the user recorded in n is a.
func by(a actor.Actor, n sql.NullInt64) bool { return n.Valid && n.Int64 == a.UserID }

// The guards of the table. Segregation of duties (SPEC §1.2) is forbidden; a case the action does not
// concern is a conflict.
var (
	notSubmitter = Guard{"提交人不能审批", func(a actor.Actor, app *Application) error {
		if by(a, app.SubmittedBy) {
			return apperr.Forbiddenf("不能审批自己提交的申请（职责分离）")
		}
		return nil
	}}
	// secondApprover is the two-supervisor rule of SPEC §4.2: above second_approval_above the second approval
	// is by a supervisor other than the first.
	secondApprover = Guard{"两名不同的审批人", func(a actor.Actor, app *Application) error {
		if app.Status == FirstApproved && by(a, app.FirstApprovedBy) {
			return apperr.Forbiddenf("大额申请需由两名不同的审批人批准，您已作出第一次批准（职责分离）")
		}
		return nil
	}}
	notApprover = Guard{"批准人不能发放", func(a actor.Actor, app *Application) error {
		if by(a, app.ApprovedBy) || by(a, app.FirstApprovedBy) {
			return apperr.Forbiddenf("批准人不能经手发放自己批准的申请（职责分离）")
		}
		return nil
	}}
	greenOnly = Guard{"仅绿色通道", func(_ actor.Actor, app *Application) error {
		if !app.Green {
			return apperr.Conflictf("只有绿色通道申请需要事后复核")
		}
		return nil
	}}
	notReviewed = Guard{"复核一次", func(_ actor.Actor, app *Application) error {
		if app.ReviewedAt.Valid {
			return apperr.Conflictf("该申请已于 %s 完成事后复核", app.ReviewedAt.String[:10])
		}
		return nil
	}}
	reviewNotByApprover = Guard{"复核人不是批准人", func(a actor.Actor, app *Application) error {
		if by(a, app.ApprovedBy) {
			return apperr.Forbiddenf("事后复核须由批准人以外的审批人进行（职责分离）")
		}
		return nil
	}}
	reviewNotBySubmitter = Guard{"复核人不是提交人", func(a actor.Actor, app *Application) error {
		if by(a, app.SubmittedBy) {
			return apperr.Forbiddenf("不能复核自己提交的申请（职责分离）")
		}
		return nil
	}}
	flagged = Guard{"复核存疑", func(_ actor.Actor, app *Application) error {
		if app.ReviewOutcome != "flagged" {
			return apperr.Conflictf("只有事后复核存疑的绿色通道申请可以追回")
		}
		return nil
	}}
)

// Can reports whether a may take action on app now: nil, 403 for the wrong role or a segregation-of-duties
// breach, 409 for a status the action does not apply to or a guard the case does not meet. Scope was
// checked when app was read.
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
	for _, g := range t.Guards {
		if err := g.Check(a, app); err != nil {
			return err
		}
	}
	return nil
}

// missing refuses input that leaves a required field of t blank, naming every such field at once.
func (t Transition) missing(in ActionInput) error {
	fields := map[string]string{}
	for _, r := range t.Requires {
		if strings.TrimSpace(in.value(r.Field)) == "" {
			fields[r.Field] = r.Message
		}
	}
	switch len(fields) {
	case 0:
		return nil
	case 1:
		for f, msg := range fields {
			return apperr.Invalid(f, msg)
		}
	}
	return apperr.FieldErrors(fields)
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

// Statuses lists the statuses in workflow order, for the UI's filters.
var Statuses = []Status{Draft, Returned, Submitted, FirstApproved, Approved, Disbursed, Received, Rejected, Cancelled, Recovered}

// ActionOrder lists the actions in the order of the workflow table.
func ActionOrder() []string {
	out := make([]string, 0, len(Workflow))
	for _, t := range Workflow {
		out = append(out, t.Action)
	}
	return out
}

// AuditActions names every audit action code relief writes (SPEC §7): the record's creation, change and
// unmasked read, and "application."+action for every row of Workflow that runs (ActTx writes exactly that).
func AuditActions() map[string]string {
	out := map[string]string{
		"application.create": "救助申请·新建", "application.update": "救助申请·修改", "application.read_full": "救助申请·查看完整号码",
	}
	for _, t := range Workflow {
		if t.do != nil {
			out["application."+t.Action] = "救助申请·" + ActionNames[t.Action]
		}
	}
	return out
}
