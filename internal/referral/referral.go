// Package referral owns referrals (转介, SPEC §3.4): workers in real difficulty who miss the criteria are
// referred to their grassroots union, followed up by a date, and closed as helped (with an amount) or declined.
package referral

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
	"bangfu/internal/household"
	"bangfu/internal/ident"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Referral is one referral. Its ID number and phone leave the package masked.
type Referral struct {
	ID           int64          `db:"id" json:"id"`
	HouseholdID  sql.NullInt64  `db:"household_id" json:"-"`
	Household    int64          `db:"-" json:"household_id"`
	Name         string         `db:"name" json:"name"`
	IDNumber     string         `db:"id_number" json:"id_number"`
	Phone        string         `db:"phone" json:"phone"`
	OrgID        int64          `db:"org_id" json:"org_id"`
	OrgName      string         `db:"org_name" json:"org_name"`
	OrgPath      string         `db:"org_path" json:"-"`
	Reason       string         `db:"reason" json:"reason"`
	FollowUpDate string         `db:"follow_up_date" json:"follow_up_date"`
	Status       string         `db:"status" json:"status"`
	AmountFen    money.Fen      `db:"amount_fen" json:"amount_fen"`
	Outcome      string         `db:"outcome" json:"outcome"`
	CreatedByID  int64          `db:"created_by" json:"-"`
	CreatedBy    string         `db:"created_by_name" json:"created_by"`
	ClosedBy     sql.NullInt64  `db:"closed_by" json:"-"`
	CreatedAt    string         `db:"created_at" json:"created_at"`
	ClosedAtRaw  sql.NullString `db:"closed_at" json:"-"`
	ClosedAt     string         `db:"-" json:"closed_at"`
	Overdue      bool           `db:"-" json:"overdue"`
	// Actions are what the reader may do with it now, the UI shows exactly these; set on answers, not in
	// the audit trail's copies.
	Actions []string `db:"-" json:"actions,omitempty"`
}

// ActClose is closing a referral as helped or declined (Finish).
const ActClose = "close"

// closers are the roles that close referrals: the caseworkers and supervisors of the union's scope.
var closers = []actor.Role{actor.Caseworker, actor.Supervisor}

// actions lists what a may do with r now: close it while it is pending.
func actions(a actor.Actor, r *Referral) []string {
	if r.Status == "pending" && a.Require(closers...) == nil {
		return []string{ActClose}
	}
	return []string{}
}

func (r *Referral) fill(today string) {
	r.Household = r.HouseholdID.Int64
	r.ClosedAt = r.ClosedAtRaw.String
	r.IDNumber, r.Phone = ident.MaskID(r.IDNumber), ident.MaskPhone(r.Phone)
	r.Overdue = r.Status == "pending" && r.FollowUpDate < today
}

// New is the input of Create.
type New struct {
	HouseholdID  int64  `json:"household_id"`
	Name         string `json:"name" validate:"required,max=40"`
	IDNumber     string `json:"id_number" validate:"required,idcard"`
	Phone        string `json:"phone" validate:"omitempty,mobile"`
	OrgID        int64  `json:"org_id" validate:"required,gt=0"`
	Reason       string `json:"reason" validate:"required,max=500"`
	FollowUpDate string `json:"follow_up_date" validate:"required,datetime=2006-01-02"`
}

// Close is the input of closing a referral: helped with an amount, or declined with a reason.
type Close struct {
	Outcome   string    `json:"outcome" validate:"required,oneof=helped declined"`
	AmountFen money.Fen `json:"amount_fen" validate:"gte=0,lte=100000000"`
	Note      string    `json:"note" validate:"max=500"`
}

// Service is the referral area's entry point: each method checks the actor's role before the input and the
// referral's scope before it reveals it, and writes in one transaction with its audit event.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// readers are the roles that read referrals: SPEC §1.2, admin reads no case data.
var readers = []actor.Role{actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor}

const selectReferral = `SELECT r.*, o.name AS org_name, coalesce(u.name, '') AS created_by_name FROM referrals r
	JOIN orgs o ON o.id = r.org_id LEFT JOIN users u ON u.id = r.created_by`

