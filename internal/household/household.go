// Package household owns the hardship household files of SPEC §3 (困难职工档案, 一户一档): their data and
// its rules, the category computation, the lifecycle state machine, duplicates, documents, search and the
// working-day calendar of publicity periods. Identity numbers leave the package masked unless revealed.
package household

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"

	"bangfu/internal/ident"
	"bangfu/internal/jsonenc"
	"bangfu/internal/money"
)

// Status is a stored lifecycle state (SPEC §3.3). ReviewDue is never stored: a filed household whose last
// filing or review is a year old shows as review_due.
type Status string

const (
	Draft       Status = "draft"
	Submitted   Status = "submitted"
	Visited     Status = "visited"
	Publicizing Status = "publicizing"
	Filed       Status = "filed"
	ReviewDue   Status = "review_due"
	Exited      Status = "exited"
	Rejected    Status = "rejected"
)

// Open reports whether a household in status s holds its ID numbers (SPEC §3.3: one open file per ID).
func (s Status) Open() bool { return s != Exited && s != Rejected }

// Category is the hardship category of SPEC §3.2.
type Category string

const (
	Deep       Category = "deep"       // 深度困难
	Relative   Category = "relative"   // 相对困难
	Accident   Category = "accident"   // 意外致困
	Ineligible Category = "ineligible" // 不符合
)

// Categories lists the categories in display order; CategoryNames are their Chinese names.
var Categories = []Category{Deep, Relative, Accident, Ineligible}

var CategoryNames = map[Category]string{Deep: "深度困难", Relative: "相对困难", Accident: "意外致困", Ineligible: "不符合条件"}

// Vocabularies of the coded fields, in display order.
var (
	Industries         = []string{"catering", "accommodation", "retail", "manufacturing", "construction", "logistics", "other"}
	PandemicIndustries = []string{"catering", "accommodation", "retail"}
	IndustryNames      = map[string]string{"catering": "餐饮", "accommodation": "住宿", "retail": "零售", "manufacturing": "制造",
		"construction": "建筑", "logistics": "物流", "other": "其他"}
	Causes       = []string{"illness", "disability", "unemployment", "laid_off", "schooling", "disaster", "accident", "pandemic", "zero_employment", "other"}
	Relations    = []string{"spouse", "child", "parent", "sibling", "grandchild", "grandparent", "other"}
	SchoolStages = []string{"none", "primary", "junior_high", "senior_high", "vocational", "higher_ed"}
	ExitReasons  = []string{"recovered", "retired", "moved", "deceased", "other"}
	CauseNames   = map[string]string{"illness": "因病", "disability": "因残", "unemployment": "失业", "laid_off": "下岗",
		"schooling": "因学", "disaster": "因灾", "accident": "意外", "pandemic": "受疫情影响", "zero_employment": "零就业家庭", "other": "其他"}
)

// Causes of hardship stored as a comma-separated list.
type CauseList []string

func (c CauseList) Value() (driver.Value, error) { return strings.Join(c, ","), nil }

func (c *CauseList) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case nil:
	default:
		return fmt.Errorf("causes: cannot scan %T", v)
	}
	*c = CauseList{}
	if s != "" {
		*c = strings.Split(s, ",")
	}
	return nil
}

