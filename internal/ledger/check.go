package ledger

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/money"
)

// Difference is one place where the ledger disagrees with a recomputation from its transfers.
type Difference struct {
	AccountID  int64  `json:"account_id,omitempty"`
	TransferID int64  `json:"transfer_id,omitempty"`
	What       string `json:"what"`
}

func (d Difference) String() string {
	switch {
	case d.AccountID != 0:
		return fmt.Sprintf("account %d: %s", d.AccountID, d.What)
	case d.TransferID != 0:
		return fmt.Sprintf("transfer %d: %s", d.TransferID, d.What)
	}
	return d.What
}

// Report is the result of Check.
type Report struct {
	Accounts    int          `json:"accounts"`
	Transfers   int          `json:"transfers"`
	Differences []Difference `json:"differences"`
}

// OK reports whether nothing differs.
func (r Report) OK() bool { return len(r.Differences) == 0 }

type checkedTransfer struct {
	ID          int64  `db:"id"`
	Kind        string `db:"kind"`
	Debit       int64  `db:"debit_account_id"`
	Credit      int64  `db:"credit_account_id"`
	Amount      int64  `db:"amount"`
	Unit        string `db:"unit"`
	Pending     bool   `db:"pending"`
	State       string `db:"state"`
	Hash        string `db:"content_hash"`
	RefType     string `db:"ref_type"`
	RefID       string `db:"ref_id"`
	ReversesID  int64  `db:"reverses_id"`
	Reason      string `db:"reason"`
	VoucherNo   string `db:"voucher_no"`
	Method      string `db:"payment_method"`
	Memo        string `db:"memo"`
	Settled     bool   `db:"settled"`
	OrigDebit   int64  `db:"orig_debit"`
	OrigCredit  int64  `db:"orig_credit"`
	OrigAmount  int64  `db:"orig_amount"`
	OrigState   string `db:"orig_state"`
	OrigReverse int64  `db:"orig_reverses_id"`
}

// Check recomputes every account's sums from the transfers and their settlements and compares them with the
// cached sums; it also re-derives each transfer's content hash (an edited row no longer matches it), and checks
// units, reversals, settlements, the overspend rule and that debits equal credits in every unit (SPEC §6).
func Check(ctx context.Context, q sqlx.QueryerContext) (Report, error) {
	var r Report
	var accs []Account
	if err := sqlx.SelectContext(ctx, q, &accs, selectAccount+" ORDER BY f.id"); err != nil {
		return r, err
	}
	r.Accounts = len(accs)
	type sums struct{ dp, cp, dpend, cpend int64 }
	byID := make(map[int64]*Account, len(accs))
	re := make(map[int64]*sums, len(accs))
	for i := range accs {
		byID[accs[i].ID] = &accs[i]
		re[accs[i].ID] = &sums{}
	}
	add := func(d Difference) { r.Differences = append(r.Differences, d) }

	rows, err := q.QueryxContext(ctx, `SELECT t.id, t.kind, t.debit_account_id, t.credit_account_id, t.amount, t.unit,
		t.pending, CASE WHEN t.pending = 0 THEN 'posted' ELSE coalesce(s.state, 'pending') END AS state, t.content_hash,
		coalesce(t.ref_type, '') AS ref_type, coalesce(t.ref_id, '') AS ref_id, coalesce(t.reverses_id, 0) AS reverses_id,
		t.reason, t.voucher_no, t.payment_method, t.memo, s.transfer_id IS NOT NULL AS settled,
		coalesce(o.debit_account_id, 0) AS orig_debit, coalesce(o.credit_account_id, 0) AS orig_credit,
		coalesce(o.amount, 0) AS orig_amount,
		coalesce(CASE WHEN o.pending = 0 THEN 'posted' ELSE os.state END, '') AS orig_state,
		coalesce(o.reverses_id, 0) AS orig_reverses_id
		FROM fund_transfers t LEFT JOIN fund_settlements s ON s.transfer_id = t.id
		LEFT JOIN fund_transfers o ON o.id = t.reverses_id LEFT JOIN fund_settlements os ON os.transfer_id = o.id
		ORDER BY t.id`)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var t checkedTransfer
		if err := rows.StructScan(&t); err != nil {
			return r, err
		}
		r.Transfers++
		c := content{Kind: TransferKind(t.Kind), Debit: t.Debit, Credit: t.Credit, Amount: t.Amount, Unit: t.Unit,
			Pending: t.Pending, RefType: t.RefType, RefID: t.RefID, ReversesID: t.ReversesID, Reason: t.Reason,
			VoucherNo: t.VoucherNo, PaymentMethod: t.Method, Memo: t.Memo}
		if c.hash() != t.Hash {
			add(Difference{TransferID: t.ID, What: "content differs from what was written (row edited)"})
		}
		d, cr := byID[t.Debit], byID[t.Credit]
		if d == nil || cr == nil {
			add(Difference{TransferID: t.ID, What: "names an account that does not exist"})
			continue
		}
		if d.Unit != t.Unit || cr.Unit != t.Unit {
			add(Difference{TransferID: t.ID, What: fmt.Sprintf("units mix: %s from %s to %s", t.Unit, d.Unit, cr.Unit)})
		}
		if t.Settled && !t.Pending {
			add(Difference{TransferID: t.ID, What: "settled although it was posted when written"})
		}
		if t.ReversesID != 0 && (t.OrigDebit != t.Credit || t.OrigCredit != t.Debit || t.OrigAmount != t.Amount ||
			t.OrigState != Posted || t.OrigReverse != 0) {
			add(Difference{TransferID: t.ID, What: fmt.Sprintf("does not mirror the posted transfer %d it reverses", t.ReversesID)})
		}
		switch t.State {
		case Posted:
			re[t.Debit].dp += t.Amount
			re[t.Credit].cp += t.Amount
		case Pending:
			re[t.Debit].dpend += t.Amount
			re[t.Credit].cpend += t.Amount
		}
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	net := map[string]int64{}
	for _, a := range accs {
		s := re[a.ID]
		for _, f := range []struct {
			name           string
			cached, recomp int64
		}{{"debits posted", a.DebitsPosted, s.dp}, {"credits posted", a.CreditsPosted, s.cp},
			{"debits pending", a.DebitsPending, s.dpend}, {"credits pending", a.CreditsPending, s.cpend}} {
			if f.cached != f.recomp {
				add(Difference{AccountID: a.ID, What: fmt.Sprintf("%s (%s): cached %s, recomputed %s", f.name, a.Name,
					money.Format(f.cached, a.Unit), money.Format(f.recomp, a.Unit))})
			}
		}
		if avail := s.cp - s.dp - s.dpend; a.Kind.Controlled() && avail < 0 {
			add(Difference{AccountID: a.ID, What: fmt.Sprintf("overspent (%s): available %s", a.Name, money.Format(avail, a.Unit))})
		}
		net[a.Unit] += a.CreditsPosted - a.DebitsPosted + a.CreditsPending - a.DebitsPending
	}
	for unit, n := range net {
		if n != 0 {
			add(Difference{What: fmt.Sprintf("debits and credits in %s differ by %s", unit, money.Format(n, unit))})
		}
	}
	return r, nil
}
