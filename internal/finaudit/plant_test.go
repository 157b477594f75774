package finaudit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// planter writes, into a copy of the demo, the records a case leaves when it goes through the product: a
// household file, an application with its decisions, its money reserved and posted through the ledger.
type planter struct {
	t     *testing.T
	db    *store.DB
	users map[string]int64
	names map[string]string
	n     int
}

func newPlanter(t *testing.T) *planter {
	p := &planter{t: t, db: demoDB(t), users: map[string]int64{}, names: map[string]string{}}
	for _, u := range []string{"caseworker1", "caseworker2", "supervisor1", "supervisor2", "finance1"} {
		a := user(t, p.db, u)
		p.users[u], p.names[u] = a.UserID, a.Name
	}
	p.topUp()
	return p
}

// topUp puts more money on the living line and its allocations, through the ledger as finance would, so
// that planted payments are never refused for want of budget.
func (p *planter) topUp() {
	ctx := context.Background()
	fin := user(p.t, p.db, "finance1")
	books := &ledger.Service{DB: p.db, Clock: clock.NewManual(now)}
	fund := one[int64](p.t, p.db, "SELECT id FROM fund_accounts WHERE kind = 'fund' AND purposes LIKE '%,general,%' ORDER BY id LIMIT 1")
	line := one[int64](p.t, p.db, "SELECT id FROM fund_accounts WHERE kind = 'budget' AND aid_type = 'living' AND purpose = 'general'")
	if _, err := books.Receive(ctx, fin, ledger.ReceiveInput{FundID: fund, AmountFen: 300_000_000, VoucherNo: "收-PL"}); err != nil {
		p.t.Fatal(err)
	}
	if _, err := books.Budget(ctx, fin, ledger.BudgetInput{FundID: fund, BudgetLineID: line, AmountFen: 300_000_000}); err != nil {
		p.t.Fatal(err)
	}
	var orgs []int64
	if err := p.db.R.Select(&orgs, "SELECT org_id FROM fund_accounts WHERE kind = 'allocation' AND budget_line_id = ?", line); err != nil {
		p.t.Fatal(err)
	}
	for _, o := range orgs {
		if _, err := books.Allocate(ctx, fin, ledger.AllocateInput{BudgetLineID: line, OrgID: o, AmountFen: 20_000_000}); err != nil {
			p.t.Fatal(err)
		}
	}
}

// copyRow inserts a copy of row id of table with some columns replaced, and returns the new row's id.
func copyRow(tx *sqlx.Tx, table string, id int64, set map[string]any) (int64, error) {
	var cols []struct {
		Name string `db:"name"`
	}
	if err := tx.Select(&cols, "SELECT name FROM pragma_table_info(?)", table); err != nil {
		return 0, err
	}
	var names, exprs []string
	var args []any
	for _, c := range cols {
		if c.Name == "id" {
			continue
		}
		names = append(names, c.Name)
		if v, ok := set[c.Name]; ok {
			exprs = append(exprs, "?")
			args = append(args, v)
		} else {
			exprs = append(exprs, c.Name)
		}
	}
	res, err := tx.Exec("INSERT INTO "+table+" ("+strings.Join(names, ", ")+") SELECT "+strings.Join(exprs, ", ")+
		" FROM "+table+" WHERE id = ?", append(args, id)...)
	if err != nil {
		return 0, fmt.Errorf("copy %s %d: %w", table, id, err)
	}
	return res.LastInsertId()
}

type home struct {
	status, card, phone string
	org                 int64
}

