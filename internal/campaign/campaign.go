// Package campaign owns the in-kind campaigns of SPEC §5: 送清凉 (cooling goods bought into stock and delivered
// to work sites, confirmed by the receiver) and 免费体检 (health checks enrolled against a quota per union). Its
// money and goods move through the ledger (SPEC §6) and every change leaves an audit event (SPEC §7).
package campaign

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Kinds of campaign (SPEC §5).
const (
	Cooling     = "cooling"      // 送清凉
	HealthCheck = "health_check" // 免费体检
	Warmth      = "warmth"       // 送温暖
)

// KindNames are the Chinese names of the kinds.
var KindNames = map[string]string{Cooling: "送清凉", HealthCheck: "免费体检", Warmth: "送温暖"}

// Statuses of a campaign.
const (
	Draft  = "draft"
	Open   = "open"
	Closed = "closed"
)

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[string]string{Draft: "筹备中", Open: "进行中", Closed: "已结束"}

// Service is the campaign area as the web, the CLI and the demo call it: every method takes the actor, checks
// its role before it looks at the input and its scope before it reveals a record, and writes through
// store.InTx, so that a record, its ledger transfers and its audit event commit together.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// readers may read campaigns: SPEC §1.2, admin reads no case or money data.
var readers = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}

// Header is what names a campaign wherever it is shown, on its own page or in a report across campaigns.
type Header struct {
	ID         int64     `db:"id" json:"id"`
	Kind       string    `db:"kind" json:"kind"`
	KindName   string    `db:"-" json:"kind_name"`
	Name       string    `db:"name" json:"name"`
	Status     string    `db:"status" json:"status"`
	StatusName string    `db:"-" json:"status_name"`
	StartsOn   string    `db:"starts_on" json:"starts_on"`
	EndsOn     string    `db:"ends_on" json:"ends_on"`
	OrgID      int64     `db:"org_id" json:"org_id"`
	OrgName    string    `db:"org_name" json:"org_name"`
	OrgPath    string    `db:"org_path" json:"-"`
	BudgetName string    `db:"budget_name" json:"budget_name"`
	PriceFen   money.Fen `db:"price_fen" json:"price_fen"` // health check: the price per check
}

func (h *Header) fill() {
	h.KindName, h.StatusName = KindNames[h.Kind], StatusNames[h.Status]
}

// Campaign is one campaign as it is stored.
type Campaign struct {
	Header
	BudgetAccountID  int64          `db:"budget_account_id" json:"budget_account_id"`
	ExpenseAccountID int64          `db:"expense_account_id" json:"-"`
	Provider         string         `db:"provider" json:"provider"`
	Note             string         `db:"note" json:"note"`
	CreatedBy        int64          `db:"created_by" json:"-"`
	CreatedAt        string         `db:"created_at" json:"created_at"`
	OpenedAt         sql.NullString `db:"opened_at" json:"-"`
	ClosedAt         sql.NullString `db:"closed_at" json:"-"`
	OpenedBy         sql.NullInt64  `db:"opened_by" json:"-"`
	ClosedBy         sql.NullInt64  `db:"closed_by" json:"-"`
}

const selectCampaign = `SELECT c.*, (SELECT o.name FROM orgs o WHERE o.id = c.org_id) AS org_name,
	(SELECT f.name FROM fund_accounts f WHERE f.id = c.budget_account_id) AS budget_name FROM campaigns c`

func get(ctx context.Context, q sqlx.QueryerContext, id int64) (Campaign, error) {
	c, err := store.Get[Campaign](ctx, q, "活动不存在", selectCampaign+" WHERE c.id = ?", id)
	if err != nil {
		return c, err
	}
	c.fill()
	return c, nil
}

// visible reports whether a sees a campaign owned by the org at path: a campaign of the actor's subtree, or
// one run by an org above the actor (a district campaign is worked by the unions under it, SPEC §5).
func visible(a actor.Actor, path string) bool {
	return a.OrgPath != "" && (a.Sees(path) || strings.HasPrefix(a.OrgPath, path))
}

// inScope returns campaign id if a sees it; any other is not acknowledged.
func inScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Campaign, error) {
	c, err := get(ctx, q, id)
	if err == nil && !visible(a, c.OrgPath) {
		return Campaign{}, apperr.NotFoundf("活动不存在")
	}
	return c, err
}