// Create refers a worker to a grassroots union in the caseworker's scope.
func (s *Service) Create(ctx context.Context, a actor.Actor, in New) (Referral, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Referral{}, err
	}
	now := s.Clock.Now()
	in.IDNumber = strings.ToUpper(strings.TrimSpace(in.IDNumber))
	if _, err := ident.ParseResidentID(in.IDNumber, now.In(clock.China)); err != nil {
		return Referral{}, apperr.Invalid("id_number", apperr.From(err).Message)
	}
	if in.FollowUpDate < clock.Date(now) {
		return Referral{}, apperr.Invalid("follow_up_date", "回访日期不能早于今天")
	}
	r, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Referral, error) { return create(ctx, tx, a, now, in) })
	r.Actions = actions(a, &r)
	return r, err
}

func create(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in New) (Referral, error) {
	o, err := org.GetInScope(ctx, tx, a, in.OrgID)
	if err != nil || o.Level != org.Grassroots {
		return Referral{}, apperr.Invalid("org_id", "请选择您管辖范围内的基层工会")
	}
	var hid any
	if in.HouseholdID != 0 {
		if _, err := household.Get(ctx, tx, a, in.HouseholdID); err != nil {
			return Referral{}, apperr.Invalid("household_id", "关联档案不存在")
		}
		hid = in.HouseholdID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO referrals (household_id, name, id_number, phone, org_id, org_path,
		reason, follow_up_date, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
		hid, strings.TrimSpace(in.Name), in.IDNumber, in.Phone, o.ID, o.Path, strings.TrimSpace(in.Reason),
		in.FollowUpDate, a.UserID, store.FormatTime(now))
	if err != nil {
		return Referral{}, err
	}
	id, _ := res.LastInsertId()
	out, err := get(ctx, tx, id, clock.Date(now))
	if err != nil {
		return Referral{}, err
	}
	return out, audit.Record(ctx, tx, a, now, audit.Entry{Action: "referral.create", EntityType: "referral",
		EntityID: fmt.Sprint(id), OrgID: o.ID, OrgPath: o.Path, After: out})
}

func get(ctx context.Context, q sqlx.QueryerContext, id int64, today string) (Referral, error) {
	r, err := store.Get[Referral](ctx, q, "转介记录不存在", selectReferral+" WHERE r.id = ?", id)
	if err != nil {
		return r, err
	}
	r.fill(today)
	return r, nil
}

// inScope returns referral id if it is in a's scope; a referral outside it is not acknowledged.
func inScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, id int64) (Referral, error) {
	r, err := get(ctx, q, id, clock.Date(now))
	if err == nil && !a.Sees(r.OrgPath) {
		return Referral{}, apperr.NotFoundf("转介记录不存在")
	}
	return r, err
}

// Get returns a referral in a's scope.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (Referral, error) {
	if err := a.Require(readers...); err != nil {
		return Referral{}, err
	}
	r, err := inScope(ctx, s.DB.R, a, s.Clock.Now(), id)
	r.Actions = actions(a, &r)
	return r, err
}

// Finish closes a pending referral as helped or declined (SPEC §3.4). Caseworkers and supervisors of the
// union's scope; audited.
func (s *Service) Finish(ctx context.Context, a actor.Actor, id int64, in Close) (Referral, error) {
	if err := a.Require(closers...); err != nil {
		return Referral{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Outcome == "helped" && in.AmountFen <= 0 {
		return Referral{}, apperr.Invalid("amount_fen", "请填写帮扶金额")
	}
	if in.Outcome == "declined" {
		if in.Note == "" {
			return Referral{}, apperr.Invalid("note", "请填写未予帮扶的原因")
		}
		in.AmountFen = 0
	}
	now := s.Clock.Now()
	r, err := store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Referral, error) { return finish(ctx, tx, a, now, id, in) })
	r.Actions = actions(a, &r)
	return r, err
}

