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
