package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/campaign"
	"bangfu/internal/clock"
	"bangfu/internal/finaudit"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/relief"
	"bangfu/internal/store"
)

// readers are the roles that read the dashboard and the year-end figures: those who keep, decide, pay or audit
// cases. Admin manages users, orgs and policy versions and reads no case or money data (SPEC §1.2).
var readers = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}

// moneyReaders see the money section: the roles that read the ledger (SPEC §6).
var moneyReaders = []actor.Role{actor.Finance, actor.Auditor, actor.Supervisor}

// Count is one bar or slice of a chart: a code, its Chinese name and how many.
type Count struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	N    int    `json:"n"`
}

// Households are the open files in scope (SPEC §8.1): every status but exited and rejected.
type Households struct {
	Open       int     `json:"open"`
	ByStatus   []Count `json:"by_status"`
	ByCategory []Count `json:"by_category"` // the confirmed category; files not yet filed are "未定级"
}

// ApplicationRow is one aid type or status with its green-channel and ordinary applications.
type ApplicationRow struct {
	Key       string    `json:"key"`
	Name      string    `json:"name"`
	Green     int       `json:"green"`
	Normal    int       `json:"normal"`
	AmountFen money.Fen `json:"amount_fen"` // all of them, whatever their status
}

// Applications are the applications of the year in scope by type and by status, green vs normal.
type Applications struct {
	Year     int              `json:"year"`
	Total    int              `json:"total"`
	Green    int              `json:"green"`
	ByType   []ApplicationRow `json:"by_type"`
	ByStatus []ApplicationRow `json:"by_status"`
}

// MoneyRow is one fund source or budget line: what it paid in the year, what is reserved for approved
// applications, and what is left.
type MoneyRow struct {
	AccountID    int64     `json:"account_id"`
	Name         string    `json:"name"`
	OrgName      string    `json:"org_name"`
	ReceivedFen  money.Fen `json:"received_fen"`
	PaidFen      money.Fen `json:"paid_fen"`
	ReservedFen  money.Fen `json:"reserved_fen"`
	AvailableFen money.Fen `json:"available_fen"`
}

// MoneyMonth is one month of the year's payments and receipts.
type MoneyMonth struct {
	Month       string    `json:"month"`
	ReceivedFen money.Fen `json:"received_fen"`
	PaidFen     money.Fen `json:"paid_fen"`
}

// Money is the year's money by fund, budget line and month, read from the fund-use summary (finaudit).
type Money struct {
	Year   int          `json:"year"`
	Funds  []MoneyRow   `json:"funds"`
	Lines  []MoneyRow   `json:"budget_lines"`
	Months []MoneyMonth `json:"months"`
}

// Campaign is one campaign of the year and how far it reached in the reader's scope (the campaign area's
// Coverage): the grassroots unions it is meant to reach and those it did, and its kind's own measure.
type Campaign struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	KindName      string `json:"kind_name"`
	StatusName    string `json:"status_name"`
	UnionsPlanned int64  `json:"unions_planned"`
	UnionsReached int64  `json:"unions_reached"`
	Reach         string `json:"reach"` // e.g. "12 个站点，1,470 人次" — the kind's own measure, in Chinese
}

// campaignsShown is how many of the year's campaigns the dashboard draws, newest first.
const campaignsShown = 12

// Countdown is a green-channel application waiting for a decision, with its deadline (SPEC §4.3).
type Countdown struct {
	ID            int64     `json:"id"`
	AppNo         string    `json:"app_no"`
	ApplicantName string    `json:"applicant_name"`
	TypeName      string    `json:"type_name"`
	AmountFen     money.Fen `json:"amount_fen"`
	DecideBy      string    `json:"decide_by"`
	Overdue       bool      `json:"overdue"`
}

// Queue is one work list waiting for the user, with its count; Capped: the count is at least N.
type Queue struct {
	Key        string      `json:"key"`
	Name       string      `json:"name"`
	N          int         `json:"n"`
	Capped     bool        `json:"capped"`
	Countdowns []Countdown `json:"countdowns,omitempty"`
}

