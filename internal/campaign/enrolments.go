package campaign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/ledger"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Enrolment statuses of a health check (SPEC §5).
const (
	Enrolled        = "enrolled"
	Checked         = "checked"
	ReportDelivered = "report_delivered"
	Withdrawn       = "withdrawn"
)

// EnrolmentStatusNames are the Chinese names of an enrolment's statuses.
var EnrolmentStatusNames = map[string]string{Enrolled: "已报名", Checked: "已体检", ReportDelivered: "报告已送达", Withdrawn: "已退出"}

// EnrolmentStep is one row of an enrolment's state table: the action, the statuses it is taken from and the
// one it leads to. Who may take it and whether the campaign is running is the campaign table's (Rules).
type EnrolmentStep struct {
	Action string
	From   []string
	To     string
}

// EnrolmentSteps is the state machine of an enrolment: enrolled → checked (the cost is posted) →
// report_delivered, or enrolled → withdrawn.
var EnrolmentSteps = []EnrolmentStep{
	{ActCheck, []string{Enrolled}, Checked},
	{ActReport, []string{Checked}, ReportDelivered},
	{ActWithdraw, []string{Enrolled}, Withdrawn},
}

func enrolmentStep(action string) (EnrolmentStep, bool) {
	for _, s := range EnrolmentSteps {
		if s.Action == action {
			return s, true
		}
	}
	return EnrolmentStep{}, false
}

// EnrolmentActions lists the enrolment actions in table order, for the route table.
func EnrolmentActions() []string {
	out := make([]string, len(EnrolmentSteps))
	for i, s := range EnrolmentSteps {
		out[i] = s.Action
	}
	return out
}

// Enrolment is one worker enrolled for a health check.
type Enrolment struct {
	ID             int64          `db:"id" json:"id"`
	CampaignID     int64          `db:"campaign_id" json:"campaign_id"`
	OrgID          int64          `db:"org_id" json:"org_id"`
	OrgName        string         `db:"org_name" json:"org_name"`
	OrgPath        string         `db:"org_path" json:"-"`
	Name           string         `db:"name" json:"name"`
	IDNumber       string         `db:"id_number" json:"id_number"`
	Phone          string         `db:"phone" json:"phone"`
	Migrant        bool           `db:"migrant" json:"migrant"`
	HouseholdID    sql.NullInt64  `db:"household_id" json:"-"`
	Household      int64          `db:"-" json:"household_id"`
	Status         string         `db:"status" json:"status"`
	StatusName     string         `db:"-" json:"status_name"`
	CheckedOnRaw   sql.NullString `db:"checked_on" json:"-"`
	CheckedOn      string         `db:"-" json:"checked_on"`
	ReportOnRaw    sql.NullString `db:"report_on" json:"-"`
	ReportOn       string         `db:"-" json:"report_on"`
	TransferID     sql.NullInt64  `db:"transfer_id" json:"-"`
	CreatedAt      string         `db:"created_at" json:"created_at"`
	UpdatedAt      string         `db:"updated_at" json:"updated_at"`
	WithdrawReason string         `db:"withdraw_reason" json:"withdraw_reason"`
	Actions        []string       `db:"-" json:"actions"`
}

func (e *Enrolment) fill() {
	e.Household, e.StatusName = e.HouseholdID.Int64, EnrolmentStatusNames[e.Status]
	e.CheckedOn, e.ReportOn = e.CheckedOnRaw.String, e.ReportOnRaw.String
	e.IDNumber, e.Phone = ident.MaskID(e.IDNumber), ident.MaskPhone(e.Phone)
	if e.Actions == nil {
		e.Actions = []string{}
	}
}

const selectEnrolment = `SELECT e.id, e.campaign_id, e.org_id, (SELECT o.name FROM orgs o WHERE o.id = e.org_id) AS org_name,
	e.org_path, e.name, e.id_number, e.phone, e.migrant, e.household_id, e.status, e.checked_on, e.report_on, e.transfer_id,
	e.created_at, e.updated_at, e.withdraw_reason FROM campaign_enrolments e`

func getEnrolment(ctx context.Context, q sqlx.QueryerContext, id int64) (Enrolment, error) {
	e, err := store.Get[Enrolment](ctx, q, "报名记录不存在", selectEnrolment+" WHERE e.id = ?", id)
	if err != nil {
		return e, err
	}
	e.fill()
	return e, nil
}

