package web_test

import (
	"fmt"
	"net/http"
	"strings"
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

// The printed slip's QR code: drawn only for the delivery's live code, which travels in the body; it opens
// the phone page with the code filled in.
func TestCampaignSlipQR_OnlyForTheLiveCode(t *testing.T) {
	b := newCampaignBench(t)
	cid, gid := b.cooling(10)
	var d struct {
		ID   int64
		Code string `json:"confirmation_code"`
	}
	b.cw.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", cid), delivery(gid, 1)).Decode(&d)
	path := fmt.Sprintf("/api/v1/campaigns/deliveries/%d/qr", d.ID)
	var qr struct{ URL, PNG string }
	b.cw.Must(http.StatusOK, "POST", path, map[string]any{"code": d.Code}).Decode(&qr)
	if !strings.HasSuffix(qr.URL, "/#/confirm?code="+d.Code) || !strings.HasPrefix(qr.PNG, "data:image/png;base64,iVBOR") {
		t.Errorf("qr: %s %.40s", qr.URL, qr.PNG)
	}
	b.admin.Refused(http.StatusForbidden, "forbidden", "POST", path, "{garbage")
	b.cw.Refused(http.StatusNotFound, "not_found", "POST", path, map[string]any{"code": "ABCDE-FGHJK"})
	b.cw.Refused(http.StatusBadRequest, "validation", "POST", path, map[string]any{"code": "x"})
	b.s.Login("caseworker2").Refused(http.StatusNotFound, "not_found", "POST", path, map[string]any{"code": d.Code})
	b.s.Anonymous().Must(http.StatusOK, "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d.Code})
	r := b.cw.Refused(http.StatusNotFound, "not_found", "POST", path, map[string]any{"code": d.Code})
	if _, msg, _ := r.Error(); msg != "确认码无效或已使用，请核对签收单" {
		t.Errorf("a used code: %q", msg)
	}
}
