package campaign_test

import (
	"strings"
	"testing"

	"bangfu/internal/campaign"
)

// CheckBooks finds a campaign record that disagrees with the ledger: a delivery whose value was changed
// behind the service's back.
func TestCheckBooks_FindsADeliveryThatDisagreesWithItsGoods(t *testing.T) {
	f := newFixture(t)
	c, g := f.cooling(1_000_000)
	f.buy(c, g, 10, 30_000)
	d, err := f.svc.Deliver(f.ctx, f.cw, c.ID, f.delivery(g, 3))
	if err != nil {
		t.Fatal(err)
	}
	n, problems, err := campaign.CheckBooks(f.ctx, f.svc.DB.R)
	if err != nil || n != 1 || len(problems) != 0 {
		t.Fatalf("clean books: %d campaigns, %v %v", n, err, problems)
	}
	if _, err := f.svc.DB.W.Exec("UPDATE campaign_deliveries SET value_fen = value_fen + 1 WHERE id = ?", d.ID); err != nil {
		t.Fatal(err)
	}
	_, problems, err = campaign.CheckBooks(f.ctx, f.svc.DB.R)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], d.DeliveryNo) {
		t.Errorf("tampered books: %v %v", err, problems)
	}
}
