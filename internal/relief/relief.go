// Package relief owns the relief applications of SPEC §4 (救助申请): their types and caps, the approval
// workflow with its segregation of duties, the decision snapshots, the green channel (绿色通道), and the money
// each one moves through the ledger — reserved at approval, posted at disbursement, released by a void.
package relief

import (
	"database/sql"
	"slices"

	"bangfu/internal/ident"
	"bangfu/internal/jsonenc"
	"bangfu/internal/money"
)

// Type is an aid type of SPEC §4.1.
type Type string

const (
	Living     Type = "living"     // 生活救助: filed households only
	Medical    Type = "medical"    // 大病/医疗救助: no more than the out-of-pocket cost
	Education  Type = "education"  // 金秋助学: per student, once per school year
	Warmth     Type = "warmth"     // 送温暖: once per household per year
	Condolence Type = "condolence" // 慰问: one-off
)

// Types lists the aid types in display order; TypeNames are their Chinese names.
var (
	Types     = []Type{Living, Medical, Education, Warmth, Condolence}
	TypeNames = map[Type]string{Living: "生活救助", Medical: "医疗救助", Education: "金秋助学", Warmth: "送温暖", Condolence: "慰问"}
)

func (t Type) Valid() bool { return slices.Contains(Types, t) }

// Status is a workflow state of SPEC §4.2.
type Status string

const (
	Draft         Status = "draft"
	Returned      Status = "returned" // back to the caseworker with a reason; edited and submitted again
	Submitted     Status = "submitted"
	FirstApproved Status = "first_approved" // above second_approval_above: one of two approvals given
	Approved      Status = "approved"       // money reserved
	Disbursed     Status = "disbursed"      // money paid
	Received      Status = "received"       // receipt confirmed
	Rejected      Status = "rejected"
	Cancelled     Status = "cancelled" // voided by finance before payment; the reservation released
	Recovered     Status = "recovered" // a flagged green-channel payment taken back by a reversing entry (追回)
)

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[Status]string{
	Draft: "草稿", Returned: "已退回", Submitted: "待审批", FirstApproved: "待复审", Approved: "已批准待发放",
	Disbursed: "已发放", Received: "已签收", Rejected: "已驳回", Cancelled: "已作废",
	Recovered: "已追回",
}

// committed are the statuses whose amounts count against the caps: approved money is reserved.
var committed = []Status{Approved, Disbursed, Received}

// Application is one stored application.
type Application struct {
	ID                int64          `db:"id" json:"id"`
	AppNo             string         `db:"app_no" json:"app_no"`
	Type              Type           `db:"type" json:"type"`
	Status            Status         `db:"status" json:"status"`
	HouseholdID       sql.NullInt64  `db:"household_id" json:"-"`
	Beneficiary       string         `db:"beneficiary" json:"-"`
	ApplicantName     string         `db:"applicant_name" json:"applicant_name"`
	ApplicantIDNumber string         `db:"applicant_id_number" json:"applicant_id_number"`
	ApplicantPhone    string         `db:"applicant_phone" json:"applicant_phone"`
	OrgID             int64          `db:"org_id" json:"org_id"`
	OrgName           string         `db:"org_name" json:"org_name"`
	OrgPath           string         `db:"org_path" json:"-"`
	AidYear           int            `db:"aid_year" json:"aid_year"`
	AmountFen         money.Fen      `db:"amount_fen" json:"amount_fen"`
	OutOfPocketFen    money.Fen      `db:"out_of_pocket_fen" json:"out_of_pocket_fen"`
	StudentMemberID   sql.NullInt64  `db:"student_member_id" json:"-"`
	StudentIDNumber   string         `db:"student_id_number" json:"-"`
	SchoolStage       string         `db:"school_stage" json:"school_stage"`
	SchoolYear        string         `db:"school_year" json:"school_year"`
	DutyNote          string         `db:"duty_note" json:"duty_note"`
	Purpose           string         `db:"purpose" json:"purpose"`
	Green             bool           `db:"green" json:"green"`
	GreenReason       string         `db:"green_reason" json:"green_reason"`
	GreenNote         string         `db:"green_note" json:"green_note"`
	OpenedHousehold   bool           `db:"opened_household" json:"opened_household"`
	CreatedBy         int64          `db:"created_by" json:"-"`
	CreatedByName     string         `db:"created_by_name" json:"created_by_name"`
	CreatedAt         string         `db:"created_at" json:"created_at"`
	UpdatedAt         string         `db:"updated_at" json:"updated_at"`
	SubmittedBy       sql.NullInt64  `db:"submitted_by" json:"-"`
	SubmittedAt       sql.NullString `db:"submitted_at" json:"-"`
	DecideBy          sql.NullString `db:"decide_by" json:"-"`
	FirstApprovedBy   sql.NullInt64  `db:"first_approved_by" json:"-"`
	FirstApprovedAt   sql.NullString `db:"first_approved_at" json:"-"`
	ApprovedBy        sql.NullInt64  `db:"approved_by" json:"-"`
	ApprovedAt        sql.NullString `db:"approved_at" json:"-"`
	DecidedAt         sql.NullString `db:"decided_at" json:"-"`
	PolicyID          sql.NullInt64  `db:"policy_id" json:"-"`
	TransferID        sql.NullInt64  `db:"transfer_id" json:"-"`
	DocsDue           sql.NullString `db:"docs_due" json:"-"`
	DisbursedBy       sql.NullInt64  `db:"disbursed_by" json:"-"`
	DisbursedAt       sql.NullString `db:"disbursed_at" json:"-"`
	VoucherNo         string         `db:"voucher_no" json:"voucher_no"`
	PaymentMethod     string         `db:"payment_method" json:"payment_method"`
	ReceivedAt        sql.NullString `db:"received_at" json:"-"`
	ReceiptKind       string         `db:"receipt_kind" json:"receipt_kind"`
	ReceiptRef        string         `db:"receipt_ref" json:"receipt_ref"`
	ReviewedBy        sql.NullInt64  `db:"reviewed_by" json:"-"`
	ReviewedAt        sql.NullString `db:"reviewed_at" json:"-"`
	ReviewOutcome     string         `db:"review_outcome" json:"review_outcome"`
	ReviewNote        string         `db:"review_note" json:"review_note"`
	RecoveredBy       sql.NullInt64  `db:"recovered_by" json:"-"`
	RecoveredAt       sql.NullString `db:"recovered_at" json:"-"`
	RecoveryID        sql.NullInt64  `db:"recovery_transfer_id" json:"-"`
	LastReason        string         `db:"last_reason" json:"last_reason"`

	// Worked out when read (At): the green channel's documents and deadlines.
	MissingDocs []string `db:"-" json:"missing_docs"` // document kinds still missing
	DocsOverdue bool     `db:"-" json:"docs_overdue"` // green: missing documents past docs_due
	Overdue     bool     `db:"-" json:"overdue"`      // undecided past decide_by
	ReviewDue   bool     `db:"-" json:"review_due"`   // green: approved, retrospective review not yet done
}

