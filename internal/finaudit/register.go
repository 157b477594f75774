package finaudit

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// RegisterFilter selects payments for the disbursement register (SPEC §8.2 支出明细). Empty fields do not filter.
type RegisterFilter struct {
	From         string `query:"from" json:"from"` // paid on or after this China calendar date
	To           string `query:"to" json:"to"`     // paid on or before
	Type         string `query:"type" json:"type"` // aid type
	FundID       int64  `query:"fund_id" json:"fund_id"`
	BudgetLineID int64  `query:"budget_line_id" json:"budget_line_id"`
	OrgID        int64  `query:"org_id" json:"org_id"`     // the org's subtree
	Status       string `query:"status" json:"status"`     // disbursed, received, recovered
	Green        string `query:"green" json:"green"`       // "true", "false" or ""
	Page         int    `query:"page" json:"page"`         //
	PerPage      int    `query:"per_page" json:"per_page"` //
}

// Payment is one line of the register: one payment, its voucher and method, the payee masked and everyone who
// decided on it named.
type Payment struct {
	ApplicationID int64     `db:"id" json:"application_id"`
	AppNo         string    `db:"app_no" json:"app_no"`
	Type          string    `db:"type" json:"type"`
	TypeName      string    `db:"-" json:"type_name"`
	Status        string    `db:"status" json:"status"`
	Recovered     bool      `db:"recovered" json:"recovered"`
	Green         bool      `db:"green" json:"green"`
	AmountFen     money.Fen `db:"amount_fen" json:"amount_fen"`
	PaidAt        string    `db:"disbursed_at" json:"paid_at"`
	VoucherNo     string    `db:"voucher_no" json:"voucher_no"`
	Method        string    `db:"payment_method" json:"payment_method"`
	MethodName    string    `db:"-" json:"payment_method_name"`
	OrgID         int64     `db:"org_id" json:"org_id"`
	OrgName       string    `db:"-" json:"org_name"`
	HouseholdID   *int64    `db:"household_id" json:"household_id"`
	PayeeName     string    `db:"applicant_name" json:"payee_name"` // masked on the way out
	PayeeCard     string    `db:"-" json:"payee_card"`              // masked; "" when paid in cash
	TransferID    int64     `db:"transfer_id" json:"transfer_id"`
	BudgetLine    string    `db:"-" json:"budget_line"`
	BudgetLineID  int64     `db:"-" json:"budget_line_id"`
	Caseworker    string    `db:"-" json:"caseworker"`
	Approvers     []string  `db:"-" json:"approvers"` // first and second approval, in order
	Disburser     string    `db:"-" json:"disbursed_by"`
	Kind          string    `db:"kind" json:"kind"`               // application, or campaign_cost (then ApplicationID is 0)
	CampaignID    int64     `db:"campaign_id" json:"campaign_id"` // a campaign cost's campaign

	createdBy, firstApprovedBy, approvedBy, disbursedBy int64
}

// Register is one page of payments with the totals of the whole filter.
type Register struct {
	Items    []Payment      `json:"items"`
	Total    int            `json:"total"`
	TotalFen money.Fen      `json:"total_fen"`
	ByType   map[string]Sum `json:"by_type"`
}

// Sum is a count of payments and their amount.
type Sum struct {
	Count int       `json:"count"`
	Fen   money.Fen `json:"fen"`
}

// PaymentMethodNames are the Chinese names of payment methods.
var PaymentMethodNames = map[string]string{"bank": "银行转账", "cash": "现金"}

// registerConds is the register's filter twice over: as a condition on applications, for the rows of a page, and
// as the same condition on payment_totals (migration 15), for the totals of the whole filter.
type registerConds struct {
	apps, totals, costs          string
	appArgs, totalArgs, costArgs []any
}

// paymentColumns are a register line's columns, from an application (the first arm of pageQuery) or a
// campaign cost (costsSQL).
const paymentColumns = `id, app_no, type, status, recovered, green, amount_fen, disbursed_at, voucher_no, payment_method, org_id,
	household_id, applicant_name, transfer_id, created_by, first_approved_by, approved_by, disbursed_by, kind, campaign_id`

