package ledger

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// The org name is read by subquery: with go-sqlite3's SQLite, a join here cost several times the lookup.
const selectAccount = `SELECT f.id, f.kind, f.name, f.unit, f.org_id, (SELECT o.name FROM orgs o WHERE o.id = f.org_id) AS org_name,
	f.org_path, f.purposes, f.year, f.aid_type, f.purpose, f.budget_line_id, f.ref_type, f.ref_id,
	f.debits_posted, f.credits_posted, f.debits_pending, f.credits_pending, f.created_at, f.created_by
	FROM fund_accounts f`

// GetAccount returns the account with id, whoever owns it; callers that answer a user use GetAccountInScope.
func GetAccount(ctx context.Context, q sqlx.QueryerContext, id int64) (Account, error) {
	return getAccount(ctx, q, "f.id = ?", id)
}

// GetAccountInScope returns the account with id if a may see it; one outside a's subtree is reported missing.
func GetAccountInScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Account, error) {
	acc, err := GetAccount(ctx, q, id)
	if err == nil && !a.Sees(acc.OrgPath) {
		return Account{}, apperr.NotFoundf("账户不存在")
	}
	return acc, err
}

func getAccount(ctx context.Context, q sqlx.QueryerContext, cond string, args ...any) (Account, error) {
	acc, err := store.Get[Account](ctx, q, "账户不存在", selectAccount+" WHERE "+cond, args...)
	if err != nil {
		return acc, err
	}
	acc.fill()
	return acc, nil
}

// NewFund is the input for CreateFund. OrgID 0 means the actor's own org.
type NewFund struct {
	Name     string   `json:"name" validate:"required,max=100"`
	Purposes []string `json:"purposes" validate:"required,min=1,max=8,dive,required"`
	OrgID    int64    `json:"org_id"`
}

// NewBudgetLine is the input for CreateBudgetLine. Purpose defaults to DefaultPurpose(AidType), Name to
// "2026年度生活救助"; OrgID 0 means the actor's own org.
type NewBudgetLine struct {
	Year    int64  `json:"year" validate:"required,gte=2000,lte=2100"`
	AidType string `json:"aid_type" validate:"required"`
	Purpose string `json:"purpose"`
	Name    string `json:"name" validate:"max=100"`
	OrgID   int64  `json:"org_id"`
}

// ownerOrg resolves the org an account created by a will belong to: a's own, or one in a's subtree.
func ownerOrg(ctx context.Context, tx *sqlx.Tx, a actor.Actor, orgID int64) (org.Org, error) {
	if orgID == 0 {
		orgID = a.OrgID
	}
	o, err := org.GetInScope(ctx, tx, a, orgID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return o, apperr.Invalid("org_id", "所选组织不存在或不在您的管辖范围内")
	}
	return o, err
}

// CreateFund opens a fund source (经费来源) with the purposes it may pay for. Finance only.
func CreateFund(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in NewFund) (Account, error) {
	if err := a.Require(actor.Finance); err != nil {
		return Account{}, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Account{}, apperr.Invalid("name", "请填写经费来源名称")
	}
	if len(in.Purposes) == 0 {
		return Account{}, apperr.Invalid("purposes", "至少选择一项用途")
	}
	seen := map[string]bool{}
	for _, p := range in.Purposes {
		if _, ok := Purposes[p]; !ok {
			return Account{}, apperr.Invalid("purposes", "未知用途："+p)
		}
		seen[p] = true
	}
	tags := make([]string, 0, len(seen))
	for p := range seen {
		tags = append(tags, p)
	}
	sort.Strings(tags)
	o, err := ownerOrg(ctx, tx, a, in.OrgID)
	if err != nil {
		return Account{}, err
	}
	acc, err := insertAccount(ctx, tx, a, now, Account{Kind: FundSource, Name: in.Name, Unit: money.CNY, OrgID: o.ID, OrgPath: o.Path,
		PurposeList: "," + strings.Join(tags, ",") + ","})
	if store.IsUniqueViolation(err) {
		return Account{}, &apperr.Error{Code: apperr.Conflict, Message: "已有同名的经费来源：" + in.Name,
			Fields: map[string]string{"name": "已有同名的经费来源"}}
	}
	return acc, err
}

