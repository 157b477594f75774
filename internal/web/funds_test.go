package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

type account struct {
	ID           int64    `json:"id"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	OrgID        int64    `json:"org_id"`
	Purposes     []string `json:"purposes"`
	PostedFen    int64    `json:"posted_fen"`
	PendingOut   int64    `json:"pending_out_fen"`
	AvailableFen int64    `json:"available_fen"`
}

type transfer struct {
	ID              int64  `json:"id"`
	State           string `json:"state"`
	AmountFen       int64  `json:"amount_fen"`
	CreditAccountID int64  `json:"credit_account_id"`
	ReversesID      *int64 `json:"reverses_id"`
}

type books struct {
	t   *testing.T
	srv *webtest.Server
	fin *webtest.Client
}

func newBooks(t *testing.T) *books {
	srv := webtest.New(t)
	return &books{t: t, srv: srv, fin: srv.Login("finance1")}
}

func (b *books) create(body map[string]any) account {
	b.t.Helper()
	var acc account
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/funds", body).Decode(&acc)
	return acc
}

func (b *books) account(c *webtest.Client, id int64) account {
	b.t.Helper()
	var acc account
	c.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d", id), nil).Decode(&acc)
	return acc
}

// fundedLine makes a general fund holding fen and a living budget line holding all of it.
func (b *books) fundedLine(fen int64) (fund, line account) {
	b.t.Helper()
	fund = b.create(map[string]any{"kind": "fund", "name": "本级经费", "purposes": []string{"general"}})
	line = b.create(map[string]any{"kind": "budget", "year": 2026, "aid_type": "living"})
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": fen, "voucher_no": "收-001", "payment_method": "bank"})
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID), map[string]any{"budget_line_id": line.ID, "amount_fen": fen})
	return fund, line
}

func TestFunds_FinanceReceivesBudgetsAllocatesAndReversesThroughTheAPI(t *testing.T) {
	b := newBooks(t)
	fund, line := b.fundedLine(100_000_00)
	if acc := b.account(b.fin, fund.ID); acc.PostedFen != 0 || acc.AvailableFen != 0 {
		t.Fatalf("fund after budgeting everything: %+v", acc)
	}
	if acc := b.account(b.fin, line.ID); acc.AvailableFen != 100_000_00 || acc.Name != "2026年度生活救助" {
		t.Fatalf("line: %+v", acc)
	}
	union := b.srv.OrgID("BJ-XX-JH-01")
	var alloc transfer
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": union,
		"amount_fen": 30_000_00, "voucher_no": "拨-001", "idempotency_key": "alloc-1"}).Decode(&alloc)
	var again transfer
	b.fin.Must(http.StatusCreated, "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": union,
		"amount_fen": 30_000_00, "voucher_no": "拨-001", "idempotency_key": "alloc-1"}).Decode(&again)
	if again.ID != alloc.ID {
		t.Fatalf("retry made transfer %d, first was %d", again.ID, alloc.ID)
	}
	var allocs struct {
		Items []account `json:"items"`
		Total int       `json:"total"`
	}
	b.srv.Login("auditor1").Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/allocations?org_id=%d", union), nil).Decode(&allocs)
	if allocs.Total != 1 || allocs.Items[0].AvailableFen != 30_000_00 || allocs.Items[0].ID != alloc.CreditAccountID {
		t.Fatalf("allocations: %+v", allocs)
	}
	var rev transfer
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/transfers/%d/reverse", alloc.ID), map[string]any{"reason": "下拨单位有误"}).Decode(&rev)
	if rev.ReversesID == nil || *rev.ReversesID != alloc.ID || rev.AmountFen != 30_000_00 {
		t.Fatalf("reversal %+v", rev)
	}
	if acc := b.account(b.fin, line.ID); acc.AvailableFen != 100_000_00 {
		t.Fatalf("line after reversal: %+v", acc)
	}
	var got transfer
	b.srv.Login("supervisor2").Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/transfers/%d", rev.ID), nil).Decode(&got)
	if got.ID != rev.ID || got.State != "posted" {
		t.Fatalf("transfer %+v", got)
	}
	var verify struct {
		OK bool `json:"ok"`
	}
	b.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/audit/verify", nil).Decode(&verify)
	if !verify.OK {
		t.Fatal("audit chain broken")
	}
	var events struct{ Total int }
	b.srv.Login("auditor1").Must(http.StatusOK, "GET", "/api/v1/audit/events?entity_type=fund_transfer", nil).Decode(&events)
	if events.Total != 4 { // receive, budget, allocate, reverse: the idempotent retry wrote nothing
		t.Fatalf("%d transfer audit events, want 4", events.Total)
	}
}

func TestFunds_RefusalsCarryTheCodesOfSpec92(t *testing.T) {
	b := newBooks(t)
	fund, line := b.fundedLine(1_200_00)
	epidemic := b.create(map[string]any{"kind": "fund", "name": "疫情防控专项", "purposes": []string{"epidemic"}})
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", epidemic.ID), map[string]any{"amount_fen": 500_00})
	union := b.srv.OrgID("BJ-XX-JH-01")
	received := int64(1) // the first transfer: the receipt into 本级经费
	cases := []struct {
		name, who, method, path string
		body                    any
		status                  int
		code, contains          string
	}{
		{"overspending a budget line", "finance1", "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": union, "amount_fen": 2_000_00},
			409, "conflict", "可用余额不足：可用 ¥1,200.00，申请 ¥2,000.00"},
		{"a fund whose purpose does not allow the line", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/budget", epidemic.ID),
			map[string]any{"budget_line_id": line.ID, "amount_fen": 100}, 409, "conflict", "专款专用"},
		{"budgeting from an empty fund", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/budget", fund.ID),
			map[string]any{"budget_line_id": line.ID, "amount_fen": 1}, 409, "conflict", "可用 ¥0.00"},
		{"a zero amount", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 0}, 400, "validation", "金额必须大于零"},
		{"a negative amount", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": -5}, 400, "validation", ""},
		{"an amount in yuan text", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), `{"amount_fen": "12.50"}`, 400, "validation", ""},
		{"an amount beyond int64", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), `{"amount_fen": 99999999999999999999}`, 400, "validation", ""},
		{"an unknown field", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), `{"amount_fen": 1, "amount": 1}`, 400, "validation", ""},
		{"broken JSON", "finance1", "POST", "/api/v1/allocations", `{"budget_line_id":`, 400, "validation", ""},
		{"an unknown payment method", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 1, "payment_method": "paypal"}, 400, "validation", ""},
		{"receiving into a budget line", "finance1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", line.ID), map[string]any{"amount_fen": 1}, 400, "validation", ""},
		{"allocating to a community union", "finance1", "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": b.srv.OrgID("BJ-XX-JH"), "amount_fen": 1}, 400, "validation", "基层工会"},
		{"an unknown aid type", "finance1", "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "lottery"}, 400, "validation", ""},
		{"an unknown purpose", "finance1", "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "X", "purposes": []string{"anything"}}, 400, "validation", ""},
		{"a second line for the same year and aid type", "finance1", "POST", "/api/v1/funds", map[string]any{"kind": "budget", "year": 2026, "aid_type": "living"}, 409, "conflict", ""},
		{"a fund with a name in use", "finance1", "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "本级经费", "purposes": []string{"general"}}, 409, "conflict", ""},
		{"a reversal without a reason", "finance1", "POST", fmt.Sprintf("/api/v1/funds/transfers/%d/reverse", received), map[string]any{}, 400, "validation", ""},
		{"a reversal of a missing transfer", "finance1", "POST", "/api/v1/funds/transfers/9999/reverse", map[string]any{"reason": "x"}, 404, "not_found", ""},
		{"a missing fund", "finance1", "GET", "/api/v1/funds/9999", nil, 404, "not_found", ""},
		{"a fund id that is not a number", "finance1", "GET", "/api/v1/funds/abc/transfers", nil, 404, "not_found", ""},
		{"a year that is not a number", "finance1", "GET", "/api/v1/funds?year=abc", nil, 400, "validation", ""},
		{"a statement date that is not a date", "finance1", "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?from=yesterday", fund.ID), nil, 400, "validation", ""},
		{"an unknown account kind", "finance1", "GET", "/api/v1/funds?kind=bitcoin", nil, 400, "validation", ""},
		{"a caseworker reading funds", "caseworker1", "GET", "/api/v1/funds", nil, 403, "forbidden", ""},
		{"an auditor receiving money", "auditor1", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 1}, 403, "forbidden", ""},
		{"a supervisor allocating", "supervisor2", "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": union, "amount_fen": 1}, 403, "forbidden", ""},
		{"an admin creating a fund", "admin", "POST", "/api/v1/funds", map[string]any{"kind": "fund", "name": "Y", "purposes": []string{"general"}}, 403, "forbidden", ""},
		{"a sub-district supervisor reading a district line", "supervisor1", "GET", fmt.Sprintf("/api/v1/funds/%d", line.ID), nil, 404, "not_found", ""},
	}
	clients := map[string]*webtest.Client{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := clients[c.who]
			if cl == nil {
				cl = b.srv.Login(c.who)
				clients[c.who] = cl
			}
			r := cl.Refused(c.status, c.code, c.method, c.path, c.body)
			if _, msg, fields := r.Error(); c.contains != "" && !strings.Contains(msg, c.contains) {
				t.Fatalf("message %q (fields %v) lacks %q", msg, fields, c.contains)
			}
		})
	}
	// The idempotency key with other content, and a double reversal, are conflicts too.
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 100, "idempotency_key": "r-1"})
	b.fin.Refused(409, "conflict", "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": 101, "idempotency_key": "r-1"})
	b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/transfers/%d/reverse", received+2), map[string]any{"reason": "录错"}) // the epidemic receipt
	b.fin.Refused(409, "conflict", "POST", fmt.Sprintf("/api/v1/funds/transfers/%d/reverse", received+2), map[string]any{"reason": "再冲"})
	// Without the CSRF token a write is refused whatever it is.
	noCSRF := *b.fin
	noCSRF.CSRF = ""
	noCSRF.Refused(403, "forbidden", "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": union, "amount_fen": 1})
}

func TestFunds_StatementShowsEachLineWithTheRunningBalanceFiltersAndPages(t *testing.T) {
	b := newBooks(t)
	fund, line := b.fundedLine(1000_00)
	for i, fen := range []int64{200_00, 50_00, 300_00} {
		b.srv.Clock.Advance(24 * time.Hour)
		b.fin = b.srv.Login("finance1") // a day later the session has expired
		b.fin.Must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/funds/%d/receive", fund.ID), map[string]any{"amount_fen": fen, "voucher_no": fmt.Sprintf("收-10%d", i)})
	}
	type line_ struct {
		ID             int64  `json:"id"`
		Direction      string `json:"direction"`
		Counterparty   string `json:"counterparty_name"`
		AmountFen      int64  `json:"amount_fen"`
		RunningBalance int64  `json:"running_balance_fen"`
	}
	var st struct {
		Items []line_ `json:"items"`
		Total int     `json:"total"`
	}
	b.fin.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?per_page=2", fund.ID), nil).Decode(&st)
	if st.Total != 5 || len(st.Items) != 2 || st.Items[0].RunningBalance != 550_00 || st.Items[1].RunningBalance != 250_00 {
		t.Fatalf("page 1: %+v", st)
	}
	b.fin.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?per_page=2&page=3", fund.ID), nil).Decode(&st)
	if len(st.Items) != 1 || st.Items[0].Direction != "in" || st.Items[0].RunningBalance != 1000_00 || st.Items[0].Counterparty != "外部来款" {
		t.Fatalf("page 3: %+v", st)
	}
	b.fin.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?kind=budget", fund.ID), nil).Decode(&st)
	if st.Total != 1 || st.Items[0].Direction != "out" || st.Items[0].RunningBalance != 0 {
		t.Fatalf("budget lines of the statement: %+v", st)
	}
	b.fin.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?q=收-101", fund.ID), nil).Decode(&st)
	if st.Total != 1 || st.Items[0].AmountFen != 50_00 || st.Items[0].RunningBalance != 250_00 {
		t.Fatalf("search by voucher: %+v", st)
	}
	day := webtest.Start.AddDate(0, 0, 2).Format("2006-01-02")
	b.fin.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?from=%s&to=%s", fund.ID, day, day), nil).Decode(&st)
	if st.Total != 1 || st.Items[0].AmountFen != 50_00 {
		t.Fatalf("one day: %+v", st)
	}
	b.fin.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers?state=pending", line.ID), nil).Decode(&st)
	if st.Total != 0 {
		t.Fatalf("pending: %+v", st)
	}
}

func TestFunds_GrassrootsFinanceSeesOnlyItsOwnAllocation(t *testing.T) {
	b := newBooks(t)
	_, line := b.fundedLine(1000_00)
	mine, other := b.srv.OrgID("BJ-XX-JH-01"), b.srv.OrgID("BJ-XX-JH-02")
	for _, org := range []int64{mine, other} {
		b.fin.Must(http.StatusCreated, "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": org, "amount_fen": 100_00})
	}
	ctx := context.Background()
	admin, err := auth.ActorFor(ctx, b.srv.DB.R, 1, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.srv.Auth.CreateUser(ctx, admin, auth.NewUser{Username: "jhfinance", Name: "江南财务", OrgID: mine,
		Roles: []actor.Role{actor.Finance}, Password: demo.Password, KeepPassword: true}); err != nil {
		t.Fatal(err)
	}
	local := b.srv.Login("jhfinance")
	var got struct {
		Items []account `json:"items"`
		Total int       `json:"total"`
	}
	local.Must(http.StatusOK, "GET", "/api/v1/funds", nil).Decode(&got)
	if got.Total != 1 || got.Items[0].Kind != "allocation" || got.Items[0].OrgID != mine || got.Items[0].AvailableFen != 100_00 {
		t.Fatalf("what grassroots finance sees: %+v", got)
	}
	local.Must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/funds/%d/transfers", got.Items[0].ID), nil)
	local.Refused(404, "not_found", "GET", fmt.Sprintf("/api/v1/funds/%d", line.ID), nil)
	local.Refused(404, "not_found", "POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": mine, "amount_fen": 1})
	local.Refused(404, "not_found", "POST", fmt.Sprintf("/api/v1/funds/transfers/%d/reverse", 1), map[string]any{"reason": "x"})
}

func TestFunds_ConcurrentAllocationsOverHTTPNeverOverspend(t *testing.T) {
	b := newBooks(t)
	const n, each = 5, 1_000_00
	_, line := b.fundedLine(n * each)
	union := b.srv.OrgID("BJ-XX-GH-01")
	statuses := make(chan int, 32)
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := b.fin.Do("POST", "/api/v1/allocations", map[string]any{"budget_line_id": line.ID, "org_id": union, "amount_fen": each})
			statuses <- r.Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[201] != n || count[409] != 32-n {
		t.Fatalf("statuses %v; want %d × 201 and %d × 409", count, n, 32-n)
	}
	if acc := b.account(b.fin, line.ID); acc.AvailableFen != 0 {
		t.Fatalf("line %+v", acc)
	}
}
