package relief

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/store"
	"bangfu/internal/validate"
)

var tags = validate.New(time.Now)

// Input is what a caseworker fills in. A green-channel case whose worker has no file yet carries Household
// instead of HouseholdID: the file is opened (and submitted) alongside (SPEC §4.3). A warmth payment to a
// holiday-duty worker without a file names the worker and the union instead.
type Input struct {
	Type        Type             `json:"type" validate:"required,oneof=living medical education warmth condolence"`
	HouseholdID int64            `json:"household_id" validate:"gte=0"`
	Household   *household.Input `json:"household"`

	// warmth without a file (节日坚守岗位职工)
	OrgID             int64  `json:"org_id" validate:"gte=0"`
	ApplicantName     string `json:"applicant_name" validate:"max=40"`
	ApplicantIDNumber string `json:"applicant_id_number" validate:"omitempty,idcard"`
	ApplicantPhone    string `json:"applicant_phone" validate:"omitempty,mobile"`
	DutyNote          string `json:"duty_note" validate:"max=200"`

	AmountFen       money.Fen `json:"amount_fen" validate:"gte=0,lte=100000000"` // 0: the policy amount (education, warmth)
	OutOfPocketFen  money.Fen `json:"out_of_pocket_fen" validate:"gte=0,lte=10000000000"`
	StudentMemberID int64     `json:"student_member_id" validate:"gte=0"`
	Purpose         string    `json:"purpose" validate:"max=500"` // required: fill refuses a blank one (the dry run does not)

	Green       bool   `json:"green"`
	GreenReason string `json:"green_reason" validate:"omitempty,oneof=pandemic accident critical_illness"`
	GreenNote   string `json:"green_note" validate:"max=500"`
}

// The names are read by subquery: with go-sqlite3's SQLite, a join beside a.* cost ten times the lookup.
const selectApplication = `SELECT a.*, (SELECT o.name FROM orgs o WHERE o.id = a.org_id) AS org_name,
	coalesce((SELECT u.name FROM users u WHERE u.id = a.created_by), '') AS created_by_name FROM applications a`

func notFound() error { return apperr.NotFoundf("申请不存在或不在您的管辖范围内") }

// Get returns application id if it is in a's scope; otherwise 404 (SPEC §1.1).
func Get(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Application, error) {
	var app Application
	err := sqlx.GetContext(ctx, q, &app, selectApplication+" WHERE a.id = ?", id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.Sees(app.OrgPath)) {
		return Application{}, notFound()
	}
	return app, err
}

// Detail is an application with what its page shows: the household's documents worked into MissingDocs.
func Detail(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64, now time.Time) (Application, error) {
	app, err := Get(ctx, q, a, id)
	if err != nil {
		return app, err
	}
	return app, app.withDocs(ctx, q, now)
}

func (app *Application) withDocs(ctx context.Context, q sqlx.QueryerContext, now time.Time) error {
	return atAll(ctx, q, []*Application{app}, now)
}

