package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// SPEC §5 in the browser: finance buys goods into stock, a caseworker records a delivery to a rest station,
// the receiver confirms it on the phone page with the one-time code and no account, and the campaign's site
// summary shows the site as confirmed with the delivery's value.
func TestCampaign_PurchaseDeliveryPhoneConfirmationReport(t *testing.T) {
	b := start(t)
	srv := b.srv
	// The campaign and its good, set up through the API as finance.
	fin := srv.Login("finance1")
	var fund, line, c, g struct{ ID int64 }
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费", "purposes": []string{"general"}}).Decode(&fund)
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "cooling"}).Decode(&line)
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 5_000_000, "voucher_no": "收-1", "payment_method": "bank"})
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": 5_000_000})
	fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "cooling", "name": "2026年送清凉", "starts_on": "2026-03-01",
		"ends_on": "2026-08-31", "budget_account_id": line.ID}).Decode(&c)
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/goods", c.ID), map[string]any{"name": "藿香正气水", "unit": "盒", "unit_price_fen": 1200}).Decode(&g)
	var g2 struct{ ID int64 }
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/goods", c.ID), map[string]any{"name": "绿豆", "unit": "袋", "unit_price_fen": 500}).Decode(&g2)
	fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/open", c.ID), map[string]any{})
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/campaigns/%d/purchases", c.ID), map[string]any{"good_id": g2.ID,
		"supplier": "滨江粮油店", "invoice_no": "33012026002", "quantity": 50, "cost_fen": 24000, "purchased_on": "2026-03-09"})
	page := fmt.Sprintf("#/campaigns/%d", c.ID)

	// Finance buys 100 boxes through the purchase form.
	b.run(login(srv, "finance1"))
	b.open(page + "?tab=purchases")
	b.run(chromedp.WaitVisible(chromedp.CSS("#purchase-new")), chromedp.Click(chromedp.CSS("#purchase-new")),
		chromedp.WaitVisible(chromedp.CSS("#purchase-form")),
		chromedp.SetValue(chromedp.CSS(`#purchase-form [name="good_id"]`), fmt.Sprint(g.ID)),
		chromedp.SetValue(chromedp.CSS(`#purchase-form [name="quantity"]`), "100"),
		chromedp.SetValue(chromedp.CSS(`#purchase-form [name="cost_fen"]`), "1140"),
		chromedp.SetValue(chromedp.CSS(`#purchase-form [name="purchased_on"]`), "2026-03-09"),
		chromedp.SetValue(chromedp.CSS(`#purchase-form [name="supplier"]`), "滨江区国药大药房"),
		chromedp.SetValue(chromedp.CSS(`#purchase-form [name="invoice_no"]`), "33012026001"),
		chromedp.Click(chromedp.CSS("#purchase-form-submit")))
	b.waitText("#purchases-table", "滨江区国药大药房")
	b.open(page + "?tab=goods")
	b.waitText("#goods-table", "100")

	// The caseworker records a delivery of 30 boxes to a rest station and reads the code off the dialog.
	b.run(switchUser("caseworker1"))
	b.open(page + "?tab=deliveries")
	b.run(chromedp.WaitVisible(chromedp.CSS("#delivery-new")), chromedp.Click(chromedp.CSS("#delivery-new")),
		chromedp.WaitVisible(chromedp.CSS("#delivery-form")),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="site_kind"]`), "rest_station"),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="site_name"]`), "江汉路劳动者驿站"),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="site_address"]`), "滨江区江汉路1188号"),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="workers"]`), "60"),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="delivered_on"]`), "2026-03-10"),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="receiver_name"]`), "张建华"),
		// One delivery of two goods: the second row from 添加一种物资.
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="items[0].good_id"]`), fmt.Sprint(g.ID)),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="items[0].quantity"]`), "30"),
		chromedp.Click(chromedp.CSS("#delivery-add-item")),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="items[1].good_id"]`), fmt.Sprint(g2.ID)),
		chromedp.SetValue(chromedp.CSS(`#delivery-form [name="items[1].quantity"]`), "999"),
		chromedp.Click(chromedp.CSS("#delivery-form-submit")))
	// More than the stock of the second good: the refusal is beside that row's quantity.
	b.waitText(`#delivery-form .field-error[data-for="items[1].quantity"]`, "绿豆库存不足")
	b.run(chromedp.SetValue(chromedp.CSS(`#delivery-form [name="items[1].quantity"]`), "10"),
		chromedp.Click(chromedp.CSS("#delivery-form-submit")),
		chromedp.WaitVisible(chromedp.CSS("#confirmation-code")))
	code := b.text("#confirmation-code")
	if len(code) != 11 {
		t.Fatalf("confirmation code %q", code)
	}
	// The printed slip carries the code and a QR code of the phone page with it filled in.
	b.run(chromedp.Click(chromedp.CSS("#print-slip")), chromedp.WaitVisible(chromedp.CSS(`#slip-qr[src^="data:image/png;base64,"]`)))
	b.waitText("#delivery-slip", code)
	b.open(page + "?tab=deliveries")
	b.waitText("#sites-table", "待签收")

	// The receiver, on a phone without an account, confirms with the code.
	b.run(chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-username")))
	b.run(chromedp.EmulateViewport(390, 844))
	b.open("#/confirm")
	b.run(chromedp.WaitVisible(chromedp.CSS("#confirm-code")), chromedp.SendKeys(chromedp.CSS("#confirm-code"), code),
		chromedp.Click(chromedp.CSS("#confirm-lookup")), chromedp.WaitVisible(chromedp.CSS("#confirm-submit")))
	b.waitText("#confirm-detail", "藿香正气水：30 盒")
	b.waitText("#confirm-detail", "绿豆：10 袋")
	b.run(chromedp.Click(chromedp.CSS("#confirm-submit")))
	b.waitText("#confirm-detail", "已签收")
	// The code was single use.
	b.run(chromedp.Click(chromedp.CSS("#confirm-lookup")))
	b.waitText("#confirm-message", "无效或已使用")

	// The auditor sees the site confirmed with the delivery's value, 30 × ¥12.00 + 10 × ¥5.00.
	b.run(chromedp.EmulateViewport(1280, 900))
	b.run(login(srv, "auditor1"))
	b.open(page + "?tab=deliveries")
	b.waitText("#sites-table", "江汉路劳动者驿站")
	b.waitText("#sites-table .site-status", "已签收")
	b.waitText("#sites-table", "¥410.00")
	b.waitText("#campaign-figures", "¥410.00")

	// The report across campaigns, its filters in the address, shows it confirmed with the same value.
	b.open("#/reports/campaigns?year=2026&kind=cooling")
	b.waitText("#campaign-report", "2026年送清凉")
	b.waitText("#campaign-report", "已签收 1 笔")
	b.waitText("#campaign-report", "¥410.00")
	b.waitText("#campaign-report", "藿香正气水 30 盒")
	b.waitText("#campaign-report", "绿豆 10 袋")
	b.waitText("#campaign-report-totals", "¥410.00")
}