// readable returns campaign id to a reader: a's role must be one that reads campaigns, and the campaign
// must be in a's scope (inScope).
func (s *Service) readable(ctx context.Context, a actor.Actor, id int64) (Campaign, error) {
	if err := a.Require(readers...); err != nil {
		return Campaign{}, err
	}
	return inScope(ctx, s.DB.R, a, id)
}

// managed returns campaign id if it is in a's own subtree: finance manages the campaigns of its subtree only.
func managed(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Campaign, error) {
	c, err := inScope(ctx, q, a, id)
	if err == nil && !a.Sees(c.OrgPath) {
		return Campaign{}, apperr.Forbiddenf("该活动由上级组织%s管理，您只能查看", c.OrgName)
	}
	return c, err
}

// campaignFor is campaign id as find (inScope or managed) reads it for a, if a may take action on it now (Can).
func campaignFor(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64, action string,
	find func(context.Context, sqlx.QueryerContext, actor.Actor, int64) (Campaign, error)) (Campaign, error) {
	c, err := find(ctx, q, a, id)
	if err != nil {
		return Campaign{}, err
	}
	if err := Can(a, &c, action); err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// New is the input of Create.
type New struct {
	Kind            string    `json:"kind" validate:"required,oneof=cooling health_check warmth"`
	Name            string    `json:"name" validate:"required,max=100"`
	StartsOn        string    `json:"starts_on" validate:"required,datetime=2006-01-02"`
	EndsOn          string    `json:"ends_on" validate:"required,datetime=2006-01-02"`
	OrgID           int64     `json:"org_id"`
	BudgetAccountID int64     `json:"budget_account_id" validate:"required,gt=0"`
	Provider        string    `json:"provider" validate:"max=100"`
	PriceFen        money.Fen `json:"price_fen" validate:"gte=0,lte=10000000"`
	Note            string    `json:"note" validate:"max=500"`
}

// Create drafts a campaign on a budget account of its kind (专款专用) and answers it as Get does. Finance only.
func (s *Service) Create(ctx context.Context, a actor.Actor, in New) (View, error) {
	if err := a.Require(actor.Finance); err != nil {
		return View{}, err
	}
	if err := checkNew(&in); err != nil {
		return View{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (View, error) {
		c, err := create(ctx, tx, a, now, in)
		if err != nil {
			return View{}, err
		}
		return view(ctx, tx, a, c) // the answer shows what the creator may do next, as Get does
	})
}

func checkNew(in *New) error {
	in.Name, in.Provider, in.Note = strings.TrimSpace(in.Name), strings.TrimSpace(in.Provider), strings.TrimSpace(in.Note)
	fields := map[string]string{}
	if _, ok := KindNames[in.Kind]; !ok {
		fields["kind"] = "活动类型应为送清凉、免费体检或送温暖"
	}
	if in.Name == "" {
		fields["name"] = "请填写活动名称"
	}
	if _, err := time.Parse("2006-01-02", in.StartsOn); err != nil {
		fields["starts_on"] = "请填写开始日期"
	}
	if _, err := time.Parse("2006-01-02", in.EndsOn); err != nil {
		fields["ends_on"] = "请填写结束日期"
	} else if in.EndsOn < in.StartsOn {
		fields["ends_on"] = "结束日期不能早于开始日期"
	} else if in.EndsOn[:4] != in.StartsOn[:4] {
		fields["ends_on"] = "活动不能跨年度：预算科目按年度安排"
	}
	if in.BudgetAccountID <= 0 {
		fields["budget_account_id"] = "请选择预算科目或下拨额度"
	}
	if in.Kind == HealthCheck && in.Provider == "" {
		fields["provider"] = "请填写体检机构"
	}
	if in.Kind == HealthCheck && in.PriceFen <= 0 {
		fields["price_fen"] = "请填写每人体检费用"
	}
	if in.PriceFen < 0 || in.PriceFen > 10_000_000 {
		fields["price_fen"] = "每人体检费用应在 0 至 10 万元之间"
	}
	if len(fields) == 1 {
		for f, m := range fields {
			return apperr.Invalid(f, m)
		}
	}
	if len(fields) > 0 {
		return apperr.FieldErrors(fields)
	}
	return nil
}

func create(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in New) (Campaign, error) {
	orgID := in.OrgID
	if orgID == 0 {
		orgID = a.OrgID
	}
	o, err := org.GetInScope(ctx, tx, a, orgID)
	if err != nil {
		return Campaign{}, apperr.Invalid("org_id", "所选组织不存在或不在您的管辖范围内")
	}
	acc, err := ledger.GetAccountInScope(ctx, tx, a, in.BudgetAccountID)
	if err != nil {
		return Campaign{}, apperr.Invalid("budget_account_id", "预算科目不存在或不在您的管辖范围内")
	}
	if err := fits(acc, in, o); err != nil {
		return Campaign{}, err
	}
	id, err := nextID(ctx, tx, "campaigns")
	if err != nil {
		return Campaign{}, err
	}
	exp, err := ledger.EnsureAccount(ctx, tx, a, now, ledger.AccountRef{Kind: ledger.Expense, RefType: "campaign",
		RefID: fmt.Sprint(id), Unit: money.CNY, OrgID: o.ID, Name: in.Name + "·支出"})
	if err != nil {
		return Campaign{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, kind, name, status, starts_on, ends_on, org_id, org_path,
		budget_account_id, expense_account_id, provider, price_fen, note, created_by, created_at)
		VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, in.Kind, in.Name, in.StartsOn, in.EndsOn, o.ID, o.Path,
		acc.ID, exp.ID, in.Provider, in.PriceFen, in.Note, a.UserID, store.FormatTime(now)); err != nil {
		return Campaign{}, err
	}
	out, err := get(ctx, tx, id)
	if err != nil {
		return Campaign{}, err
	}
	return out, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.create", EntityType: "campaign",
		EntityID: fmt.Sprint(id), OrgID: o.ID, OrgPath: o.Path, After: out})
}