func enrolmentActions(a actor.Actor, c *Campaign, e *Enrolment) []string {
	out := []string{}
	for _, st := range EnrolmentSteps {
		if Can(a, c, st.Action) == nil && slices.Contains(st.From, e.Status) {
			out = append(out, st.Action)
		}
	}
	return out
}

// Quota is a grassroots union's share of a health check, with how much of it is used.
type Quota struct {
	OrgID    int64  `db:"org_id" json:"org_id"`
	OrgName  string `db:"org_name" json:"org_name"`
	Quota    int64  `db:"quota" json:"quota"`
	Enrolled int64  `db:"enrolled" json:"enrolled"`
	Checked  int64  `db:"checked" json:"checked"`
	Reported int64  `db:"reported" json:"reports_delivered"`
}

func quotasOf(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, campaignID int64) ([]Quota, error) {
	scope, args := a.Scope("o.path")
	out := []Quota{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT k.org_id, o.name AS org_name, k.quota,
		(SELECT count(*) FROM campaign_enrolments e WHERE e.campaign_id = k.campaign_id AND e.org_id = k.org_id AND e.status <> 'withdrawn') AS enrolled,
		(SELECT count(*) FROM campaign_enrolments e WHERE e.campaign_id = k.campaign_id AND e.org_id = k.org_id AND e.status IN ('checked', 'report_delivered')) AS checked,
		(SELECT count(*) FROM campaign_enrolments e WHERE e.campaign_id = k.campaign_id AND e.org_id = k.org_id AND e.status = 'report_delivered') AS reported
		FROM campaign_quotas k JOIN orgs o ON o.id = k.org_id WHERE k.campaign_id = ? AND `+scope+` ORDER BY o.code`,
		append([]any{campaignID}, args...)...)
	return out, err
}

// Quotas lists the quotas of campaign id in a's scope with their use.
func (s *Service) Quotas(ctx context.Context, a actor.Actor, id int64) ([]Quota, error) {
	if _, err := s.readable(ctx, a, id); err != nil {
		return nil, err
	}
	return quotasOf(ctx, s.DB.R, a, id)
}

// QuotaInput sets the quotas of some unions; unions not listed keep theirs.
type QuotaInput struct {
	Quotas []struct {
		OrgID int64 `json:"org_id"`
		Quota int64 `json:"quota"`
	} `json:"quotas" validate:"max=500"`
}

// SetQuotas sets quotas per grassroots union (SPEC §5). The checks still to come, at the campaign's price,
// must stay within what the budget account has (the quotas sum within the budget), and no quota goes below
// the workers already enrolled. Finance, on a campaign it manages.
func (s *Service) SetQuotas(ctx context.Context, a actor.Actor, id int64, in QuotaInput) ([]Quota, error) {
	if err := a.Require(finance...); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	if len(in.Quotas) == 0 {
		fields["quotas"] = "请至少为一个基层工会设置名额"
	}
	if len(in.Quotas) > 500 {
		fields["quotas"] = "一次最多设置 500 个基层工会"
	}
	seen := map[int64]bool{}
	for i, q := range in.Quotas {
		if q.OrgID <= 0 || seen[q.OrgID] {
			fields[fmt.Sprintf("quotas[%d].org_id", i)] = "请选择基层工会（每个只列一次）"
		}
		seen[q.OrgID] = true
		if q.Quota < 0 || q.Quota > 100_000 {
			fields[fmt.Sprintf("quotas[%d].quota", i)] = "名额应为 0 至 100000 的整数"
		}
	}
	if err := fieldErrors(fields); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) ([]Quota, error) {
		c, err := campaignFor(ctx, tx, a, id, ActSetQuota, managed)
		if err != nil {
			return nil, err
		}
		before, err := quotasOf(ctx, tx, a, id)
		if err != nil {
			return nil, err
		}
		for i, q := range in.Quotas {
			field := fmt.Sprintf("quotas[%d]", i)
			o, err := org.GetInScope(ctx, tx, a, q.OrgID)
			if err != nil || o.Level != org.Grassroots || !strings.HasPrefix(o.Path, c.OrgPath) {
				return nil, apperr.Invalid(field+".org_id", "请选择活动范围内的基层工会")
			}
			var alive int64
			if err := tx.GetContext(ctx, &alive, `SELECT count(*) FROM campaign_enrolments WHERE campaign_id = ? AND org_id = ?
				AND status <> 'withdrawn'`, c.ID, o.ID); err != nil {
				return nil, err
			}
			if q.Quota < alive {
				msg := fmt.Sprintf("%s已有 %d 人报名，名额不能少于 %d", o.Name, alive, alive)
				return nil, &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{field + ".quota": msg}}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_quotas (campaign_id, org_id, quota) VALUES (?, ?, ?)
				ON CONFLICT (campaign_id, org_id) DO UPDATE SET quota = excluded.quota`, c.ID, o.ID, q.Quota); err != nil {
				return nil, err
			}
		}
		f, err := figures(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		if f.CommittedChecksFen > f.BudgetAvailableFen {
			msg := fmt.Sprintf("名额超出预算：尚待体检 %d 人 × %s = %s，预算可用 %s", f.QuotaTotal-f.Checked, c.PriceFen,
				f.CommittedChecksFen, f.BudgetAvailableFen)
			return nil, &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{"quotas": msg}}
		}
		after, err := quotasOf(ctx, tx, a, id)
		if err != nil {
			return nil, err
		}
		return after, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.set_quota", EntityType: "campaign",
			EntityID: fmt.Sprint(id), OrgID: c.OrgID, OrgPath: c.OrgPath, Before: map[string]any{"quotas": before},
			After: map[string]any{"quotas": after}})
	})
}

