// Package ledger owns the fund ledger of SPEC §6: accounts and immutable transfers in double entry, in fen for
// money and in units for goods. Every operation runs inside the caller's write transaction, so that approving an
// application and reserving its money commit together, and writes its audit event there. It knows nothing of
// households or applications: callers name what a transfer is for by a reference type and id.
//
// A transfer moves an amount out of its debit account into its credit account. For each account:
//
//	posted    = credits posted − debits posted
//	available = posted − debits pending
//
// Pending credits do not count: money is not spendable before it is posted. Every account except an external
// one (where outside money comes from) keeps available ≥ 0.
package ledger

import (
	"encoding/json"
	"strings"

	"bangfu/internal/jsonenc"
	"bangfu/internal/money"
)

// Kind is the kind of an account.
type Kind string

const (
	FundSource Kind = "fund"       // 经费来源: 上级补助, 本级经费, 社会捐赠 …, with purpose tags
	BudgetLine Kind = "budget"     // 预算科目: a year's line for an aid type or campaign kind
	Allocation Kind = "allocation" // 下拨额度: a grassroots union's share of a budget line
	Stock      Kind = "stock"      // 库存: goods in units
	Payee      Kind = "payee"      // 收款人: e.g. a household receiving aid
	Expense    Kind = "expense"    // 支出: e.g. the cost of a campaign's goods or checks
	External   Kind = "external"   // 外部来款: where outside money and goods come from; may go negative
)

// KindNames are the Chinese names of account kinds.
var KindNames = map[Kind]string{
	FundSource: "经费来源", BudgetLine: "预算科目", Allocation: "下拨额度", Stock: "库存", Payee: "收款人", Expense: "支出", External: "外部来款",
}

// Controlled reports whether accounts of kind k may never go below zero (SPEC §6): all but external ones.
func (k Kind) Controlled() bool { return k != External }

// AidTypes are what a budget line is for: the relief types of SPEC §4.1 and the campaign kinds of §5.
var AidTypes = map[string]string{
	"living": "生活救助", "medical": "医疗救助", "education": "金秋助学", "warmth": "送温暖", "condolence": "慰问",
	"cooling": "送清凉", "health_check": "职工体检",
}

// Purposes are the tags of 专款专用: a fund lists the purposes it may pay for, a budget line names the one it
// serves, and money reaches the line only from a fund that lists it.
var Purposes = map[string]string{
	"general": "日常帮扶", "epidemic": "疫情防控", "education": "助学", "medical": "医疗救助", "disaster": "灾害救助",
}

// DefaultPurpose is the purpose a budget line serves unless another is named.
func DefaultPurpose(aidType string) string {
	switch aidType {
	case "education", "medical":
		return aidType
	}
	return "general"
}

// Account is one ledger account with its cached sums.
type Account struct {
	ID             int64    `db:"id" json:"id"`
	Kind           Kind     `db:"kind" json:"kind"`
	KindName       string   `db:"-" json:"kind_name"`
	Name           string   `db:"name" json:"name"`
	Unit           string   `db:"unit" json:"unit"`
	OrgID          int64    `db:"org_id" json:"org_id"`
	OrgName        string   `db:"org_name" json:"org_name"`
	OrgPath        string   `db:"org_path" json:"-"`
	PurposeList    string   `db:"purposes" json:"-"`
	Purposes       []string `db:"-" json:"purposes"`
	Year           *int64   `db:"year" json:"year"`
	AidType        *string  `db:"aid_type" json:"aid_type"`
	Purpose        *string  `db:"purpose" json:"purpose"`
	BudgetLineID   *int64   `db:"budget_line_id" json:"budget_line_id"`
	RefType        *string  `db:"ref_type" json:"ref_type"`
	RefID          *string  `db:"ref_id" json:"ref_id"`
	DebitsPosted   int64    `db:"debits_posted" json:"-"`
	CreditsPosted  int64    `db:"credits_posted" json:"-"`
	DebitsPending  int64    `db:"debits_pending" json:"-"`
	CreditsPending int64    `db:"credits_pending" json:"-"`
	CreatedAt      string   `db:"created_at" json:"created_at"`
	CreatedBy      string   `db:"created_by" json:"created_by"`
}

// Balance is what an account holds, in its unit.
type Balance struct {
	Posted     int64 // credits − debits of posted transfers
	PendingOut int64 // debits of pending transfers: reserved, not yet paid
	PendingIn  int64 // credits of pending transfers: not spendable until posted
	Available  int64 // Posted − PendingOut
}

