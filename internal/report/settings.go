package report

import (
	"context"

	"bangfu/internal/actor"
	"bangfu/internal/export"
	"bangfu/internal/household"
	"bangfu/internal/policy"
)

// PolicyFilter pages nothing: the versions are few and exported whole.
type PolicyFilter struct{}

// Policies exports every policy version (政策参数), newest effective date first: when and where each applies
// and its figures.
func (s *Service) Policies(ctx context.Context, a actor.Actor, _ PolicyFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "政策参数不含个人信息，无需不打码导出"); err != nil {
		return nil, err
	}
	ps, err := (&policy.Service{DB: s.DB, Clock: s.Clock}).List(ctx, a)
	if err != nil {
		return nil, err
	}
	cols := []export.Column{{Title: "生效日期", Kind: export.Date, Width: 12}, {Title: "适用组织", Width: 24}}
	for _, t := range []string{"低保标准（月）", "生活救助年度上限", "医疗救助年度上限", "每户年度上限", "二次审批门槛", "绿色通道单笔上限", "送温暖标准"} {
		cols = append(cols, export.Column{Title: t, Kind: export.Money, Width: 14})
	}
	cols = append(cols, export.Column{Title: "绿色通道时限（小时）", Kind: export.Int, Width: 10}, export.Column{Title: "补材料期限（天）", Kind: export.Int, Width: 10},
		export.Column{Title: "公示天数", Kind: export.Int, Width: 8}, export.Column{Title: "创建人", Width: 10}, export.Column{Title: "创建时间", Kind: export.Date, Width: 20})
	sheet := export.Sheet{Name: "政策参数", Columns: cols, Rows: func(emit func([]any) error) error {
		for _, p := range ps {
			org := p.OrgName
			if org == "" {
				org = "全区"
			}
			x := p.Params
			if err := emit([]any{p.EffectiveFrom, org, x.DibaoMonthlyFen, x.LivingCapYearFen,
				x.MedicalCapYearFen, x.HouseholdCapYearFen, x.SecondApprovalAboveFen,
				x.GreenMaxAmountFen, x.WarmthAmountFen, x.GreenSLAHours, x.GreenDocsDays, x.PublicityDays,
				p.CreatedBy, p.CreatedAt}); err != nil {
				return err
			}
		}
		return nil
	}}
	return s.write(ctx, a, "policies", opt, sheet)
}

// HolidayFilter is the year of the holidays page, the household area's own filter.
type HolidayFilter = household.HolidayFilter

// Holidays exports the holidays and working weekends of the calendar (节假日) for a year, or all of them.
func (s *Service) Holidays(ctx context.Context, a actor.Actor, f HolidayFilter, opt Options) (*File, error) {
	if err := maskedOnly(opt, "节假日不含个人信息，无需不打码导出"); err != nil {
		return nil, err
	}
	hs, err := (&household.Service{DB: s.DB, Clock: s.Clock}).Holidays(ctx, a, f)
	if err != nil {
		return nil, err
	}
	sheet := export.Sheet{Name: "节假日", Columns: []export.Column{{Title: "日期", Kind: export.Date, Width: 12}, {Title: "名称", Width: 20}},
		Rows: func(emit func([]any) error) error {
			for _, h := range hs {
				if err := emit([]any{h.Date, h.Name}); err != nil {
					return err
				}
			}
			return nil
		}}
	return s.write(ctx, a, "holidays", opt, sheet)
}