// Fields are the data of a household that a caseworker enters (SPEC §3.1). Money is fen.
type Fields struct {
	OrgID            int64  `db:"org_id" json:"org_id" validate:"required,gt=0"`
	Name             string `db:"head_name" json:"name" validate:"required,max=40"`
	Gender           string `db:"gender" json:"gender" validate:"required,oneof=male female"`
	IDNumber         string `db:"id_number" json:"id_number" validate:"required,max=18"`
	BirthDate        string `db:"birth_date" json:"birth_date" validate:"required,datetime=2006-01-02"`
	Phone            string `db:"phone" json:"phone" validate:"required,max=11"`
	Employer         string `db:"employer" json:"employer" validate:"max=100"`
	Industry         string `db:"industry" json:"industry" validate:"required,oneof=catering accommodation retail manufacturing construction logistics other"`
	EmploymentStatus string `db:"employment_status" json:"employment_status" validate:"required,oneof=employed flexible unemployed laid_off retired"`
	UnionMemberSince string `db:"union_member_since" json:"union_member_since" validate:"omitempty,datetime=2006-01-02"`
	Migrant          bool   `db:"migrant" json:"migrant"`
	Address          string `db:"address" json:"address" validate:"required,max=200"`
	BankCard         string `db:"bank_card" json:"bank_card" validate:"omitempty,max=19"`
	Health           string `db:"health" json:"health" validate:"required,oneof=healthy chronic serious"`
	Disability       string `db:"disability" json:"disability" validate:"required,oneof=none mild severe"`

	IncomeWagesFen       money.Fen `db:"income_wages_fen" json:"income_wages_fen" validate:"gte=0,lte=100000000000"`
	IncomeBusinessFen    money.Fen `db:"income_business_fen" json:"income_business_fen" validate:"gte=0,lte=100000000000"`
	IncomePropertyFen    money.Fen `db:"income_property_fen" json:"income_property_fen" validate:"gte=0,lte=100000000000"`
	IncomeTransferFen    money.Fen `db:"income_transfer_fen" json:"income_transfer_fen" validate:"gte=0,lte=100000000000"`
	ExpenseMedicalFen    money.Fen `db:"expense_medical_fen" json:"expense_medical_fen" validate:"gte=0,lte=100000000000"`
	ExpenseDisabilityFen money.Fen `db:"expense_disability_fen" json:"expense_disability_fen" validate:"gte=0,lte=100000000000"`
	ExpenseSchoolingFen  money.Fen `db:"expense_schooling_fen" json:"expense_schooling_fen" validate:"gte=0,lte=100000000000"`
	ExpenseHousingFen    money.Fen `db:"expense_housing_fen" json:"expense_housing_fen" validate:"gte=0,lte=100000000000"`

	MainCause       string    `db:"main_cause" json:"main_cause" validate:"required,oneof=illness disability unemployment laid_off schooling disaster accident pandemic zero_employment other"`
	SecondaryCauses CauseList `db:"secondary_causes" json:"secondary_causes" validate:"max=3,dive,oneof=illness disability unemployment laid_off schooling disaster accident pandemic zero_employment other"`

	// Exclusions (SPEC §3.2): any yes makes the suggestion ineligible.
	ExclCar           bool `db:"excl_car" json:"excl_car"`                       // 家庭拥有机动车
	ExclHomes         bool `db:"excl_homes" json:"excl_homes"`                   // 两套及以上住房
	ExclShareholder   bool `db:"excl_shareholder" json:"excl_shareholder"`       // 企业控股股东
	ExclChildAbroad   bool `db:"excl_child_abroad" json:"excl_child_abroad"`     // 子女自费出国留学
	ExclRefusedChecks bool `db:"excl_refused_checks" json:"excl_refused_checks"` // 拒绝配合核查

	Note string `db:"note" json:"note" validate:"max=1000"`
}

// Member is one member of the household besides its head.
type Member struct {
	ID               int64     `db:"id" json:"id"` // 0 for a new member; an existing member's id keeps its stored numbers
	HouseholdID      int64     `db:"household_id" json:"-"`
	Seq              int       `db:"seq" json:"-"`
	Name             string    `db:"name" json:"name" validate:"required,max=40"`
	Relation         string    `db:"relation" json:"relation" validate:"required,oneof=spouse child parent sibling grandchild grandparent other"`
	IDNumber         string    `db:"id_number" json:"id_number" validate:"required,max=18"`
	BirthDate        string    `db:"birth_date" json:"birth_date" validate:"omitempty,datetime=2006-01-02"`
	Gender           string    `db:"gender" json:"gender" validate:"omitempty,oneof=male female"` // derived from the ID number
	Health           string    `db:"health" json:"health" validate:"required,oneof=healthy chronic serious"`
	Disability       string    `db:"disability" json:"disability" validate:"required,oneof=none mild severe"`
	EmploymentStatus string    `db:"employment_status" json:"employment_status" validate:"required,oneof=employed flexible unemployed laid_off retired student preschool none"`
	SchoolStage      string    `db:"school_stage" json:"school_stage" validate:"required,oneof=none primary junior_high senior_high vocational higher_ed"`
	MonthlyIncomeFen money.Fen `db:"monthly_income_fen" json:"monthly_income_fen" validate:"gte=0,lte=10000000000"`
}

// MarshalJSON masks the ID number: members leave the package masked (SPEC §7).
func (m Member) MarshalJSON() ([]byte, error) { return m.AppendJSON(make([]byte, 0, 320)), nil }

