package report

import (
	"context"
	"fmt"
	"math"
	"strings"

	"bangfu/internal/actor"
	"bangfu/internal/export"
	"bangfu/internal/finaudit"
	"bangfu/internal/relief"
)

// Register exports the disbursement register (支出明细, SPEC §8.2) that f selects: one row per payment, the
// payee masked unless finance or an auditor asks for the full name and card.
func (s *Service) Register(ctx context.Context, a actor.Actor, f finaudit.RegisterFilter, opt Options) (*File, error) {
	svc := &finaudit.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "支出明细", Columns: []export.Column{
		{Title: "申请编号", Width: 18}, {Title: "救助类型", Width: 10}, {Title: "状态", Width: 10}, {Title: "绿色通道", Width: 8},
		{Title: "金额", Kind: export.Money, Width: 12}, {Title: "发放日期", Kind: export.Date, Width: 12}, {Title: "凭证号", Width: 14},
		{Title: "发放方式", Width: 10}, {Title: "所属工会", Width: 24}, {Title: "领款人", Width: 10}, {Title: "银行卡号", Width: 24},
		{Title: "预算科目", Width: 20}, {Title: "经办人", Width: 10}, {Title: "审批人", Width: 16}, {Title: "发放人", Width: 10},
	}}
	// The lines in the register's order, each batch from where the last stopped (keyset paging: a million
	// lines in one pass along applications_paid).
	walk, err := svc.WalkRegister(ctx, a, f)
	if err != nil {
		return nil, err
	}
	sheet.Rows = listRows(opt, func(int) ([]finaudit.Payment, error) { return walk.Next(ctx, pageSize) }, &unmasking[finaudit.Payment, finaudit.Payee]{id: func(p finaudit.Payment) int64 { return p.ApplicationID },
		read: func(ids []int64) ([]finaudit.Payee, error) { return finaudit.FullPayees(ctx, s.DB.R, a, ids) },
		key:  func(n finaudit.Payee) int64 { return n.ApplicationID }},
		func(p finaudit.Payment, n finaudit.Payee, full bool) []any {
			name, card := p.PayeeName, p.PayeeCard
			if full {
				name, card = n.Name, n.Card
			}
			status := relief.StatusNames[relief.Status(p.Status)]
			if p.Recovered {
				status = relief.StatusNames[relief.Recovered]
			}
			return []any{p.AppNo, p.TypeName, status, yesNo(p.Green), p.AmountFen, p.PaidAt, p.VoucherNo,
				p.MethodName, p.OrgName, name, card, p.BudgetLine, p.Caseworker, strings.Join(p.Approvers, "、"), p.Disburser}
		})
	return s.write(ctx, a, "register", opt, sheet)
}

// Anomalies exports the anomaly report (异常线索, SPEC §8.2) for the period and rule of f: one row per
// finding. Running it is audited by finaudit as every run is; its findings name people only masked.
func (s *Service) Anomalies(ctx context.Context, a actor.Actor, f finaudit.AnomalyFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "异常线索只含打码信息，无需不打码导出"); err != nil {
		return nil, err
	}
	rep, err := (&finaudit.Service{DB: s.DB, Clock: s.Clock}).Anomalies(ctx, a, f)
	if err != nil {
		return nil, err
	}
	type finding struct {
		finaudit.Finding
		name string
	}
	var all []finding
	for _, g := range rep.Rules {
		for _, x := range g.Findings {
			all = append(all, finding{x, g.Name})
		}
	}
	sheet := export.Sheet{Name: "异常线索", Columns: []export.Column{
		{Title: "规则", Width: 24}, {Title: "说明", Width: 80}, {Title: "涉及金额", Kind: export.Money, Width: 14}, {Title: "相关记录", Width: 40},
	}}
	sheet.Rows = listRows[finding, struct{}](opt, whole(all), nil, func(x finding, _ struct{}, _ bool) []any {
		refs := make([]string, len(x.Refs))
		for i, r := range x.Refs {
			refs[i] = r.Label
		}
		return []any{x.name, x.Message, x.AmountFen, strings.Join(refs, "、")}
	})
	return s.write(ctx, a, "anomalies", opt, sheet)
}

// FundUse exports the fund-use summary (经费使用情况, SPEC §8.2) for the period of f: one row per fund source,
// budget line and grassroots allocation, as the page shows them in its three tables. It names no person.
func (s *Service) FundUse(ctx context.Context, a actor.Actor, f finaudit.FundUseFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "经费使用情况不含个人信息，无需不打码导出"); err != nil {
		return nil, err
	}
	r, err := (&finaudit.Service{DB: s.DB, Clock: s.Clock}).FundUse(ctx, a, f)
	if err != nil {
		return nil, err
	}
	type row struct {
		finaudit.FundUseRow
		level string
	}
	var all []row
	for _, part := range []struct {
		level string
		rows  []finaudit.FundUseRow
	}{{"经费来源", r.Funds}, {"预算科目", r.Lines}, {"下拨基层工会", r.Allocations}} {
		for _, x := range part.rows {
			all = append(all, row{x, part.level})
		}
	}
	sheet := export.Sheet{Name: "经费使用情况", Columns: []export.Column{
		{Title: "层级", Width: 12}, {Title: "名称", Width: 28}, {Title: "组织", Width: 24},
		{Title: "来款/安排/下拨", Kind: export.Money, Width: 16}, {Title: "安排/下拨出", Kind: export.Money, Width: 16},
		{Title: "已批待付", Kind: export.Money, Width: 14}, {Title: "已支付", Kind: export.Money, Width: 14},
		{Title: "冲正", Kind: export.Money, Width: 12}, {Title: "可用余额", Kind: export.Money, Width: 16},
	}}
	sheet.Rows = listRows[row, struct{}](opt, whole(all), nil, func(x row, _ struct{}, _ bool) []any {
		return []any{x.level, x.Name, x.OrgName, x.ReceivedFen, x.AllocatedFen, x.ReservedFen,
			x.PaidFen, x.ReversedFen, x.AvailableFen}
	})
	return s.write(ctx, a, "fund-use", opt, sheet)
}

