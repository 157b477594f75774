package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"bangfu/internal/benchkit"
)

// BenchmarkCampaignDeliveries_32Clients: 32 clients record b.N deliveries of one case each through POST
// /api/v1/campaigns/{id}/deliveries (scope, stock check in the write transaction, a ledger transfer, the
// one-time code, an audit event), against stock for exactly b.N; stock must end at 0. Beside it, raw
// go-sqlite3 writes as many rows per delivery, one synchronous=FULL transaction each, in the same run.
func BenchmarkCampaignDeliveries_32Clients(b *testing.B) {
	cb := newCampaignBench(b)
	cid, gid := cb.cooling(int64(b.N))
	perSec, rows, _ := postLoad(b, cb.s, b.N, fmt.Sprintf("/api/v1/campaigns/%d/deliveries", cid), func(int) any { return delivery(gid, 1) })
	var stock int64
	if err := cb.s.DB.R.Get(&stock, `SELECT s.credits_posted - s.debits_posted FROM fund_accounts s
		JOIN campaign_goods g ON g.stock_account_id = s.id WHERE g.id = ?`, gid); err != nil || stock != 0 {
		b.Fatalf("stock after %d deliveries: %d %v", b.N, stock, err)
	}
	raw := rawWrites(b, b.N, int(rows+0.5))
	benchkit.Report(b, benchkit.Row{Figure: "campaign-delivery", Value: perSec, Raw: raw,
		RawWhat: fmt.Sprintf("%.0f rows/tx, FULL, 32 goroutines", rows)})
}

// BenchmarkCampaignEnrolments_32Clients: 32 clients enrol b.N workers for a health check through POST
// /api/v1/campaigns/{id}/enrolments (ID check digit, quota and once-per-campaign checks in the write
// transaction, an audit event) against a quota of exactly b.N, beside raw go-sqlite3 in the same run.
func BenchmarkCampaignEnrolments_32Clients(b *testing.B) {
	cb := newCampaignBench(b)
	line := cb.line("health_check", int64(b.N)*30000+1_000_000)
	var hc struct{ ID int64 }
	cb.fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "health_check", "name": "职工体检",
		"starts_on": "2026-03-01", "ends_on": "2026-11-30", "budget_account_id": line, "provider": "区人民医院", "price_fen": 30000}).Decode(&hc)
	site := cb.s.OrgID("BJ-XX-JH-01")
	cb.fin.Must(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/campaigns/%d/quotas", hc.ID), map[string]any{"quotas": []map[string]any{{"org_id": site, "quota": b.N}}})
	cb.fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/open", hc.ID), map[string]any{})
	perSec, rows, _ := postLoad(b, cb.s, b.N, fmt.Sprintf("/api/v1/campaigns/%d/enrolments", hc.ID), func(i int) any {
		return map[string]any{"org_id": site, "name": "职工", "id_number": residentID(i), "migrant": i%2 == 0}
	})
	var n int
	if err := cb.s.DB.R.Get(&n, "SELECT count(*) FROM campaign_enrolments WHERE campaign_id = ?", hc.ID); err != nil || n != b.N {
		b.Fatalf("%d enrolments, want %d: %v", n, b.N, err)
	}
	raw := rawWrites(b, b.N, int(rows+0.5))
	benchkit.Report(b, benchkit.Row{Figure: "campaign-enrolment", Value: perSec, Raw: raw,
		RawWhat: fmt.Sprintf("%.0f rows/tx, FULL, 32 goroutines", rows)})
}