// Dashboard is the home page of SPEC §8.1 for one user: everything in their scope, and what waits for them.
// Money is nil for a role that does not read the ledger.
type Dashboard struct {
	At           string       `json:"at"`
	OrgName      string       `json:"org_name"`
	Households   Households   `json:"households"`
	Applications Applications `json:"applications"`
	Money        *Money       `json:"money"`
	Campaigns    []Campaign   `json:"campaigns"`
	Waiting      []Queue      `json:"waiting"`
}

// categoryOrder is the display order of the categories on the dashboard; "" is a file not yet filed.
var categoryOrder = []household.Category{household.Deep, household.Relative, household.Accident, household.Ineligible, ""}

// openStatuses are the statuses of an open file, in lifecycle order.
var openStatuses = []household.Status{household.Draft, household.Submitted, household.Visited, household.Publicizing,
	household.Filed, household.ReviewDue}

// Dashboard answers the dashboard for a, read in a's scope.
func (s *Service) Dashboard(ctx context.Context, a actor.Actor) (Dashboard, error) {
	if err := a.Require(readers...); err != nil {
		return Dashboard{}, err
	}
	now := s.Clock.Now()
	year := now.In(clock.China).Year()
	out := Dashboard{At: store.FormatTime(now), Waiting: []Queue{}}
	// One read transaction: the sections agree with each other.
	tx, err := s.DB.R.BeginTxx(ctx, nil)
	if err != nil {
		return out, err
	}
	defer tx.Rollback()
	if out.OrgName, err = orgName(ctx, tx, a); err != nil {
		return out, err
	}
	if out.Households, err = openHouseholds(ctx, tx, a, now); err != nil {
		return out, err
	}
	if out.Applications, err = applicationsOf(ctx, tx, a, year); err != nil {
		return out, err
	}
	if a.Require(moneyReaders...) == nil {
		m, err := s.money(ctx, a, year)
		if err != nil {
			return out, err
		}
		out.Money = &m
	}
	if out.Campaigns, err = s.campaigns(ctx, a, year); err != nil {
		return out, err
	}
	out.Waiting, err = s.waiting(ctx, a)
	return out, err
}

// campaigns reads the year's campaigns' coverage through the campaign area, in a's scope.
func (s *Service) campaigns(ctx context.Context, a actor.Actor, year int) ([]Campaign, error) {
	p, err := (&campaign.Service{DB: s.DB, Clock: s.Clock}).Coverage(ctx, a, campaign.Filter{Year: year, PerPage: campaignsShown})
	if err != nil {
		return nil, err
	}
	out := []Campaign{}
	for _, c := range p.Items {
		x := Campaign{ID: c.ID, Name: c.Name, KindName: c.KindName, StatusName: c.StatusName, UnionsPlanned: c.UnionsPlanned,
			UnionsReached: c.UnionsReached}
		switch c.Kind {
		case campaign.Cooling:
			x.Reach = fmt.Sprintf("%d 个站点，%d 人次，物资 %s", c.Sites, c.WorkersCovered, c.DeliveredValueFen)
		case campaign.HealthCheck:
			x.Reach = fmt.Sprintf("名额 %d，报名 %d 人，已体检 %d 人", c.Quota, c.Enrolled, c.Checked)
		default:
			x.Reach = fmt.Sprintf("%d 户，已发放 %d 户", c.Households, c.Paid)
		}
		out = append(out, x)
	}
	return out, nil
}

func orgName(ctx context.Context, q sqlx.QueryerContext, a actor.Actor) (string, error) {
	var name string
	err := sqlx.GetContext(ctx, q, &name, "SELECT coalesce((SELECT name FROM orgs WHERE id = ?), '')", a.OrgID)
	return name, err
}