// Balance returns the account's balance from its cached sums.
func (a Account) Balance() Balance {
	posted := a.CreditsPosted - a.DebitsPosted
	return Balance{Posted: posted, PendingOut: a.DebitsPending, PendingIn: a.CreditsPending, Available: posted - a.DebitsPending}
}

func (a *Account) fill() {
	a.KindName = KindNames[a.Kind]
	a.Purposes = []string{}
	for _, p := range strings.Split(a.PurposeList, ",") {
		if p != "" {
			a.Purposes = append(a.Purposes, p)
		}
	}
}

// allows reports whether a fund may pay for purpose (专款专用).
func (a Account) allows(purpose string) bool {
	return strings.Contains(a.PurposeList, ","+purpose+",")
}

// MarshalJSON adds the balance. Money fields end in _fen (SPEC §9.2); goods quantities end in _qty.
func (a Account) MarshalJSON() ([]byte, error) {
	type plain Account
	b := a.Balance()
	return withAmounts(plain(a), a.Unit, map[string]int64{
		"posted": b.Posted, "pending_out": b.PendingOut, "pending_in": b.PendingIn, "available": b.Available,
	})
}

// withAmounts encodes v and adds amounts named with the suffix of their unit.
func withAmounts(v any, unit string, amounts map[string]int64) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	suffix := "_qty"
	if unit == money.CNY {
		suffix = "_fen"
	}
	for k, n := range amounts {
		m[k+suffix], _ = json.Marshal(n)
	}
	return json.Marshal(m)
}

// TransferKind says which operation wrote a transfer.
type TransferKind string

const (
	KindReceive  TransferKind = "receive"  // outside money arrives into a fund
	KindBudget   TransferKind = "budget"   // fund → budget line
	KindAllocate TransferKind = "allocate" // budget line → a grassroots union's allocation (下拨)
	KindReserve  TransferKind = "reserve"  // pending: money held for a payment until posted or voided
	KindMove     TransferKind = "transfer" // posted at once: purchases, deliveries, costs
	KindReverse  TransferKind = "reverse"  // mirrors a posted transfer, with a reason
)

// TransferKindNames are the Chinese names of transfer kinds.
var TransferKindNames = map[TransferKind]string{
	KindReceive: "来款入账", KindBudget: "安排预算", KindAllocate: "下拨", KindReserve: "预留支付", KindMove: "转账", KindReverse: "冲销",
}

// States of a transfer.
const (
	Pending = "pending"
	Posted  = "posted"
	Voided  = "voided"
)

// StateNames are the Chinese names of transfer states.
var StateNames = map[string]string{Pending: "待入账", Posted: "已入账", Voided: "已作废"}

// PaymentMethods of SPEC §6.
var PaymentMethods = map[string]string{"bank": "银行转账（实名卡）", "cash": "现金（签字领取）"}

// Transfer is one immutable transfer with the settlement that posted or voided it, if any.
type Transfer struct {
	ID                  int64        `db:"id" json:"id"`
	Kind                TransferKind `db:"kind" json:"kind"`
	KindName            string       `db:"-" json:"kind_name"`
	DebitAccountID      int64        `db:"debit_account_id" json:"debit_account_id"`
	DebitName           string       `db:"debit_name" json:"debit_name"`
	CreditAccountID     int64        `db:"credit_account_id" json:"credit_account_id"`
	CreditName          string       `db:"credit_name" json:"credit_name"`
	Amount              int64        `db:"amount" json:"-"`
	Unit                string       `db:"unit" json:"unit"`
	WrittenPending      bool         `db:"pending" json:"-"`
	State               string       `db:"state" json:"state"`
	IdempotencyKey      *string      `db:"idempotency_key" json:"idempotency_key"`
	ContentHash         string       `db:"content_hash" json:"-"`
	RefType             *string      `db:"ref_type" json:"ref_type"`
	RefID               *string      `db:"ref_id" json:"ref_id"`
	ReversesID          *int64       `db:"reverses_id" json:"reverses_id"`
	ReversedByID        *int64       `db:"reversed_by_id" json:"reversed_by_id"`
	Reason              string       `db:"reason" json:"reason"`
	VoucherNo           string       `db:"voucher_no" json:"voucher_no"`
	PaymentMethod       string       `db:"payment_method" json:"payment_method"`
	Memo                string       `db:"memo" json:"memo"`
	Actor               string       `db:"actor" json:"actor"`
	CreatedAt           string       `db:"created_at" json:"created_at"`
	SettledAt           *string      `db:"settled_at" json:"settled_at"`
	SettledBy           *string      `db:"settled_by" json:"settled_by"`
	SettleVoucherNo     *string      `db:"settle_voucher_no" json:"settle_voucher_no"`
	SettlePaymentMethod *string      `db:"settle_payment_method" json:"settle_payment_method"`
	SettleMemo          *string      `db:"settle_memo" json:"settle_memo"`
	// Actions is what the reader may do with the transfer (ActReverse), on reads for a reader; nil (and left
	// out of the JSON) in what a write records.
	Actions []string `db:"-" json:"actions,omitempty"`
}