// NewEnrolment is the input of Enrol.
type NewEnrolment struct {
	OrgID    int64  `json:"org_id"`
	Name     string `json:"name" validate:"max=40"`
	IDNumber string `json:"id_number" validate:"max=18"`
	Phone    string `json:"phone" validate:"max=11"`
	Migrant  bool   `json:"migrant"`
}

// Enrol enrols a worker for a health check by ID number (SPEC §5): filed or not, migrant workers included;
// once per campaign; never beyond the union's quota, under any interleaving of enrolments (the count is read
// in the write transaction). Caseworkers, for a union in their scope.
func (s *Service) Enrol(ctx context.Context, a actor.Actor, campaignID int64, in NewEnrolment) (Enrolment, error) {
	if err := a.Require(caseworker...); err != nil {
		return Enrolment{}, err
	}
	now := s.Clock.Now()
	in.Name, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	in.IDNumber = strings.ToUpper(strings.TrimSpace(in.IDNumber))
	fields := map[string]string{}
	if in.OrgID <= 0 {
		fields["org_id"] = "请选择基层工会"
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 40 {
		fields["name"] = "请填写姓名"
	}
	if _, err := ident.ParseResidentID(in.IDNumber, now.In(clock.China)); err != nil {
		fields["id_number"] = apperr.From(err).Message
	}
	if in.Phone != "" && !ident.ValidMobile(in.Phone) {
		fields["phone"] = "手机号码格式不正确"
	}
	if err := fieldErrors(fields); err != nil {
		return Enrolment{}, err
	}
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Enrolment, error) { return enrol(ctx, tx, a, now, campaignID, in) })
}

