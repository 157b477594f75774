package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/clock"
)

// TestBrowser_BulkApprovalChecksEveryItemAndReportsEach: supervisor1 ticks the whole approval queue and approves it
// in one go (SPEC §5, issue 5 item 7). Three living-aid applications of one family, ¥5,000, ¥4,000 and ¥3,000, were
// each within the ¥10,800 yearly cap when submitted; approved in queue order, the third would take the family to
// ¥12,000. The server checks every rule per item: the result panel shows two approvals and the cap refusal in
// Chinese for the third, and the reloaded queue holds only that one, while the results stay on the page.
func TestBrowser_BulkApprovalChecksEveryItemAndReportsEach(t *testing.T) {
	b := start(t)
	srv := b.srv
	now := time.Now().In(clock.China).Truncate(time.Second)
	hh := filedHousehold(t, srv, now, "id_scan", "income_proof")
	budgetLine(t, srv, now.Year(), "living", 5_000_000)

	type app struct {
		ID    int64  `json:"id"`
		AppNo string `json:"app_no"`
	}
	cw := srv.Login("caseworker1")
	var apps []app
	for i, fen := range []int64{500000, 400000, 300000} {
		srv.Clock.Set(now.Add(time.Duration(i) * time.Minute)) // submitted one after another: the queue keeps this order
		var a app
		cw.Must(http.StatusCreated, "POST", "/api/v1/applications", map[string]any{"type": "living", "household_id": hh.ID,
			"amount_fen": fen, "purpose": fmt.Sprintf("妻子重病住院，家庭生活困难（第 %d 次）", i+1)}).Decode(&a)
		cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/applications/%d/submit", a.ID), map[string]any{})
		apps = append(apps, a)
	}
	srv.Clock.Set(now.Add(10 * time.Minute))
	row := func(a app) string { return fmt.Sprintf(`#approval-queue tbody tr[data-id="%d"]`, a.ID) }
	result := func(a app) string { return fmt.Sprintf(`#bulk-result-table tbody tr[data-id="%d"]`, a.ID) }

	b.run(login(srv, "supervisor1"))
	b.open("#/approvals")
	b.run(chromedp.WaitVisible(chromedp.CSS(row(apps[2]))))
	b.waitText("#approval-queue-total", "共 3 条")
	for i, a := range apps {
		b.waitText(fmt.Sprintf("#approval-queue tbody tr:nth-child(%d)", i+1), a.AppNo)
	}
	// Every row supervisor1 may approve has a labelled checkbox; nothing is ticked yet.
	if n := count(t, b, "#approval-queue tbody input.bulk-row"); n != 3 {
		t.Fatalf("%d rows offer a checkbox, want 3", n)
	}
	if n := count(t, b, `#approval-queue tbody label.bulk-cell[for] .visually-hidden`); n != 3 {
		t.Fatalf("%d row checkboxes carry a label, want 3", n)
	}
	b.waitText("#bulk-approve", "批量批准（0）")
	if !b.is("#bulk-approve", "disabled") {
		t.Fatalf("the bulk button is enabled with nothing selected")
	}

	// 全选 ticks the page; unticking one row leaves 全选 half-ticked; ticking it again completes the set.
	b.run(chromedp.Click(chromedp.CSS("#bulk-select-all")))
	b.waitText("#bulk-approve", "批量批准（3）")
	b.run(chromedp.Click(chromedp.CSS(row(apps[1]) + " input.bulk-row")))
	b.waitText("#bulk-approve", "批量批准（2）")
	if !b.is("#bulk-select-all", "indeterminate") || b.is("#bulk-select-all", "checked") {
		t.Fatalf("全选 is not half-ticked with two of three rows selected")
	}
	b.run(chromedp.Click(chromedp.CSS(row(apps[1]) + " input.bulk-row")))
	b.waitText("#bulk-approve", "批量批准（3）")
	if !b.is("#bulk-select-all", "checked") {
		t.Fatalf("全选 is not ticked with every row selected")
	}
	b.shot("bulk-selected")

	// The confirmation says how many and that each is checked against every rule; cancelling sends nothing.
	b.run(chromedp.Click(chromedp.CSS("#bulk-approve")), chromedp.WaitVisible(chromedp.CSS("#bulk-form")))
	b.waitText("#bulk-confirm-text", "将批准选中的 3 件申请")
	b.waitText("#bulk-confirm-text", "全部审批规则逐条核对")
	b.waitText("#bulk-form", apps[2].AppNo)
	b.shot("bulk-confirm")
	b.run(chromedp.Click(chromedp.CSS("#bulk-form-cancel")), chromedp.WaitNotPresent(chromedp.CSS("#bulk-form")))
	b.waitText("#approval-queue-total", "共 3 条")
	b.waitText("#bulk-approve", "批量批准（3）")

	b.run(chromedp.Click(chromedp.CSS("#bulk-approve")), chromedp.WaitVisible(chromedp.CSS("#bulk-form")),
		chromedp.SetValue(chromedp.CSS(`#bulk-form [name="reason"]`), "入户核实，符合生活救助条件"),
		chromedp.Click(chromedp.CSS("#bulk-form-submit")), chromedp.WaitNotPresent(chromedp.CSS("#bulk-form")))
	b.run(chromedp.WaitVisible(chromedp.CSS("#bulk-result")))
	b.waitText("#bulk-summary", "成功 2 件，未通过 1 件")
	b.waitText(result(apps[0]), apps[0].AppNo)
	b.waitText(result(apps[0]), "张建华")
	b.waitText(result(apps[0]), "¥5,000.00")
	b.waitText(result(apps[0]), "✓ 已批准")
	b.waitText(result(apps[1]), "¥4,000.00")
	b.waitText(result(apps[1]), "✓ 已批准")
	b.waitText(result(apps[2]), "¥3,000.00")
	b.waitText(result(apps[2]), "✗")
	b.waitText(result(apps[2]), "上限 ¥10,800.00") // the server's own words: paid ¥9,000 already, ¥3,000 more is over
	if s := b.text(result(apps[2])); !strings.Contains(s, "超出") {
		t.Fatalf("the refused item does not say it is over the cap: %q", s)
	}

	// The queue reloads underneath with only the refused one, nothing ticked; the results stay.
	b.waitText("#approval-queue-total", "共 1 条")
	b.run(chromedp.WaitVisible(chromedp.CSS(row(apps[2]))))
	if n := count(t, b, "#approval-queue tbody tr[data-id]"); n != 1 {
		t.Fatalf("the queue lists %d applications after the bulk approval, want only the refused one", n)
	}
	b.waitText("#bulk-approve", "批量批准（0）")
	b.waitText("#bulk-summary", "成功 2 件，未通过 1 件")
	b.shot("bulk-result")

	// The server agrees: two approved with the reason recorded, the third still waiting.
	sup := srv.Login("supervisor1")
	for i, want := range []string{"approved", "approved", "submitted"} {
		var got struct {
			Status string `json:"status"`
		}
		sup.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/applications/%d", apps[i].ID), nil).Decode(&got)
		if got.Status != want {
			t.Errorf("%s is %s, want %s", apps[i].AppNo, got.Status, want)
		}
	}
	b.run(chromedp.Click(chromedp.CSS(result(apps[0])+" a")), chromedp.WaitVisible(chromedp.CSS("#app-decisions")))
	b.waitText("#app-decisions", "入户核实，符合生活救助条件")
}

// is reports whether the DOM property prop (checked, disabled, indeterminate) of the element matching sel is true.
func (b *browser) is(sel, prop string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q).%s`, sel, prop)))
	if err != nil {
		b.t.Fatalf("%s of %s: %v", prop, sel, err)
	}
	return v
}
