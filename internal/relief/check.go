package relief

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// moneyState is the state an application's one transfer must be in for each status (SPEC §4.2): reserved
// while approved, paid once disbursed, released when cancelled; before approval there is none.
var moneyState = map[Status]string{Approved: "pending", Disbursed: "posted", Received: "posted", Cancelled: "voided"}

// CheckMoney verifies that every application's money agrees with the ledger: an approved application has
// exactly one transfer and it is pending, a disbursed or received one exactly one and it is posted, a
// cancelled one exactly one and it is voided, and one never approved has none. It returns what disagrees;
// `bangfu ledger check` prints it beside the ledger's own recomputation.
func CheckMoney(ctx context.Context, q sqlx.QueryerContext) (checked int, problems []string, err error) {
	var rows []struct {
		ID         int64  `db:"id"`
		AppNo      string `db:"app_no"`
		Status     Status `db:"status"`
		AmountFen  int64  `db:"amount_fen"`
		TransferID *int64 `db:"transfer_id"`
		Count      int    `db:"n"`
		State      string `db:"state"`
		Amount     int64  `db:"amount"`
		Linked     int64  `db:"linked"`
	}
	err = sqlx.SelectContext(ctx, q, &rows, `SELECT a.id, a.app_no, a.status, a.amount_fen, a.transfer_id,
		(SELECT count(*) FROM fund_transfers t WHERE t.ref_type = 'application' AND t.ref_id = CAST(a.id AS TEXT)) AS n,
		coalesce((SELECT CASE WHEN t.pending = 0 THEN 'posted' ELSE coalesce(s.state, 'pending') END
		          FROM fund_transfers t LEFT JOIN fund_settlements s ON s.transfer_id = t.id WHERE t.id = a.transfer_id), '') AS state,
		coalesce((SELECT t.amount FROM fund_transfers t WHERE t.id = a.transfer_id), 0) AS amount,
		coalesce((SELECT CAST(t.ref_id AS INTEGER) FROM fund_transfers t WHERE t.id = a.transfer_id AND t.ref_type = 'application'), 0) AS linked
		FROM applications a ORDER BY a.id`)
	if err != nil {
		return 0, nil, err
	}
	for _, r := range rows {
		want, hasMoney := moneyState[r.Status]
		switch {
		case !hasMoney && r.Count != 0:
			problems = append(problems, fmt.Sprintf("application %s (%s): %d transfers, want none", r.AppNo, r.Status, r.Count))
		case !hasMoney:
		case r.Count != 1 || r.TransferID == nil:
			problems = append(problems, fmt.Sprintf("application %s (%s): %d transfers, want exactly one", r.AppNo, r.Status, r.Count))
		case r.Linked != r.ID:
			problems = append(problems, fmt.Sprintf("application %s: transfer %d is not written for it", r.AppNo, *r.TransferID))
		case r.State != want:
			problems = append(problems, fmt.Sprintf("application %s (%s): transfer %d is %s, want %s", r.AppNo, r.Status, *r.TransferID, r.State, want))
		case r.Amount != r.AmountFen:
			problems = append(problems, fmt.Sprintf("application %s: transfer %d moves %d fen, the application %d", r.AppNo, *r.TransferID, r.Amount, r.AmountFen))
		}
	}
	return len(rows), problems, nil
}
