package relief

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/ident"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// ActionInput carries what the workflow actions need; each action reads its own fields.
type ActionInput struct {
	Reason string `json:"reason" validate:"max=500"` // return, reject, void; optional note on approve
	// disburse
	VoucherNo     string `json:"voucher_no" validate:"max=64"`
	PaymentMethod string `json:"payment_method" validate:"omitempty,oneof=bank cash"`
	// confirm-receipt
	ReceiptKind string `json:"receipt_kind" validate:"omitempty,oneof=signature bank_receipt"`
	ReceiptRef  string `json:"receipt_ref" validate:"max=100"`
	// review
	Outcome string `json:"outcome" validate:"omitempty,oneof=confirmed flagged"`
	Note    string `json:"note" validate:"max=1000"`
}

// ActTx takes a workflow action on application id inside the caller's transaction (Service.Act is it in its
// own): every rule is checked there, against what the transaction
// sees, so that concurrent approvals cannot together pass a cap or overspend a budget line.
func ActTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, action string, in ActionInput) (Application, error) {
	if err := tags.Struct(&in); err != nil {
		return Application{}, err
	}
	old, err := Get(ctx, tx, a, id)
	if err != nil {
		return Application{}, err
	}
	if action == ActEdit {
		return Application{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := Can(a, &old, action); err != nil {
		return Application{}, err
	}
	at := store.FormatTime(now)
	sets := []string{"updated_at = ?"}
	args := []any{at}
	set := func(col string, v any) { sets = append(sets, col+" = ?"); args = append(args, v) }
	reason := strings.TrimSpace(in.Reason)
	var decision *decisionRecord

	switch action {
	case ActSubmit:
		hh, err := householdOf(ctx, tx, a, &old, now)
		if err != nil {
			return Application{}, err
		}
		f, err := gather(ctx, tx, &old, hh, AtSubmission, now)
		if err != nil {
			return Application{}, err
		}
		if err := refusal(f.evaluate(AtSubmission)); err != nil {
			return Application{}, err
		}
		deadline, err := decideBy(ctx, tx, old.Green, f.policy.Params, now)
		if err != nil {
			return Application{}, err
		}
		set("status", Submitted)
		set("submitted_by", a.UserID)
		set("submitted_at", at)
		set("decide_by", deadline)
		set("last_reason", "")
		// A return undid any first approval: the two approvals start again.
		set("first_approved_by", nil)
		set("first_approved_at", nil)
	case ActApprove:
		d, err := approve(ctx, tx, a, now, &old, reason, set)
		if err != nil {
			return Application{}, err
		}
		decision = d
	case ActReturn, ActReject:
		if reason == "" {
			return Application{}, apperr.Invalid("reason", "请填写"+ActionNames[action]+"的原因")
		}
		to := Returned
		if action == ActReject {
			to = Rejected
			set("decided_at", at)
		}
		set("status", to)
		set("last_reason", reason)
		snap, err := snapshotOf(ctx, tx, a, now, &old, AtApproval)
		if err != nil {
			return Application{}, err
		}
		decision = &decisionRecord{action: action, outcome: string(to), reason: reason, snap: snap}
	case ActDisburse:
		if err := disburse(ctx, tx, a, now, &old, in, set); err != nil {
			return Application{}, err
		}
	case ActVoid:
		if reason == "" {
			return Application{}, apperr.Invalid("reason", "请填写作废原因")
		}
		if _, err := ledger.Void(ctx, tx, a, now, old.TransferID.Int64, reason); err != nil {
			return Application{}, err
		}
		set("status", Cancelled)
		set("last_reason", reason)
	case ActReceipt:
		if in.ReceiptKind == "" {
			return Application{}, apperr.Invalid("receipt_kind", "请选择签收方式：签字领取或银行回单")
		}
		if strings.TrimSpace(in.ReceiptRef) == "" {
			return Application{}, apperr.Invalid("receipt_ref", "请填写签收记录编号或银行回单号")
		}
		set("status", Received)
		set("received_at", at)
		set("receipt_kind", in.ReceiptKind)
		set("receipt_ref", strings.TrimSpace(in.ReceiptRef))
	case ActRecover:
		// SPEC §4.3: a flagged case may be recovered by a reversing entry; the money returns to its line.
		if reason == "" {
			return Application{}, apperr.Invalid("reason", "请填写追回原因")
		}
		t, err := ledger.Reverse(ctx, tx, a, now, old.TransferID.Int64, ledger.ReverseInput{Reason: reason,
			VoucherNo: strings.TrimSpace(in.VoucherNo), IdempotencyKey: fmt.Sprintf("application-%d-recover", id)})
		if err != nil {
			return Application{}, err
		}
		set("recovered_by", a.UserID)
		set("recovered_at", at)
		set("recovery_transfer_id", t.ID)
		set("last_reason", reason)
	case ActReview:
		if in.Outcome == "" {
			return Application{}, apperr.Invalid("outcome", "请选择复核结论：确认或存疑")
		}
		note := strings.TrimSpace(in.Note)
		if in.Outcome == "flagged" && note == "" {
			return Application{}, apperr.Invalid("note", "复核存疑须写明疑点")
		}
		set("reviewed_by", a.UserID)
		set("reviewed_at", at)
		set("review_outcome", in.Outcome)
		set("review_note", note)
		snap, err := snapshotOf(ctx, tx, a, now, &old, AtApproval)
		if err != nil {
			return Application{}, err
		}
		decision = &decisionRecord{action: action, outcome: in.Outcome, reason: note, snap: snap}
		reason = note
	}

	args = append(args, id)
	if _, err := tx.ExecContext(ctx, "UPDATE applications SET "+strings.Join(sets, ", ")+" WHERE id = ?", args...); err != nil {
		if store.IsUniqueViolation(err) {
			return Application{}, apperr.Conflictf("%s：同一%s已有有效申请，不能重复申请", TypeNames[old.Type], onceWhat(old.Type))
		}
		return Application{}, err
	}
	after, err := Get(ctx, tx, a, id)
	if err != nil {
		return Application{}, err
	}
	if decision != nil {
		if err := decision.write(ctx, tx, a, now, id); err != nil {
			return Application{}, err
		}
	}
	return after, record(ctx, tx, a, now, "application."+action, &old, &after, reason)
}

func onceWhat(t Type) string {
	if t == Education {
		return "学生同一学年"
	}
	return "户同一年度"
}

// householdOf reads the application's household inside tx (nil for a worker without a file).
func householdOf(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, app *Application, now time.Time) (*household.Household, error) {
	if !app.HouseholdID.Valid {
		return nil, nil
	}
	h, err := household.Get(ctx, q, actor.System(a.RequestID), app.HouseholdID.Int64)
	if err != nil {
		return nil, err
	}
	return h.At(now), nil
}

func currentParams(ctx context.Context, q sqlx.QueryerContext, orgID int64, now time.Time) (policy.Params, error) {
	p, err := policy.Current(ctx, q, orgID, now)
	return p.Params, err
}

// approve is a supervisor's approval (SPEC §4.2): every rule again, inside the transaction; above
// second_approval_above a first approval that waits for a second supervisor; otherwise the final approval,
// which reserves the money from the budget line (or the union's allocation) as a pending transfer.
func approve(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, app *Application, reason string, set func(string, any)) (*decisionRecord, error) {
	snap, err := snapshotOf(ctx, tx, a, now, app, AtApproval)
	if err != nil {
		return nil, err
	}
	if err := refusal(snap.Checks); err != nil {
		return nil, err
	}
	at := store.FormatTime(now)
	p := snap.Policy.Params
	// SPEC §4.3: one supervisor approves a green-channel case, whatever its amount (it is within green_max).
	if !app.Green && app.AmountFen > p.SecondApprovalAboveFen && app.Status == Submitted {
		set("status", FirstApproved)
		set("first_approved_by", a.UserID)
		set("first_approved_at", at)
		return &decisionRecord{action: ActApprove, outcome: string(FirstApproved), reason: reason, snap: snap}, nil
	}
	funding, err := ledger.FindFunding(ctx, tx, app.OrgID, int64(app.AidYear), string(app.Type), fundingPurposes(app, snap))
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.Conflictf("无法预留资金：%s", apperr.From(err).Message)
	}
	if err != nil {
		return nil, err
	}
	payee, err := payeeAccount(ctx, tx, a, now, app)
	if err != nil {
		return nil, err
	}
	t, err := ledger.Reserve(ctx, tx, a, now, ledger.TransferInput{DebitAccountID: funding.ID, CreditAccountID: payee.ID,
		Amount: app.AmountFen, Unit: money.CNY, IdempotencyKey: fmt.Sprintf("application-%d-reserve", app.ID),
		RefType: "application", RefID: fmt.Sprint(app.ID), Memo: app.AppNo + " " + TypeNames[app.Type]})
	if err != nil {
		if e := apperr.From(err); e.Code == apperr.Conflict {
			return nil, &apperr.Error{Code: apperr.Conflict, Message: "预算不足，无法批准：" + e.Message,
				Fields: map[string]string{"amount_fen": e.Message}}
		}
		return nil, err
	}
	snap.Funding = &fundingSnapshot{AccountID: funding.ID, Name: funding.Name, AvailableFen: funding.Balance().Available}
	set("status", Approved)
	set("approved_by", a.UserID)
	set("approved_at", at)
	set("decided_at", at)
	set("policy_id", snap.Policy.ID)
	set("transfer_id", t.ID)
	if app.Green {
		set("docs_due", now.In(clock.China).AddDate(0, 0, p.GreenDocsDays).Format("2006-01-02"))
	}
	return &decisionRecord{action: ActApprove, outcome: string(Approved), reason: reason, snap: snap}, nil
}

// fundingPurposes are the purposes of the money an application may draw on, the most specific first
// (SPEC §6, 专款专用): epidemic funds only for pandemic cases, disaster funds only for accidents and
// disasters, otherwise the aid type's own purpose.
func fundingPurposes(app *Application, snap Snapshot) []string {
	own := ledger.DefaultPurpose(string(app.Type))
	cause := snap.MainCause
	switch {
	case app.GreenReason == "pandemic" || cause == "pandemic":
		return []string{"epidemic", own}
	case app.GreenReason == "accident" || cause == "disaster" || cause == "accident":
		return []string{"disaster", own}
	}
	return []string{own}
}

// payeeAccount is the ledger account the money goes to: one per household, or per application for a worker
// without a file.
func payeeAccount(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, app *Application) (ledger.Account, error) {
	ref := ledger.AccountRef{Kind: ledger.Payee, RefType: "application", RefID: fmt.Sprint(app.ID), Unit: money.CNY,
		OrgID: app.OrgID, Name: "救助对象 " + ident.MaskName(app.ApplicantName) + "（" + app.AppNo + "）"}
	if app.HouseholdID.Valid {
		ref.RefType, ref.RefID = "household", fmt.Sprint(app.HouseholdID.Int64)
		ref.Name = "困难职工户 " + ident.MaskName(app.ApplicantName) + "（档案 " + fmt.Sprint(app.HouseholdID.Int64) + "）"
	}
	return ledger.EnsureAccount(ctx, tx, a, now, ref)
}

// disburse is finance paying an approved application (SPEC §4.2, §6): the reservation is posted with the
// voucher and the way it was paid — a bank transfer to the household's real-name card, or cash against a
// signature.
func disburse(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, app *Application, in ActionInput, set func(string, any)) error {
	fields := map[string]string{}
	if strings.TrimSpace(in.VoucherNo) == "" {
		fields["voucher_no"] = "请填写记账凭证号"
	}
	if in.PaymentMethod == "" {
		fields["payment_method"] = "请选择发放方式：银行转账（实名卡）或现金（签字领取）"
	}
	if len(fields) > 0 {
		return apperr.FieldErrors(fields)
	}
	if in.PaymentMethod == "bank" {
		card := ""
		if app.HouseholdID.Valid {
			var err error
			if card, err = household.BankCardOf(ctx, tx, app.HouseholdID.Int64); err != nil {
				return err
			}
		}
		if card == "" {
			return apperr.Invalid("payment_method", "该救助对象未登记实名银行卡，请改为现金签字领取或先在档案中登记银行卡")
		}
	}
	if _, err := ledger.Post(ctx, tx, a, now, app.TransferID.Int64, ledger.Settlement{VoucherNo: strings.TrimSpace(in.VoucherNo),
		PaymentMethod: in.PaymentMethod, Memo: app.AppNo}); err != nil {
		return err
	}
	set("status", Disbursed)
	set("disbursed_by", a.UserID)
	set("disbursed_at", store.FormatTime(now))
	set("voucher_no", strings.TrimSpace(in.VoucherNo))
	set("payment_method", in.PaymentMethod)
	return nil
}

// Snapshot is what a decision relied on (SPEC §4.2): kept with it, never changed, shown on the detail page.
type Snapshot struct {
	Application json.RawMessage    `json:"application"` // masked
	Household   json.RawMessage    `json:"household"`   // masked; null for a worker without a file
	Category    household.Category `json:"category"`
	Basis       string             `json:"category_basis"`
	MainCause   string             `json:"main_cause"`
	Policy      policy.Policy      `json:"policy"` // the version, with the caps it set
	Paid        Paid               `json:"paid"`   // committed this year before this application
	Checks      []Check            `json:"checks"`
	Funding     *fundingSnapshot   `json:"funding"` // the account the money was reserved from (final approval)
	Decider     string             `json:"decider"`
	At          string             `json:"at"`
	Documents   map[string]bool    `json:"documents"`
}

type fundingSnapshot struct {
	AccountID    int64  `json:"account_id"`
	Name         string `json:"name"`
	AvailableFen int64  `json:"available_before_fen"`
}

// Checks evaluates every rule for app as an approval would now, for the decision dialog; it writes nothing.
func Checks(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, id int64) (Snapshot, error) {
	app, err := Get(ctx, q, a, id)
	if err != nil {
		return Snapshot{}, err
	}
	stage := AtApproval
	if app.Status == Draft || app.Status == Returned {
		stage = AtSubmission
	}
	return snapshotOf(ctx, q, a, now, &app, stage)
}

func snapshotOf(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, app *Application, stage Stage) (Snapshot, error) {
	hh, err := householdOf(ctx, q, a, app, now)
	if err != nil {
		return Snapshot{}, err
	}
	f, err := gather(ctx, q, app, hh, stage, now)
	if err != nil {
		return Snapshot{}, err
	}
	appJSON, _ := json.Marshal(app)
	s := Snapshot{Application: appJSON, Household: json.RawMessage("null"), Policy: f.policy, Paid: f.paid,
		Checks: f.evaluate(stage), Decider: a.Name, At: store.FormatTime(now), Documents: f.docs}
	if hh != nil {
		s.Household, _ = json.Marshal(hh)
		s.Category, s.Basis, s.MainCause = hh.Category, hh.CategoryBasis, hh.MainCause
		if s.Category == "" {
			s.Category = hh.SuggestedCategory
		}
	}
	return s, nil
}

type decisionRecord struct {
	action, outcome, reason string
	snap                    Snapshot
}

func (d *decisionRecord) write(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64) error {
	snap, err := json.Marshal(d.snap)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO application_decisions (application_id, action, outcome, actor_id, actor_name,
		at, reason, policy_id, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, d.action, d.outcome, a.UserID, a.Name,
		store.FormatTime(now), d.reason, d.snap.Policy.ID, string(snap))
	return err
}

// Decision is a stored decision with its snapshot.
type Decision struct {
	ID        int64           `db:"id" json:"id"`
	Action    string          `db:"action" json:"action"`
	Outcome   string          `db:"outcome" json:"outcome"`
	ActorName string          `db:"actor_name" json:"actor_name"`
	At        string          `db:"at" json:"at"`
	Reason    string          `db:"reason" json:"reason"`
	PolicyID  sql.NullInt64   `db:"policy_id" json:"-"`
	Raw       string          `db:"snapshot" json:"-"`
	Snapshot  json.RawMessage `db:"-" json:"snapshot"`
}

// Decisions lists the decisions on application id, oldest first.
func Decisions(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) ([]Decision, error) {
	if _, err := Get(ctx, q, a, id); err != nil {
		return nil, err
	}
	ds := []Decision{}
	if err := sqlx.SelectContext(ctx, q, &ds, `SELECT id, action, outcome, actor_name, at, reason, policy_id, snapshot
		FROM application_decisions WHERE application_id = ? ORDER BY id`, id); err != nil {
		return nil, err
	}
	for i := range ds {
		ds[i].Snapshot = json.RawMessage(ds[i].Raw)
	}
	return ds, nil
}
