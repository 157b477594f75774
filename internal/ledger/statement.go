package ledger

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// StatementFilter selects the lines of an account statement. Empty fields do not filter.
type StatementFilter struct {
	State   string `query:"state"`
	Kind    string `query:"kind"`
	From    string `query:"from"` // China calendar date, inclusive
	To      string `query:"to"`   // China calendar date, inclusive
	RefType string `query:"ref_type"`
	RefID   string `query:"ref_id"`
	Q       string `query:"q"` // voucher number, memo or reason
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// StatementLine is one transfer as seen from one account: in or out, the other account, and the account's
// posted balance after it in the order transfers were written (pending and voided lines leave it unchanged).
type StatementLine struct {
	Transfer
	AccountID      int64 `db:"account_id"`
	RunningBalance int64 `db:"running_balance"`
}

// MarshalJSON shows the line from its account's side.
func (l StatementLine) MarshalJSON() ([]byte, error) {
	j, err := json.Marshal(l.Transfer)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	m["direction"], m["counterparty_id"], m["counterparty_name"] = "in", l.DebitAccountID, l.DebitName
	if l.DebitAccountID == l.AccountID {
		m["direction"], m["counterparty_id"], m["counterparty_name"] = "out", l.CreditAccountID, l.CreditName
	}
	suffix := "_qty"
	if l.Unit == money.CNY {
		suffix = "_fen"
	}
	m["running_balance"+suffix] = l.RunningBalance
	return json.Marshal(m)
}

// Statement returns the lines of account acc matching f, newest first, and how many match in all.
// Callers check that the reader may see acc.
func Statement(ctx context.Context, q sqlx.QueryerContext, acc Account, f StatementFilter) ([]StatementLine, int, error) {
	where := []string{"1"}
	var args []any
	addc := func(cond string, v ...any) { where = append(where, cond); args = append(args, v...) }
	if f.State != "" {
		if _, ok := StateNames[f.State]; !ok {
			return nil, 0, apperr.Invalid("state", "未知的状态")
		}
		addc("("+transferState+") = ?", f.State)
	}
	if f.Kind != "" {
		if _, ok := TransferKindNames[TransferKind(f.Kind)]; !ok {
			return nil, 0, apperr.Invalid("kind", "未知的转账类型")
		}
		addc("t.kind = ?", f.Kind)
	}
	for _, d := range []struct {
		field, value, op string
		days             int
	}{{"from", f.From, ">=", 0}, {"to", f.To, "<", 1}} {
		if d.value == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", d.value, clock.China)
		if err != nil {
			return nil, 0, apperr.Invalid(d.field, "日期格式应为 2006-01-02")
		}
		addc("t.created_at "+d.op+" ?", store.FormatTime(day.AddDate(0, 0, d.days)))
	}
	if f.RefType != "" {
		addc("t.ref_type = ?", f.RefType)
	}
	if f.RefID != "" {
		addc("t.ref_id = ?", f.RefID)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + likeEscape(s) + "%"
		id, _ := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		addc(`(t.id = ? OR t.voucher_no LIKE ? ESCAPE '\' OR t.memo LIKE ? ESCAPE '\' OR t.reason LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM fund_settlements s WHERE s.transfer_id = t.id AND s.voucher_no LIKE ? ESCAPE '\'))`,
			id, like, like, like, like)
	}
	cond := strings.Join(where, " AND ")
	// The running balance is taken over all of the account's lines before filtering, so that a filtered line
	// still shows the balance the account really had after it.
	running := `WITH running AS (
		SELECT t.id, sum(CASE WHEN t.pending = 0 OR s.state = 'posted'
			THEN CASE WHEN t.credit_account_id = ? THEN t.amount ELSE -t.amount END ELSE 0 END) OVER (ORDER BY t.id) AS running_balance
		FROM fund_transfers t LEFT JOIN fund_settlements s ON s.transfer_id = t.id
		WHERE t.debit_account_id = ? OR t.credit_account_id = ?)`
	base := []any{acc.ID, acc.ID, acc.ID}
	var total int
	if err := sqlx.GetContext(ctx, q, &total, running+` SELECT count(*) FROM running r JOIN fund_transfers t ON t.id = r.id
		WHERE `+cond, append(base, args...)...); err != nil {
		return nil, 0, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	lines := []StatementLine{}
	sel := strings.Replace(selectTransfer, "SELECT ", "SELECT r.running_balance, ? AS account_id, ", 1)
	sel = strings.Replace(sel, "FROM fund_transfers t", "FROM running r JOIN fund_transfers t ON t.id = r.id", 1)
	err := sqlx.SelectContext(ctx, q, &lines, running+" "+sel+" WHERE "+cond+" ORDER BY t.id DESC LIMIT ? OFFSET ?",
		append(append(append(base, acc.ID), args...), per, (page-1)*per)...)
	for i := range lines {
		lines[i].fill()
	}
	return lines, total, err
}
