package report

import (
	"context"
	"fmt"
	"strings"

	"bangfu/internal/actor"
	"bangfu/internal/campaign"
	"bangfu/internal/export"
)

// Deliveries exports the cooling deliveries (送清凉配送) of campaign id that f selects; the receiver's phone is
// masked unless finance or an auditor asks for it.
func (s *Service) Deliveries(ctx context.Context, a actor.Actor, id int64, f campaign.DeliveryFilter, opt Options) (*File, error) {
	svc := &campaign.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "配送记录", Columns: []export.Column{
		{Title: "配送单号", Width: 18}, {Title: "活动", Width: 20}, {Title: "所属工会", Width: 24}, {Title: "配送点类型", Width: 10},
		{Title: "配送点", Width: 20}, {Title: "地址", Width: 28}, {Title: "户外", Width: 6}, {Title: "覆盖职工", Kind: export.Int, Width: 10},
		{Title: "配送日期", Kind: export.Date, Width: 12}, {Title: "物资", Width: 30}, {Title: "价值", Kind: export.Money, Width: 12},
		{Title: "收货人", Width: 10}, {Title: "收货人电话", Width: 14}, {Title: "状态", Width: 8}, {Title: "签收日期", Kind: export.Date, Width: 12},
		{Title: "经办人", Width: 10},
	}}
	sheet.Rows = listRows(opt, func(page int) ([]campaign.Delivery, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.Deliveries(ctx, a, id, f)
		return p.Items, err
	}, &unmasking[campaign.Delivery, campaign.Numbers]{id: func(d campaign.Delivery) int64 { return d.ID },
		read: func(ids []int64) ([]campaign.Numbers, error) { return campaign.FullReceiverPhones(ctx, s.DB.R, a, ids) },
		key:  func(n campaign.Numbers) int64 { return n.ID }},
		func(d campaign.Delivery, n campaign.Numbers, full bool) []any {
			phone := d.ReceiverPhone
			if full {
				phone = n.Phone
			}
			goods := make([]string, len(d.Items))
			for i, it := range d.Items {
				goods[i] = fmt.Sprintf("%s %d%s", it.GoodName, it.Quantity, it.Unit)
			}
			return []any{d.DeliveryNo, d.CampaignName, d.OrgName, d.SiteKindName, d.SiteName, d.SiteAddress, yesNo(d.Outdoor),
				d.Workers, d.DeliveredOn, strings.Join(goods, "；"), d.ValueFen, d.ReceiverName, phone, d.StatusName, d.ConfirmedAt,
				d.CreatedBy}
		})
	return s.write(ctx, a, "deliveries", opt, sheet)
}

// Enrolments exports the health-check enrolments (体检报名) of campaign id that f selects; ID numbers and
// phones are masked unless finance or an auditor asks for them.
func (s *Service) Enrolments(ctx context.Context, a actor.Actor, id int64, f campaign.EnrolmentFilter, opt Options) (*File, error) {
	svc := &campaign.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "体检报名", Columns: []export.Column{
		{Title: "姓名", Width: 10}, {Title: "身份证号", Width: 22}, {Title: "联系电话", Width: 14}, {Title: "所属工会", Width: 24},
		{Title: "农民工", Width: 8}, {Title: "状态", Width: 10}, {Title: "体检日期", Kind: export.Date, Width: 12},
		{Title: "报告送达日期", Kind: export.Date, Width: 12}, {Title: "报名日期", Kind: export.Date, Width: 12}, {Title: "退出原因", Width: 24},
	}}
	sheet.Rows = listRows(opt, func(page int) ([]campaign.Enrolment, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.Enrolments(ctx, a, id, f)
		return p.Items, err
	}, &unmasking[campaign.Enrolment, campaign.Numbers]{id: func(e campaign.Enrolment) int64 { return e.ID },
		read: func(ids []int64) ([]campaign.Numbers, error) {
			return campaign.FullEnrolmentNumbers(ctx, s.DB.R, a, ids)
		},
		key: func(n campaign.Numbers) int64 { return n.ID }},
		func(e campaign.Enrolment, n campaign.Numbers, full bool) []any {
			idNo, phone := e.IDNumber, e.Phone
			if full {
				idNo, phone = n.IDNumber, n.Phone
			}
			return []any{e.Name, idNo, phone, e.OrgName, yesNo(e.Migrant), e.StatusName, e.CheckedOn, e.ReportOn, e.CreatedAt,
				e.WithdrawReason}
		})
	return s.write(ctx, a, "enrolments", opt, sheet)
}