// atAll works out what each application's dates mean at now (Application.At), reading the documents of their
// households in a few queries rather than one per application.
func atAll(ctx context.Context, q sqlx.QueryerContext, apps []*Application, now time.Time) error {
	seen := map[int64]bool{}
	var ids []int64
	for _, app := range apps {
		if id := app.HouseholdID.Int64; app.HouseholdID.Valid && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	docs := map[int64]map[string]bool{}
	for start := 0; start < len(ids); start += 500 { // SQLite bounds the parameters of one statement
		part, err := household.DocumentKindsOfEach(ctx, q, ids[start:min(start+500, len(ids))])
		if err != nil {
			return err
		}
		for id, kinds := range part {
			docs[id] = kinds
		}
	}
	for _, app := range apps {
		var held map[string]bool
		if app.HouseholdID.Valid {
			if held = docs[app.HouseholdID.Int64]; held == nil {
				held = map[string]bool{}
			}
		}
		app.At(now, held)
	}
	return nil
}

// CreateTx drafts an application inside the caller's transaction.
func CreateTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in Input) (Application, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Application{}, err
	}
	if err := tags.Struct(&in); err != nil {
		return Application{}, err
	}
	opened := false
	if in.Household != nil {
		if !in.Green || in.HouseholdID != 0 {
			return Application{}, apperr.Invalid("household", "只有绿色通道申请可以同时新建档案；已有档案请选择档案")
		}
		h, err := household.CreateTx(ctx, tx, a, now, *in.Household)
		if err != nil {
			return Application{}, underHousehold(err)
		}
		if _, err := household.ActTx(ctx, tx, a, now, h.ID, household.ActSubmit, household.ActionInput{}); err != nil {
			return Application{}, err
		}
		in.HouseholdID, opened = h.ID, true
	}
	var id int64
	if err := tx.GetContext(ctx, &id, "SELECT coalesce(max(id), 0) + 1 FROM applications"); err != nil {
		return Application{}, err
	}
	year := now.In(clock.China).Year()
	app := Application{ID: id, AppNo: fmt.Sprintf("JZ%d%06d", year, id), Status: Draft, AidYear: year,
		OpenedHousehold: opened, CreatedBy: a.UserID, CreatedAt: store.FormatTime(now), UpdatedAt: store.FormatTime(now)}
	if err := app.fill(ctx, tx, a, now, in); err != nil {
		return Application{}, err
	}
	if _, err := tx.NamedExecContext(ctx, `INSERT INTO applications (id, app_no, type, status, household_id, beneficiary,
		applicant_name, applicant_id_number, applicant_phone, org_id, org_path, aid_year, amount_fen, out_of_pocket_fen,
		student_member_id, student_id_number, school_stage, school_year, duty_note, purpose, green, green_reason,
		green_note, opened_household, created_by, created_at, updated_at)
		VALUES (:id, :app_no, :type, :status, :household_id, :beneficiary, :applicant_name, :applicant_id_number,
		:applicant_phone, :org_id, :org_path, :aid_year, :amount_fen, :out_of_pocket_fen, :student_member_id,
		:student_id_number, :school_stage, :school_year, :duty_note, :purpose, :green, :green_reason, :green_note,
		:opened_household, :created_by, :created_at, :updated_at)`, &app); err != nil {
		return Application{}, err
	}
	created, err := Get(ctx, tx, a, id)
	if err != nil {
		return Application{}, err
	}
	return created, record(ctx, tx, a, now, "application.create", nil, &created, "")
}

// UpdateTx saves a caseworker's edit of a draft or returned application inside the caller's transaction.
func UpdateTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, in Input) (Application, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Application{}, err
	}
	if err := tags.Struct(&in); err != nil {
		return Application{}, err
	}
	old, err := Get(ctx, tx, a, id)
	if err != nil {
		return Application{}, err
	}
	if err := Can(a, &old, ActEdit); err != nil {
		return Application{}, err
	}
	if in.Household != nil {
		return Application{}, apperr.Invalid("household", "修改申请时不能新建档案")
	}
	app := old
	if err := app.fill(ctx, tx, a, now, in); err != nil {
		return Application{}, err
	}
	app.UpdatedAt = store.FormatTime(now)
	if _, err := tx.NamedExecContext(ctx, `UPDATE applications SET type = :type, household_id = :household_id,
		beneficiary = :beneficiary, applicant_name = :applicant_name, applicant_id_number = :applicant_id_number,
		applicant_phone = :applicant_phone, org_id = :org_id, org_path = :org_path, amount_fen = :amount_fen,
		out_of_pocket_fen = :out_of_pocket_fen, student_member_id = :student_member_id,
		student_id_number = :student_id_number, school_stage = :school_stage, school_year = :school_year,
		duty_note = :duty_note, purpose = :purpose, green = :green, green_reason = :green_reason,
		green_note = :green_note, updated_at = :updated_at WHERE id = :id`, &app); err != nil {
		return Application{}, err
	}
	after, err := Get(ctx, tx, a, id)
	if err != nil {
		return Application{}, err
	}
	return after, record(ctx, tx, a, now, "application.update", &old, &after, "")
}