// costsSQL is the campaigns' money out of their budget lines (SPEC §8.2: "relief applications and campaign
// costs"): cooling goods bought from a supplier, and health checks done at the provider's price. A purchase
// taken back (both its transfers reversed) paid nothing and is left out. Its columns are paymentColumns plus
// org_path and the paying account, for the filter.
const costsSQL = `SELECT 0 AS id, 'CG' || p.id AS app_no, c.kind AS type, 'disbursed' AS status, 0 AS recovered, 0 AS green,
		t.amount AS amount_fen, t.created_at AS disbursed_at, t.voucher_no, t.payment_method, c.org_id, NULL AS household_id,
		p.supplier AS applicant_name, t.id AS transfer_id, p.created_by, NULL AS first_approved_by, NULL AS approved_by,
		p.created_by AS disbursed_by, 'campaign_cost' AS kind, c.id AS campaign_id, c.org_path, t.debit_account_id AS account_id
	FROM campaign_purchases p JOIN campaigns c ON c.id = p.campaign_id JOIN fund_transfers t ON t.id = p.money_transfer_id
	WHERE p.reversed_at IS NULL
	UNION ALL
	SELECT 0, 'TJ' || e.id, 'health_check', 'disbursed', 0, 0, t.amount, t.created_at, t.voucher_no, t.payment_method, c.org_id, NULL,
		c.provider, t.id, e.created_by, NULL, NULL, e.created_by, 'campaign_cost', c.id, c.org_path, t.debit_account_id
	FROM campaign_enrolments e JOIN campaigns c ON c.id = e.campaign_id JOIN fund_transfers t ON t.id = e.transfer_id`

// totalsQuery sums the register's applications from payment_totals: a few hundred rows however many payments.
func (c registerConds) totalsQuery() string {
	return "SELECT type, sum(n) AS n, sum(fen) AS fen FROM payment_totals WHERE " + c.totals + " GROUP BY type HAVING sum(n) > 0"
}

// costTotalsQuery sums the campaign costs the filter matches (a few thousand rows at most).
func (c registerConds) costTotalsQuery() string {
	return "SELECT type, count(*) AS n, sum(amount_fen) AS fen FROM (" + costsSQL + ") WHERE " + c.costs + " GROUP BY type"
}

// pageQuery reads one page newest first along applications_paid, which holds the filter's columns, so that a
// page costs its own rows rather than a sort of every payment; with campaign costs, SQLite merges the two
// ordered arms. The applications' disbursed_at and id are plain columns so that they match the index (a paid
// application always has disbursed_at).
func (c registerConds) pageQuery(withCosts bool) string {
	return c.linesQuery(withCosts, "", "") + " LIMIT ? OFFSET ?"
}

// afterQuery reads the lines after a cursor in the register's order, the applications from the cursor's
// place in applications_paid on (keyset paging: each batch costs its own rows, however deep), with the
// arguments appArgs, the cursor's paid time and id, then costArgs and the whole cursor if withCosts, then the
// limit. A line's key is (paid time, application id, transfer id): a campaign cost's id is 0.
func (c registerConds) afterQuery(withCosts bool) string {
	return c.linesQuery(withCosts, " AND (disbursed_at, id) < (?, ?)", " AND (disbursed_at, id, transfer_id) < (?, ?, ?)") + " LIMIT ?"
}

func (c registerConds) linesQuery(withCosts bool, appsAfter, costsAfter string) string {
	q := `SELECT id, app_no, type, status, recovery_transfer_id IS NOT NULL AS recovered, green,
		amount_fen, disbursed_at, voucher_no, payment_method, org_id, household_id, applicant_name,
		coalesce(transfer_id, 0) AS transfer_id, created_by, first_approved_by, approved_by, disbursed_by,
		'application' AS kind, 0 AS campaign_id
		FROM applications INDEXED BY applications_paid WHERE ` + c.apps + appsAfter
	if withCosts {
		q += " UNION ALL SELECT " + paymentColumns + " FROM (" + costsSQL + ") WHERE " + c.costs + costsAfter
	}
	return q + " ORDER BY 8 DESC, 1 DESC, 14 DESC"
}