// openHouseholds counts the open files in a's scope by status (review_due as the household area sees it) and
// by confirmed category: the district's in one ordered pass over households_dashboard, a subtree's over its
// range of households_scope, both covering (migration 19).
func openHouseholds(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time) (Households, error) {
	whole, err := household.SeesAll(ctx, q, a)
	if err != nil {
		return Households{}, err
	}
	from, scope, args := "households INDEXED BY households_dashboard", "1", []any(nil)
	if !whole {
		from = "households INDEXED BY households_scope"
		scope, args = a.Scope("org_path")
	}
	var rows []struct {
		Status   string `db:"status"`
		Category string `db:"category"`
		N        int    `db:"n"`
		Due      int    `db:"due"` // filed a year ago or more: due for the annual review
	}
	err = sqlx.SelectContext(ctx, q, &rows, `SELECT status, category, count(*) AS n, coalesce(sum(filed_at <= ?), 0) AS due
		FROM `+from+` WHERE status IN ('draft', 'submitted', 'visited', 'publicizing', 'filed') AND `+scope+`
		GROUP BY status, category`, append([]any{household.ReviewCutoff(now)}, args...)...)
	if err != nil {
		return Households{}, err
	}
	byStatus, byCategory := map[string]int{}, map[string]int{}
	out := Households{}
	for _, r := range rows {
		if r.Status == string(household.Filed) {
			byStatus[string(household.ReviewDue)] += r.Due
			byStatus[r.Status] += r.N - r.Due
		} else {
			byStatus[r.Status] += r.N
		}
		byCategory[r.Category] += r.N
		out.Open += r.N
	}
	for _, st := range openStatuses {
		out.ByStatus = append(out.ByStatus, Count{string(st), household.StatusNames[st], byStatus[string(st)]})
	}
	for _, c := range categoryOrder {
		name := household.CategoryNames[c]
		if c == "" {
			name = "未定级"
		}
		out.ByCategory = append(out.ByCategory, Count{string(c), name, byCategory[string(c)]})
	}
	return out, nil
}

// dashboardStatuses are the application statuses the dashboard shows, in workflow order (drafts are the
// caseworker's own business and are left out).
var dashboardStatuses = []relief.Status{relief.Submitted, relief.FirstApproved, relief.Returned, relief.Approved,
	relief.Disbursed, relief.Received, relief.Rejected, relief.Cancelled, relief.Recovered}

// applicationsOf counts the applications of aid year in a's scope by type and by status, green vs normal.
func applicationsOf(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, year int) (Applications, error) {
	scope, args := a.Scope("org_path")
	var rows []struct {
		Type   string    `db:"type"`
		Status string    `db:"status"`
		Green  bool      `db:"green"`
		N      int       `db:"n"`
		Amount money.Fen `db:"amount"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT type, status, green, count(*) AS n, sum(amount_fen) AS amount
		FROM applications WHERE aid_year = ? AND status <> 'draft' AND `+scope+` GROUP BY type, status, green`,
		append([]any{year}, args...)...)
	if err != nil {
		return Applications{}, err
	}
	out := Applications{Year: year, ByType: []ApplicationRow{}, ByStatus: []ApplicationRow{}}
	types := map[string]*ApplicationRow{}
	for _, t := range relief.Types {
		out.ByType = append(out.ByType, ApplicationRow{Key: string(t), Name: relief.TypeNames[t]})
	}
	for i := range out.ByType {
		types[out.ByType[i].Key] = &out.ByType[i]
	}
	statuses := map[string]*ApplicationRow{}
	for _, st := range dashboardStatuses {
		out.ByStatus = append(out.ByStatus, ApplicationRow{Key: string(st), Name: relief.StatusNames[st]})
	}
	for i := range out.ByStatus {
		statuses[out.ByStatus[i].Key] = &out.ByStatus[i]
	}
	for _, r := range rows {
		out.Total += r.N
		for _, row := range []*ApplicationRow{types[r.Type], statuses[r.Status]} {
			if row == nil {
				continue
			}
			if r.Green {
				row.Green += r.N
			} else {
				row.Normal += r.N
			}
			row.AmountFen += r.Amount
		}
		if r.Green {
			out.Green += r.N
		}
	}
	return out, nil
}

// money reads the year's fund-use summary through the finance audit, which checks the role and the scope
// again, and keeps what the dashboard draws.
func (s *Service) money(ctx context.Context, a actor.Actor, year int) (Money, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, clock.China).Format("2006-01-02")
	fu, err := (&finaudit.Service{DB: s.DB, Clock: s.Clock}).FundUse(ctx, a, finaudit.FundUseFilter{From: from})
	if err != nil {
		return Money{}, err
	}
	row := func(r finaudit.FundUseRow) MoneyRow {
		return MoneyRow{AccountID: r.AccountID, Name: r.Name, OrgName: r.OrgName, ReceivedFen: r.ReceivedFen,
			PaidFen: r.PaidFen, ReservedFen: r.ReservedFen, AvailableFen: r.AvailableFen}
	}
	out := Money{Year: year, Funds: []MoneyRow{}, Lines: []MoneyRow{}, Months: []MoneyMonth{}}
	for _, r := range fu.Funds {
		out.Funds = append(out.Funds, row(r))
	}
	for _, r := range fu.Lines {
		out.Lines = append(out.Lines, row(r))
	}
	for _, m := range fu.Months {
		out.Months = append(out.Months, MoneyMonth{Month: m.Month, ReceivedFen: m.ReceivedFen, PaidFen: m.PaidFen})
	}
	return out, nil
}

