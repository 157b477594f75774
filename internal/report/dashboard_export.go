package report

import (
	"context"

	"bangfu/internal/actor"
	"bangfu/internal/export"
)

// DashboardFilter: the dashboard has no filter; it is always the reader's scope today.
type DashboardFilter struct{}

// DashboardExport writes the reader's dashboard as one sheet, a row per figure, so that "the numbers" asked
// for each month can be copied as they were shown (SPEC §8.1). Each row fills the columns its figure has.
func (s *Service) DashboardExport(ctx context.Context, a actor.Actor, _ DashboardFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "首页统计只含汇总数字，无需不打码导出"); err != nil {
		return nil, err
	}
	d, err := s.Dashboard(ctx, a)
	if err != nil {
		return nil, err
	}
	sheet := export.Sheet{Name: "首页统计", Columns: []export.Column{
		{Title: "板块", Width: 18}, {Title: "项目", Width: 28}, {Title: "数量", Kind: export.Int, Width: 10},
		{Title: "绿色通道", Kind: export.Int, Width: 10}, {Title: "普通", Kind: export.Int, Width: 10},
		{Title: "金额/来款", Kind: export.Money, Width: 14}, {Title: "已支付", Kind: export.Money, Width: 14},
		{Title: "已批待付", Kind: export.Money, Width: 14}, {Title: "可用余额", Kind: export.Money, Width: 14},
	}}
	var rows [][]any
	add := func(section, item string, cells ...any) {
		rows = append(rows, append([]any{section, item}, append(cells, make([]any, 7-len(cells))...)...))
	}
	add("困难职工档案", "在档合计", d.Households.Open)
	for _, c := range d.Households.ByStatus {
		add("档案·按状态", c.Name, c.N)
	}
	for _, c := range d.Households.ByCategory {
		add("档案·按类别", c.Name, c.N)
	}
	for _, group := range []struct {
		name string
		rows []ApplicationRow
	}{{"救助申请·按类型", d.Applications.ByType}, {"救助申请·按状态", d.Applications.ByStatus}} {
		for _, r := range group.rows {
			add(group.name, r.Name, r.Green+r.Normal, r.Green, r.Normal, r.AmountFen)
		}
	}
	if d.Money != nil {
		for _, group := range []struct {
			name string
			rows []MoneyRow
		}{{"经费·来源", d.Money.Funds}, {"经费·预算科目", d.Money.Lines}} {
			for _, r := range group.rows {
				add(group.name, r.Name, nil, nil, nil, r.ReceivedFen, r.PaidFen, r.ReservedFen,
					r.AvailableFen)
			}
		}
		for _, m := range d.Money.Months {
			add("经费·月度", m.Month, nil, nil, nil, m.ReceivedFen, m.PaidFen)
		}
	}
	for _, c := range d.Campaigns {
		add("帮扶活动", c.Name+"（"+c.KindName+"，"+c.Reach+"）", c.UnionsReached)
	}
	for _, q := range d.Waiting {
		add("待办", q.Name, q.N)
	}
	sheet.Rows = func(emit func([]any) error) error {
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
	return s.write(ctx, a, "dashboard", opt, sheet)
}
