package web_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"bangfu/internal/campaign"
	"bangfu/internal/demo"
	"bangfu/internal/ledger"
	"bangfu/internal/relief"
	"bangfu/internal/web/webtest"
)

func residentID(i int) string {
	return demo.ResidentID("330108", time.Date(1970+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC), i, i%2 == 0)
}

// campaignBench is a test server with finance, a caseworker, an auditor and admin logged in, and a funded
// 2026 line of a campaign kind.
type campaignBench struct {
	s                   *webtest.Server
	fin, cw, aud, admin *webtest.Client
}

func newCampaignBench(t testing.TB) *campaignBench {
	s := webtest.New(t)
	return &campaignBench{s: s, fin: s.Login("finance1"), cw: s.Login("caseworker1"), aud: s.Login("auditor1"), admin: s.Login("admin")}
}

func (b *campaignBench) line(kind string, fen int64) int64 {
	var fund, line struct{ ID int64 }
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费" + kind, "purposes": []string{"general"}}).Decode(&fund)
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": kind}).Decode(&line)
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": fen, "voucher_no": "收-1", "payment_method": "bank"})
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": fen})
	return line.ID
}

// cooling opens a cooling campaign with 矿泉水 and buys qty cases into stock; it returns the campaign and good ids.
func (b *campaignBench) cooling(qty int64) (int64, int64) {
	line := b.line("cooling", qty*2800+1_000_000)
	var c, g struct{ ID int64 }
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "cooling", "name": "2026年送清凉",
		"starts_on": "2026-03-01", "ends_on": "2026-08-31", "budget_account_id": line}).Decode(&c)
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/goods", c.ID), map[string]any{"name": "矿泉水", "unit": "箱", "unit_price_fen": 3000}).Decode(&g)
	b.fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/open", c.ID), map[string]any{})
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/purchases", c.ID), map[string]any{"good_id": g.ID,
		"supplier": "农夫山泉经销部", "invoice_no": "FP001", "quantity": qty, "cost_fen": qty * 2800, "purchased_on": "2026-03-09"})
	return c.ID, g.ID
}

func delivery(good int64, qty int) map[string]any {
	return map[string]any{"site_kind": "rest_station", "site_name": "西兴劳动者驿站", "site_address": "江汉路1号", "outdoor": true,
		"workers": 30, "delivered_on": "2026-03-10", "receiver_name": "张建华", "items": []map[string]any{{"good_id": good, "quantity": qty}}}
}

// verify runs what `bangfu ledger check` runs — the ledger's recomputation, each application's money, the
// campaigns' records against the ledger — and the audit chain's verification, and wants them all clean.
func (b *campaignBench) verify(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if r, err := ledger.Check(ctx, b.s.DB.R); err != nil || !r.OK() {
		t.Fatalf("ledger check: %v %+v", err, r)
	}
	if _, problems, err := relief.CheckMoney(ctx, b.s.DB.R); err != nil || len(problems) > 0 {
		t.Fatalf("applications' money: %v %v", err, problems)
	}
	if _, problems, err := campaign.CheckBooks(ctx, b.s.DB.R); err != nil || len(problems) > 0 {
		t.Fatalf("campaign books: %v %v", err, problems)
	}
	if r := b.aud.Must(http.StatusOK, "GET", "/api/v1/audit/verify", nil).JSON(); r["ok"] != true {
		t.Fatalf("audit chain: %v", r)
	}
}

