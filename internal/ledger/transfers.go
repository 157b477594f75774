package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/jsonenc"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// transferState is the state of transfer t: posted when written posted, else its settlement's, else pending.
const transferState = `CASE WHEN t.pending = 0 THEN 'posted'
	ELSE coalesce((SELECT s.state FROM fund_settlements s WHERE s.transfer_id = t.id), 'pending') END`

// Everything beside the transfer's own row is read by subquery, not by join: with the SQLite that go-sqlite3
// bundles, a join in a statement with a bound parameter makes it re-prepared on every execution (ten times
// the cost of the read itself).
const selectTransfer = `SELECT t.id, t.kind, t.debit_account_id,
	(SELECT d.name FROM fund_accounts d WHERE d.id = t.debit_account_id) AS debit_name, t.credit_account_id,
	(SELECT c.name FROM fund_accounts c WHERE c.id = t.credit_account_id) AS credit_name, t.amount, t.unit, t.pending,
	` + transferState + ` AS state,
	t.idempotency_key, t.content_hash, t.ref_type, t.ref_id, t.reverses_id,
	(SELECT r.id FROM fund_transfers r WHERE r.reverses_id = t.id) AS reversed_by_id,
	t.reason, t.voucher_no, t.payment_method, t.memo, t.actor, t.created_at,
	(SELECT s.created_at FROM fund_settlements s WHERE s.transfer_id = t.id) AS settled_at,
	(SELECT s.actor FROM fund_settlements s WHERE s.transfer_id = t.id) AS settled_by,
	(SELECT s.voucher_no FROM fund_settlements s WHERE s.transfer_id = t.id) AS settle_voucher_no,
	(SELECT s.payment_method FROM fund_settlements s WHERE s.transfer_id = t.id) AS settle_payment_method,
	(SELECT s.memo FROM fund_settlements s WHERE s.transfer_id = t.id) AS settle_memo
	FROM fund_transfers t`

// GetTransfer returns the transfer with id in its current state, or 404.
func GetTransfer(ctx context.Context, q sqlx.QueryerContext, id int64) (Transfer, error) {
	t, err := store.Get[Transfer](ctx, q, "转账记录不存在", selectTransfer+" WHERE t.id = ?", id)
	if err != nil {
		return t, err
	}
	t.fill()
	return t, nil
}

// TransfersByRef returns the transfers written for a reference (e.g. "application", "17"), oldest first, each
// in its current state: how a caller learns whether its reservation is pending, posted, voided or reversed.
func TransfersByRef(ctx context.Context, q sqlx.QueryerContext, refType, refID string) ([]Transfer, error) {
	ts := []Transfer{}
	err := sqlx.SelectContext(ctx, q, &ts, selectTransfer+" WHERE t.ref_type = ? AND t.ref_id = ? ORDER BY t.id", refType, refID)
	for i := range ts {
		ts[i].fill()
	}
	return ts, err
}

// TransferInput is a transfer a caller asks for. Amount is in the accounts' unit (fen for money); Unit, when
// given, must be that unit. IdempotencyKey, when given, makes a retry return the first result.
type TransferInput struct {
	DebitAccountID  int64
	CreditAccountID int64
	Amount          int64
	Unit            string
	IdempotencyKey  string
	RefType         string
	RefID           string
	VoucherNo       string
	PaymentMethod   string // "", "bank" or "cash"
	Memo            string
}

// content is what a transfer's idempotency key stands for: a retry with the same key must ask for exactly this.
type content struct {
	Kind          TransferKind `json:"kind"`
	Debit         int64        `json:"debit"`
	Credit        int64        `json:"credit"`
	Amount        int64        `json:"amount"`
	Unit          string       `json:"unit"`
	Pending       bool         `json:"pending"`
	RefType       string       `json:"ref_type"`
	RefID         string       `json:"ref_id"`
	ReversesID    int64        `json:"reverses_id"`
	Reason        string       `json:"reason"`
	VoucherNo     string       `json:"voucher_no"`
	PaymentMethod string       `json:"payment_method"`
	Memo          string       `json:"memo"`
}

func (c content) hash() string {
	s := sha256.Sum256(c.appendJSON(make([]byte, 0, 512)))
	return hex.EncodeToString(s[:])
}