// whole is the fetch of a report computed whole before it is written: all of it as the first "page".
func whole[T any](all []T) func(page int) ([]T, error) {
	return func(page int) ([]T, error) {
		if page > 1 {
			return nil, nil
		}
		return all, nil
	}
}

// GreenPeriod is the period of the green-channel report (submission dates, inclusive; empty: this year), the
// relief area's own.
type GreenPeriod = relief.Period

// GreenChannel exports the green-channel report (SPEC §4.3: decision times of green vs normal cases) for the
// period p: one row per figure, the two lanes side by side, as its page shows them. It names no person.
func (s *Service) GreenChannel(ctx context.Context, a actor.Actor, p GreenPeriod, opt Options) (*File, error) {
	if err := maskedOnly(opt, "绿色通道报表不含个人信息，无需不打码导出"); err != nil {
		return nil, err
	}
	r, err := (&relief.Service{DB: s.DB, Clock: s.Clock}).GreenChannelReport(ctx, a, p)
	if err != nil {
		return nil, err
	}
	hours := func(l relief.Lane, h float64) any {
		if l.Decided == 0 {
			return nil
		}
		return math.Round(h*10) / 10
	}
	type figure struct {
		name          string
		green, normal any
	}
	figures := []figure{
		{"提交件数", r.Green.Submitted, r.Normal.Submitted}, {"待决定", r.Green.Pending, r.Normal.Pending},
		{"超时未决", r.Green.Overdue, r.Normal.Overdue}, {"批准", r.Green.Approved, r.Normal.Approved},
		{"驳回", r.Green.Rejected, r.Normal.Rejected}, {"已决定", r.Green.Decided, r.Normal.Decided},
		{"按时决定", r.Green.WithinSLA, r.Normal.WithinSLA},
		{"决定用时中位数（小时）", hours(r.Green, r.Green.MedianHours), hours(r.Normal, r.Normal.MedianHours)},
		{"决定用时90分位（小时）", hours(r.Green, r.Green.P90Hours), hours(r.Normal, r.Normal.P90Hours)},
		{"批准金额", r.Green.AmountFen, r.Normal.AmountFen},
		{"补交材料逾期", r.Green.DocsOverdue, nil}, {"待事后复核", r.Green.ReviewPending, nil},
		{"复核存疑", r.Green.Flagged, nil},
	}
	sheet := export.Sheet{Name: "绿色通道报表", Columns: []export.Column{
		{Title: r.From + " 至 " + r.To, Width: 26}, {Title: "绿色通道", Kind: export.Int, Width: 14}, {Title: "普通申请", Kind: export.Int, Width: 14},
	}}
	sheet.Rows = listRows[figure, struct{}](opt, whole(figures), nil, func(x figure, _ struct{}, _ bool) []any {
		return []any{x.name, x.green, x.normal}
	})
	return s.write(ctx, a, "green-channel", opt, sheet)
}

// Reconciliation exports the reconciliation (对账, SPEC §8.2) of the ledger against the registers: a first row
// with the totals compared, then one row per difference. It names no person.
func (s *Service) Reconciliation(ctx context.Context, a actor.Actor, _ struct{}, opt Options) (*File, error) {
	if err := maskedOnly(opt, "对账结果不含个人信息，无需不打码导出"); err != nil {
		return nil, err
	}
	r, err := (&finaudit.Service{DB: s.DB, Clock: s.Clock}).Reconcile(ctx, a)
	if err != nil {
		return nil, err
	}
	result := "账实相符：没有差异"
	if !r.OK {
		result = fmt.Sprintf("发现 %d 处差异", len(r.Differences))
	}
	rows := append([]finaudit.Difference{{Rule: "合计", Message: fmt.Sprintf("%s（核对记账转账 %d 笔、已发放申请 %d 笔）", result, r.Transfers, r.Applications),
		LedgerFen: r.LedgerPaidFen, RegisterFen: r.RegisterPaidFen}}, r.Differences...)
	sheet := export.Sheet{Name: "对账", Columns: []export.Column{
		{Title: "规则", Width: 26}, {Title: "说明", Width: 60}, {Title: "申请编号", Width: 18}, {Title: "转账", Kind: export.Int, Width: 10},
		{Title: "账本金额", Kind: export.Money, Width: 16}, {Title: "登记金额", Kind: export.Money, Width: 16},
	}}
	sheet.Rows = listRows[finaudit.Difference, struct{}](opt, whole(rows), nil, func(d finaudit.Difference, _ struct{}, _ bool) []any {
		rule := d.Rule
		if n, ok := finaudit.DifferenceNames[d.Rule]; ok {
			rule = n
		}
		var transfer any
		if d.TransferID != 0 {
			transfer = d.TransferID
		}
		return []any{rule, d.Message, d.AppNo, transfer, d.LedgerFen, d.RegisterFen}
	})
	return s.write(ctx, a, "reconciliation", opt, sheet)
}
