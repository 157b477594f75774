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

// value is the input's field named as its JSON, for the table's required fields.
func (in ActionInput) value(field string) string {
	switch field {
	case "reason":
		return in.Reason
	case "voucher_no":
		return in.VoucherNo
	case "payment_method":
		return in.PaymentMethod
	case "receipt_kind":
		return in.ReceiptKind
	case "receipt_ref":
		return in.ReceiptRef
	case "outcome":
		return in.Outcome
	case "note":
		return in.Note
	}
	panic("relief: the workflow requires an unknown field " + field)
}

// step is one action being taken inside a transaction: the application as it was, the input, and what the
// action's function changes — the columns to set, the decision to keep and the reason to audit.
type step struct {
	ctx      context.Context
	tx       *sqlx.Tx
	a        actor.Actor
	now      time.Time
	at       string // now, as stored
	app      *Application
	in       ActionInput
	reason   string // the trimmed reason; the audit event's reason
	cols     []string
	args     []any
	decision *decisionRecord
	// transfer is the application's one transfer as the action left it, when the action wrote or settled it
	// (approve reserves it; disburse posts it; void releases it): with it the answer needs no read of the ledger.
	transfer *ledger.Transfer
}

func (s *step) set(col string, v any) {
	s.cols = append(s.cols, col)
	s.args = append(s.args, v)
}

// acted is an action's outcome: the application as it now stands and, when the action knows them without
// reading (step.transfer), the application's transfers as they now stand.
type acted struct {
	app       Application
	transfers []ledger.Transfer // nil: not known here
	// docs are the kinds of document the household holds, as the action's decision read them in the
	// transaction (docsKnown); the answer needs them for the missing documents.
	docs      map[string]bool
	docsKnown bool
}

// ActTx takes a workflow action on application id inside the caller's transaction (Service.Act runs it in
// its own). The action's row of Workflow is looked up and obeyed in order — role, scope, status, guards,
// required fields — and then its own function runs; every rule is checked there, against what the
// transaction sees, so that concurrent approvals cannot together pass a cap or overspend a budget line.
//
// Every read and write of the action happens in tx, so whether the caller commits it or a refusal rolls it
// back, the application row, its decision, its ledger transfer and the audit events go together or not at all.
func ActTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, action string, in ActionInput) (Application, error) {
	out, err := actTx(ctx, tx, a, now, id, action, in)
	return out.app, err
}

func actTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, action string, in ActionInput) (acted, error) {
	t, ok := transition(action)
	if !ok || t.do == nil {
		return acted{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(t.Roles...); err != nil { // who before what
		return acted{}, err
	}
	if err := tags.Struct(&in); err != nil {
		return acted{}, err
	}
	old, err := Get(ctx, tx, a, id)
	if err != nil {
		return acted{}, err
	}
	if err := Can(a, &old, action); err != nil {
		return acted{}, err
	}
	if err := t.missing(in); err != nil {
		return acted{}, err
	}
	s := &step{ctx: ctx, tx: tx, a: a, now: now, at: store.FormatTime(now), app: &old, in: in, reason: strings.TrimSpace(in.Reason)}
	s.set("updated_at", s.at)
	if err := t.do(s); err != nil {
		return acted{}, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE applications SET "+strings.Join(s.cols, " = ?, ")+" = ? WHERE id = ?", append(s.args, id)...); err != nil {
		if store.IsUniqueViolation(err) {
			return acted{}, apperr.Conflictf("%s：同一%s已有有效申请，不能重复申请", TypeNames[old.Type], onceWhat(old.Type))
		}
		return acted{}, err
	}
	// The row as it now stands is the row as it was with the columns just set (no trigger writes to it; the
	// tests compare it with the row read back): built rather than read again, since every approval and
	// payment passes here inside the write transaction (SPEC §10).
	after := old
	if !after.setColumns(s.cols, s.args) {
		if after, err = Get(ctx, tx, a, id); err != nil {
			return acted{}, err
		}
	}
	if s.decision != nil {
		if err := s.decision.write(ctx, tx, a, now, id); err != nil {
			return acted{}, err
		}
	}
	out := acted{app: after}
	if s.decision != nil && after.HouseholdID.Valid {
		out.docs, out.docsKnown = s.decision.snap.Documents, true
	}
	// The application has one transfer, its reservation (the idempotency key application-<id>-reserve), which
	// only approve writes; a recovery's reversing transfer is read from the ledger.
	if s.transfer != nil && !after.RecoveryID.Valid {
		out.transfers = []ledger.Transfer{*s.transfer}
	}
	return out, record(ctx, tx, a, now, "application."+action, &old, &after, s.reason)
}

// submit runs every rule of the submission stage and sets the decision deadline (SPEC §4.1, §4.3).
func submit(s *step) error {
	hh, err := householdOf(s.ctx, s.tx, s.a, s.app, s.now)
	if err != nil {
		return err
	}
	f, err := gather(s.ctx, s.tx, s.app, hh, AtSubmission, s.now)
	if err != nil {
		return err
	}
	if err := refusal(f.evaluate(AtSubmission)); err != nil {
		return err
	}
	deadline, err := decideBy(s.ctx, s.tx, s.app.Green, f.policy.Params, s.now)
	if err != nil {
		return err
	}
	s.set("status", Submitted)
	s.set("submitted_by", s.a.UserID)
	s.set("submitted_at", s.at)
	s.set("decide_by", deadline)
	s.set("last_reason", "")
	// A return undid any first approval: the two approvals start again.
	s.set("first_approved_by", nil)
	s.set("first_approved_at", nil)
	return nil
}

// sendBack returns the application to the caseworker with the reason (退回修改).
func sendBack(s *step) error { return decideAgainst(s, Returned) }

// reject ends the application with the reason (驳回).
func reject(s *step) error {
	s.set("decided_at", s.at)
	return decideAgainst(s, Rejected)
}

func decideAgainst(s *step, to Status) error {
	s.set("status", to)
	s.set("last_reason", s.reason)
	snap, err := snapshotOf(s.ctx, s.tx, s.a, s.now, s.app, AtApproval)
	if err != nil {
		return err
	}
	s.decision = &decisionRecord{action: map[Status]string{Returned: ActReturn, Rejected: ActReject}[to], outcome: string(to), reason: s.reason, snap: snap}
	return nil
}

// void releases the reservation of an approved application before payment (作废).
func void(s *step) error {
	t, err := ledger.Void(s.ctx, s.tx, s.a, s.now, s.app.TransferID.Int64, s.reason)
	if err != nil {
		return err
	}
	s.transfer = &t
	s.set("status", Cancelled)
	s.set("last_reason", s.reason)
	return nil
}

// confirmReceipt records how the payee acknowledged the money (签收).
func confirmReceipt(s *step) error {
	s.set("status", Received)
	s.set("received_at", s.at)
	s.set("receipt_kind", s.in.ReceiptKind)
	s.set("receipt_ref", strings.TrimSpace(s.in.ReceiptRef))
	return nil
}

// takeBack takes a flagged payment back by a reversing entry (SPEC §4.3); the money returns to its line and
// the case leaves the workflow as recovered.
func takeBack(s *step) error {
	t, err := ledger.Reverse(s.ctx, s.tx, s.a, s.now, s.app.TransferID.Int64, ledger.ReverseInput{Reason: s.reason,
		VoucherNo: strings.TrimSpace(s.in.VoucherNo), IdempotencyKey: fmt.Sprintf("application-%d-recover", s.app.ID)})
	if err != nil {
		return err
	}
	s.set("status", Recovered)
	s.set("recovered_by", s.a.UserID)
	s.set("recovered_at", s.at)
	s.set("recovery_transfer_id", t.ID)
	s.set("last_reason", s.reason)
	return nil
}

// review is the retrospective review of a green-channel case (SPEC §4.3): confirmed, or flagged with a note.
func review(s *step) error {
	note := strings.TrimSpace(s.in.Note)
	if s.in.Outcome == "flagged" && note == "" {
		return apperr.Invalid("note", "复核存疑须写明疑点")
	}
	s.set("reviewed_by", s.a.UserID)
	s.set("reviewed_at", s.at)
	s.set("review_outcome", s.in.Outcome)
	s.set("review_note", note)
	snap, err := snapshotOf(s.ctx, s.tx, s.a, s.now, s.app, AtApproval)
	if err != nil {
		return err
	}
	s.decision = &decisionRecord{action: ActReview, outcome: s.in.Outcome, reason: note, snap: snap}
	s.reason = note
	return nil
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
func approve(s *step) error {
	app := s.app
	snap, err := snapshotOf(s.ctx, s.tx, s.a, s.now, app, AtApproval)
	if err != nil {
		return err
	}
	if err := refusal(snap.Checks); err != nil {
		return err
	}
	p := snap.Policy.Params
	// SPEC §4.3: one supervisor approves a green-channel case, whatever its amount (it is within green_max).
	if !app.Green && app.AmountFen > p.SecondApprovalAboveFen && app.Status == Submitted {
		s.set("status", FirstApproved)
		s.set("first_approved_by", s.a.UserID)
		s.set("first_approved_at", s.at)
		s.decision = &decisionRecord{action: ActApprove, outcome: string(FirstApproved), reason: s.reason, snap: snap}
		return nil
	}
	t, funding, err := reserve(s, snap)
	if err != nil {
		return err
	}
	snap.Funding = &fundingSnapshot{AccountID: funding.ID, Name: funding.Name, AvailableFen: money.Fen(funding.Balance().Available)}
	s.set("status", Approved)
	s.set("approved_by", s.a.UserID)
	s.set("approved_at", s.at)
	s.set("decided_at", s.at)
	s.set("policy_id", snap.Policy.ID)
	s.set("transfer_id", t.ID)
	s.transfer = &t
	if app.Green {
		s.set("docs_due", s.now.In(clock.China).AddDate(0, 0, p.GreenDocsDays).Format("2006-01-02"))
	}
	s.decision = &decisionRecord{action: ActApprove, outcome: string(Approved), reason: s.reason, snap: snap}
	return nil
}

// reserve holds the application's amount on the line that may pay it (SPEC §6, 专款专用) as a pending
// transfer to the payee; a line that cannot cover it is a conflict that names the numbers.
func reserve(s *step, snap Snapshot) (ledger.Transfer, ledger.Account, error) {
	app := s.app
	funding, err := ledger.FindFunding(s.ctx, s.tx, app.OrgID, int64(app.AidYear), string(app.Type), fundingPurposes(app, snap))
	if apperr.CodeOf(err) == apperr.NotFound {
		return ledger.Transfer{}, funding, apperr.Conflictf("无法预留资金：%s", apperr.From(err).Message)
	}
	if err != nil {
		return ledger.Transfer{}, funding, err
	}
	payee, err := payeeAccount(s.ctx, s.tx, s.a, s.now, app)
	if err != nil {
		return ledger.Transfer{}, funding, err
	}
	// funding and payee were read just now in this transaction: the overspend rule sees funding's balance as is.
	t, err := ledger.ReserveFrom(s.ctx, s.tx, s.a, s.now, funding, payee, ledger.TransferInput{
		Amount: int64(app.AmountFen), Unit: money.CNY, IdempotencyKey: fmt.Sprintf("application-%d-reserve", app.ID),
		RefType: "application", RefID: fmt.Sprint(app.ID), Memo: app.AppNo + " " + TypeNames[app.Type]})
	if e := apperr.From(err); err != nil && e.Code == apperr.Conflict {
		return t, funding, &apperr.Error{Code: apperr.Conflict, Message: "预算不足，无法批准：" + e.Message,
			Fields: map[string]string{"amount_fen": e.Message}}
	}
	return t, funding, err
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
func disburse(s *step) error {
	app, voucher := s.app, strings.TrimSpace(s.in.VoucherNo)
	if s.in.PaymentMethod == "bank" {
		card := ""
		if app.HouseholdID.Valid {
			var err error
			if card, err = household.BankCardOf(s.ctx, s.tx, app.HouseholdID.Int64); err != nil {
				return err
			}
		}
		if card == "" {
			return apperr.Invalid("payment_method", "该救助对象未登记实名银行卡，请改为现金签字领取或先在档案中登记银行卡")
		}
	}
	t, err := ledger.Post(s.ctx, s.tx, s.a, s.now, app.TransferID.Int64, ledger.Settlement{VoucherNo: voucher,
		PaymentMethod: s.in.PaymentMethod, Memo: app.AppNo})
	if err != nil {
		return err
	}
	s.transfer = &t
	s.set("status", Disbursed)
	s.set("disbursed_by", s.a.UserID)
	s.set("disbursed_at", s.at)
	s.set("voucher_no", voucher)
	s.set("payment_method", s.in.PaymentMethod)
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
	AccountID    int64     `json:"account_id"`
	Name         string    `json:"name"`
	AvailableFen money.Fen `json:"available_before_fen"`
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
	appJSON := json.RawMessage(app.AppendJSON(make([]byte, 0, 1536)))
	s := Snapshot{Application: appJSON, Household: json.RawMessage("null"), Policy: f.policy, Paid: f.paid,
		Checks: f.evaluate(stage), Decider: a.Name, At: store.FormatTime(now), Documents: f.docs}
	if hh != nil {
		s.Household = json.RawMessage(hh.AppendJSON(make([]byte, 0, 2048)))
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
	snap, err := d.snap.appendJSON(make([]byte, 0, 8192))
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

// decisionsSQL reads an application's decisions in order along application_decisions_actors, whose first
// columns are (application_id, id).
const decisionsSQL = `SELECT id, action, outcome, actor_name, at, reason, policy_id, snapshot
		FROM application_decisions WHERE application_id = ? ORDER BY id`

// Decisions lists the decisions on application id, oldest first.
func Decisions(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) ([]Decision, error) {
	if _, err := Get(ctx, q, a, id); err != nil {
		return nil, err
	}
	ds := []Decision{}
	if err := sqlx.SelectContext(ctx, q, &ds, decisionsSQL, id); err != nil {
		return nil, err
	}
	for i := range ds {
		ds[i].Snapshot = json.RawMessage(ds[i].Raw)
	}
	return ds, nil
}