// AppendJSON appends the member's JSON (as MarshalJSON gives it) to b, written out without reflection: every
// create and update encodes the members for its audit event and its answer (SPEC §10: the writer's CPU per
// action). TestHouseholdJSON_IsTheReflectiveEncoding holds it to the struct-tag encoding it replaced.
func (m Member) AppendJSON(b []byte) []byte {
	str := func(key, v string) { b = jsonenc.String(jsonenc.Key(b, key), v) }
	b = append(b, '{')
	b = jsonenc.Int(jsonenc.Key(b, "id"), m.ID)
	str("name", m.Name)
	str("relation", m.Relation)
	str("id_number", ident.MaskID(m.IDNumber))
	str("birth_date", m.BirthDate)
	str("gender", m.Gender)
	str("health", m.Health)
	str("disability", m.Disability)
	str("employment_status", m.EmploymentStatus)
	str("school_stage", m.SchoolStage)
	b = jsonenc.Int(jsonenc.Key(b, "monthly_income_fen"), int64(m.MonthlyIncomeFen))
	return append(b, '}')
}

// Input is what create and update take: the fields and the members.
type Input struct {
	Fields
	Members []Member `json:"members" validate:"max=20,dive"`
}

// Household is a stored file with its computed and lifecycle data.
type Household struct {
	ID     int64  `db:"id" json:"id"`
	FileNo string `db:"file_no" json:"file_no"`
	Stored Status `db:"status" json:"-"`
	Status Status `db:"-" json:"status"` // Stored, or review_due
	Fields
	OrgPath string   `db:"org_path" json:"-"`
	OrgName string   `db:"org_name" json:"org_name"`
	Members []Member `db:"-" json:"members"`

	SuggestedCategory Category  `db:"suggested_category" json:"suggested_category"`
	Category          Category  `db:"category" json:"category"`
	CategoryPolicyID  int64     `db:"category_policy_id" json:"category_policy_id"`
	PerCapitaFen      money.Fen `db:"per_capita_fen" json:"per_capita_fen"`
	CategoryBasis     string    `db:"category_basis" json:"category_basis"`
	CategoryOverride  string    `db:"category_override" json:"category_override"`

	CreatedBy      int64          `db:"created_by" json:"-"`
	CreatedAt      string         `db:"created_at" json:"created_at"`
	UpdatedAt      string         `db:"updated_at" json:"updated_at"`
	SubmittedBy    sql.NullInt64  `db:"submitted_by" json:"-"`
	SubmittedAt    sql.NullString `db:"submitted_at" json:"-"`
	PublicityStart sql.NullString `db:"publicity_start" json:"-"`
	PublicityEnd   sql.NullString `db:"publicity_end" json:"-"`
	FiledBy        sql.NullInt64  `db:"filed_by" json:"-"`
	FirstFiledAt   sql.NullString `db:"first_filed_at" json:"-"`
	FiledAt        sql.NullString `db:"filed_at" json:"-"`
	ExitReason     string         `db:"exit_reason" json:"exit_reason"`
	LastReason     string         `db:"last_reason" json:"last_reason"`
	ReopenedFrom   sql.NullInt64  `db:"reopened_from" json:"-"`
	ReopenedAs     sql.NullInt64  `db:"reopened_as" json:"-"`
	IDSuffix       string         `db:"id_suffix" json:"-"`

	OpenObjections int `db:"-" json:"open_objections"` // unresolved publicity objections: they block filing
}

// Filed reports whether the household holds a confirmed file (建档): filed or due for review.
// Relief applications (SPEC §4) ask this.
func (h *Household) Filed() bool { return h.Stored == Filed }

// Persons is the number of people the per-capita income is divided by: the head and the members.
func (h *Household) Persons() int { return 1 + len(h.Members) }

// MarshalJSON masks identity numbers and the bank card (SPEC §7, §8.1) and renders the nullable lifecycle
// columns as plain values, so that every JSON view of a household — API answers and audit changes alike —
// is masked unless a caller deliberately reveals.
func (h Household) MarshalJSON() ([]byte, error) { return h.AppendJSON(make([]byte, 0, 2048)), nil }