// MarshalJSON masks identity numbers (SPEC §7) and renders the nullable columns as plain values.
func (a Application) MarshalJSON() ([]byte, error) { return a.AppendJSON(make([]byte, 0, 1536)), nil }

// AppendJSON appends the application's JSON (as MarshalJSON gives it) to b. It is written out by hand rather
// than by reflection because every action encodes an application twice or three times inside the write
// transaction (the audit event's before and after, the decision snapshot) and once more for the answer
// (SPEC §10); TestApplicationJSON_IsTheReflectiveEncoding holds it to the struct-tag encoding it replaced.
func (a Application) AppendJSON(b []byte) []byte {
	str := func(key, v string) {
		b = jsonenc.String(jsonenc.Key(b, key), v)
	}
	num := func(key string, v int64) {
		b = jsonenc.Int(jsonenc.Key(b, key), v)
	}
	flag := func(key string, v bool) {
		b = jsonenc.Bool(jsonenc.Key(b, key), v)
	}
	b = append(b, '{')
	num("id", a.ID)
	str("app_no", a.AppNo)
	str("type", string(a.Type))
	str("status", string(a.Status))
	str("applicant_name", a.ApplicantName)
	str("applicant_id_number", ident.MaskID(a.ApplicantIDNumber))
	str("applicant_phone", ident.MaskPhone(a.ApplicantPhone))
	num("org_id", a.OrgID)
	str("org_name", a.OrgName)
	num("aid_year", int64(a.AidYear))
	num("amount_fen", int64(a.AmountFen))
	num("out_of_pocket_fen", int64(a.OutOfPocketFen))
	str("school_stage", a.SchoolStage)
	str("school_year", a.SchoolYear)
	str("duty_note", a.DutyNote)
	str("purpose", a.Purpose)
	flag("green", a.Green)
	str("green_reason", a.GreenReason)
	str("green_note", a.GreenNote)
	flag("opened_household", a.OpenedHousehold)
	str("created_by_name", a.CreatedByName)
	str("created_at", a.CreatedAt)
	str("updated_at", a.UpdatedAt)
	str("voucher_no", a.VoucherNo)
	str("payment_method", a.PaymentMethod)
	str("receipt_kind", a.ReceiptKind)
	str("receipt_ref", a.ReceiptRef)
	str("review_outcome", a.ReviewOutcome)
	str("review_note", a.ReviewNote)
	str("last_reason", a.LastReason)
	docs := a.MissingDocs
	if docs == nil {
		docs = []string{}
	}
	b = jsonenc.Strings(jsonenc.Key(b, "missing_docs"), docs)
	flag("docs_overdue", a.DocsOverdue)
	flag("overdue", a.Overdue)
	flag("review_due", a.ReviewDue)
	num("household_id", a.HouseholdID.Int64)
	num("student_member_id", a.StudentMemberID.Int64)
	str("student_id_number", ident.MaskID(a.StudentIDNumber))
	str("type_name", TypeNames[a.Type])
	str("status_name", StatusNames[a.Status])
	str("submitted_at", a.SubmittedAt.String)
	str("decide_by", a.DecideBy.String)
	str("first_approved_at", a.FirstApprovedAt.String)
	str("approved_at", a.ApprovedAt.String)
	str("decided_at", a.DecidedAt.String)
	num("policy_id", a.PolicyID.Int64)
	num("transfer_id", a.TransferID.Int64)
	str("docs_due", a.DocsDue.String)
	str("disbursed_at", a.DisbursedAt.String)
	str("received_at", a.ReceivedAt.String)
	str("reviewed_at", a.ReviewedAt.String)
	str("recovered_at", a.RecoveredAt.String)
	num("recovery_transfer_id", a.RecoveryID.Int64)
	return append(b, '}')
}

// RequiredDocs are the documents each type needs before it is submitted (SPEC §3.1 kinds), kept in the
// household's file. A green-channel case needs only GreenDocs up front and the rest within green_docs_days.
var (
	RequiredDocs = map[Type][]string{
		Living:     {"id_scan", "income_proof"},
		Medical:    {"id_scan", "diagnosis", "receipt"},
		Education:  {"id_scan", "admission_letter"},
		Warmth:     {},
		Condolence: {"id_scan"},
	}
	GreenDocs = []string{"id_scan", "statement"}
)