// CreateBudgetLine opens a budget line (预算科目) for a year and an aid type or campaign kind. Finance only.
func CreateBudgetLine(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in NewBudgetLine) (Account, error) {
	if err := a.Require(actor.Finance); err != nil {
		return Account{}, err
	}
	typeName, ok := AidTypes[in.AidType]
	if !ok {
		return Account{}, apperr.Invalid("aid_type", "未知的救助类型或活动类型")
	}
	if in.Year < 2000 || in.Year > 2100 {
		return Account{}, apperr.Invalid("year", "年度应在 2000 至 2100 之间")
	}
	if in.Purpose == "" {
		in.Purpose = DefaultPurpose(in.AidType)
	}
	purposeName, ok := Purposes[in.Purpose]
	if !ok {
		return Account{}, apperr.Invalid("purpose", "未知用途："+in.Purpose)
	}
	if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
		in.Name = fmt.Sprintf("%d年度%s", in.Year, typeName)
		if in.Purpose != DefaultPurpose(in.AidType) {
			in.Name += "（" + purposeName + "）"
		}
	}
	o, err := ownerOrg(ctx, tx, a, in.OrgID)
	if err != nil {
		return Account{}, err
	}
	acc, err := insertAccount(ctx, tx, a, now, Account{Kind: BudgetLine, Name: in.Name, Unit: money.CNY, OrgID: o.ID, OrgPath: o.Path,
		Year: &in.Year, AidType: &in.AidType, Purpose: &in.Purpose})
	if store.IsUniqueViolation(err) {
		return Account{}, &apperr.Error{Code: apperr.Conflict,
			Message: fmt.Sprintf("%s已有%d年度%s（%s）的预算科目", o.Name, in.Year, typeName, purposeName),
			Fields:  map[string]string{"aid_type": "该年度已有此类型、此用途的预算科目"}}
	}
	return acc, err
}

// AccountRef names a payee, expense or stock account by what it stands for, e.g. {Payee, "household", "42"}.
type AccountRef struct {
	Kind    Kind   // Payee, Expense or Stock
	RefType string // e.g. "household", "aid_type", "campaign", "good"
	RefID   string
	Unit    string // money.CNY, or a goods unit for stock and goods expense
	OrgID   int64  // the owning org (e.g. the household's grassroots union)
	Name    string // shown in statements, e.g. "张*三（困难职工户 42）"
}

var refPart = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// EnsureAccount returns the payee, expense or stock account for ref, opening it on first use. It is how issue
// areas get the far side of their transfers: a payee per household, an expense account per aid type or campaign,
// a stock account per good. The caller authorises; the account is owned by ref.OrgID.
func EnsureAccount(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, ref AccountRef) (Account, error) {
	if ref.Kind != Payee && ref.Kind != Expense && ref.Kind != Stock {
		return Account{}, fmt.Errorf("ledger: EnsureAccount of kind %q", ref.Kind)
	}
	if !refPart.MatchString(ref.RefType) || !refPart.MatchString(ref.RefID) {
		return Account{}, apperr.Invalid("ref", "账户引用格式错误")
	}
	if err := checkUnit(ref.Unit); err != nil {
		return Account{}, err
	}
	// The kind is written into the statement, not bound: compared with a bound parameter, the partial indexes
	// on kind make SQLite re-prepare the statement on every execution. ref.Kind is one of three constants.
	acc, err := getAccount(ctx, tx, "f.kind = '"+string(ref.Kind)+"' AND f.ref_type = ? AND f.ref_id = ? AND f.unit = ?", ref.RefType, ref.RefID, ref.Unit)
	if apperr.CodeOf(err) != apperr.NotFound {
		return acc, err
	}
	o, err := org.Get(ctx, tx, ref.OrgID)
	if err != nil {
		return Account{}, err
	}
	name := strings.TrimSpace(ref.Name)
	if name == "" {
		name = KindNames[ref.Kind] + " " + ref.RefType + " " + ref.RefID
	}
	return insertAccount(ctx, tx, a, now, Account{Kind: ref.Kind, Name: name, Unit: ref.Unit, OrgID: o.ID, OrgPath: o.Path,
		RefType: &ref.RefType, RefID: &ref.RefID})
}

func checkUnit(unit string) error {
	if unit == money.CNY {
		return nil
	}
	if n := len([]rune(unit)); n == 0 || n > 8 || strings.ContainsAny(unit, " ,\t\n") {
		return apperr.Invalid("unit", "计量单位应为 CNY 或 1 至 8 个字的物品单位")
	}
	return nil
}

// ExternalAccount returns the external account for unit (外部来款: where outside money or goods come from),
// owned by the district federation, opening it on first use.
func ExternalAccount(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, unit string) (Account, error) {
	if err := checkUnit(unit); err != nil {
		return Account{}, err
	}
	acc, err := getAccount(ctx, tx, "f.kind = 'external' AND f.unit = ?", unit)
	if apperr.CodeOf(err) != apperr.NotFound {
		return acc, err
	}
	var root org.Org
	if err := tx.GetContext(ctx, &root, "SELECT * FROM orgs WHERE level = 1 ORDER BY id LIMIT 1"); err != nil {
		return Account{}, fmt.Errorf("ledger: the district org: %w", err)
	}
	name := "外部来款"
	if unit != money.CNY {
		name = "外部来货（" + unit + "）"
	}
	return insertAccount(ctx, tx, a, now, Account{Kind: External, Name: name, Unit: unit, OrgID: root.ID, OrgPath: root.Path})
}

// allocationAccount returns the allocation of the grassroots union o from budget line line, opening it on
// first use. An allocation inherits the line's year, aid type and purpose.
func allocationAccount(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, line Account, o org.Org) (Account, error) {
	acc, err := getAccount(ctx, tx, "f.kind = 'allocation' AND f.budget_line_id = ? AND f.org_id = ?", line.ID, o.ID)
	if apperr.CodeOf(err) != apperr.NotFound {
		return acc, err
	}
	return insertAccount(ctx, tx, a, now, Account{Kind: Allocation, Name: o.Name + "·" + line.Name, Unit: line.Unit,
		OrgID: o.ID, OrgPath: o.Path, Year: line.Year, AidType: line.AidType, Purpose: line.Purpose, BudgetLineID: &line.ID})
}