// AppendJSON appends the household's JSON (as MarshalJSON gives it) to b. It is written out by hand rather
// than by reflection because every create and update encodes a household inside the write transaction (the
// audit event's after, and before for an update) and once more for the answer (SPEC §10: the writer's CPU
// per action); TestHouseholdJSON_IsTheReflectiveEncoding holds it to the struct-tag encoding it replaced.
func (h Household) AppendJSON(b []byte) []byte {
	str := func(key, v string) { b = jsonenc.String(jsonenc.Key(b, key), v) }
	num := func(key string, v int64) { b = jsonenc.Int(jsonenc.Key(b, key), v) }
	flag := func(key string, v bool) { b = jsonenc.Bool(jsonenc.Key(b, key), v) }
	status := h.Status
	if status == "" {
		status = h.Stored
	}
	bank := h.BankCard
	if bank != "" {
		bank = ident.MaskBankCard(bank)
	}
	b = append(b, '{')
	num("id", h.ID)
	str("file_no", h.FileNo)
	str("status", string(status))
	num("org_id", h.OrgID)
	str("name", h.Name)
	str("gender", h.Gender)
	str("id_number", ident.MaskID(h.IDNumber))
	str("birth_date", h.BirthDate)
	str("phone", ident.MaskPhone(h.Phone))
	str("employer", h.Employer)
	str("industry", h.Industry)
	str("employment_status", h.EmploymentStatus)
	str("union_member_since", h.UnionMemberSince)
	flag("migrant", h.Migrant)
	str("address", h.Address)
	str("bank_card", bank)
	str("health", h.Health)
	str("disability", h.Disability)
	num("income_wages_fen", int64(h.IncomeWagesFen))
	num("income_business_fen", int64(h.IncomeBusinessFen))
	num("income_property_fen", int64(h.IncomePropertyFen))
	num("income_transfer_fen", int64(h.IncomeTransferFen))
	num("expense_medical_fen", int64(h.ExpenseMedicalFen))
	num("expense_disability_fen", int64(h.ExpenseDisabilityFen))
	num("expense_schooling_fen", int64(h.ExpenseSchoolingFen))
	num("expense_housing_fen", int64(h.ExpenseHousingFen))
	str("main_cause", h.MainCause)
	causes := []string(h.SecondaryCauses)
	if causes == nil {
		causes = []string{}
	}
	b = jsonenc.Strings(jsonenc.Key(b, "secondary_causes"), causes)
	flag("excl_car", h.ExclCar)
	flag("excl_homes", h.ExclHomes)
	flag("excl_shareholder", h.ExclShareholder)
	flag("excl_child_abroad", h.ExclChildAbroad)
	flag("excl_refused_checks", h.ExclRefusedChecks)
	str("note", h.Note)
	str("org_name", h.OrgName)
	b = append(jsonenc.Key(b, "members"), '[')
	for i, m := range h.Members {
		if i > 0 {
			b = append(b, ',')
		}
		b = m.AppendJSON(b)
	}
	b = append(b, ']')
	str("suggested_category", string(h.SuggestedCategory))
	str("category", string(h.Category))
	num("category_policy_id", h.CategoryPolicyID)
	num("per_capita_fen", int64(h.PerCapitaFen))
	str("category_basis", h.CategoryBasis)
	str("category_override", h.CategoryOverride)
	str("created_at", h.CreatedAt)
	str("updated_at", h.UpdatedAt)
	str("exit_reason", h.ExitReason)
	str("last_reason", h.LastReason)
	num("open_objections", int64(h.OpenObjections))
	str("submitted_at", h.SubmittedAt.String)
	str("publicity_start", h.PublicityStart.String)
	str("publicity_end", h.PublicityEnd.String)
	str("first_filed_at", h.FirstFiledAt.String)
	str("filed_at", h.FiledAt.String)
	num("reopened_from", h.ReopenedFrom.Int64)
	num("reopened_as", h.ReopenedAs.Int64)
	return append(b, '}')
}

// Brief is a household in a list: enough to recognise it, masked.
type Brief struct {
	ID           int64          `db:"id" json:"id"`
	FileNo       string         `db:"file_no" json:"file_no"`
	Stored       Status         `db:"status" json:"-"`
	Status       Status         `db:"-" json:"status"`
	Name         string         `db:"head_name" json:"name"`
	IDNumber     string         `db:"id_number" json:"id_number"` // masked before it leaves List
	Phone        string         `db:"phone" json:"phone"`         // masked before it leaves List
	OrgID        int64          `db:"org_id" json:"org_id"`
	OrgName      string         `db:"org_name" json:"org_name"`
	Industry     string         `db:"industry" json:"industry"`
	MainCause    string         `db:"main_cause" json:"main_cause"`
	Migrant      bool           `db:"migrant" json:"migrant"`
	Suggested    Category       `db:"suggested_category" json:"suggested_category"`
	Category     Category       `db:"category" json:"category"`
	PerCapitaFen money.Fen      `db:"per_capita_fen" json:"per_capita_fen"`
	FiledAt      sql.NullString `db:"filed_at" json:"-"`
	UpdatedAt    string         `db:"updated_at" json:"updated_at"`
}

// IndustryName is the Chinese name of an industry, or 未登记 for none.
func IndustryName(s string) string {
	if n, ok := IndustryNames[s]; ok {
		return n
	}
	return "未登记"
}

func contains(list []string, v string) bool { return slices.Contains(list, v) }