// fill sets the application's fields from in: the household (in a's scope) and its head as the applicant,
// or the worker without a file; the student; the amount from the policy where the policy fixes it.
func (app *Application) fill(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in Input) error {
	app.Type, app.Purpose, app.DutyNote = in.Type, strings.TrimSpace(in.Purpose), strings.TrimSpace(in.DutyNote)
	app.AmountFen, app.OutOfPocketFen = in.AmountFen, in.OutOfPocketFen
	app.Green, app.GreenReason, app.GreenNote = in.Green, in.GreenReason, strings.TrimSpace(in.GreenNote)
	app.HouseholdID, app.StudentMemberID = sql.NullInt64{}, sql.NullInt64{}
	app.StudentIDNumber, app.SchoolStage, app.SchoolYear = "", "", ""
	if app.Purpose == "" {
		return apperr.Invalid("purpose", "请填写申请事由")
	}
	if in.Green && in.GreenReason == "" {
		return apperr.Invalid("green_reason", "绿色通道申请须选择事由")
	}
	if !in.Green {
		app.GreenReason, app.GreenNote = "", ""
	}
	var hh *household.Household
	if in.HouseholdID != 0 {
		h, err := household.Get(ctx, tx, a, in.HouseholdID)
		if err != nil {
			return &apperr.Error{Code: apperr.Validation, Message: "所选档案不存在或不在您的管辖范围内",
				Fields: map[string]string{"household_id": "档案不存在或不在您的管辖范围内"}}
		}
		hh = h.At(now)
		app.HouseholdID = sql.NullInt64{Int64: h.ID, Valid: true}
		app.Beneficiary = fmt.Sprintf("h:%d", h.ID)
		app.ApplicantName, app.ApplicantIDNumber, app.ApplicantPhone = h.Name, h.IDNumber, h.Phone
		app.OrgID, app.OrgPath = h.OrgID, h.OrgPath
	} else {
		if in.Type != Warmth {
			return apperr.Invalid("household_id", "请选择困难职工档案（仅送温暖可发给未建档的节日坚守岗位职工）")
		}
		if err := app.fillWorker(ctx, tx, a, in); err != nil {
			return err
		}
	}
	p, err := currentParams(ctx, tx, app.OrgID, now)
	if err != nil {
		return err
	}
	switch in.Type {
	case Medical:
		if in.OutOfPocketFen <= 0 {
			return apperr.Invalid("out_of_pocket_fen", "请填写票据载明的自付医疗费用")
		}
	case Education:
		m, ok := member(hh, in.StudentMemberID)
		if !ok {
			return apperr.Invalid("student_member_id", "请选择本户在读的学生")
		}
		app.StudentMemberID = sql.NullInt64{Int64: m.ID, Valid: true}
		app.StudentIDNumber, app.SchoolStage, app.SchoolYear = m.IDNumber, m.SchoolStage, schoolYear(now)
		want, _ := educationAmount(p, m.SchoolStage, hh.Filed())
		if want == 0 {
			return apperr.Invalid("student_member_id", educationMessage(0, "", 0))
		}
		if app.AmountFen == 0 {
			app.AmountFen = want
		}
	case Warmth:
		if app.AmountFen == 0 {
			app.AmountFen = p.WarmthAmountFen
		}
	}
	if app.AmountFen <= 0 {
		return apperr.Invalid("amount_fen", "申请金额必须大于零")
	}
	return nil
}

// fillWorker sets the applicant of a warmth payment to a holiday-duty worker without a file.
func (app *Application) fillWorker(ctx context.Context, tx *sqlx.Tx, a actor.Actor, in Input) error {
	fields := map[string]string{}
	if strings.TrimSpace(in.ApplicantName) == "" {
		fields["applicant_name"] = "请填写职工姓名"
	}
	if in.ApplicantIDNumber == "" {
		fields["applicant_id_number"] = "请填写身份证号码"
	}
	if strings.TrimSpace(in.DutyNote) == "" {
		fields["duty_note"] = "请填写节日坚守岗位的情况"
	}
	o, err := org.GetInScope(ctx, tx, a, in.OrgID)
	if err != nil || o.Level != org.Grassroots {
		fields["org_id"] = "请选择您管辖范围内的基层工会"
	}
	if len(fields) > 0 {
		return apperr.FieldErrors(fields)
	}
	app.ApplicantName, app.ApplicantIDNumber, app.ApplicantPhone = strings.TrimSpace(in.ApplicantName), strings.ToUpper(in.ApplicantIDNumber), in.ApplicantPhone
	app.Beneficiary = "p:" + app.ApplicantIDNumber
	app.OrgID, app.OrgPath = o.ID, o.Path
	return nil
}

func member(hh *household.Household, id int64) (household.Member, bool) {
	if hh == nil {
		return household.Member{}, false
	}
	for _, m := range hh.Members {
		if m.ID == id {
			return m, true
		}
	}
	return household.Member{}, false
}

// record writes the audit event of a change to an application; Application.MarshalJSON masks the numbers.
func record(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, action string, before, after *Application, reason string) error {
	subject := after
	if subject == nil {
		subject = before
	}
	e := audit.Entry{Action: action, EntityType: "application", EntityID: fmt.Sprint(subject.ID), OrgID: subject.OrgID,
		OrgPath: subject.OrgPath, Reason: reason}
	if before != nil {
		e.Before = before
	}
	if after != nil {
		e.After = after
	}
	return audit.Record(ctx, tx, a, now, e)
}

// underHousehold names the fields of a refused household file as the application body has them
// ("household.id_number"), so the form shows each message beside its field.
func underHousehold(err error) error {
	e := apperr.From(err)
	if e.Code == apperr.Internal || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		if !strings.HasPrefix(k, "household.") {
			k = "household." + k
		}
		out.Fields[k] = v
	}
	return &out
}