// Finance buys, a caseworker delivers, the receiver confirms on the public route with the code and no
// session, once; the report shows the site as confirmed with its value.
func TestCampaigns_FromPurchaseToTheReceiversConfirmation(t *testing.T) {
	b := newCampaignBench(t)
	cid, gid := b.cooling(50)
	var d struct {
		ID   int64
		Code string `json:"confirmation_code"`
	}
	b.cw.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", cid), delivery(gid, 10)).Decode(&d)
	if d.Code == "" {
		t.Fatal("no confirmation code in the answer")
	}
	phone := b.s.Anonymous()
	r := phone.Must(http.StatusOK, "POST", "/api/v1/delivery-confirmations/lookup", map[string]any{"code": d.Code}).JSON()
	if r["site_name"] != "西兴劳动者驿站" || r["receiver_name"] == "张建华" {
		t.Errorf("look-up: %v", r)
	}
	phone.Must(http.StatusOK, "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d.Code})
	phone.Refused(http.StatusNotFound, "not_found", "POST", "/api/v1/delivery-confirmations", map[string]any{"code": d.Code})
	phone.Refused(http.StatusBadRequest, "validation", "POST", "/api/v1/delivery-confirmations", "{garbage")
	var rep struct {
		Figures struct {
			DeliveredValueFen int64 `json:"delivered_value_fen"`
			Unconfirmed       int64
		}
		Sites []struct {
			SiteName  string `json:"site_name"`
			Confirmed bool
			ValueFen  int64 `json:"value_fen"`
		}
	}
	b.aud.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/campaigns/%d/report", cid), nil).Decode(&rep)
	if rep.Figures.DeliveredValueFen != 30000 || rep.Figures.Unconfirmed != 0 || len(rep.Sites) != 1 || !rep.Sites[0].Confirmed || rep.Sites[0].ValueFen != 30000 {
		t.Errorf("report: %+v", rep)
	}
	b.verify(t)
}

// Who before what, the §9.2 codes, and no refusal writes an audit event.
func TestCampaigns_RefusalsHaveTheirCodesAndAreNotAudited(t *testing.T) {
	b := newCampaignBench(t)
	cid, gid := b.cooling(5)
	var before, after struct {
		HeadSeq int64 `json:"head_seq"`
	}
	b.aud.Must(http.StatusOK, "GET", "/api/v1/audit/verify", nil).Decode(&before)
	base := fmt.Sprintf("/api/v1/campaigns/%d", cid)
	b.cw.Refused(http.StatusForbidden, "forbidden", "POST", base+"/purchases", "{garbage")
	b.fin.Refused(http.StatusForbidden, "forbidden", "POST", base+"/deliveries", "{garbage")
	b.aud.Refused(http.StatusForbidden, "forbidden", "POST", base+"/close", "")
	b.admin.Refused(http.StatusForbidden, "forbidden", "GET", base, nil)
	b.cw.Refused(http.StatusForbidden, "forbidden", "POST", base+"/close", map[string]any{})
	b.cw.Refused(http.StatusBadRequest, "validation", "POST", base+"/deliveries", map[string]any{"site_kind": "nowhere"})
	b.cw.Refused(http.StatusBadRequest, "validation", "POST", base+"/deliveries", `{"workers": "many"}`)
	b.cw.Refused(http.StatusConflict, "conflict", "POST", base+"/deliveries", delivery(gid, 6))
	b.cw.Refused(http.StatusNotFound, "not_found", "POST", "/api/v1/campaigns/99999/deliveries", delivery(gid, 1))
	b.fin.Refused(http.StatusNotFound, "not_found", "POST", base+"/pay-twice", map[string]any{})
	b.fin.Refused(http.StatusConflict, "conflict", "POST", base+"/open", map[string]any{})
	b.fin.Refused(http.StatusConflict, "conflict", "POST", base+"/purchases", map[string]any{"good_id": gid,
		"supplier": "农夫山泉经销部", "invoice_no": "FP001", "quantity": 1, "cost_fen": 100, "purchased_on": "2026-03-09"})
	b.s.Anonymous().Refused(http.StatusUnauthorized, "unauthenticated", "GET", base, nil)
	b.s.Anonymous().Refused(http.StatusNotFound, "not_found", "POST", "/api/v1/delivery-confirmations", map[string]any{"code": "ABCDE-FGHJK"})
	b.aud.Must(http.StatusOK, "GET", "/api/v1/audit/verify", nil).Decode(&after)
	if after.HeadSeq != before.HeadSeq {
		t.Errorf("refusals wrote %d audit events", after.HeadSeq-before.HeadSeq)
	}
	for _, p := range []string{base + "/deliveries", base + "/purchases", base + "/goods", base + "/enrolments", "/api/v1/campaigns/deliveries/1/confirm", "/api/v1/campaigns/enrolments/1/check"} {
		for _, body := range []string{"", "[]", "null", `{"items": [{"good_id": -1, "quantity": 1e99}]}`, `{"code": 5}`} {
			for _, c := range []*webtest.Client{b.cw, b.fin} {
				if r := c.Do("POST", p, body); r.Status >= 500 {
					t.Errorf("POST %s %q: %d %s", p, body, r.Status, r.Body)
				}
			}
		}
	}
}

// SPEC §5 through the API: 50 deliveries race for stock of 20 — exactly 20 succeed — and 50 enrolments race
// for a quota of 20.
func TestCampaigns_RacesThroughTheAPI(t *testing.T) {
	b := newCampaignBench(t)
	cid, gid := b.cooling(20)
	line := b.line("health_check", 10_000_000)
	var hc struct{ ID int64 }
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "health_check", "name": "职工体检",
		"starts_on": "2026-03-01", "ends_on": "2026-11-30", "budget_account_id": line, "provider": "区人民医院", "price_fen": 30000}).Decode(&hc)
	site := b.s.OrgID("BJ-XX-JH-01")
	b.fin.Must(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/campaigns/%d/quotas", hc.ID), map[string]any{"quotas": []map[string]any{{"org_id": site, "quota": 20}}})
	b.fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/open", hc.ID), map[string]any{})

	count := func(do func(i int) *webtest.Response) (ok, conflict int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := do(i)
				mu.Lock()
				defer mu.Unlock()
				switch r.Status {
				case http.StatusCreated:
					ok++
				case http.StatusConflict:
					conflict++
				default:
					t.Errorf("%d %s", r.Status, r.Body)
				}
			}(i)
		}
		wg.Wait()
		return
	}
	if ok, c := count(func(int) *webtest.Response {
		return b.cw.Do("POST", fmt.Sprintf("/api/v1/campaigns/%d/deliveries", cid), delivery(gid, 1))
	}); ok != 20 || c != 30 {
		t.Errorf("deliveries: %d ok, %d conflicts", ok, c)
	}
	b.verify(t) // the ledger check and the audit chain after the delivery race
	if ok, c := count(func(i int) *webtest.Response {
		return b.cw.Do("POST", fmt.Sprintf("/api/v1/campaigns/%d/enrolments", hc.ID), map[string]any{"org_id": site, "name": "职工",
			"id_number": residentID(i), "migrant": i%2 == 0})
	}); ok != 20 || c != 30 {
		t.Errorf("enrolments: %d ok, %d conflicts", ok, c)
	}
	var goods struct {
		Items []struct {
			StockQty int64 `json:"stock_qty"`
		}
	}
	b.aud.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/campaigns/%d/goods", cid), nil).Decode(&goods)
	if goods.Items[0].StockQty != 0 {
		t.Errorf("stock after the race: %d", goods.Items[0].StockQty)
	}
	b.verify(t)
}
