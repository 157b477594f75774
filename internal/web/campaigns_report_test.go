package web_test

import (
	"fmt"
	"net/http"
	"testing"
)

// GET /api/v1/reports/campaigns: the campaigns' coverage in the user's scope, filtered from the address.
func TestCampaignsReport_CoverageInScope(t *testing.T) {
	b := newCampaignBench(t)
	cid, gid := b.cooling(50)
	b.cw.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", cid), delivery(gid, 10))
	var rep struct {
		Items []struct {
			ID                int64
			Kind              string
			KindName          string `json:"kind_name"`
			Deliveries        int64
			Unconfirmed       int64
			Sites             int64
			DeliveredValueFen int64 `json:"delivered_value_fen"`
			Goods             []struct{ Quantity int64 }
		}
		Total  int
		Totals struct {
			DeliveredValueFen int64 `json:"delivered_value_fen"`
		}
	}
	b.aud.Must(http.StatusOK, "GET", "/api/v1/reports/campaigns?year=2026&kind=cooling", nil).Decode(&rep)
	if rep.Total != 1 || len(rep.Items) != 1 || rep.Items[0].ID != cid || rep.Items[0].KindName != "送清凉" || rep.Items[0].Deliveries != 1 ||
		rep.Items[0].Unconfirmed != 1 || rep.Items[0].Sites != 1 || rep.Items[0].DeliveredValueFen != 30000 ||
		len(rep.Items[0].Goods) != 1 || rep.Items[0].Goods[0].Quantity != 10 || rep.Totals.DeliveredValueFen != 30000 {
		t.Errorf("coverage: %+v", rep)
	}
	b.aud.Must(http.StatusOK, "GET", "/api/v1/reports/campaigns?kind=health_check", nil).Decode(&rep)
	if rep.Total != 0 {
		t.Errorf("health checks: %d", rep.Total)
	}
	r := b.admin.Refused(http.StatusForbidden, "forbidden", "GET", "/api/v1/reports/campaigns", nil)
	if _, msg, _ := r.Error(); msg == "" {
		t.Error("no message on the refusal")
	}
	r = b.aud.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/campaigns?kind=picnic", nil)
	if _, msg, _ := r.Error(); msg != "输入有误：活动类型取值无效" {
		t.Errorf("message %q", msg)
	}
	b.aud.Refused(http.StatusBadRequest, "validation", "GET", "/api/v1/reports/campaigns?year=abc", nil)
}