// appendJSON is json.Marshal(c) without reflection (TestContentJSON_IsTheReflectiveEncoding): the hash of
// every transfer already written was taken over that text, so it must not change.
func (c content) appendJSON(b []byte) []byte {
	str := func(key, v string) {
		b = jsonenc.String(jsonenc.Key(b, key), v)
	}
	num := func(key string, v int64) {
		b = jsonenc.Int(jsonenc.Key(b, key), v)
	}
	b = append(b, '{')
	str("kind", string(c.Kind))
	num("debit", c.Debit)
	num("credit", c.Credit)
	num("amount", c.Amount)
	str("unit", c.Unit)
	b = jsonenc.Bool(jsonenc.Key(b, "pending"), c.Pending)
	str("ref_type", c.RefType)
	str("ref_id", c.RefID)
	num("reverses_id", c.ReversesID)
	str("reason", c.Reason)
	str("voucher_no", c.VoucherNo)
	str("payment_method", c.PaymentMethod)
	str("memo", c.Memo)
	return append(b, '}')
}

func checkText(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, fmt.Sprintf("不能超过 %d 个字", max))
	}
	return nil
}

// financeInput checks a movement finance itself posts (Receive, Budget, Allocate): finance only, and the
// input as checkInput checks it, its amount named amount_fen.
func financeInput(a actor.Actor, in TransferInput) error {
	if err := a.Require(actor.Finance); err != nil {
		return err
	}
	return checkInput(in, "amount_fen")
}

// checkInput refuses malformed input before anything is looked up.
func checkInput(in TransferInput, amountField string) error {
	if in.Amount <= 0 {
		return apperr.Invalid(amountField, "金额必须大于零")
	}
	if in.PaymentMethod != "" {
		if _, ok := PaymentMethods[in.PaymentMethod]; !ok {
			return apperr.Invalid("payment_method", "支付方式应为银行转账或现金")
		}
	}
	for _, c := range []struct {
		field, s string
		max      int
	}{{"idempotency_key", in.IdempotencyKey, 100}, {"ref_type", in.RefType, 32}, {"ref_id", in.RefID, 64},
		{"voucher_no", in.VoucherNo, 64}, {"memo", in.Memo, 500}} {
		if err := checkText(c.field, c.s, c.max); err != nil {
			return err
		}
	}
	return nil
}

// replay looks up an idempotency key: the first transfer written with it if the content matches, a 409 if it
// does not, and found=false if the key is new or empty.
func replay(ctx context.Context, tx *sqlx.Tx, key, hash string) (Transfer, bool, error) {
	if key == "" {
		return Transfer{}, false, nil
	}
	var t Transfer
	err := tx.GetContext(ctx, &t, selectTransfer+" WHERE t.idempotency_key = ?", key)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	if err != nil {
		return t, false, err
	}
	if t.ContentHash != hash {
		return t, false, &apperr.Error{Code: apperr.Conflict,
			Message: fmt.Sprintf("幂等键 %s 已用于另一笔内容不同的转账（#%d），请勿重复使用", key, t.ID),
			Fields:  map[string]string{"idempotency_key": "此幂等键已用于内容不同的转账"}}
	}
	t.fill()
	return t, true, nil
}

// spend refuses a transfer that would take a controlled account below zero, counting pending debits.
func spend(acc Account, amount int64, amountField string) error {
	if !acc.Kind.Controlled() {
		return nil
	}
	avail := acc.Balance().Available
	if amount <= avail {
		return nil
	}
	what := "可用余额不足"
	if acc.Unit != money.CNY {
		what = "可用库存不足"
	}
	msg := fmt.Sprintf("%s：可用 %s，申请 %s", what, money.Format(avail, acc.Unit), money.Format(amount, acc.Unit))
	return &apperr.Error{Code: apperr.Conflict, Message: msg + "（" + acc.Name + "）", Fields: map[string]string{amountField: msg}}
}