func (s *Service) registerConds(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, f RegisterFilter) (registerConds, error) {
	scope, scopeArgs := a.Scope("org_path")
	apps := []string{"status IN ('disbursed', 'received', 'recovered')", scope}
	totals, costs := []string{scope}, []string{scope}
	c := registerConds{appArgs: append([]any{}, scopeArgs...), totalArgs: append([]any{}, scopeArgs...),
		costArgs: append([]any{}, scopeArgs...)}
	// Campaign costs carry instants as applications do, and their paying account as payment_totals does.
	both := func(appCond, totalsCond string, appArgs, totalArgs []any, costsLikeTotals bool) {
		apps, totals = append(apps, appCond), append(totals, totalsCond)
		c.appArgs, c.totalArgs = append(c.appArgs, appArgs...), append(c.totalArgs, totalArgs...)
		if costsLikeTotals {
			costs, c.costArgs = append(costs, totalsCond), append(c.costArgs, totalArgs...)
		} else {
			costs, c.costArgs = append(costs, appCond), append(c.costArgs, appArgs...)
		}
	}
	same := func(cond string, vs ...any) { both(cond, cond, vs, vs, false) }
	fields := map[string]string{}
	for name, d := range map[string]string{"from": f.From, "to": f.To} {
		if d == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", d, clock.China)
		if err != nil {
			fields[name] = "日期格式应为 2006-01-02"
			continue
		}
		if name == "from" {
			both("disbursed_at >= ?", "day >= ?", []any{store.FormatTime(day)}, []any{d}, false)
		} else {
			both("disbursed_at < ?", "day <= ?", []any{store.FormatTime(day.AddDate(0, 0, 1))}, []any{d}, false)
		}
	}
	if f.Type != "" {
		if _, ok := ledger.AidTypes[f.Type]; !ok {
			fields["type"] = "未知的救助类型"
		}
		same("type = ?", f.Type)
	}
	switch f.Status {
	case "":
	case "disbursed", "received", "recovered":
		same("status = ?", f.Status)
	default:
		fields["status"] = "状态应为 disbursed、received 或 recovered"
	}
	switch f.Green {
	case "":
	case "true", "1":
		same("green = 1")
	case "false", "0":
		same("green = 0")
	default:
		fields["green"] = "应为 true 或 false"
	}
	if len(fields) > 0 {
		return c, apperr.FieldErrors(fields)
	}
	if f.OrgID != 0 {
		o, err := org.GetInScope(ctx, q, a, f.OrgID)
		if apperr.CodeOf(err) == apperr.NotFound {
			return c, apperr.Invalid("org_id", "所选组织不存在或不在您的管辖范围内")
		} else if err != nil {
			return c, err
		}
		same("org_path >= ? AND org_path < ?", o.Path, o.Path[:len(o.Path)-1]+"0")
	}
	if f.FundID != 0 || f.BudgetLineID != 0 {
		accounts, err := payingAccounts(ctx, q, f.FundID, f.BudgetLineID)
		if err != nil {
			return c, err
		}
		if len(accounts) == 0 {
			same("0")
		} else {
			ph := strings.TrimSuffix(strings.Repeat("?,", len(accounts)), ",")
			both("transfer_id IN (SELECT t.id FROM fund_transfers t WHERE t.debit_account_id IN ("+ph+"))",
				"account_id IN ("+ph+")", accounts, accounts, true)
		}
	}
	c.apps, c.totals, c.costs = strings.Join(apps, " AND "), strings.Join(totals, " AND "), strings.Join(costs, " AND ")
	return c, nil
}

// payingAccounts are the accounts a payment drawn on a budget line (or on lines a fund budgeted into) is
// debited to: the lines and their allocations to grassroots unions.
func payingAccounts(ctx context.Context, q sqlx.QueryerContext, fundID, lineID int64) ([]any, error) {
	var lines []int64
	switch {
	case lineID != 0:
		var kind string
		if err := sqlx.GetContext(ctx, q, &kind, "SELECT kind FROM fund_accounts WHERE id = ?", lineID); err != nil || kind != "budget" {
			return nil, apperr.Invalid("budget_line_id", "预算科目不存在")
		}
		lines = []int64{lineID}
		if fundID != 0 {
			var n int
			if err := sqlx.GetContext(ctx, q, &n, "SELECT count(*) FROM fund_transfers WHERE kind = 'budget' AND debit_account_id = ? AND credit_account_id = ?", fundID, lineID); err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, nil
			}
		}
	default:
		var kind string
		if err := sqlx.GetContext(ctx, q, &kind, "SELECT kind FROM fund_accounts WHERE id = ?", fundID); err != nil || kind != "fund" {
			return nil, apperr.Invalid("fund_id", "经费来源不存在")
		}
		if err := sqlx.SelectContext(ctx, q, &lines, "SELECT DISTINCT credit_account_id FROM fund_transfers WHERE kind = 'budget' AND debit_account_id = ?", fundID); err != nil {
			return nil, err
		}
	}
	out := []any{}
	for _, l := range lines {
		var ids []int64
		if err := sqlx.SelectContext(ctx, q, &ids, "SELECT id FROM fund_accounts WHERE id = ? OR budget_line_id = ?", l, l); err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, id)
		}
	}
	return out, nil
}

