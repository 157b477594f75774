// Package policy owns the versioned policy parameters of SPEC §2. Nothing else hard-codes a threshold:
// rules ask InForce for the version in force for an org on a date and store the version id they used.
package policy

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
	"bangfu/internal/validate"
)

// Service is the policy area's entry point. Every logged-in user reads the versions (the caps and amounts
// of their work); only admins write them.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// Params are the thresholds of SPEC §2. Money is in fen.
type Params struct {
	DibaoMonthlyFen           money.Fen `json:"dibao_monthly_fen" validate:"gt=0"`             // 低保 per person per month
	RelativeMultiplier        float64   `json:"relative_multiplier" validate:"gt=0,lte=10"`    // 相对困难 below this × 低保
	AccidentExpenseRatio      float64   `json:"accident_expense_ratio" validate:"gt=0,lte=10"` // 意外致困 above this × income
	LivingCapYearFen          money.Fen `json:"living_cap_year_fen" validate:"gt=0"`
	MedicalCapYearFen         money.Fen `json:"medical_cap_year_fen" validate:"gt=0"`
	EducationHigherFiledFen   money.Fen `json:"education_higher_filed_fen" validate:"gt=0"`
	EducationHigherUnfiledFen money.Fen `json:"education_higher_unfiled_fen" validate:"gt=0"`
	EducationSeniorFiledFen   money.Fen `json:"education_senior_filed_fen" validate:"gt=0"`
	EducationSeniorUnfiledFen money.Fen `json:"education_senior_unfiled_fen" validate:"gt=0"`
	WarmthAmountFen           money.Fen `json:"warmth_amount_fen" validate:"gt=0"`
	HouseholdCapYearFen       money.Fen `json:"household_cap_year_fen" validate:"gt=0"`
	SecondApprovalAboveFen    money.Fen `json:"second_approval_above_fen" validate:"gt=0"`
	GreenMaxAmountFen         money.Fen `json:"green_max_amount_fen" validate:"gt=0"`
	GreenSLAHours             int       `json:"green_sla_hours" validate:"gt=0,lte=720"`
	GreenDocsDays             int       `json:"green_docs_days" validate:"gt=0,lte=365"`
	GreenMonthlyQuota         int       `json:"green_monthly_quota" validate:"gte=0"`
	PublicityDays             int       `json:"publicity_days" validate:"gt=0,lte=60"`
}

// Policy is one stored version.
type Policy struct {
	ID            int64         `db:"id" json:"id"`
	EffectiveFrom string        `db:"effective_from" json:"effective_from"`
	OrgIDNull     sql.NullInt64 `db:"org_id" json:"-"`
	OrgID         *int64        `db:"-" json:"org_id"`
	OrgName       string        `db:"org_name" json:"org_name"`
	OrgPath       string        `db:"org_path" json:"-"`
	ParamsJSON    string        `db:"params" json:"-"`
	Params        Params        `db:"-" json:"params"`
	CreatedBy     string        `db:"created_by" json:"created_by"`
	CreatedAt     string        `db:"created_at" json:"created_at"`
}

func (p *Policy) fill() error {
	if p.OrgIDNull.Valid {
		id := p.OrgIDNull.Int64
		p.OrgID = &id
	}
	if p.OrgName == "" {
		p.OrgName = "全区"
	}
	return json.Unmarshal([]byte(p.ParamsJSON), &p.Params)
}

// The org is read by subquery, not by join: with the SQLite that go-sqlite3 bundles, a join in a statement
// with a bound parameter is re-prepared on every execution, and every decision asks for its policy.
const selectPolicy = `SELECT p.id, p.effective_from, p.org_id, coalesce((SELECT o.name FROM orgs o WHERE o.id = p.org_id), '') AS org_name,
	coalesce((SELECT o.path FROM orgs o WHERE o.id = p.org_id), '') AS org_path, p.params, p.created_by, p.created_at
	FROM policies p`

// InForce returns the version in force for the org on date ("2006-01-02"): among versions already effective
// on that date for the whole district or for the org or one of its ancestors, the one for the nearest org,
// and among those the latest effective date (then the latest created).
func InForce(ctx context.Context, q sqlx.QueryerContext, orgID int64, date string) (Policy, error) {
	var path string
	if orgID != 0 {
		o, err := org.Get(ctx, q, orgID)
		if err != nil {
			return Policy{}, err
		}
		path = o.Path
	}
	return InForceAt(ctx, q, path, date)
}

// InForceAt is InForce for the org at path ("" for none), for a caller that has just read the org in the same
// transaction: a household save checks its org's scope and then asks for the version in force for it.
func InForceAt(ctx context.Context, q sqlx.QueryerContext, path, date string) (Policy, error) {
	// The versions are few: all those already effective are read, and the one that applies is picked here.
	// An org applies when its path is a prefix of the asked org's path; the longer the path, the nearer.
	var ps []Policy
	if err := sqlx.SelectContext(ctx, q, &ps, selectPolicy+" WHERE p.effective_from <= ?", date); err != nil {
		return Policy{}, err
	}
	best := -1
	for i, p := range ps {
		if p.OrgIDNull.Valid && !strings.HasPrefix(path, p.OrgPath) {
			continue
		}
		if best < 0 || nearer(p, ps[best]) {
			best = i
		}
	}
	if best < 0 {
		return Policy{}, apperr.NotFoundf("%s 没有生效的政策参数", date)
	}
	p := ps[best]
	return p, p.fill()
}