func enrol(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, campaignID int64, in NewEnrolment) (Enrolment, error) {
	c, err := campaignFor(ctx, tx, a, campaignID, ActEnrol, inScope)
	if err != nil {
		return Enrolment{}, err
	}
	o, err := org.GetInScope(ctx, tx, a, in.OrgID)
	if err != nil || o.Level != org.Grassroots || !strings.HasPrefix(o.Path, c.OrgPath) {
		return Enrolment{}, apperr.Invalid("org_id", "请选择活动范围内、您管辖的基层工会")
	}
	var quota struct {
		Quota sql.NullInt64 `db:"quota"`
		Alive int64         `db:"alive"`
	}
	if err := tx.GetContext(ctx, &quota, `SELECT (SELECT quota FROM campaign_quotas WHERE campaign_id = ?1 AND org_id = ?2) AS quota,
		(SELECT count(*) FROM campaign_enrolments WHERE campaign_id = ?1 AND org_id = ?2 AND status <> 'withdrawn') AS alive`,
		c.ID, o.ID); err != nil {
		return Enrolment{}, err
	}
	if !quota.Quota.Valid || quota.Quota.Int64 == 0 {
		return Enrolment{}, &apperr.Error{Code: apperr.Conflict, Message: o.Name + "在本次体检中没有名额",
			Fields: map[string]string{"org_id": "该基层工会没有体检名额"}}
	}
	if quota.Alive >= quota.Quota.Int64 {
		return Enrolment{}, &apperr.Error{Code: apperr.Conflict, Message: fmt.Sprintf("%s的体检名额已满（%d 人）", o.Name, quota.Quota.Int64),
			Fields: map[string]string{"org_id": "名额已满"}}
	}
	var prior struct {
		ID      int64  `db:"id"`
		OrgName string `db:"org_name"`
	}
	err = tx.GetContext(ctx, &prior, `SELECT e.id, (SELECT o.name FROM orgs o WHERE o.id = e.org_id) AS org_name
		FROM campaign_enrolments e WHERE e.campaign_id = ? AND e.id_number = ? AND e.status <> 'withdrawn'`, c.ID, in.IDNumber)
	if err == nil {
		return Enrolment{}, &apperr.Error{Code: apperr.Conflict,
			Message: fmt.Sprintf("该职工（%s）已在本次体检中报名（%s，报名号 %d），每人限报一次", ident.MaskID(in.IDNumber), prior.OrgName, prior.ID),
			Fields:  map[string]string{"id_number": "已报名"}}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Enrolment{}, err
	}
	var household sql.NullInt64
	if err := tx.GetContext(ctx, &household, `SELECT household_id FROM household_open_ids WHERE id_number = ? AND overridden = 0`,
		in.IDNumber); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Enrolment{}, err
	}
	ts := store.FormatTime(now)
	res, err := tx.ExecContext(ctx, `INSERT INTO campaign_enrolments (campaign_id, org_id, org_path, name, id_number, phone, migrant,
		household_id, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'enrolled', ?, ?, ?)`,
		c.ID, o.ID, o.Path, in.Name, in.IDNumber, in.Phone, in.Migrant, household, a.UserID, ts, ts)
	if err != nil {
		return Enrolment{}, err
	}
	id, _ := res.LastInsertId()
	e, err := getEnrolment(ctx, tx, id)
	if err != nil {
		return Enrolment{}, err
	}
	e.Actions = enrolmentActions(a, &c, &e)
	return e, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign.enrol", EntityType: "campaign_enrolment",
		EntityID: fmt.Sprint(id), OrgID: o.ID, OrgPath: o.Path, After: e})
}

