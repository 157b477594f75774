// Package relief owns the relief applications of SPEC §4 (救助申请): their types and caps, the approval
// workflow with its segregation of duties, the decision snapshots, the green channel (绿色通道), and the money
// each one moves through the ledger — reserved at approval, posted at disbursement, released by a void.
package relief

import (
	"database/sql"
	"encoding/json"
	"slices"

	"bangfu/internal/ident"
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
func (a Application) MarshalJSON() ([]byte, error) {
	type plain Application
	p := plain(a)
	p.ApplicantIDNumber = ident.MaskID(p.ApplicantIDNumber)
	p.ApplicantPhone = ident.MaskPhone(p.ApplicantPhone)
	if p.MissingDocs == nil {
		p.MissingDocs = []string{}
	}
	return json.Marshal(struct {
		plain
		HouseholdID     int64  `json:"household_id"`
		StudentMemberID int64  `json:"student_member_id"`
		StudentIDNumber string `json:"student_id_number"`
		TypeName        string `json:"type_name"`
		StatusName      string `json:"status_name"`
		SubmittedAt     string `json:"submitted_at"`
		DecideBy        string `json:"decide_by"`
		FirstApprovedAt string `json:"first_approved_at"`
		ApprovedAt      string `json:"approved_at"`
		DecidedAt       string `json:"decided_at"`
		PolicyID        int64  `json:"policy_id"`
		TransferID      int64  `json:"transfer_id"`
		DocsDue         string `json:"docs_due"`
		DisbursedAt     string `json:"disbursed_at"`
		ReceivedAt      string `json:"received_at"`
		ReviewedAt      string `json:"reviewed_at"`
		RecoveredAt     string `json:"recovered_at"`
		RecoveryID      int64  `json:"recovery_transfer_id"`
	}{p, a.HouseholdID.Int64, a.StudentMemberID.Int64, ident.MaskID(a.StudentIDNumber), TypeNames[a.Type],
		StatusNames[a.Status], a.SubmittedAt.String, a.DecideBy.String, a.FirstApprovedAt.String, a.ApprovedAt.String,
		a.DecidedAt.String, a.PolicyID.Int64, a.TransferID.Int64, a.DocsDue.String, a.DisbursedAt.String,
		a.ReceivedAt.String, a.ReviewedAt.String, a.RecoveredAt.String, a.RecoveryID.Int64})
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
