package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"bangfu/internal/clock"
	"bangfu/internal/web/webtest"
)

// TestBrowser_FinanceKeepsTheBooksFromThePages: SPEC §6 and §9.3 — finance1 opens a fund source, receives money into
// it, opens a budget line and budgets into it, and allocates to two grassroots unions, all from the forms of the
// funds pages. Allocating more than is left is refused in plain words beside the amount, with what was typed kept.
// An approved application shows as pending on the overview and the allocations page; the line's statement lists
// each transfer with its running balance; a reversal with its reason appears in the statement and restores the line.
func TestBrowser_FinanceKeepsTheBooksFromThePages(t *testing.T) {
	b := start(t)
	srv := b.srv
	now := time.Now().In(clock.China).Truncate(time.Second)
	hh := filedHousehold(t, srv, now, "id_scan") // in BJ-XX-JH-01; leaves the server's clock at now
	cw := srv.Login("caseworker1")
	var app struct {
		ID int64 `json:"id"`
	}
	cw.Must(http.StatusCreated, "POST", "/api/v1/applications", map[string]any{"type": "condolence", "household_id": hh.ID,
		"amount_fen": 50000, "purpose": "住院慰问"}).Decode(&app)
	cw.Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/applications/%d/submit", app.ID), map[string]any{})
	fn := srv.Login("finance1")

	fundName, lineName := "社会捐赠帮扶资金", fmt.Sprintf("%d年度慰问", now.Year())
	dlg := func(form, name string) string { return fmt.Sprintf(`#%s [name="%s"]`, form, name) }
	fill := func(form string, values ...string) chromedp.Action[chromedp.Void] {
		steps := []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS("#" + form))}
		for i := 0; i+1 < len(values); i += 2 {
			steps = append(steps, chromedp.SetValue(chromedp.CSS(dlg(form, values[i])), values[i+1]))
		}
		return chromedp.Steps(steps...)
	}
	submit := func(form string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Click(chromedp.CSS("#"+form+"-submit")), chromedp.WaitNotPresent(chromedp.CSS("#"+form)))
	}
	row := func(table string, id int64) string { return fmt.Sprintf(`#%s tbody tr[data-id="%d"]`, table, id) }

	b.run(login(srv, "finance1"))
	b.open("#/funds")
	b.run(chromedp.WaitVisible(chromedp.CSS("#fund-new")))
	// A fund source, money received into it.
	b.run(chromedp.Click(chromedp.CSS("#fund-new")), fill("fund-form", "name", fundName), submit("fund-form"))
	fund := findAccount(t, fn, "fund", fundName)
	b.run(chromedp.WaitVisible(chromedp.CSS(row("fund-list", fund)+" .act-receive")),
		chromedp.Click(chromedp.CSS(row("fund-list", fund)+" .act-receive")),
		fill("receive-form", "amount_fen", "10000", "voucher_no", "收-2026-001", "payment_method", "bank", "memo", "企业捐赠"),
		submit("receive-form"))
	b.waitText(row("fund-list", fund), "¥10,000.00")
	// A budget line, and money budgeted into it.
	b.run(chromedp.Click(chromedp.CSS("#line-new")),
		fill("line-form", "year", fmt.Sprint(now.Year()), "aid_type", "condolence"), submit("line-form"))
	line := findAccount(t, fn, "budget", lineName)
	b.run(chromedp.WaitVisible(chromedp.CSS(row("fund-list", line))),
		chromedp.Click(chromedp.CSS(row("fund-list", fund)+" .act-budget")),
		fill("budget-form", "budget_line_id", fmt.Sprint(line), "amount_fen", "3000", "voucher_no", "预-2026-001"),
		submit("budget-form"))
	b.waitText(row("fund-list", fund), "¥7,000.00")
	b.waitText(row("fund-list", line), "¥3,000.00")
	// Two allocations from the line: ¥1,000 to 江南建设, ¥800 to 悦来餐饮, leaving ¥1,200.
	allocate := func(org, fen, voucher string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Click(chromedp.CSS(row("fund-list", line)+" .act-allocate")),
			fill("allocate-form", "org_id", org, "amount_fen", fen, "voucher_no", voucher, "memo", "慰问金下拨"))
	}
	jh01, jh02 := fmt.Sprint(srv.OrgID("BJ-XX-JH-01")), fmt.Sprint(srv.OrgID("BJ-XX-JH-02"))
	b.run(allocate(jh01, "1000", "拨-2026-001"), submit("allocate-form"))
	b.waitText(row("fund-list", line), "¥2,000.00")
	b.run(allocate(jh02, "800", "拨-2026-002"), submit("allocate-form"))
	b.waitText(row("fund-list", line), "¥1,200.00")
	// ¥2,000 more is refused beside the amount, in plain words, and the dialog keeps what was typed.
	b.run(allocate(jh01, "2000", "拨-2026-003"), chromedp.Click(chromedp.CSS("#allocate-form-submit")))
	b.waitText(`#allocate-form .field-error[data-for="amount_fen"]`, "可用余额不足：可用 ¥1,200.00，申请 ¥2,000.00")
	besideField(t, b, "#allocate-form", "amount_fen")
	for name, want := range map[string]string{"org_id": jh01, "voucher_no": "拨-2026-003", "memo": "慰问金下拨"} {
		if got := b.value(dlg("allocate-form", name)); got != want {
			t.Errorf("after the refusal the allocation form's %s holds %q, want %q", name, got, want)
		}
	}
	if got := b.value(dlg("allocate-form", "amount_fen")); !strings.HasPrefix(got, "2000") && !strings.HasPrefix(got, "2,000") {
		t.Errorf("after the refusal the amount holds %q", got)
	}
	b.run(chromedp.Click(chromedp.CSS("#allocate-form-cancel")), chromedp.WaitNotPresent(chromedp.CSS("#allocate-form")))
	b.waitText(row("fund-list", line), "¥1,200.00")

	// An approved ¥500 condolence for the household in 江南建设 is pending on that union's allocation.
	srv.Login("supervisor1").Must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/applications/%d/approve", app.ID), map[string]any{})
	alloc := findAccount(t, fn, "allocation", "江南建设")
	b.open("#/funds")
	b.run(chromedp.WaitVisible(chromedp.CSS(row("fund-list", alloc))))
	b.waitText(row("fund-list", alloc), "¥500.00")   // 待支付
	b.waitText(row("fund-list", alloc), "¥1,000.00") // 已入账余额
	b.open("#/allocations")
	b.run(chromedp.WaitVisible(chromedp.CSS(row("allocation-list", alloc))))
	b.waitText(row("allocation-list", alloc), "江南建设工程有限公司工会")
	b.waitText(row("allocation-list", alloc)+" td:nth-child(5)", "¥500.00") // 待支付
	b.waitText(row("allocation-list", alloc)+" td:nth-child(6)", "¥500.00") // 可用余额

	// The line's statement: budgeted in, allocated out twice, with the running balance.
	b.open(fmt.Sprintf("#/funds/%d", line))
	b.run(chromedp.WaitVisible(chromedp.CSS("#statement tbody tr[data-id]")))
	b.waitText("#fund-available", "¥1,200.00")
	lines := statementLines(t, fn, line)
	if len(lines) != 3 {
		t.Fatalf("the line has %d transfers, want budget and two allocations: %+v", len(lines), lines)
	}
	byVoucher := map[string]int64{}
	for _, l := range lines {
		byVoucher[l.VoucherNo] = l.ID
	}
	for voucher, balance := range map[string]string{"预-2026-001": "¥3,000.00", "拨-2026-001": "¥2,000.00", "拨-2026-002": "¥1,200.00"} {
		r := row("statement", byVoucher[voucher])
		b.waitText(r, voucher)
		b.waitText(r+" td:nth-child(8)", balance)
	}
	b.waitText(row("statement", byVoucher["拨-2026-002"]), "悦来餐饮")

	// The allocation to 悦来餐饮 was a mistake: reversed with a reason, it comes back to the line.
	wrong := row("statement", byVoucher["拨-2026-002"])
	b.run(chromedp.Click(chromedp.CSS(wrong+" .act-reverse")),
		fill("reverse-form", "reason", "下拨单位有误，应拨江南建设"), submit("reverse-form"))
	b.waitText(wrong, "冲销")
	b.waitText("#fund-available", "¥2,000.00")
	lines = statementLines(t, fn, line)
	var rev int64
	for _, l := range lines {
		if l.ReversesID != nil && *l.ReversesID == byVoucher["拨-2026-002"] {
			rev = l.ID
		}
	}
	if rev == 0 {
		t.Fatalf("no reversal of the allocation in the statement: %+v", lines)
	}
	b.waitText(row("statement", rev), fmt.Sprintf("冲销 #%d", byVoucher["拨-2026-002"]))
	b.waitText(row("statement", rev), "下拨单位有误")
	b.waitText(row("statement", rev)+" td:nth-child(8)", "¥2,000.00")
	b.waitText(wrong, fmt.Sprintf("已被 #%d 冲销", rev))
	if n := count(t, b, wrong+" .act-reverse"); n != 0 {
		t.Fatal("a reversed transfer is offered for reversal again")
	}
}