// A work list of the dashboard: an application queue of the relief area (its rules, its order) or a
// household list of the household area, and the roles it waits for.
type workList struct {
	key, name   string
	roles       []actor.Role
	application relief.Filter
	household   *household.Filter
}

// workLists are what waits for whom (SPEC §3.3, §4.2, §4.3), in the order the dashboard shows them.
var workLists = []workList{
	{key: "approval", name: "待审批申请", roles: []actor.Role{actor.Supervisor}, application: relief.Filter{Queue: "approval"}},
	{key: "review", name: "待事后复核", roles: []actor.Role{actor.Supervisor, actor.Auditor}, application: relief.Filter{Queue: "review"}},
	{key: "households_publicizing", name: "公示中待建档", roles: []actor.Role{actor.Supervisor},
		household: &household.Filter{Status: string(household.Publicizing)}},
	{key: "households_review_due", name: "待年度复审档案", roles: []actor.Role{actor.Supervisor},
		household: &household.Filter{Status: string(household.ReviewDue)}},
	{key: "finance", name: "待发放", roles: []actor.Role{actor.Finance}, application: relief.Filter{Queue: "finance"}},
	{key: "returned", name: "被退回的申请", roles: []actor.Role{actor.Caseworker}, application: relief.Filter{Status: string(relief.Returned)}},
	{key: "households_submitted", name: "待入户走访", roles: []actor.Role{actor.Caseworker},
		household: &household.Filter{Status: string(household.Submitted)}},
	{key: "households_draft", name: "草稿档案", roles: []actor.Role{actor.Caseworker}, household: &household.Filter{Status: string(household.Draft)}},
	{key: "docs_overdue", name: "绿色通道材料逾期", roles: []actor.Role{actor.Caseworker, actor.Auditor},
		application: relief.Filter{Queue: "docs_overdue"}},
	{key: "receipt", name: "待签收确认", roles: []actor.Role{actor.Caseworker, actor.Finance}, application: relief.Filter{Queue: "receipt"}},
}

// countdownsShown is how many green-channel countdowns the approval queue brings to the dashboard.
const countdownsShown = 5

// waiting counts each work list of a's roles through the owning area's own list, so the dashboard's numbers
// are the lists' numbers; the approval queue brings its first green-channel cases with their deadlines.
func (s *Service) waiting(ctx context.Context, a actor.Actor) ([]Queue, error) {
	out := []Queue{}
	apps := &relief.Service{DB: s.DB, Clock: s.Clock}
	hhs := &household.Service{DB: s.DB, Clock: s.Clock}
	for _, w := range workLists {
		if !slices.ContainsFunc(w.roles, a.Has) {
			continue
		}
		q := Queue{Key: w.key, Name: w.name}
		if w.household != nil {
			f := *w.household
			f.PerPage = 1
			p, err := hhs.List(ctx, a, f)
			if err != nil {
				return nil, err
			}
			q.N, q.Capped = p.Total, p.TotalCapped
		} else {
			f := w.application
			f.PerPage = 1
			if w.key == "approval" {
				f.PerPage = countdownsShown // green-channel cases come first in this queue
			}
			p, err := apps.List(ctx, a, f)
			if err != nil {
				return nil, err
			}
			q.N = p.Total
			if w.key == "approval" {
				for _, v := range p.Items {
					if v.Green && v.DecideBy.Valid {
						q.Countdowns = append(q.Countdowns, Countdown{ID: v.ID, AppNo: v.AppNo, ApplicantName: v.ApplicantName,
							TypeName: relief.TypeNames[v.Type], AmountFen: v.AmountFen, DecideBy: v.DecideBy.String, Overdue: v.Overdue})
					}
				}
			}
		}
		out = append(out, q)
	}
	return out, nil
}
