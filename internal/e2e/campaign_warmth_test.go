package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/demo"
)

// SPEC §5 送温暖 in the browser: a caseworker puts two holiday-duty workers on a warmth campaign's list,
// previews it, creates the applications (one refused with its reason), and a supervisor approves the list in
// bulk; the list shows them approved.
func TestCampaign_WarmthListPreviewApplyAndBulkApproval(t *testing.T) {
	b := start(t)
	srv := b.srv
	fin := srv.Login("finance1")
	var fund, line, c struct{ ID int64 }
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费", "purposes": []string{"general"}}).Decode(&fund)
	fin.Must(http.StatusCreated, "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "warmth"}).Decode(&line)
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 5_000_000, "voucher_no": "收-1", "payment_method": "bank"})
	fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": 5_000_000})
	fin.Must(http.StatusCreated, "POST", "/api/v1/campaigns", map[string]any{"kind": "warmth", "name": "2026年春节送温暖", "starts_on": "2026-01-05",
		"ends_on": "2026-12-31", "budget_account_id": line.ID}).Decode(&c)
	fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/open", c.ID), map[string]any{})
	page := fmt.Sprintf("#/campaigns/%d?tab=warmth", c.ID)
	site := srv.OrgID("BJ-XX-JH-01")
	id := demo.ResidentID("330108", time.Date(1980, 5, 6, 0, 0, 0, 0, time.UTC), 77, true)

	b.run(login(srv, "caseworker1"))
	b.open(page)
	b.run(chromedp.WaitVisible(chromedp.CSS("#warmth-new")), chromedp.Click(chromedp.CSS("#warmth-new")),
		chromedp.WaitVisible(chromedp.CSS("#warmth-form")),
		chromedp.SetValue(chromedp.CSS(`#warmth-form [name="file_nos"]`), "KN-NONE-1"),
		chromedp.SetValue(chromedp.CSS(`#warmth-form [name="workers"]`), "坚守甲 "+id+" 春节坚守供暖岗位\n坚守乙 330108198001011234 值守"),
		chromedp.SetValue(chromedp.CSS(`#warmth-form [name="worker_org_id"]`), fmt.Sprint(site)),
		chromedp.Click(chromedp.CSS("#warmth-form-submit")))
	b.waitText("#warmth-results", "待生成")
	b.run(chromedp.Click(chromedp.CSS("#warmth-apply")))
	b.waitText("#warmth-results", "已生成")
	b.waitText("#warmth-results", "档案不存在")
	b.waitText("#warmth-list", "坚*甲")

	b.run(switchUser("supervisor1"))
	b.open(page)
	b.run(chromedp.WaitVisible(chromedp.CSS("#warmth-approve")), chromedp.Click(chromedp.CSS("#warmth-approve")),
		chromedp.WaitVisible(chromedp.CSS("#warmth-approve-form")), chromedp.Click(chromedp.CSS("#warmth-approve-form-submit")))
	b.waitText("#warmth-approve-results", "已批准")
	b.waitText("#warmth-list", "已批准")

	// Another worker joins the list; finance closes the campaign while the supervisor's dialog is open: the
	// dialog shows the server's refusal, and the closed campaign offers no bulk approval.
	cw := srv.Login("caseworker1")
	cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/warmth", c.ID), map[string]any{"workers": []map[string]any{
		{"name": "坚守丙", "id_number": demo.ResidentID("330108", time.Date(1981, 6, 7, 0, 0, 0, 0, time.UTC), 78, true),
			"duty_note": "春节值守", "org_id": site}}})
	b.open(page)
	b.run(chromedp.WaitVisible(chromedp.CSS("#warmth-approve")), chromedp.Click(chromedp.CSS("#warmth-approve")),
		chromedp.WaitVisible(chromedp.CSS("#warmth-approve-form")))
	fin.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/campaigns/%d/close", c.ID), map[string]any{})
	b.run(chromedp.Click(chromedp.CSS("#warmth-approve-form-submit")))
	b.waitText(".form-error", "活动已结束")
	b.open(page)
	b.waitText("#warmth-list", "坚*丙")
	if n := count(t, b, "#warmth-approve"); n != 0 {
		t.Fatal("a closed campaign offers its bulk approval")
	}
}