// Register returns a page of the payments in a's scope matching f, newest first, with the totals of every
// payment the filter matches (finance, auditors, supervisors).
func (s *Service) Register(ctx context.Context, a actor.Actor, f RegisterFilter) (Register, error) {
	if err := require(a, bookReaders...); err != nil {
		return Register{}, err
	}
	q := s.DB.R
	c, err := s.registerConds(ctx, q, a, f)
	if err != nil {
		return Register{}, err
	}
	out := Register{Items: []Payment{}, ByType: map[string]Sum{}}
	var sums, costs []struct {
		Type  string    `db:"type"`
		Count int       `db:"n"`
		Fen   money.Fen `db:"fen"`
	}
	if err := sqlx.SelectContext(ctx, q, &sums, c.totalsQuery(), c.totalArgs...); err != nil {
		return Register{}, err
	}
	if err := sqlx.SelectContext(ctx, q, &costs, c.costTotalsQuery(), c.costArgs...); err != nil {
		return Register{}, err
	}
	withCosts := len(costs) > 0
	for _, x := range append(sums, costs...) {
		t := out.ByType[x.Type]
		out.ByType[x.Type] = Sum{Count: t.Count + x.Count, Fen: t.Fen + x.Fen}
		out.Total += x.Count
		out.TotalFen += x.Fen
	}
	page, per := store.Paging(f.Page, f.PerPage)
	if out.Total == 0 || (page-1)*per >= out.Total {
		return out, nil
	}
	args := c.appArgs
	if withCosts {
		args = append(append([]any{}, args...), c.costArgs...)
	}
	if out.Items, err = readLines(ctx, q, c.pageQuery(withCosts), append(args, per, (page-1)*per)...); err != nil {
		return Register{}, err
	}
	return out, nil
}