// nearer reports whether version a applies before b: the nearer org, then the later effective date, then
// the later version.
func nearer(a, b Policy) bool {
	if len(a.OrgPath) != len(b.OrgPath) {
		return len(a.OrgPath) > len(b.OrgPath)
	}
	if a.EffectiveFrom != b.EffectiveFrom {
		return a.EffectiveFrom > b.EffectiveFrom
	}
	return a.ID > b.ID
}

// Current returns the version in force today for the org.
func Current(ctx context.Context, q sqlx.QueryerContext, orgID int64, now time.Time) (Policy, error) {
	return InForce(ctx, q, orgID, clock.Date(now))
}

// Get returns the version with id.
func Get(ctx context.Context, q sqlx.QueryerContext, id int64) (Policy, error) {
	p, err := store.Get[Policy](ctx, q, "政策版本不存在", selectPolicy+" WHERE p.id = ?", id)
	if err != nil {
		return p, err
	}
	return p, p.fill()
}

// List returns every version, newest effective date first.
func (s *Service) List(ctx context.Context, _ actor.Actor) ([]Policy, error) {
	return list(ctx, s.DB.R)
}

// Get returns the version with id.
func (s *Service) Get(ctx context.Context, _ actor.Actor, id int64) (Policy, error) {
	return Get(ctx, s.DB.R, id)
}

// InForceFor returns the version in force for an org in a's scope (0: a's own org) on date ("": today).
// An org outside a's scope is not acknowledged.
func (s *Service) InForceFor(ctx context.Context, a actor.Actor, orgID int64, date string) (Policy, error) {
	if orgID == 0 {
		orgID = a.OrgID
	}
	if date == "" {
		date = clock.Date(s.Clock.Now())
	} else if _, err := time.Parse("2006-01-02", date); err != nil {
		return Policy{}, apperr.Invalid("date", "日期格式应为 2006-01-02")
	}
	if _, err := org.GetInScope(ctx, s.DB.R, a, orgID); err != nil {
		return Policy{}, err
	}
	return InForce(ctx, s.DB.R, orgID, date)
}

func list(ctx context.Context, q sqlx.QueryerContext) ([]Policy, error) {
	ps := []Policy{}
	if err := sqlx.SelectContext(ctx, q, &ps, selectPolicy+" ORDER BY p.effective_from DESC, p.id DESC"); err != nil {
		return nil, err
	}
	for i := range ps {
		if err := ps[i].fill(); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// NewVersion is the input for Create. Params are validated by the caller's validator (struct tags).
type NewVersion struct {
	EffectiveFrom string `json:"effective_from" validate:"required,datetime=2006-01-02"`
	OrgID         int64  `json:"org_id"`
	Params        Params `json:"params"`
}

// Create stores a new version. Admins only (SPEC §2); versions are never edited.
func (s *Service) Create(ctx context.Context, a actor.Actor, in NewVersion) (Policy, error) {
	if err := a.Require(actor.Admin); err != nil {
		return Policy{}, err
	}
	if in.Params.LivingCapYearFen == 0 {
		in.Params.LivingCapYearFen = 12 * in.Params.DibaoMonthlyFen // SPEC §2: 12 × 低保 unless set (before the gt=0 check)
	}
	if err := validate.New(s.Clock.Now).Struct(&in); err != nil {
		return Policy{}, err
	}
	now := s.Clock.Now()
	return store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (Policy, error) { return create(ctx, tx, a, now, in) })
}

func create(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in NewVersion) (Policy, error) {
	var orgID sql.NullInt64
	orgPath := ""
	if in.OrgID != 0 {
		o, err := org.GetInScope(ctx, tx, a, in.OrgID)
		if err != nil {
			return Policy{}, apperr.Invalid("org_id", "组织不存在")
		}
		orgID, orgPath = sql.NullInt64{Int64: o.ID, Valid: true}, o.Path
	} else if a.OrgPath != "/" && !isTop(ctx, tx, a) {
		return Policy{}, apperr.Forbiddenf("只有区级管理员可以设置全区政策")
	}
	params, _ := json.Marshal(in.Params)
	res, err := tx.ExecContext(ctx, `INSERT INTO policies (effective_from, org_id, params, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)`, in.EffectiveFrom, orgID, string(params), a.Username, store.FormatTime(now))
	if err != nil {
		return Policy{}, err
	}
	id, _ := res.LastInsertId()
	created, err := Get(ctx, tx, id)
	if err != nil {
		return Policy{}, err
	}
	return created, audit.Record(ctx, tx, a, now, audit.Entry{Action: "policy.create", EntityType: "policy",
		EntityID: fmt.Sprint(id), OrgID: orgID.Int64, OrgPath: orgPath, After: created})
}

// isTop reports whether a's org is the district federation.
func isTop(ctx context.Context, q sqlx.QueryerContext, a actor.Actor) bool {
	o, err := org.Get(ctx, q, a.OrgID)
	return err == nil && o.Level == org.District
}

// AuditActions names every audit action code the policy area writes (SPEC §7).
var AuditActions = map[string]string{"policy.create": "政策参数·新建版本"}