func finish(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, in Close) (Referral, error) {
	before, err := inScope(ctx, tx, a, now, id)
	if err != nil {
		return Referral{}, err
	}
	if before.Status != "pending" {
		return Referral{}, apperr.Conflictf("该转介已办结，不能重复处理")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = ?, amount_fen = ?, outcome = ?, closed_by = ?,
		closed_at = ? WHERE id = ?`, in.Outcome, in.AmountFen, in.Note, a.UserID, store.FormatTime(now), id); err != nil {
		return Referral{}, err
	}
	out, err := get(ctx, tx, id, clock.Date(now))
	if err != nil {
		return Referral{}, err
	}
	return out, audit.Record(ctx, tx, a, now, audit.Entry{Action: "referral." + in.Outcome, EntityType: "referral",
		EntityID: fmt.Sprint(id), OrgID: out.OrgID, OrgPath: out.OrgPath, Before: before, After: out, Reason: in.Note})
}

// Statuses are a referral's statuses in display order; StatusNames their Chinese names (SPEC §3.4).
var Statuses = []string{"pending", "helped", "declined"}

var StatusNames = map[string]string{"pending": "跟进中", "helped": "已帮扶", "declined": "未帮扶"}

// AuditActions names every audit action code the referral area writes: its creation and "referral."+outcome.
var AuditActions = map[string]string{"referral.create": "转介·新建", "referral.helped": "转介·已帮扶", "referral.declined": "转介·未帮扶"}

// Filter selects referrals.
type Filter struct {
	Status  string `query:"status"`
	Overdue bool   `query:"overdue"` // pending with the follow-up date passed
	Q       string `query:"q"`       // name prefix
	Page    int    `query:"page"`
	PerPage int    `query:"per_page"`
}

// Counts are the referrals of a scope by outcome, for the list header (SPEC §3.4: listed and counted).
type Counts struct {
	Pending  int `db:"pending" json:"pending"`
	Overdue  int `db:"overdue" json:"overdue"`
	Helped   int `db:"helped" json:"helped"`
	Declined int `db:"declined" json:"declined"`
}

// Page is one page of referrals with the counts of the whole scope.
type Page struct {
	Items  []Referral `json:"items"`
	Total  int        `json:"total"`
	Counts Counts     `json:"counts"`
}

// List returns the referrals in a's scope that match f, overdue follow-ups first, and the counts.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (Page, error) {
	if err := a.Require(readers...); err != nil {
		return Page{}, err
	}
	items, total, counts, err := list(ctx, s.DB.R, a, s.Clock.Now(), f)
	return Page{Items: items, Total: total, Counts: counts}, err
}

func list(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, now time.Time, f Filter) ([]Referral, int, Counts, error) {
	today := clock.Date(now)
	scope, args := a.Scope("r.org_path")
	var counts Counts
	if err := sqlx.GetContext(ctx, q, &counts, `SELECT
		coalesce(sum(status = 'pending'), 0) AS pending,
		coalesce(sum(status = 'pending' AND follow_up_date < ?), 0) AS overdue,
		coalesce(sum(status = 'helped'), 0) AS helped,
		coalesce(sum(status = 'declined'), 0) AS declined FROM referrals r WHERE `+scope, append([]any{today}, args...)...); err != nil {
		return nil, 0, counts, err
	}
	where := []string{scope}
	switch f.Status {
	case "":
	case "pending", "helped", "declined":
		where, args = append(where, "r.status = ?"), append(args, f.Status)
	default:
		return nil, 0, counts, apperr.Invalid("status", "状态取值无效")
	}
	if f.Overdue {
		where, args = append(where, "r.status = 'pending' AND r.follow_up_date < ?"), append(args, today)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		where, args = append(where, "r.name >= ? AND r.name < ?"), append(args, s, s+"\U0010FFFF")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := sqlx.GetContext(ctx, q, &total, "SELECT count(*) FROM referrals r WHERE "+cond, args...); err != nil {
		return nil, 0, counts, err
	}
	page, per := store.Paging(f.Page, f.PerPage)
	items := []Referral{}
	if err := sqlx.SelectContext(ctx, q, &items, selectReferral+" WHERE "+cond+
		` ORDER BY (r.status = 'pending' AND r.follow_up_date < ?) DESC, r.follow_up_date, r.id LIMIT ? OFFSET ?`,
		append(args, today, per, (page-1)*per)...); err != nil {
		return nil, 0, counts, err
	}
	for i := range items {
		items[i].fill(today)
		items[i].Actions = actions(a, &items[i])
	}
	return items, total, counts, nil
}
