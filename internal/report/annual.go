package report

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/campaign"
	"bangfu/internal/clock"
	"bangfu/internal/export"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// AnnualCategory is one category of the year's survey: files opened (摸底登记) by their suggested category,
// and files filed (建档) for the first time in the year by their confirmed category.
type AnnualCategory struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Surveyed int    `db:"surveyed" json:"surveyed"`
	Filed    int    `db:"filed" json:"filed"`
}

// AnnualAid is one aid type: the people helped (each household or person once), the payments and their sum.
// A payment counts when it was made (disbursed or received) for the aid year; one taken back does not.
type AnnualAid struct {
	Key       string    `db:"type" json:"key"`
	Name      string    `db:"-" json:"name"`
	People    int       `db:"people" json:"people"`
	Payments  int       `db:"payments" json:"payments"`
	AmountFen money.Fen `db:"amount" json:"amount_fen"`
}

// AnnualCooling is the year's 送清凉: the goods' value that reached the sites in scope, the sites and workers.
type AnnualCooling struct {
	Campaigns int       `json:"campaigns"`
	ValueFen  money.Fen `json:"value_fen"`
	Sites     int64     `json:"sites"`
	Workers   int64     `json:"workers"`
}

// AnnualHealth is the year's 免费体检 in scope: checks enrolled and done.
type AnnualHealth struct {
	Campaigns int   `json:"campaigns"`
	Enrolled  int64 `json:"enrolled"`
	Checked   int64 `json:"checked"`
}

// Annual are the year-end figures a union chair's report quotes (issue 12 item 2), in the reader's scope.
type Annual struct {
	Year        int                `json:"year"`
	OrgName     string             `json:"org_name"`
	At          string             `json:"at"`
	Surveyed    int                `json:"surveyed"`
	Filed       int                `json:"filed"`
	Categories  []AnnualCategory   `json:"categories"`
	Aid         []AnnualAid        `json:"aid"`
	People      int                `json:"people"` // helped by any aid type, each once
	AmountFen   money.Fen          `json:"amount_fen"`
	GreenReport relief.GreenReport `json:"green_channel"`
	Cooling     AnnualCooling      `json:"cooling"`
	Health      AnnualHealth       `json:"health_check"`
}

// AnnualFilter is the request of the year-end figures.
type AnnualFilter struct {
	Year int `query:"year"`
}

// Annual answers the year-end figures of f.Year (this year when zero) in a's scope.
func (s *Service) Annual(ctx context.Context, a actor.Actor, f AnnualFilter) (Annual, error) {
	if err := a.Require(readers...); err != nil {
		return Annual{}, err
	}
	now := s.Clock.Now()
	year := f.Year
	if year == 0 {
		year = now.In(clock.China).Year()
	}
	if year < 2000 || year > now.In(clock.China).Year() {
		return Annual{}, apperr.Invalid("year", fmt.Sprintf("年度应在 2000 至 %d 之间", now.In(clock.China).Year()))
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, clock.China)
	from, to := store.FormatTime(start), store.FormatTime(start.AddDate(1, 0, 0))
	out := Annual{Year: year, At: store.FormatTime(now)}
	tx, err := s.DB.R.BeginTxx(ctx, nil)
	if err != nil {
		return out, err
	}
	defer tx.Rollback()
	if out.OrgName, err = orgName(ctx, tx, a); err != nil {
		return out, err
	}
	if out.Categories, err = annualCategories(ctx, tx, a, from, to); err != nil {
		return out, err
	}
	for _, c := range out.Categories {
		out.Surveyed += c.Surveyed
		out.Filed += c.Filed
	}
	if out.Aid, out.People, err = annualAid(ctx, tx, a, year); err != nil {
		return out, err
	}
	for _, x := range out.Aid {
		out.AmountFen += x.AmountFen
	}
	tx.Rollback()
	apps := &relief.Service{DB: s.DB, Clock: s.Clock}
	if out.GreenReport, err = apps.GreenChannelReport(ctx, a, relief.Period{From: start.Format("2006-01-02"), To: start.AddDate(1, 0, -1).Format("2006-01-02")}); err != nil {
		return out, err
	}
	out.Cooling, out.Health, err = s.annualCampaigns(ctx, a, year)
	return out, err
}

func annualCategories(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, from, to string) ([]AnnualCategory, error) {
	scope, args := a.Scope("org_path")
	var rows []struct {
		Category string `db:"category"`
		Surveyed int    `db:"surveyed"`
		Filed    int    `db:"filed"`
	}
	// A file is surveyed in the year it was registered, under the category its numbers suggest; filed in the
	// year of its first filing, under the category the supervisor confirmed.
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT category, sum(surveyed) AS surveyed, sum(filed) AS filed FROM (
		SELECT suggested_category AS category, 1 AS surveyed, 0 AS filed FROM households
			WHERE created_at >= ? AND created_at < ? AND `+scope+`
		UNION ALL
		SELECT category, 0, 1 FROM households WHERE first_filed_at >= ? AND first_filed_at < ? AND `+scope+`
	) GROUP BY category`, append(append([]any{from, to}, args...), append([]any{from, to}, args...)...)...)
	if err != nil {
		return nil, err
	}
	by := map[string]AnnualCategory{}
	for _, r := range rows {
		by[r.Category] = AnnualCategory{Surveyed: r.Surveyed, Filed: r.Filed}
	}
	out := []AnnualCategory{}
	for _, c := range []household.Category{household.Deep, household.Relative, household.Accident, household.Ineligible} {
		x := by[string(c)]
		x.Key, x.Name = string(c), household.CategoryNames[c]
		out = append(out, x)
	}
	return out, nil
}

func annualAid(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, year int) ([]AnnualAid, int, error) {
	scope, args := a.Scope("org_path")
	paid := "aid_year = ? AND status IN ('disbursed', 'received') AND " + scope
	var rows []AnnualAid
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT type, count(DISTINCT beneficiary) AS people, count(*) AS payments,
		sum(amount_fen) AS amount FROM applications WHERE `+paid+` GROUP BY type`, append([]any{year}, args...)...); err != nil {
		return nil, 0, err
	}
	var people int
	if err := sqlx.GetContext(ctx, q, &people, "SELECT count(DISTINCT beneficiary) FROM applications WHERE "+paid,
		append([]any{year}, args...)...); err != nil {
		return nil, 0, err
	}
	by := map[string]AnnualAid{}
	for _, r := range rows {
		by[r.Key] = r
	}
	out := []AnnualAid{}
	for _, t := range relief.Types {
		x := by[string(t)]
		x.Key, x.Name = string(t), relief.TypeNames[t]
		out = append(out, x)
	}
	return out, people, nil
}