// write is the one place a transfer row is written: idempotency, units and the overspend rule are checked in
// the caller's transaction, then the row, its cached sums (by trigger) and its audit event go in together.
//
// A retry with a used idempotency key gets the first transfer (or a 409 if it asks for something else) before
// any rule is applied to it again. The key is looked up only when the transfer is refused or its key is taken
// (the UNIQUE index on idempotency_key refuses the second row): a new key, the usual case, costs no lookup.
func write(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, c content, key, amountField string, debit, credit Account) (Transfer, error) {
	hash := c.hash()
	refuse := func(err error) (Transfer, error) {
		if t, found, rerr := replay(ctx, tx, key, hash); found || rerr != nil {
			return t, rerr
		}
		return Transfer{}, err
	}
	if debit.ID == credit.ID {
		return refuse(apperr.Invalid("credit_account_id", "转出和转入不能是同一账户"))
	}
	if debit.Unit != credit.Unit || c.Unit != debit.Unit {
		return refuse(apperr.Invalid("unit", fmt.Sprintf("计量单位不一致：%s 以 %s 计，%s 以 %s 计，本笔以 %s 计",
			debit.Name, unitName(debit.Unit), credit.Name, unitName(credit.Unit), unitName(c.Unit))))
	}
	if err := spend(debit, c.Amount, amountField); err != nil {
		return refuse(err)
	}
	var keyArg any
	if key != "" {
		keyArg = key
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO fund_transfers (kind, debit_account_id, credit_account_id, amount, unit,
		pending, idempotency_key, content_hash, ref_type, ref_id, reverses_id, reason, voucher_no, payment_method, memo,
		actor_id, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Kind, debit.ID, credit.ID, c.Amount, c.Unit, c.Pending, keyArg, hash, nullable(c.RefType), nullable(c.RefID),
		nullableID(c.ReversesID), c.Reason, c.VoucherNo, c.PaymentMethod, c.Memo, nullableID(a.UserID), a.Username,
		store.FormatTime(now))
	if err != nil {
		if store.IsUniqueViolation(err) {
			// the statement was undone whole (its triggers' changes too): the key may be a retry's
			return refuse(fmt.Errorf("ledger: insert transfer: %w", err))
		}
		return Transfer{}, fmt.Errorf("ledger: insert transfer: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Transfer{}, err
	}
	t := written(id, c, hash, key, a.Username, store.FormatTime(now), debit, credit)
	owner := debit
	if !debit.Kind.Controlled() {
		owner = credit
	}
	reason := c.Reason
	if reason == "" {
		reason = c.Memo
	}
	err = audit.Record(ctx, tx, a, now, audit.Entry{Action: "fund." + string(c.Kind), EntityType: "fund_transfer",
		EntityID: strconv.FormatInt(id, 10), OrgID: owner.OrgID, OrgPath: owner.OrgPath, After: t, Reason: reason})
	return t, err
}

// written is the transfer just inserted, as GetTransfer would read it back (TestWrite_ReturnsTheTransferAsStored):
// a new transfer has no settlement and is reversed by nothing yet. Built rather than read again, since every
// reservation, payment and delivery writes one inside the write transaction (SPEC §10).
func written(id int64, c content, hash, key, actor, at string, debit, credit Account) Transfer {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	t := Transfer{ID: id, Kind: c.Kind, DebitAccountID: debit.ID, DebitName: debit.Name, CreditAccountID: credit.ID,
		CreditName: credit.Name, Amount: c.Amount, Unit: c.Unit, WrittenPending: c.Pending, State: Posted,
		IdempotencyKey: opt(key), ContentHash: hash, RefType: opt(c.RefType), RefID: opt(c.RefID), Reason: c.Reason,
		VoucherNo: c.VoucherNo, PaymentMethod: c.PaymentMethod, Memo: c.Memo, Actor: actor, CreatedAt: at}
	if c.Pending {
		t.State = Pending
	}
	if c.ReversesID != 0 {
		r := c.ReversesID
		t.ReversesID = &r
	}
	t.fill()
	return t
}

func unitName(u string) string {
	if u == money.CNY {
		return "人民币"
	}
	return u
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// account loads an account for an operation, refusing one of the wrong kind or, when a must see it, one
// outside a's scope (reported missing, SPEC §1.1).
func account(ctx context.Context, tx *sqlx.Tx, a actor.Actor, scoped bool, id int64, field string, kinds ...Kind) (Account, error) {
	acc, err := GetAccount(ctx, tx, id)
	if err == nil && scoped && !a.Sees(acc.OrgPath) {
		err = apperr.NotFoundf("账户不存在")
	}
	if apperr.CodeOf(err) == apperr.NotFound {
		return acc, &apperr.Error{Code: apperr.NotFound, Message: "账户不存在或不在您的管辖范围内",
			Fields: map[string]string{field: "账户不存在或不在您的管辖范围内"}}
	}
	if err != nil {
		return acc, err
	}
	return acc, accountKind(acc, field, kinds...)
}

// accountKind refuses acc unless it is of one of kinds.
func accountKind(acc Account, field string, kinds ...Kind) error {
	for _, k := range kinds {
		if acc.Kind == k {
			return nil
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = KindNames[k]
	}
	return apperr.Invalid(field, fmt.Sprintf("%s是%s，此处应为%s", acc.Name, acc.KindName, strings.Join(names, "或")))
}

// ReceiveInput records outside money arriving into a fund (来款入账).
type ReceiveInput struct {
	FundID         int64     `json:"-"`
	AmountFen      money.Fen `json:"amount_fen"`
	VoucherNo      string    `json:"voucher_no" validate:"max=64"`
	PaymentMethod  string    `json:"payment_method"`
	Memo           string    `json:"memo" validate:"max=500"`
	IdempotencyKey string    `json:"idempotency_key" validate:"max=100"`
}

// Receive posts money from outside into a fund source. Finance only, on a fund in scope.
func Receive(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in ReceiveInput) (Transfer, error) {
	if err := financeInput(a, TransferInput{Amount: int64(in.AmountFen), VoucherNo: in.VoucherNo, PaymentMethod: in.PaymentMethod, Memo: in.Memo, IdempotencyKey: in.IdempotencyKey}); err != nil {
		return Transfer{}, err
	}
	fund, err := account(ctx, tx, a, true, in.FundID, "fund_id", FundSource)
	if err != nil {
		return Transfer{}, err
	}
	ext, err := ExternalAccount(ctx, tx, a, now, fund.Unit)
	if err != nil {
		return Transfer{}, err
	}
	c := content{Kind: KindReceive, Debit: ext.ID, Credit: fund.ID, Amount: int64(in.AmountFen), Unit: fund.Unit,
		VoucherNo: in.VoucherNo, PaymentMethod: in.PaymentMethod, Memo: in.Memo}
	return write(ctx, tx, a, now, c, in.IdempotencyKey, "amount_fen", ext, fund)
}

// BudgetInput moves money from a fund source into a budget line (安排预算).
type BudgetInput struct {
	FundID         int64     `json:"-"`
	BudgetLineID   int64     `json:"budget_line_id"`
	AmountFen      money.Fen `json:"amount_fen"`
	VoucherNo      string    `json:"voucher_no" validate:"max=64"`
	Memo           string    `json:"memo" validate:"max=500"`
	IdempotencyKey string    `json:"idempotency_key" validate:"max=100"`
}

// Budget posts money from a fund into a budget line, refused unless the fund's purposes allow the line
// (专款专用). Finance only, on accounts in scope.
func Budget(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in BudgetInput) (Transfer, error) {
	if err := financeInput(a, TransferInput{Amount: int64(in.AmountFen), VoucherNo: in.VoucherNo, Memo: in.Memo, IdempotencyKey: in.IdempotencyKey}); err != nil {
		return Transfer{}, err
	}
	fund, err := account(ctx, tx, a, true, in.FundID, "fund_id", FundSource)
	if err != nil {
		return Transfer{}, err
	}
	line, err := account(ctx, tx, a, true, in.BudgetLineID, "budget_line_id", BudgetLine)
	if err != nil {
		return Transfer{}, err
	}
	c := content{Kind: KindBudget, Debit: fund.ID, Credit: line.ID, Amount: int64(in.AmountFen), Unit: fund.Unit,
		VoucherNo: in.VoucherNo, Memo: in.Memo}
	if t, found, err := replay(ctx, tx, in.IdempotencyKey, c.hash()); found || err != nil {
		return t, err
	}
	// SPEC §6, 专款专用: money reaches a line only from a fund whose purposes allow it.
	if !fund.allows(*line.Purpose) {
		allowed := make([]string, len(fund.Purposes))
		for i, p := range fund.Purposes {
			allowed[i] = Purposes[p]
		}
		msg := fmt.Sprintf("专款专用：%s只能用于%s，不能安排到用于%s的%s", fund.Name, strings.Join(allowed, "、"),
			Purposes[*line.Purpose], line.Name)
		return Transfer{}, &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{"budget_line_id": msg}}
	}
	return write(ctx, tx, a, now, c, in.IdempotencyKey, "amount_fen", fund, line)
}

// AllocateInput gives a grassroots union a share of a budget line (下拨).
type AllocateInput struct {
	BudgetLineID   int64     `json:"budget_line_id"`
	OrgID          int64     `json:"org_id"`
	AmountFen      money.Fen `json:"amount_fen"`
	VoucherNo      string    `json:"voucher_no" validate:"max=64"`
	Memo           string    `json:"memo" validate:"max=500"`
	IdempotencyKey string    `json:"idempotency_key" validate:"max=100"`
}

// Allocate posts money from a budget line into the allocation of a grassroots union, opening the allocation on
// first use. Finance only; the line and the union must be in scope.
func Allocate(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in AllocateInput) (Transfer, error) {
	if err := financeInput(a, TransferInput{Amount: int64(in.AmountFen), VoucherNo: in.VoucherNo, Memo: in.Memo, IdempotencyKey: in.IdempotencyKey}); err != nil {
		return Transfer{}, err
	}
	line, err := account(ctx, tx, a, true, in.BudgetLineID, "budget_line_id", BudgetLine)
	if err != nil {
		return Transfer{}, err
	}
	o, err := org.GetInScope(ctx, tx, a, in.OrgID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Transfer{}, apperr.Invalid("org_id", "所选组织不存在或不在您的管辖范围内")
	}
	if err != nil {
		return Transfer{}, err
	}
	if o.Level != org.Grassroots {
		return Transfer{}, apperr.Invalid("org_id", "只能下拨给基层工会，"+o.Name+"是"+org.LevelNames[o.Level])
	}
	if !strings.HasPrefix(o.Path, line.OrgPath) {
		return Transfer{}, apperr.Invalid("org_id", o.Name+"不在预算科目所属组织"+line.OrgName+"之下")
	}
	alloc, err := allocationAccount(ctx, tx, a, now, line, o)
	if err != nil {
		return Transfer{}, err
	}
	c := content{Kind: KindAllocate, Debit: line.ID, Credit: alloc.ID, Amount: int64(in.AmountFen), Unit: line.Unit,
		VoucherNo: in.VoucherNo, Memo: in.Memo}
	return write(ctx, tx, a, now, c, in.IdempotencyKey, "amount_fen", line, alloc)
}

// Reserve writes a pending transfer that holds money (or goods) on a budget line, an allocation or a stock
// account for a payee or an expense until it is posted or voided. The pending debit counts against the
// account's available balance at once. The caller authorises (e.g. relief approval by a supervisor).
func Reserve(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in TransferInput) (Transfer, error) {
	return transfer(ctx, tx, a, now, KindReserve, true, in)
}

// ReserveFrom is Reserve from debit to credit, accounts the caller has just read in tx (FindFunding,
// EnsureAccount) and not written to since: their balances are the ones the overspend rule must see, so they
// are not read again. in's account ids are ignored.
func ReserveFrom(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, debit, credit Account, in TransferInput) (Transfer, error) {
	if err := checkInput(in, "amount"); err != nil {
		return Transfer{}, err
	}
	if err := accountKind(debit, "debit_account_id", BudgetLine, Allocation, Stock); err != nil {
		return Transfer{}, err
	}
	if err := accountKind(credit, "credit_account_id", Payee, Expense); err != nil {
		return Transfer{}, err
	}
	return transferBetween(ctx, tx, a, now, KindReserve, true, in, debit, credit)
}

// Move writes a transfer posted at once, for goods into stock (from the external account), goods delivered
// (stock → expense) and costs paid without a reservation (budget or allocation → expense). The caller authorises.
func Move(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in TransferInput) (Transfer, error) {
	return transfer(ctx, tx, a, now, KindMove, false, in)
}

func transfer(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, kind TransferKind, pending bool, in TransferInput) (Transfer, error) {
	if err := checkInput(in, "amount"); err != nil {
		return Transfer{}, err
	}
	from := []Kind{BudgetLine, Allocation, Stock}
	if !pending {
		from = append(from, External)
	}
	debit, err := account(ctx, tx, a, false, in.DebitAccountID, "debit_account_id", from...)
	if err != nil {
		return Transfer{}, err
	}
	to := []Kind{Payee, Expense}
	if !pending && debit.Kind == External {
		to = []Kind{Stock}
	}
	credit, err := account(ctx, tx, a, false, in.CreditAccountID, "credit_account_id", to...)
	if err != nil {
		return Transfer{}, err
	}
	return transferBetween(ctx, tx, a, now, kind, pending, in, debit, credit)
}

func transferBetween(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, kind TransferKind, pending bool, in TransferInput, debit, credit Account) (Transfer, error) {
	unit := in.Unit
	if unit == "" {
		unit = debit.Unit
	}
	c := content{Kind: kind, Debit: debit.ID, Credit: credit.ID, Amount: in.Amount, Unit: unit, Pending: pending,
		RefType: in.RefType, RefID: in.RefID, VoucherNo: in.VoucherNo, PaymentMethod: in.PaymentMethod, Memo: in.Memo}
	return write(ctx, tx, a, now, c, in.IdempotencyKey, "amount", debit, credit)
}

// Settlement is what finance records when posting a pending transfer: the voucher and how it was paid.
type Settlement struct {
	VoucherNo     string
	PaymentMethod string
	Memo          string
}

// Post turns a pending transfer into a posted one (e.g. a disbursement paid). A transfer is posted or voided
// exactly once; posting it again is a 409. The caller authorises.
func Post(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, s Settlement) (Transfer, error) {
	if s.PaymentMethod != "" {
		if _, ok := PaymentMethods[s.PaymentMethod]; !ok {
			return Transfer{}, apperr.Invalid("payment_method", "支付方式应为银行转账或现金")
		}
	}
	if err := checkText("voucher_no", s.VoucherNo, 64); err != nil {
		return Transfer{}, err
	}
	if err := checkText("memo", s.Memo, 500); err != nil {
		return Transfer{}, err
	}
	return settle(ctx, tx, a, now, id, Posted, s)
}

// Void releases a pending transfer (e.g. a payment cancelled before it was made): its amount is available
// again. Voiding is final and happens at most once. The caller authorises.
func Void(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, reason string) (Transfer, error) {
	if strings.TrimSpace(reason) == "" {
		return Transfer{}, apperr.Invalid("reason", "请填写作废原因")
	}
	if err := checkText("reason", reason, 500); err != nil {
		return Transfer{}, err
	}
	return settle(ctx, tx, a, now, id, Voided, Settlement{Memo: reason})
}

func settle(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, state string, s Settlement) (Transfer, error) {
	before, err := GetTransfer(ctx, tx, id)
	if err != nil {
		return Transfer{}, err
	}
	switch {
	case !before.WrittenPending:
		return Transfer{}, apperr.Conflictf("转账 #%d 不是待入账的预留，无需入账或作废", id)
	case before.State == Posted:
		return Transfer{}, apperr.Conflictf("转账 #%d 已于 %s 入账，不能再%s", id, *before.SettledAt, verb(state))
	case before.State == Voided:
		return Transfer{}, apperr.Conflictf("转账 #%d 已于 %s 作废，不能再%s", id, *before.SettledAt, verb(state))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO fund_settlements (transfer_id, state, voucher_no, payment_method, memo,
		actor_id, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, state, s.VoucherNo, s.PaymentMethod, s.Memo,
		nullableID(a.UserID), a.Username, store.FormatTime(now)); err != nil {
		return Transfer{}, fmt.Errorf("ledger: settle transfer %d: %w", id, err)
	}
	// The transfer as GetTransfer would now read it: its settlement is the row just written.
	after, at := before, store.FormatTime(now)
	after.State, after.SettledAt, after.SettledBy = state, &at, &a.Username
	after.SettleVoucherNo, after.SettlePaymentMethod, after.SettleMemo = &s.VoucherNo, &s.PaymentMethod, &s.Memo
	// The event belongs to the debit account's org: only its org is read, not the whole account.
	var orgID int64
	var orgPath string
	if err := tx.QueryRowContext(ctx, "SELECT org_id, org_path FROM fund_accounts WHERE id = ?", after.DebitAccountID).Scan(&orgID, &orgPath); err != nil {
		return Transfer{}, fmt.Errorf("ledger: the debit account of transfer %d: %w", id, err)
	}
	action := "fund.post"
	if state == Voided {
		action = "fund.void"
	}
	err = audit.Record(ctx, tx, a, now, audit.Entry{Action: action, EntityType: "fund_transfer", EntityID: strconv.FormatInt(id, 10),
		OrgID: orgID, OrgPath: orgPath, Before: stateOf{before.State}, After: stateOf{after.State}, Reason: s.Memo})
	return after, err
}

type stateOf struct {
	State string `json:"state"`
}

func verb(state string) string {
	if state == Posted {
		return "入账"
	}
	return "作废"
}

// ReverseInput asks for the correction of a posted transfer (冲销).
type ReverseInput struct {
	Reason         string `json:"reason" validate:"required,max=500"`
	VoucherNo      string `json:"voucher_no" validate:"max=64"`
	IdempotencyKey string `json:"idempotency_key" validate:"max=100"`
}

// Reverse writes a posted transfer that mirrors a posted one, naming it and a reason: the only way a posted
// transfer is corrected (SPEC §6). A reversal is not reversed, a transfer is reversed at most once, a pending
// one is voided instead, and the reversal obeys the overspend rule on the account it takes back from.
// Finance only; both accounts must be in scope unless one is external.
func Reverse(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, in ReverseInput) (Transfer, error) {
	if err := a.Require(actor.Finance); err != nil {
		return Transfer{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Transfer{}, apperr.Invalid("reason", "请填写冲销原因")
	}
	if err := checkInput(TransferInput{Amount: 1, VoucherNo: in.VoucherNo, Memo: in.Reason, IdempotencyKey: in.IdempotencyKey}, "amount"); err != nil {
		return Transfer{}, err
	}
	orig, err := GetTransfer(ctx, tx, id)
	if err != nil {
		return Transfer{}, err
	}
	debit, err := GetAccount(ctx, tx, orig.CreditAccountID)
	if err != nil {
		return Transfer{}, err
	}
	credit, err := GetAccount(ctx, tx, orig.DebitAccountID)
	if err != nil {
		return Transfer{}, err
	}
	if err := bothInScope(a, debit, credit); err != nil {
		return Transfer{}, err
	}
	c := content{Kind: KindReverse, Debit: debit.ID, Credit: credit.ID, Amount: orig.Amount, Unit: orig.Unit,
		ReversesID: orig.ID, Reason: in.Reason, VoucherNo: in.VoucherNo}
	if t, found, err := replay(ctx, tx, in.IdempotencyKey, c.hash()); found || err != nil {
		return t, err
	}
	if err := reversible(orig); err != nil {
		return Transfer{}, err
	}
	return write(ctx, tx, a, now, c, in.IdempotencyKey, "amount_fen", debit, credit)
}

// bothInScope refuses, as not found, a transfer one of whose accounts other than the outside world is beyond
// a's subtree: a reversal moves money on both.
func bothInScope(a actor.Actor, debit, credit Account) error {
	for _, acc := range []Account{debit, credit} {
		if acc.Kind != External && !a.Sees(acc.OrgPath) {
			return apperr.NotFoundf("转账记录不存在")
		}
	}
	return nil
}

// reversible refuses to reverse t for its state (SPEC §6): a reversal is not reversed, a transfer is reversed
// at most once, and a pending one is voided instead.
func reversible(t Transfer) error {
	switch {
	case t.ReversesID != nil:
		return apperr.Conflictf("转账 #%d 本身是冲销（冲销 #%d），不能再冲销", t.ID, *t.ReversesID)
	case t.ReversedByID != nil:
		return apperr.Conflictf("转账 #%d 已被 #%d 冲销，不能重复冲销", t.ID, *t.ReversedByID)
	case t.State == Pending:
		return apperr.Conflictf("转账 #%d 尚未入账，应作废而不是冲销", t.ID)
	case t.State == Voided:
		return apperr.Conflictf("转账 #%d 已作废，无需冲销", t.ID)
	}
	return nil
}

// ActReverse is the action a reader may be offered on a transfer (冲销), by Reverse's own rules.
const ActReverse = "reverse"

// offer fills t.Actions with what a may do with t, whose accounts are debit and credit: the rules Reverse
// enforces (finance, both accounts in scope, the transfer's state, and the overspend rule on the account the
// reversal takes back from), so the UI offers only what would pass now.
func (t *Transfer) offer(a actor.Actor, debit, credit Account) {
	t.Actions = []string{}
	if a.Has(actor.Finance) && bothInScope(a, debit, credit) == nil && reversible(*t) == nil &&
		spend(credit, t.Amount, "amount_fen") == nil {
		t.Actions = append(t.Actions, ActReverse)
	}
}