func (t *Transfer) fill() { t.KindName = TransferKindNames[t.Kind] }

// MarshalJSON names the amount amount_fen for money and amount_qty for goods.
func (t Transfer) MarshalJSON() ([]byte, error) { return t.AppendJSON(make([]byte, 0, 768)), nil }

// AppendJSON appends the transfer's JSON to b: its members in key order, as withAmounts wrote them, and the
// amount as amount_fen or amount_qty. Written out by hand because every transfer is encoded inside the write
// transaction for its audit event (SPEC §10); TestTransferJSON_IsTheReflectiveEncoding holds it to
// withAmounts's encoding.
func (t Transfer) AppendJSON(b []byte) []byte {
	str := func(key, v string) {
		b = jsonenc.String(jsonenc.Key(b, key), v)
	}
	num := func(key string, v int64) {
		b = jsonenc.Int(jsonenc.Key(b, key), v)
	}
	ptr := func(key string, v *string) {
		b = jsonenc.StringPtr(jsonenc.Key(b, key), v)
	}
	b = append(b, '{')
	if len(t.Actions) > 0 {
		b = jsonenc.Strings(jsonenc.Key(b, "actions"), t.Actions)
	}
	str("actor", t.Actor)
	if t.Unit == money.CNY {
		num("amount_fen", t.Amount)
	} else {
		num("amount_qty", t.Amount)
	}
	str("created_at", t.CreatedAt)
	num("credit_account_id", t.CreditAccountID)
	str("credit_name", t.CreditName)
	num("debit_account_id", t.DebitAccountID)
	str("debit_name", t.DebitName)
	num("id", t.ID)
	ptr("idempotency_key", t.IdempotencyKey)
	str("kind", string(t.Kind))
	str("kind_name", t.KindName)
	str("memo", t.Memo)
	str("payment_method", t.PaymentMethod)
	str("reason", t.Reason)
	ptr("ref_id", t.RefID)
	ptr("ref_type", t.RefType)
	b = jsonenc.IntPtr(jsonenc.Key(b, "reversed_by_id"), t.ReversedByID)
	b = jsonenc.IntPtr(jsonenc.Key(b, "reverses_id"), t.ReversesID)
	ptr("settle_memo", t.SettleMemo)
	ptr("settle_payment_method", t.SettlePaymentMethod)
	ptr("settle_voucher_no", t.SettleVoucherNo)
	ptr("settled_at", t.SettledAt)
	ptr("settled_by", t.SettledBy)
	str("state", t.State)
	str("unit", t.Unit)
	str("voucher_no", t.VoucherNo)
	return append(b, '}')
}

// TransferKinds lists the transfer kinds in display order.
var TransferKinds = []TransferKind{KindReceive, KindBudget, KindAllocate, KindReserve, KindMove, KindReverse}

// AuditActions names every audit action code the ledger writes (SPEC §7): "fund."+kind for every transfer,
// the settlement of a reservation (post, void) and the opening of an account.
func AuditActions() map[string]string {
	out := map[string]string{"fund.post": "经费·预留入账", "fund.void": "经费·预留作废", "fund_account.create": "经费账户·新建"}
	for _, k := range TransferKinds {
		out["fund."+string(k)] = "经费·" + TransferKindNames[k]
	}
	return out
}

// The orders in which the UI lists account kinds, aid types and purposes.
var (
	Kinds        = []Kind{FundSource, BudgetLine, Allocation, Stock, Payee, Expense, External}
	AidTypeOrder = []string{"living", "medical", "education", "warmth", "condolence", "cooling", "health_check"}
	PurposeOrder = []string{"general", "epidemic", "education", "medical", "disaster"}
)