// findAccount returns the id of the account of kind in finance1's scope whose name contains name.
func findAccount(t *testing.T, c *webtest.Client, kind, name string) int64 {
	t.Helper()
	var r struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	c.Must(http.StatusOK, "GET", "/api/v1/funds?per_page=100&kind="+kind, nil).Decode(&r)
	for _, a := range r.Items {
		if strings.Contains(a.Name, name) {
			return a.ID
		}
	}
	t.Fatalf("no %s account named %q: %+v", kind, name, r.Items)
	return 0
}

type statementLine struct {
	ID         int64  `json:"id"`
	VoucherNo  string `json:"voucher_no"`
	ReversesID *int64 `json:"reverses_id"`
}

// statementLines returns the transfers of account as its statement lists them.
func statementLines(t *testing.T, c *webtest.Client, account int64) []statementLine {
	t.Helper()
	var r struct {
		Items []statementLine `json:"items"`
	}
	c.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?per_page=100", account), nil).Decode(&r)
	return r.Items
}

// besideField fails the test unless the field error for name in form stands in the same field as its control.
func besideField(t *testing.T, b *browser, form, name string) {
	t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		const f = e && e.closest('.field');
		return !!(f && f.querySelector(%q));
	})()`, fmt.Sprintf(`%s .field-error[data-for="%s"]`, form, name), fmt.Sprintf(`[name="%s"]`, name))))
	if err != nil || !ok {
		t.Fatalf("the error for %s is not beside its field in %s (%v)", name, form, err)
	}
}
