package relief

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/ledger"
	"bangfu/internal/money"
)

// moneyState is the state an application's one transfer must be in for each status (SPEC §4.2): reserved
// while approved, paid once disbursed, released when cancelled; before approval there is none.
// A recovered payment stays posted and is reversed by another transfer.
var moneyState = map[Status]string{Approved: ledger.Pending, Disbursed: ledger.Posted, Received: ledger.Posted,
	Cancelled: ledger.Voided, Recovered: ledger.Posted}

// CheckMoney verifies that every application's money agrees with the ledger: an approved application has
// exactly one transfer and it is pending, a disbursed or received one exactly one and it is posted, a
// cancelled one exactly one and it is voided, a recovered one exactly one, posted and reversed, and one never
// approved has none. It returns what disagrees;
// `bangfu ledger check` prints it beside the ledger's own recomputation. The ledger is asked for the
// transfers; their tables are its own.
func CheckMoney(ctx context.Context, q sqlx.QueryerContext) (checked int, problems []string, err error) {
	var apps []struct {
		ID         int64     `db:"id"`
		AppNo      string    `db:"app_no"`
		Status     Status    `db:"status"`
		AmountFen  money.Fen `db:"amount_fen"`
		TransferID *int64    `db:"transfer_id"`
	}
	if err := sqlx.SelectContext(ctx, q, &apps, `SELECT id, app_no, status, amount_fen, transfer_id FROM applications ORDER BY id`); err != nil {
		return 0, nil, err
	}
	ts, err := ledger.TransfersOfRefType(ctx, q, "application")
	if err != nil {
		return 0, nil, err
	}
	byApp := map[string][]ledger.RefTransfer{}
	byID := map[int64]ledger.RefTransfer{}
	for _, t := range ts {
		byApp[t.RefID] = append(byApp[t.RefID], t)
		byID[t.ID] = t
	}
	for _, r := range apps {
		mine := byApp[strconv.FormatInt(r.ID, 10)]
		want, hasMoney := moneyState[r.Status]
		var t ledger.RefTransfer
		linked := false
		if r.TransferID != nil {
			t, linked = byID[*r.TransferID]
		}
		switch {
		case !hasMoney && len(mine) != 0:
			problems = append(problems, fmt.Sprintf("application %s (%s): %d transfers, want none", r.AppNo, r.Status, len(mine)))
		case !hasMoney:
		case len(mine) != 1 || r.TransferID == nil:
			problems = append(problems, fmt.Sprintf("application %s (%s): %d transfers, want exactly one", r.AppNo, r.Status, len(mine)))
		case !linked:
			problems = append(problems, fmt.Sprintf("application %s: transfer %d is not written for it", r.AppNo, *r.TransferID))
		case t.State != want:
			problems = append(problems, fmt.Sprintf("application %s (%s): transfer %d is %s, want %s", r.AppNo, r.Status, t.ID, t.State, want))
		case (r.Status == Recovered) != (t.ReversedByID != nil):
			problems = append(problems, fmt.Sprintf("application %s (%s): transfer %d reversed: %t", r.AppNo, r.Status, t.ID, t.ReversedByID != nil))
		case money.Fen(t.Amount) != r.AmountFen:
			problems = append(problems, fmt.Sprintf("application %s: transfer %d moves %d fen, the application %d", r.AppNo, t.ID, t.Amount, r.AmountFen))
		}
	}
	return len(apps), problems, nil
}