// annualCampaigns reads the coverage of the campaigns that started in year as a sees them (the campaign
// area's Coverage, counted in a's scope): the cooling goods that reached its sites, the checks done.
func (s *Service) annualCampaigns(ctx context.Context, a actor.Actor, year int) (AnnualCooling, AnnualHealth, error) {
	svc := &campaign.Service{DB: s.DB, Clock: s.Clock}
	cool, err := svc.Coverage(ctx, a, campaign.Filter{Kind: campaign.Cooling, Year: year, PerPage: 1})
	if err != nil {
		return AnnualCooling{}, AnnualHealth{}, err
	}
	health, err := svc.Coverage(ctx, a, campaign.Filter{Kind: campaign.HealthCheck, Year: year, PerPage: 1})
	if err != nil {
		return AnnualCooling{}, AnnualHealth{}, err
	}
	c, h := cool.Totals, health.Totals
	return AnnualCooling{Campaigns: cool.Total, ValueFen: c.DeliveredValueFen, Sites: c.Sites, Workers: c.WorkersCovered},
		AnnualHealth{Campaigns: health.Total, Enrolled: h.Enrolled, Checked: h.Checked}, nil
}

// AnnualFile writes the year-end figures of f as a workbook (or CSV) of one sheet: one row per figure,
// grouped by section, with the union's name and the date at the top. The export is audited like any other.
func (s *Service) AnnualFile(ctx context.Context, a actor.Actor, f AnnualFilter, opt Options) (*File, error) {
	if opt.Unmasked {
		return nil, apperr.Invalid("unmasked", "年度统计不含证件号码，无需不打码导出")
	}
	r, err := s.Annual(ctx, a, f)
	if err != nil {
		return nil, err
	}
	sheet := export.Sheet{Name: fmt.Sprintf("%d年度帮扶工作统计", r.Year), Columns: []export.Column{
		{Title: "类别", Width: 16}, {Title: "项目", Width: 24}, {Title: "户数/人数", Kind: export.Int, Width: 12},
		{Title: "件数", Kind: export.Int, Width: 10}, {Title: "金额（元）", Kind: export.Money, Width: 16}, {Title: "说明", Width: 40},
	}}
	sheet.Rows = func(emit func([]any) error) error {
		var rows [][]any
		add := func(v ...any) { rows = append(rows, v) }
		add("统计单位", r.OrgName, "", "", "", "统计日期 "+clock.Date(s.Clock.Now()))
		for _, c := range r.Categories {
			add("困难职工摸底", c.Name, c.Surveyed, "", "", "当年登记（按系统建议类别）")
		}
		add("困难职工摸底", "合计", r.Surveyed, "", "", "")
		for _, c := range r.Categories {
			add("困难职工建档", c.Name, c.Filed, "", "", "当年首次建档（按确认类别）")
		}
		add("困难职工建档", "合计", r.Filed, "", "", "")
		for _, x := range r.Aid {
			add("救助发放", x.Name, x.People, x.Payments, x.AmountFen, "已发放（不含追回）")
		}
		add("救助发放", "合计", r.People, "", r.AmountFen, "同一户（人）多项救助只计一次")
		g, n := r.GreenReport.Green, r.GreenReport.Normal
		add("绿色通道", "绿色通道申请", g.Submitted, g.Approved, g.AmountFen,
			fmt.Sprintf("已决定 %d 件，时限内 %d 件，中位 %.1f 小时，90%% 在 %.1f 小时内", g.Decided, g.WithinSLA, g.MedianHours, g.P90Hours))
		add("绿色通道", "普通申请", n.Submitted, n.Approved, n.AmountFen,
			fmt.Sprintf("已决定 %d 件，时限内 %d 件，中位 %.1f 小时，90%% 在 %.1f 小时内", n.Decided, n.WithinSLA, n.MedianHours, n.P90Hours))
		add("送清凉", "发放物资价值", r.Cooling.Workers, "", r.Cooling.ValueFen, fmt.Sprintf("%d 项活动，%d 个站点，覆盖职工人数", r.Cooling.Campaigns, r.Cooling.Sites))
		add("免费体检", "完成体检", r.Health.Checked, "", "", fmt.Sprintf("%d 项活动，报名 %d 人", r.Health.Campaigns, r.Health.Enrolled))
		for _, row := range rows {
			for i, v := range row {
				if v == "" && sheet.Columns[i].Kind != export.Text {
					row[i] = nil
				}
			}
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}
	return s.write(ctx, a, "annual", opt, sheet)
}