func insertAccount(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, acc Account) (Account, error) {
	acc.CreatedAt, acc.CreatedBy = store.FormatTime(now), a.Username
	res, err := tx.NamedExecContext(ctx, `INSERT INTO fund_accounts (kind, name, unit, org_id, org_path, purposes, year,
		aid_type, purpose, budget_line_id, ref_type, ref_id, created_at, created_by)
		VALUES (:kind, :name, :unit, :org_id, :org_path, :purposes, :year, :aid_type, :purpose, :budget_line_id,
		:ref_type, :ref_id, :created_at, :created_by)`, &acc)
	if err != nil {
		return Account{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Account{}, err
	}
	acc, err = GetAccount(ctx, tx, id)
	if err != nil {
		return Account{}, err
	}
	err = audit.Record(ctx, tx, a, now, audit.Entry{Action: "fund_account.create", EntityType: "fund_account",
		EntityID: strconv.FormatInt(id, 10), OrgID: acc.OrgID, OrgPath: acc.OrgPath, After: acc})
	return acc, err
}

// FindBudgetLine returns the budget line a payment for aidType in year by org orgID draws on: a line owned by
// orgID or its nearest ancestor that has one; among several lines of that org (different purposes), the one
// with the most available. 404 when there is none.
func FindBudgetLine(ctx context.Context, q sqlx.QueryerContext, orgID, year int64, aidType string) (Account, error) {
	o, err := org.Get(ctx, q, orgID)
	if err != nil {
		return Account{}, err
	}
	acc, err := getAccount(ctx, q, `f.kind = 'budget' AND f.year = ? AND f.aid_type = ?
		AND substr(?, 1, length(f.org_path)) = f.org_path
		ORDER BY length(f.org_path) DESC, f.credits_posted - f.debits_posted - f.debits_pending DESC, f.id LIMIT 1`,
		year, aidType, o.Path)
	if apperr.CodeOf(err) == apperr.NotFound {
		return acc, apperr.NotFoundf("%d年度没有%s的预算科目", year, AidTypes[aidType])
	}
	return acc, err
}

// FindAllocation returns the allocation of grassroots union orgID from budget line lineID, or 404.
func FindAllocation(ctx context.Context, q sqlx.QueryerContext, orgID, lineID int64) (Account, error) {
	acc, err := getAccount(ctx, q, "f.kind = 'allocation' AND f.budget_line_id = ? AND f.org_id = ?", lineID, orgID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return acc, apperr.NotFoundf("该基层工会没有此预算科目的下拨额度")
	}
	return acc, err
}

// AccountFilter selects accounts for lists. Empty fields do not filter.
type AccountFilter struct {
	Kind         string `query:"kind"`
	Year         int64  `query:"year"`
	AidType      string `query:"aid_type"`
	OrgID        int64  `query:"org_id"`
	BudgetLineID int64  `query:"budget_line_id"`
	Q            string `query:"q"`
	Page         int    `query:"page"`
	PerPage      int    `query:"per_page"`
}

// ListAccounts returns the accounts in a's scope that match f and how many match in all: funds, then budget
// lines, then allocations, then the rest.
func ListAccounts(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, f AccountFilter) ([]Account, int, error) {
	scope, args := a.Scope("f.org_path")
	where := []string{scope}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Kind != "" {
		if _, ok := KindNames[Kind(f.Kind)]; !ok {
			return nil, 0, apperr.Invalid("kind", "未知的账户类型")
		}
		add("f.kind = ?", f.Kind)
	}
	if f.Year != 0 {
		add("f.year = ?", f.Year)
	}
	if f.AidType != "" {
		add("f.aid_type = ?", f.AidType)
	}
	if f.OrgID != 0 {
		add("f.org_id = ?", f.OrgID)
	}
	if f.BudgetLineID != 0 {
		add("f.budget_line_id = ?", f.BudgetLineID)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		add("f.name LIKE ? ESCAPE '\\'", "%"+likeEscape(s)+"%")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := sqlx.GetContext(ctx, q, &total, "SELECT count(*) FROM fund_accounts f WHERE "+cond, args...); err != nil {
		return nil, 0, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	accs := []Account{}
	err := sqlx.SelectContext(ctx, q, &accs, selectAccount+" WHERE "+cond+` ORDER BY
		CASE f.kind WHEN 'fund' THEN 1 WHEN 'budget' THEN 2 WHEN 'allocation' THEN 3 WHEN 'stock' THEN 4 ELSE 5 END,
		f.year DESC, f.org_path, f.name, f.id LIMIT ? OFFSET ?`, append(args, per, (page-1)*per)...)
	for i := range accs {
		accs[i].fill()
	}
	return accs, total, err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