// fits is 专款专用 for a campaign (SPEC §5, §6): it draws on a budget line or a grassroots allocation of its
// own kind and year, held by its org or an org above it.
func fits(acc ledger.Account, in New, o org.Org) error {
	field := "budget_account_id"
	if acc.Kind != ledger.BudgetLine && acc.Kind != ledger.Allocation {
		return apperr.Invalid(field, acc.Name+"不是预算科目或下拨额度")
	}
	if acc.AidType == nil || *acc.AidType != in.Kind {
		return apperr.Invalid(field, fmt.Sprintf("专款专用：%s不是%s的预算科目", acc.Name, KindNames[in.Kind]))
	}
	if acc.Year == nil || fmt.Sprint(*acc.Year) != in.StartsOn[:4] {
		return apperr.Invalid(field, fmt.Sprintf("%s不是 %s 年度的预算科目", acc.Name, in.StartsOn[:4]))
	}
	if !strings.HasPrefix(o.Path, acc.OrgPath) {
		return apperr.Invalid(field, fmt.Sprintf("%s属于%s，不能用于%s的活动", acc.Name, acc.OrgName, o.Name))
	}
	return nil
}

// Get returns campaign id as its page shows it: the campaign, the actions a may take on it, and its figures.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (View, error) {
	c, err := s.readable(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	return view(ctx, s.DB.R, a, c)
}

// View is a campaign with what the actor may do and its figures.
type View struct {
	Campaign
	Actions []string `json:"actions"`
	Figures Figures  `json:"figures"`
}

func view(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, c Campaign) (View, error) {
	f, err := figures(ctx, q, c)
	if err != nil {
		return View{}, err
	}
	return View{Campaign: c, Actions: Actions(a, &c), Figures: f}, nil
}

// Filter selects campaigns.
type Filter struct {
	Kind    string `query:"kind"`
	Status  string `query:"status"`
	Year    int    `query:"year"`
	Q       string `query:"q"`
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// Page is one page of campaigns.
type Page struct {
	Items []Campaign `json:"items"`
	Total int        `json:"total"`
}

// List returns the campaigns a sees, newest first.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(readers...); err != nil {
		return Page{}, err
	}
	if a.OrgPath == "" {
		return Page{Items: []Campaign{}}, nil
	}
	w, args, err := filterWhere(a, f)
	if err != nil {
		return Page{}, err
	}
	var total int
	if err := sqlx.GetContext(ctx, s.DB.R, &total, "SELECT count(*) FROM campaigns c WHERE "+w, args...); err != nil {
		return Page{}, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	items := []Campaign{}
	if err := sqlx.SelectContext(ctx, s.DB.R, &items, selectCampaign+" WHERE "+w+" ORDER BY c.starts_on DESC, c.id DESC LIMIT ? OFFSET ?",
		append(args, per, (page-1)*per)...); err != nil {
		return Page{}, err
	}
	for i := range items {
		items[i].fill()
	}
	return Page{Items: items, Total: total}, nil
}