// EnrolmentFilter selects enrolments.
type EnrolmentFilter struct {
	Status  string `query:"status"`
	OrgID   int64  `query:"org_id"`
	Q       string `query:"q"` // name prefix
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// EnrolmentPage is one page of enrolments.
type EnrolmentPage = RecordPage[Enrolment]

// Enrolments lists the enrolments of campaign id in a's scope, newest first.
func (s *Service) Enrolments(ctx context.Context, a actor.Actor, id int64, f EnrolmentFilter) (EnrolmentPage, error) {
	r, err := s.listOf(ctx, a, id, "campaign_enrolments", "e")
	if err != nil {
		return EnrolmentPage{}, err
	}
	if err := withStatus(r, "e.status", f.Status, EnrolmentStatusNames); err != nil {
		return EnrolmentPage{}, err
	}
	if f.OrgID != 0 {
		r.and("e.org_id = ?", f.OrgID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		r.and("e.name >= ? AND e.name < ?", q, q+"\U0010FFFF")
	}
	out, err := readPage[Enrolment](ctx, s.DB.R, r, selectEnrolment, "e.id DESC", f.Page, f.PerPage)
	if err != nil {
		return EnrolmentPage{}, err
	}
	for i := range out.Items {
		out.Items[i].fill()
		out.Items[i].Actions = enrolmentActions(a, &r.c, &out.Items[i])
	}
	return out, nil
}

// EnrolmentAction is the body of an action on an enrolment.
type EnrolmentAction struct {
	Date   string `json:"date" validate:"max=10"`    // check: the check's date; deliver-report: the report's
	Reason string `json:"reason" validate:"max=500"` // withdraw
}

// ActOnEnrolment moves an enrolment along its table: check (the cost is posted from the budget account; an
// overspend is refused), deliver-report, withdraw. Caseworkers, in their scope.
func (s *Service) ActOnEnrolment(ctx context.Context, a actor.Actor, id int64, action string, in EnrolmentAction) (Enrolment, error) {
	step, ok := enrolmentStep(action)
	if !ok {
		return Enrolment{}, apperr.NotFoundf("没有这个操作：%s", action)
	}
	r, _ := rule(action)
	if err := a.Require(r.Roles...); err != nil {
		return Enrolment{}, err
	}
	now := s.Clock.Now()
	in.Date, in.Reason = strings.TrimSpace(in.Date), strings.TrimSpace(in.Reason)
	switch action {
	case ActCheck, ActReport:
		if _, err := time.Parse("2006-01-02", in.Date); err != nil {
			return Enrolment{}, apperr.Invalid("date", "请填写日期")
		}
		if in.Date > clock.Date(now) {
			return Enrolment{}, apperr.Invalid("date", "日期不能晚于今天")
		}
	case ActWithdraw:
		if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 500 {
			return Enrolment{}, apperr.Invalid("reason", "请填写退出原因")
		}
	}
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Enrolment, error) {
		before, err := getEnrolment(ctx, tx, id)
		if err == nil && !a.Sees(before.OrgPath) {
			err = apperr.NotFoundf("报名记录不存在")
		}
		if err != nil {
			return Enrolment{}, err
		}
		c, err := get(ctx, tx, before.CampaignID)
		if err != nil {
			return Enrolment{}, err
		}
		if err := Can(a, &c, action); err != nil {
			return Enrolment{}, err
		}
		if !slices.Contains(step.From, before.Status) {
			return Enrolment{}, apperr.Conflictf("报名当前状态为「%s」，不能%s", before.StatusName, ActionNames[action])
		}
		ts := store.FormatTime(now)
		switch action {
		case ActCheck:
			if in.Date < c.StartsOn {
				return Enrolment{}, apperr.Invalid("date", "体检日期不能早于活动开始日期 "+c.StartsOn)
			}
			t, err := ledger.Move(ctx, tx, a, now, ledger.TransferInput{DebitAccountID: c.BudgetAccountID, CreditAccountID: c.ExpenseAccountID,
				Amount: int64(c.PriceFen), RefType: "campaign_enrolment", RefID: fmt.Sprint(id),
				Memo: fmt.Sprintf("%s 体检费 %s（%s，%s）", c.Name, c.PriceFen, ident.MaskName(before.Name), c.Provider)})
			if err != nil {
				return Enrolment{}, renameField(err, "amount", "date")
			}
			_, err = tx.ExecContext(ctx, "UPDATE campaign_enrolments SET status = ?, checked_on = ?, transfer_id = ?, updated_at = ? WHERE id = ?",
				step.To, in.Date, t.ID, ts, id)
			if err != nil {
				return Enrolment{}, err
			}
		case ActReport:
			if in.Date < before.CheckedOn {
				return Enrolment{}, apperr.Invalid("date", "报告送达日期不能早于体检日期 "+before.CheckedOn)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE campaign_enrolments SET status = ?, report_on = ?, updated_at = ? WHERE id = ?",
				step.To, in.Date, ts, id); err != nil {
				return Enrolment{}, err
			}
		case ActWithdraw:
			if _, err := tx.ExecContext(ctx, "UPDATE campaign_enrolments SET status = ?, withdraw_reason = ?, updated_at = ? WHERE id = ?",
				step.To, in.Reason, ts, id); err != nil {
				return Enrolment{}, err
			}
		}
		after, err := getEnrolment(ctx, tx, id)
		if err != nil {
			return Enrolment{}, err
		}
		after.Actions = enrolmentActions(a, &c, &after)
		return after, audit.Record(ctx, tx, a, now, audit.Entry{Action: "campaign." + strings.ReplaceAll(action, "-", "_"),
			EntityType: "campaign_enrolment", EntityID: fmt.Sprint(id), OrgID: after.OrgID, OrgPath: after.OrgPath,
			Before: before, After: after, Reason: in.Reason})
	})
}