// readLines reads register lines with query and fills in their names.
func readLines(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]Payment, error) {
	var rows []struct {
		Payment
		CreatedBy       int64  `db:"created_by"`
		FirstApprovedBy *int64 `db:"first_approved_by"`
		ApprovedBy      *int64 `db:"approved_by"`
		DisbursedBy     *int64 `db:"disbursed_by"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]Payment, 0, len(rows))
	for _, r := range rows {
		p := r.Payment
		p.createdBy = r.CreatedBy
		p.firstApprovedBy, p.approvedBy, p.disbursedBy = deref(r.FirstApprovedBy), deref(r.ApprovedBy), deref(r.DisbursedBy)
		out = append(out, p)
	}
	return out, fillPayments(ctx, q, out)
}

// RegisterWalk reads the whole register that a filter selects, batch by batch in the register's order, each
// batch from where the last one stopped (for exports: a million lines in one pass, not a million rows counted
// past again for every page).
type RegisterWalk struct {
	q         sqlx.QueryerContext
	c         registerConds
	withCosts bool
	after     *Payment // the last line read
	done      bool
}

// WalkRegister starts a walk of the payments in a's scope that f matches (its Page and PerPage are not read):
// finance, auditors, supervisors, as the register's pages.
func (s *Service) WalkRegister(ctx context.Context, a actor.Actor, f RegisterFilter) (*RegisterWalk, error) {
	if err := require(a, bookReaders...); err != nil {
		return nil, err
	}
	c, err := s.registerConds(ctx, s.DB.R, a, f)
	if err != nil {
		return nil, err
	}
	var costs int
	if err := sqlx.GetContext(ctx, s.DB.R, &costs, "SELECT count(*) FROM ("+c.costTotalsQuery()+")", c.costArgs...); err != nil {
		return nil, err
	}
	return &RegisterWalk{q: s.DB.R, c: c, withCosts: costs > 0}, nil
}

// Next returns the next n lines at most; fewer, or none, at the end.
func (w *RegisterWalk) Next(ctx context.Context, n int) ([]Payment, error) {
	if w.done {
		return nil, nil
	}
	var lines []Payment
	var err error
	if w.after == nil {
		args := append([]any{}, w.c.appArgs...)
		if w.withCosts {
			args = append(args, w.c.costArgs...)
		}
		lines, err = readLines(ctx, w.q, w.c.linesQuery(w.withCosts, "", "")+" LIMIT ?", append(args, n)...)
	} else {
		last := w.after
		args := append(append([]any{}, w.c.appArgs...), last.PaidAt, last.ApplicationID)
		if w.withCosts {
			args = append(append(args, w.c.costArgs...), last.PaidAt, last.ApplicationID, last.TransferID)
		}
		lines, err = readLines(ctx, w.q, w.c.afterQuery(w.withCosts), append(args, n)...)
	}
	if err != nil {
		return nil, err
	}
	if len(lines) < n {
		w.done = true
	}
	if len(lines) > 0 {
		last := lines[len(lines)-1]
		w.after = &last
	}
	return lines, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// fillPayments looks up, for one page, the names the register shows: users, unions, budget lines and the
// payee's card (masked). A few IN queries instead of joins keep each statement prepared.
func fillPayments(ctx context.Context, q sqlx.QueryerContext, ps []Payment) error {
	users, orgs, transfers, homes := idSet{}, idSet{}, idSet{}, idSet{}
	for _, p := range ps {
		users.add(p.createdBy, p.firstApprovedBy, p.approvedBy, p.disbursedBy)
		orgs.add(p.OrgID)
		transfers.add(p.TransferID)
		if p.HouseholdID != nil {
			homes.add(*p.HouseholdID)
		}
	}
	userNames, err := names(ctx, q, "SELECT id, name FROM users WHERE id IN ", users)
	if err != nil {
		return err
	}
	orgNames, err := names(ctx, q, "SELECT id, name FROM orgs WHERE id IN ", orgs)
	if err != nil {
		return err
	}
	cards, err := names(ctx, q, "SELECT id, bank_card AS name FROM households WHERE id IN ", homes)
	if err != nil {
		return err
	}
	debits, err := names(ctx, q, "SELECT id, CAST(debit_account_id AS TEXT) AS name FROM fund_transfers WHERE id IN ", transfers)
	if err != nil {
		return err
	}
	accounts := idSet{}
	for _, d := range debits {
		id, _ := strconv.ParseInt(d, 10, 64)
		accounts.add(id)
	}
	var accs []struct {
		ID     int64  `db:"id"`
		Name   string `db:"name"`
		LineID *int64 `db:"budget_line_id"`
	}
	if len(accounts) > 0 {
		if err := sqlx.SelectContext(ctx, q, &accs, "SELECT id, name, budget_line_id FROM fund_accounts WHERE id IN "+accounts.in(), accounts.args()...); err != nil {
			return err
		}
	}
	lineOf := map[int64]int64{}
	lineIDs := idSet{}
	for _, acc := range accs {
		l := acc.ID
		if acc.LineID != nil {
			l = *acc.LineID
		}
		lineOf[acc.ID] = l
		lineIDs.add(l)
	}
	lineNames, err := names(ctx, q, "SELECT id, name FROM fund_accounts WHERE id IN ", lineIDs)
	if err != nil {
		return err
	}
	for i := range ps {
		p := &ps[i]
		p.TypeName = ledger.AidTypes[p.Type]
		p.MethodName = PaymentMethodNames[p.Method]
		p.OrgName = orgNames[p.OrgID]
		if p.Kind == "application" {
			p.PayeeName = ident.MaskName(p.PayeeName) // a person; a campaign cost's payee is a supplier or clinic
		}
		if p.Method == "bank" && p.HouseholdID != nil {
			p.PayeeCard = ident.MaskBankCard(cards[*p.HouseholdID])
		}
		p.Caseworker = userNames[p.createdBy]
		p.Approvers = []string{}
		for _, u := range []int64{p.firstApprovedBy, p.approvedBy} {
			if u != 0 {
				p.Approvers = append(p.Approvers, userNames[u])
			}
		}
		p.Disburser = userNames[p.disbursedBy]
		debit, _ := strconv.ParseInt(debits[p.TransferID], 10, 64)
		p.BudgetLineID = lineOf[debit]
		p.BudgetLine = lineNames[p.BudgetLineID]
	}
	return nil
}

type idSet map[int64]bool

func (s idSet) add(ids ...int64) {
	for _, id := range ids {
		if id != 0 {
			s[id] = true
		}
	}
}

func (s idSet) in() string { return "(" + strings.TrimSuffix(strings.Repeat("?,", len(s)), ",") + ")" }

func (s idSet) args() []any {
	out := make([]any, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	return out
}

// names reads (id, name) pairs for the ids in s with query, which ends in "IN ".
func names(ctx context.Context, q sqlx.QueryerContext, query string, s idSet) (map[int64]string, error) {
	out := map[int64]string{}
	if len(s) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query+s.in(), s.args()...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