// filterWhere is the condition on campaigns c that a sees and f selects: the campaigns of a's subtree and
// those of the orgs above it (each a prefix of a's path), of f's kind, status, year and name.
func filterWhere(a actor.Actor, f Filter) (string, []any, error) {
	scope, args := a.Scope("c.org_path")
	cond := scope
	for i := 1; i < len(a.OrgPath)-1; i++ {
		if a.OrgPath[i] == '/' {
			cond += " OR c.org_path = ?"
			args = append(args, a.OrgPath[:i+1])
		}
	}
	where := []string{"(" + cond + ")"}
	if f.Kind != "" {
		if _, ok := KindNames[f.Kind]; !ok {
			return "", nil, apperr.Invalid("kind", "活动类型取值无效")
		}
		where, args = append(where, "c.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		if _, ok := StatusNames[f.Status]; !ok {
			return "", nil, apperr.Invalid("status", "状态取值无效")
		}
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	if f.Year != 0 {
		if f.Year < 2000 || f.Year > 2100 {
			return "", nil, apperr.Invalid("year", "年度取值无效")
		}
		// Campaigns do not span years (checkNew), so the start date names the year.
		y := fmt.Sprintf("%04d", f.Year)
		where, args = append(where, "c.starts_on >= ? AND c.starts_on < ?"), append(args, y+"-01-01", fmt.Sprintf("%04d-01-01", f.Year+1))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where, args = append(where, "instr(c.name, ?) > 0"), append(args, q)
	}
	return strings.Join(where, " AND "), args, nil
}

// ActionInput is the body of a campaign action.
type ActionInput struct {
	Reason string `json:"reason" validate:"max=500"`
}

// Act takes a lifecycle action (open, close) on campaign id.
func (s *Service) Act(ctx context.Context, a actor.Actor, id int64, action string, in ActionInput) (View, error) {
	t, ok := lifecycle(action)
	if !ok {
		return View{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	if err := a.Require(t.Roles...); err != nil { // who before what
		return View{}, err
	}
	now := s.Clock.Now()
	c, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Campaign, error) {
		before, err := managed(ctx, tx, a, id)
		if err != nil {
			return Campaign{}, err
		}
		if err := Can(a, &before, action); err != nil {
			return Campaign{}, err
		}
		if t.check != nil {
			if err := t.check(ctx, tx, before); err != nil {
				return Campaign{}, err
			}
		}
		col := map[string]string{Open: "opened", Closed: "closed"}[t.To]
		if _, err := tx.ExecContext(ctx, "UPDATE campaigns SET status = ?, "+col+"_by = ?, "+col+"_at = ? WHERE id = ?",
			t.To, a.UserID, store.FormatTime(now), id); err != nil {
			return Campaign{}, err
		}
		after, err := get(ctx, tx, id)
		if err != nil {
			return Campaign{}, err
		}
		return after, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign." + action, EntityType: "campaign",
			EntityID: fmt.Sprint(id), OrgID: after.OrgID, OrgPath: after.OrgPath, Before: before, After: after,
			Reason: strings.TrimSpace(in.Reason)})
	})
	if err != nil {
		return View{}, err
	}
	return view(ctx, s.DB.R, a, c)
}

// History is the audit timeline of campaign id, newest first.
func (s *Service) History(ctx context.Context, a actor.Actor, id int64, page, perPage int) ([]audit.Event, int, error) {
	if _, err := s.readable(ctx, a, id); err != nil {
		return nil, 0, err
	}
	return audit.List(ctx, s.DB.R, a, audit.Filter{EntityType: "campaign", EntityID: fmt.Sprint(id), Page: page, PerPage: perPage})
}

func clockDate(t time.Time) string { return clock.Date(t) }