// household plants a file (a copy of a filed demo household with its own identity).
func (p *planter) household(h home) int64 {
	p.t.Helper()
	p.n++
	tmpl := one[int64](p.t, p.db, "SELECT id FROM households WHERE status = 'filed' ORDER BY id LIMIT 1")
	if h.status == "" {
		h.status = "filed"
	}
	if h.card == "" {
		h.card = fmt.Sprintf("62220299%011d", p.n)
	}
	if h.phone == "" {
		h.phone = fmt.Sprintf("139%08d", p.n)
	}
	if h.org == 0 {
		h.org = one[int64](p.t, p.db, "SELECT org_id FROM households WHERE id = ?", tmpl)
	}
	path := one[string](p.t, p.db, "SELECT path FROM orgs WHERE id = ?", h.org)
	var id int64
	err := p.db.Write(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		id, err = copyRow(tx, "households", tmpl, map[string]any{"file_no": fmt.Sprintf("KN2026PL%04d", p.n), "status": h.status,
			"id_number": fmt.Sprintf("33010819800101%04d", p.n), "bank_card": h.card, "phone": h.phone, "org_id": h.org, "org_path": path,
			"head_name": "测试" + fmt.Sprint(p.n)})
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}

// pay is one application paid.
type pay struct {
	household           int64
	typ                 string
	fen                 int64
	at                  time.Time // paid
	by, first, approver string    // caseworker, first approver (above the threshold), approver
	disburser           string
	green               bool
	docsDue, outcome    string
	reviewer            string
	idNumber            string // the applicant, if not the household head
	unpaid              bool   // approved, not yet paid (green channel)
}

// pay plants an application as the workflow leaves it, its decisions and its money in the ledger.
func (p *planter) pay(x pay) int64 {
	p.t.Helper()
	p.n++
	ctx := context.Background()
	if x.typ == "" {
		x.typ = "living"
	}
	if x.by == "" {
		x.by = "caseworker1"
	}
	if x.approver == "" {
		x.approver = "supervisor1"
	}
	if x.disburser == "" {
		x.disburser = "finance1"
	}
	if x.at.IsZero() {
		x.at = now.AddDate(0, 0, -10)
	}
	tmpl := one[int64](p.t, p.db, "SELECT id FROM applications WHERE status = 'received' AND type = 'living' AND green = 0 ORDER BY id LIMIT 1")
	var h struct {
		ID     int64  `db:"id"`
		Org    int64  `db:"org_id"`
		Path   string `db:"org_path"`
		Name   string `db:"head_name"`
		Number string `db:"id_number"`
	}
	if err := p.db.R.Get(&h, "SELECT id, org_id, org_path, head_name, id_number FROM households WHERE id = ?", x.household); err != nil {
		p.t.Fatal(err)
	}
	if x.idNumber == "" {
		x.idNumber = h.Number
	}
	at := store.FormatTime(x.at)
	approvedAt := store.FormatTime(x.at.Add(-24 * time.Hour))
	var id int64
	err := p.db.Write(ctx, func(tx *sqlx.Tx) error {
		status := "received"
		if x.unpaid {
			status = "approved"
		}
		set := map[string]any{"app_no": fmt.Sprintf("JZ2026PL%04d", p.n), "type": x.typ, "status": status, "household_id": h.ID,
			"beneficiary": fmt.Sprint("h:", h.ID), "applicant_name": h.Name, "applicant_id_number": x.idNumber, "org_id": h.Org,
			"org_path": h.Path, "aid_year": x.at.Year(), "amount_fen": x.fen, "green": x.green, "created_by": p.users[x.by],
			"submitted_by": p.users[x.by], "first_approved_by": nil, "approved_by": p.users[x.approver], "approved_at": approvedAt,
			"disbursed_by": p.users[x.disburser], "disbursed_at": at, "docs_due": nil, "review_outcome": x.outcome,
			"reviewed_by": nil, "reviewed_at": nil, "student_id_number": "", "school_year": "", "voucher_no": fmt.Sprintf("付-PL-%04d", p.n)}
		if x.green {
			set["green_reason"] = "critical_illness"
		}
		if x.docsDue != "" {
			set["docs_due"] = x.docsDue
		}
		if x.first != "" {
			set["first_approved_by"] = p.users[x.first]
		}
		if x.reviewer != "" {
			set["reviewed_by"], set["reviewed_at"] = p.users[x.reviewer], at
		}
		if x.unpaid {
			set["disbursed_by"], set["disbursed_at"], set["received_at"], set["voucher_no"] = nil, nil, nil, ""
		}
		var err error
		if id, err = copyRow(tx, "applications", tmpl, set); err != nil {
			return err
		}
		sys := actor.System("plant")
		funding, err := ledger.FindFunding(ctx, tx, h.Org, int64(x.at.Year()), x.typ, nil)
		if err != nil {
			return err
		}
		payee, err := ledger.EnsureAccount(ctx, tx, sys, x.at, ledger.AccountRef{Kind: ledger.Payee, RefType: "household",
			RefID: fmt.Sprint(h.ID), Unit: money.CNY, OrgID: h.Org, Name: "困难职工户 " + fmt.Sprint(h.ID)})
		if err != nil {
			return err
		}
		tr, err := ledger.Reserve(ctx, tx, sys, x.at.Add(-24*time.Hour), ledger.TransferInput{DebitAccountID: funding.ID, CreditAccountID: payee.ID,
			Amount: x.fen, Unit: money.CNY, RefType: "application", RefID: fmt.Sprint(id)})
		if err != nil {
			return err
		}
		if !x.unpaid {
			if _, err := ledger.Post(ctx, tx, sys, x.at, tr.ID, ledger.Settlement{VoucherNo: fmt.Sprintf("付-PL-%04d", p.n), PaymentMethod: "bank"}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE applications SET transfer_id = ? WHERE id = ?", tr.ID, id); err != nil {
			return err
		}
		decide := func(who, action, outcome string) error {
			_, err := tx.Exec(`INSERT INTO application_decisions (application_id, action, outcome, actor_id, actor_name, at, policy_id, snapshot)
				VALUES (?, ?, ?, ?, ?, ?, 1, '{}')`, id, action, outcome, p.users[who], p.names[who], approvedAt)
			return err
		}
		if x.first != "" {
			if err := decide(x.first, "approve", "first_approved"); err != nil {
				return err
			}
		}
		if err := decide(x.approver, "approve", "approved"); err != nil {
			return err
		}
		if x.reviewer != "" {
			return decide(x.reviewer, "review", map[bool]string{true: x.outcome, false: "confirmed"}[x.outcome != ""])
		}
		return nil
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}
