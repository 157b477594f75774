package report

import (
	"context"
	"strconv"
	"strings"

	"bangfu/internal/actor"
	"bangfu/internal/export"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
)

// Accounts exports the ledger accounts f selects, as the funds page (经费来源与预算) and, with kind
// allocation, the allocations page (下拨) list them: what each is and what it holds. Balances in goods
// units are written as counts, not yuan.
func (s *Service) Accounts(ctx context.Context, a actor.Actor, f ledger.AccountFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "经费台账不含证件号码，无需不打码导出"); err != nil {
		return nil, err
	}
	svc := &ledger.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "经费账户", Columns: []export.Column{
		{Title: "类型", Width: 10}, {Title: "名称", Width: 28}, {Title: "所属组织", Width: 24}, {Title: "年度", Width: 8},
		{Title: "救助类型/用途", Width: 16}, {Title: "单位", Width: 6}, {Title: "已入账", Kind: export.Money, Width: 14},
		{Title: "已批待付", Kind: export.Money, Width: 14}, {Title: "可用余额", Kind: export.Money, Width: 14},
		{Title: "创建时间", Kind: export.Date, Width: 20}, {Title: "创建人", Width: 10},
	}}
	sheet.Rows = listRows[ledger.Account, struct{}](opt, func(page int) ([]ledger.Account, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.Accounts(ctx, a, f)
		return p.Items, err
	}, nil, func(x ledger.Account, _ struct{}, _ bool) []any {
		year, use := "", strings.Join(x.Purposes, "、")
		if x.Year != nil {
			year = strconv.FormatInt(*x.Year, 10)
		}
		if x.AidType != nil {
			use = ledger.AidTypes[*x.AidType]
		}
		b := x.Balance()
		amount := func(v int64) any {
			if x.Unit == "CNY" {
				return money.Fen(v)
			}
			return v
		}
		return []any{x.KindName, x.Name, x.OrgName, year, use, unitName(x.Unit), amount(b.Posted), amount(b.PendingOut),
			amount(b.Available), x.CreatedAt, x.CreatedBy}
	})
	list := "funds"
	if f.Kind == string(ledger.Allocation) {
		list = "allocations"
	}
	return s.write(ctx, a, list, opt, sheet)
}

func unitName(u string) string {
	if u == "CNY" {
		return "元"
	}
	return u
}