// Coverage exports the campaigns' coverage (活动覆盖报表) that f selects: one row per campaign with what it
// reached in a's scope — unions, sites and workers for cooling, checks for a health check, households paid for
// warmth. It names no person.
func (s *Service) Coverage(ctx context.Context, a actor.Actor, f campaign.Filter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "活动覆盖报表不含个人信息，无需不打码导出"); err != nil {
		return nil, err
	}
	svc := &campaign.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "活动覆盖报表", Columns: []export.Column{
		{Title: "活动", Width: 24}, {Title: "类型", Width: 10}, {Title: "状态", Width: 8}, {Title: "组织", Width: 24},
		{Title: "开始日期", Kind: export.Date, Width: 12}, {Title: "结束日期", Kind: export.Date, Width: 12}, {Title: "预算科目", Width: 22},
		{Title: "已支出", Kind: export.Money, Width: 14}, {Title: "计划覆盖工会", Kind: export.Int, Width: 12}, {Title: "已覆盖工会", Kind: export.Int, Width: 12},
		{Title: "配送点", Kind: export.Int, Width: 8}, {Title: "配送次数", Kind: export.Int, Width: 10}, {Title: "覆盖职工", Kind: export.Int, Width: 10},
		{Title: "配送价值", Kind: export.Money, Width: 14}, {Title: "体检名额", Kind: export.Int, Width: 10}, {Title: "已体检", Kind: export.Int, Width: 10},
		{Title: "体检费用", Kind: export.Money, Width: 14}, {Title: "名单户数", Kind: export.Int, Width: 10}, {Title: "已发放户数", Kind: export.Int, Width: 10},
		{Title: "发放金额", Kind: export.Money, Width: 14},
	}}
	sheet.Rows = listRows[campaign.Coverage, struct{}](opt, func(page int) ([]campaign.Coverage, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.Coverage(ctx, a, f)
		return p.Items, err
	}, nil, func(c campaign.Coverage, _ struct{}, _ bool) []any {
		return []any{c.Name, c.KindName, c.StatusName, c.OrgName, c.StartsOn, c.EndsOn, c.BudgetName, c.SpentFen, c.UnionsPlanned,
			c.UnionsReached, c.Sites, c.Deliveries, c.WorkersCovered, c.DeliveredValueFen, c.Quota, c.Checked, c.ChecksCostFen,
			c.Households, c.Paid, c.PaidFen}
	})
	return s.write(ctx, a, "campaigns", opt, sheet)
}

// Campaigns exports the campaign list (帮扶活动) that f selects: each campaign's kind, period, union,
// budget and state. Its reach is the coverage report's export.
func (s *Service) Campaigns(ctx context.Context, a actor.Actor, f campaign.Filter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "活动列表不含证件号码，无需不打码导出"); err != nil {
		return nil, err
	}
	svc := &campaign.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "帮扶活动", Columns: []export.Column{
		{Title: "活动名称", Width: 28}, {Title: "类型", Width: 10}, {Title: "状态", Width: 8}, {Title: "开始日期", Kind: export.Date, Width: 12},
		{Title: "结束日期", Kind: export.Date, Width: 12}, {Title: "组织单位", Width: 24}, {Title: "预算科目", Width: 24},
		{Title: "体检机构", Width: 20}, {Title: "单价", Kind: export.Money, Width: 10}, {Title: "创建时间", Kind: export.Date, Width: 20},
	}}
	sheet.Rows = listRows[campaign.Campaign, struct{}](opt, func(page int) ([]campaign.Campaign, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.List(ctx, a, f)
		return p.Items, err
	}, nil, func(c campaign.Campaign, _ struct{}, _ bool) []any {
		return []any{c.Name, campaign.KindNames[c.Kind], campaign.StatusNames[c.Status], c.StartsOn, c.EndsOn, c.OrgName, c.BudgetName, c.Provider, c.PriceFen, c.CreatedAt}
	})
	return s.write(ctx, a, "campaigns", opt, sheet)
}

// Warmth exports campaign id's warmth list (送温暖名单) that f selects: each household or worker, masked, with
// its application and where it stands.
func (s *Service) Warmth(ctx context.Context, a actor.Actor, id int64, f campaign.WarmthFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "送温暖名单只能打码导出"); err != nil {
		return nil, err
	}
	svc := &campaign.Service{DB: s.DB, Clock: s.Clock}
	sheet := export.Sheet{Name: "送温暖名单", Columns: []export.Column{
		{Title: "申请编号", Width: 18}, {Title: "姓名", Width: 10}, {Title: "档案编号", Width: 18}, {Title: "所属工会", Width: 24},
		{Title: "金额", Kind: export.Money, Width: 12}, {Title: "状态", Width: 10}, {Title: "列入时间", Kind: export.Date, Width: 20},
	}}
	sheet.Rows = listRows[campaign.WarmthEntry, struct{}](opt, func(page int) ([]campaign.WarmthEntry, error) {
		f.Page, f.PerPage = page, pageSize
		p, err := svc.WarmthList(ctx, a, id, f)
		return p.Items, err
	}, nil, func(e campaign.WarmthEntry, _ struct{}, _ bool) []any {
		return []any{e.AppNo, e.Name, e.FileNo, e.OrgName, e.AmountFen, e.StatusName, e.CreatedAt}
	})
	return s.write(ctx, a, "campaign_warmth", opt, sheet)
}
