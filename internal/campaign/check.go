package campaign

import (
	"bangfu/internal/money"
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// CheckBooks verifies that the campaigns' records agree with the ledger (SPEC §6: balances equal a
// recomputation), beside the ledger's own check in `bangfu ledger check`: each good's stock account holds
// what was bought and not delivered, each delivery's value is the sum of its goods, each checked enrolment's
// cost is one posted transfer at the campaign's price, and each campaign's expense account holds its
// purchases and checks. It returns how many campaigns it checked and what disagrees.
func CheckBooks(ctx context.Context, q sqlx.QueryerContext) (checked int, problems []string, err error) {
	var goods []struct {
		ID        int64  `db:"id"`
		Name      string `db:"name"`
		Ledger    int64  `db:"ledger"`
		Bought    int64  `db:"bought"`
		Delivered int64  `db:"delivered"`
	}
	if err := sqlx.SelectContext(ctx, q, &goods, `SELECT g.id, g.name,
		(SELECT a.credits_posted - a.debits_posted FROM fund_accounts a WHERE a.id = g.stock_account_id) AS ledger,
		(SELECT coalesce(sum(p.quantity), 0) FROM campaign_purchases p WHERE p.good_id = g.id AND p.reversed_at IS NULL) AS bought,
		(SELECT coalesce(sum(i.quantity), 0) FROM campaign_delivery_items i JOIN campaign_deliveries d ON d.id = i.delivery_id
			WHERE i.good_id = g.id AND d.status <> 'reversed') AS delivered
		FROM campaign_goods g ORDER BY g.id`); err != nil {
		return 0, nil, err
	}
	for _, g := range goods {
		if g.Ledger != g.Bought-g.Delivered {
			problems = append(problems, fmt.Sprintf("good %d (%s): stock %d in the ledger, %d bought − %d delivered = %d in the records",
				g.ID, g.Name, g.Ledger, g.Bought, g.Delivered, g.Bought-g.Delivered))
		}
		if g.Ledger < 0 {
			problems = append(problems, fmt.Sprintf("good %d (%s): negative stock %d", g.ID, g.Name, g.Ledger))
		}
	}
	var deliveries []struct {
		No    string    `db:"delivery_no"`
		Value money.Fen `db:"value_fen"`
		Items money.Fen `db:"items"`
		Moved int64     `db:"moved"`
		Qty   int64     `db:"qty"`
	}
	// Each item's transfer moves its quantity out of stock (posted at once: not pending, in the good's unit).
	if err := sqlx.SelectContext(ctx, q, &deliveries, `SELECT d.delivery_no, d.value_fen,
		(SELECT coalesce(sum(i.value_fen), 0) FROM campaign_delivery_items i WHERE i.delivery_id = d.id) AS items,
		(SELECT coalesce(sum(t.amount), 0) FROM campaign_delivery_items i JOIN fund_transfers t ON t.id = i.transfer_id
			WHERE i.delivery_id = d.id AND t.pending = 0) AS moved,
		(SELECT coalesce(sum(i.quantity), 0) FROM campaign_delivery_items i WHERE i.delivery_id = d.id) AS qty
		FROM campaign_deliveries d ORDER BY d.id`); err != nil {
		return 0, nil, err
	}
	for _, d := range deliveries {
		if d.Value != d.Items {
			problems = append(problems, fmt.Sprintf("delivery %s: value %d, its goods %d", d.No, d.Value, d.Items))
		}
		if d.Moved != d.Qty {
			problems = append(problems, fmt.Sprintf("delivery %s: %d units delivered, %d moved out of stock by posted transfers", d.No, d.Qty, d.Moved))
		}
	}
	var enrolments []struct {
		ID      int64      `db:"id"`
		Status  string     `db:"status"`
		Price   money.Fen  `db:"price"`
		Amount  *money.Fen `db:"amount"`
		Pending *int64     `db:"pending"`
	}
	if err := sqlx.SelectContext(ctx, q, &enrolments, `SELECT e.id, e.status,
		(SELECT c.price_fen FROM campaigns c WHERE c.id = e.campaign_id) AS price,
		(SELECT t.amount FROM fund_transfers t WHERE t.id = e.transfer_id) AS amount,
		(SELECT t.pending FROM fund_transfers t WHERE t.id = e.transfer_id) AS pending
		FROM campaign_enrolments e ORDER BY e.id`); err != nil {
		return 0, nil, err
	}
	for _, e := range enrolments {
		paid := e.Status == Checked || e.Status == ReportDelivered
		switch {
		case paid && (e.Amount == nil || e.Pending == nil || *e.Pending != 0 || *e.Amount != e.Price):
			problems = append(problems, fmt.Sprintf("enrolment %d (%s): its cost is not one posted transfer of %d", e.ID, e.Status, e.Price))
		case !paid && e.Amount != nil:
			problems = append(problems, fmt.Sprintf("enrolment %d (%s): has a transfer before the check", e.ID, e.Status))
		}
	}
	var campaigns []struct {
		ID        int64  `db:"id"`
		Name      string `db:"name"`
		Ledger    int64  `db:"ledger"`
		Purchases int64  `db:"purchases"`
		Checks    int64  `db:"checks"`
	}
	if err := sqlx.SelectContext(ctx, q, &campaigns, `SELECT c.id, c.name,
		(SELECT a.credits_posted - a.debits_posted FROM fund_accounts a WHERE a.id = c.expense_account_id) AS ledger,
		(SELECT coalesce(sum(p.cost_fen), 0) FROM campaign_purchases p WHERE p.campaign_id = c.id AND p.reversed_at IS NULL) AS purchases,
		(SELECT count(*) FROM campaign_enrolments e WHERE e.campaign_id = c.id AND e.status IN ('checked', 'report_delivered')) * c.price_fen AS checks
		FROM campaigns c ORDER BY c.id`); err != nil {
		return 0, nil, err
	}
	for _, c := range campaigns {
		if c.Ledger != c.Purchases+c.Checks {
			problems = append(problems, fmt.Sprintf("campaign %d (%s): %d spent in the ledger, purchases %d + checks %d in the records",
				c.ID, c.Name, c.Ledger, c.Purchases, c.Checks))
		}
	}
	return len(campaigns), problems, nil
}
