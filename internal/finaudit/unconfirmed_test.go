package finaudit_test

import (
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/finaudit"
)

// SPEC §8.2: a campaign delivery still without the receiver's confirmation after the one-time code's 7 days
// is a lead; one delivered two days ago (its code still valid) and one confirmed are not.
func TestAnomalies_AnUnconfirmedDeliveryPastTheCodesWeek(t *testing.T) {
	p := newPlanter(t)
	tmpl := one[int64](t, p.db, "SELECT id FROM campaign_deliveries ORDER BY id LIMIT 1")
	delivery := func(on, status string) int64 {
		p.n++
		set := map[string]any{"delivery_no": fmt.Sprintf("PSPL%04d", p.n), "delivered_on": on, "status": status, "code_hash": nil,
			"confirmed_at": nil, "confirm_method": "", "reversed_at": nil}
		if status == "confirmed" {
			set["confirmed_at"], set["confirm_method"], set["signature_ref"] = "2026-11-12T02:00:00.000000Z", "signature", "签收单"
		}
		var id int64
		if err := p.db.Write(t.Context(), func(tx *sqlx.Tx) (err error) { id, err = copyRow(tx, "campaign_deliveries", tmpl, set); return err }); err != nil {
			t.Fatal(err)
		}
		return id
	}
	late := delivery("2026-11-10", "unconfirmed") // now is 2026-11-20
	recent := delivery("2026-11-18", "unconfirmed")
	signed := delivery("2026-11-10", "confirmed")
	r := report(t, p)
	if got := findingsWith(r, finaudit.RuleUnconfirmed, "delivery", late); len(got) != 1 || got[0].AmountFen <= 0 {
		t.Errorf("the late delivery: %+v", got)
	}
	for _, id := range []int64{recent, signed} {
		if got := findingsWith(r, finaudit.RuleUnconfirmed, "delivery", id); len(got) != 0 {
			t.Errorf("delivery %d reported: %+v", id, got)
		}
	}
}
