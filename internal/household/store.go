package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/org"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// column is one column of a household row with the value a save writes to it.
type column struct {
	name  string
	value any
}

// fields are the columns written from Fields and the assessment on every save, each beside its value in r:
// the statements below are positional, built once from these names (sqlx would bind a named statement by
// reflection on every save, inside the write transaction: SPEC §10).
func (r *row) fields() []column {
	return []column{{"org_id", r.OrgID}, {"org_path", r.OrgPath}, {"head_name", r.Name}, {"gender", r.Gender},
		{"id_number", r.IDNumber}, {"id_suffix", r.IDSuffix}, {"birth_date", r.BirthDate}, {"phone", r.Phone},
		{"employer", r.Employer}, {"industry", r.Industry}, {"employment_status", r.EmploymentStatus},
		{"union_member_since", r.UnionMemberSince}, {"migrant", r.Migrant}, {"address", r.Address},
		{"bank_card", r.BankCard}, {"health", r.Health}, {"disability", r.Disability},
		{"income_wages_fen", r.IncomeWagesFen}, {"income_business_fen", r.IncomeBusinessFen},
		{"income_property_fen", r.IncomePropertyFen}, {"income_transfer_fen", r.IncomeTransferFen},
		{"expense_medical_fen", r.ExpenseMedicalFen}, {"expense_disability_fen", r.ExpenseDisabilityFen},
		{"expense_schooling_fen", r.ExpenseSchoolingFen}, {"expense_housing_fen", r.ExpenseHousingFen},
		{"main_cause", r.MainCause}, {"secondary_causes", r.SecondaryCauses}, {"excl_car", r.ExclCar},
		{"excl_homes", r.ExclHomes}, {"excl_shareholder", r.ExclShareholder}, {"excl_child_abroad", r.ExclChildAbroad},
		{"excl_refused_checks", r.ExclRefusedChecks}, {"note", r.Note}, {"suggested_category", r.SuggestedCategory},
		{"category_policy_id", r.CategoryPolicyID}, {"per_capita_fen", r.PerCapitaFen},
		{"category_basis", r.CategoryBasis}, {"updated_at", r.UpdatedAt}}
}

// created are the columns a new file sets once, then the fields.
func (r *row) created() []column {
	return append([]column{{"id", r.ID}, {"file_no", r.FileNo}, {"status", r.Stored}, {"category", r.Category},
		{"category_override", r.CategoryOverride}, {"created_by", r.CreatedBy}, {"created_at", r.CreatedAt},
		{"reopened_from", r.ReopenedFrom}}, r.fields()...)
}

func values(cols []column) []any {
	vs := make([]any, len(cols))
	for i, c := range cols {
		vs[i] = c.value
	}
	return vs
}

var (
	insertSQL = func() string {
		var names []string
		for _, c := range (&row{}).created() {
			names = append(names, c.name)
		}
		return "INSERT INTO households (" + strings.Join(names, ", ") + ") VALUES (?" +
			strings.Repeat(", ?", len(names)-1) + ")"
	}()
	updateSQL = func() string {
		var sets []string
		for _, c := range (&row{}).fields() {
			sets = append(sets, c.name+" = ?")
		}
		return "UPDATE households SET " + strings.Join(sets, ", ") + " WHERE id = ?"
	}()
)

// The org name is read by subquery: with go-sqlite3's SQLite, a join beside h.* cost several times the lookup.
const selectHousehold = `SELECT h.*, (SELECT o.name FROM orgs o WHERE o.id = h.org_id) AS org_name FROM households h`

// row is a household as written.
type row struct{ Household }

// Get returns the household with id and its members if it is in a's scope; otherwise 404 (SPEC §1.1: records
// outside the scope are not acknowledged). Its Status is the stored one until At sets the clock.
// q may be a transaction: relief applications (SPEC §4) read the household inside their own.
func Get(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, id int64) (Household, error) {
	h, err := get(ctx, q, id)
	if err == nil && !a.Sees(h.OrgPath) {
		return Household{}, notFound()
	}
	return h, err
}

func notFound() error { return apperr.NotFoundf("档案不存在或不在您的管辖范围内") }

func get(ctx context.Context, q sqlx.QueryerContext, id int64) (Household, error) {
	var r row
	err := sqlx.GetContext(ctx, q, &r, selectHousehold+" WHERE h.id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return Household{}, notFound()
	}
	if err != nil {
		return Household{}, err
	}
	h := r.Household
	h.Status = h.Stored
	h.Members = []Member{}
	if err := sqlx.SelectContext(ctx, q, &h.Members,
		"SELECT * FROM household_members WHERE household_id = ? ORDER BY seq", id); err != nil {
		return Household{}, err
	}
	if err := sqlx.GetContext(ctx, q, &h.OpenObjections,
		"SELECT count(*) FROM household_objections WHERE household_id = ? AND resolved_at IS NULL", id); err != nil {
		return Household{}, err
	}
	return h, nil
}

// ReviewAfter is how long a filing holds before the annual review (SPEC §3.3).
const ReviewAfter = "-1 year"

// reviewCutoff is the filed_at before which a filed household is due for review at now.
func reviewCutoff(now time.Time) string { return store.FormatTime(now.AddDate(-1, 0, 0)) }

// ReviewCutoff is reviewCutoff for the reports, which count review_due households without listing them.
func ReviewCutoff(now time.Time) string { return reviewCutoff(now) }

// SeesAll is seesAll for the reports: whether a's scope holds every household, so that a count of the
// whole table needs no condition on the org path.
func SeesAll(ctx context.Context, q sqlx.QueryerContext, a actor.Actor) (bool, error) {
	return seesAll(ctx, q, a)
}

// At sets Status as seen at now: a filed household whose last filing or review is a year old is review_due.
func (h *Household) At(now time.Time) *Household {
	h.Status = h.Stored
	if h.Stored == Filed && h.FiledAt.Valid && h.FiledAt.String <= reviewCutoff(now) {
		h.Status = ReviewDue
	}
	return h
}

// CreateTx registers a new draft household inside the caller's transaction: relief applications open a file
// alongside a green-channel case this way (SPEC §4.3). Duplicates are refused inside tx (SPEC §3.3).
func CreateTx(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in Input) (Household, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Household{}, err
	}
	if err := in.check(now.In(clock.China)); err != nil {
		return Household{}, err
	}
	return insert(ctx, tx, a, now, in, 0, "household.create")
}

// insert writes a new draft file from in, which check has normalised and passed; what depends on the
// database — the org in scope, the policy in force, the open ID numbers — is checked here, inside tx.
func insert(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, in Input, reopenedFrom int64, action string) (Household, error) {
	o, err := unionInScope(ctx, tx, a, in.OrgID)
	if err != nil {
		return Household{}, err
	}
	var id int64
	if err := tx.GetContext(ctx, &id, "SELECT coalesce(max(id), 0) + 1 FROM households"); err != nil {
		return Household{}, err
	}
	r := row{Household: Household{ID: id, FileNo: fmt.Sprintf("KN%s%06d", now.In(clock.China).Format("2006"), id),
		Stored: Draft, Fields: in.Fields, OrgPath: o.Path, CreatedBy: a.UserID, CreatedAt: store.FormatTime(now),
		UpdatedAt: store.FormatTime(now)}}
	if reopenedFrom != 0 {
		r.ReopenedFrom = sql.NullInt64{Int64: reopenedFrom, Valid: true}
	}
	if err := assess(ctx, tx, now, &r, len(in.Members)+1); err != nil {
		return Household{}, err
	}
	if _, err := tx.ExecContext(ctx, insertSQL, values(r.created())...); err != nil {
		return Household{}, err
	}
	if err := saveChildren(ctx, tx, id, &in, nil); err != nil {
		return Household{}, err
	}
	// The answer is the row as written, not read back: a new file has no objections and no lifecycle dates,
	// its members carry the ids saveChildren gave them, and its org is the one checked above
	// (TestCreate_AnswersTheFileAsStored holds it to a fresh read).
	h := r.Household
	h.Status, h.OrgName, h.Members = h.Stored, o.Name, in.Members
	if h.Members == nil {
		h.Members = []Member{}
	}
	return h, record(ctx, tx, a, now, &h, action, nil, &h, "")
}

// unionInScope returns the org a household is registered under: a grassroots union in a's scope.
func unionInScope(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, orgID int64) (org.Org, error) {
	o, err := org.GetInScope(ctx, q, a, orgID)
	if err != nil {
		return o, apperr.Invalid("org_id", "所属工会不存在或不在您的管辖范围内")
	}
	if o.Level != org.Grassroots {
		return o, apperr.Invalid("org_id", "请选择基层工会")
	}
	return o, nil
}

// assess stores the suggested category with the policy in force today for the household's org, whose path
// (r.OrgPath) the caller has read in this transaction.
func assess(ctx context.Context, q sqlx.QueryerContext, now time.Time, r *row, persons int) error {
	p, err := policy.InForceAt(ctx, q, r.OrgPath, clock.Date(now))
	if err != nil {
		return err
	}
	as := Assess(r.Fields, persons, p)
	r.SuggestedCategory, r.PerCapitaFen, r.CategoryBasis, r.CategoryPolicyID = as.Suggested, as.PerCapitaFen, as.Basis, as.PolicyID
	r.IDSuffix = suffix(r.IDNumber)
	return nil
}

func suffix(id string) string {
	if len(id) < 4 {
		return id
	}
	return id[len(id)-4:]
}

// update saves a caseworker's edit of a draft household inside tx (SPEC §3.3: edits happen in draft; a
// supervisor returns a submitted file to draft for corrections).
func update(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, id int64, in Input) (Household, error) {
	old, err := Get(ctx, tx, a, id)
	if err != nil {
		return Household{}, err
	}
	if err := Can(a, old.At(now), ActEdit, now); err != nil {
		return Household{}, err
	}
	if err := in.resolve(&old); err != nil {
		return Household{}, err
	}
	if err := in.check(now.In(clock.China)); err != nil {
		return Household{}, err
	}
	o, err := unionInScope(ctx, tx, a, in.OrgID)
	if err != nil {
		return Household{}, err
	}
	r := row{Household: old}
	r.Fields, r.OrgPath, r.UpdatedAt = in.Fields, o.Path, store.FormatTime(now)
	if err := assess(ctx, tx, now, &r, len(in.Members)+1); err != nil {
		return Household{}, err
	}
	if _, err := tx.ExecContext(ctx, updateSQL, append(values(r.fields()), id)...); err != nil {
		return Household{}, err
	}
	if err := saveChildren(ctx, tx, id, &in, &old); err != nil {
		return Household{}, err
	}
	h, err := get(ctx, tx, id)
	if err != nil {
		return Household{}, err
	}
	return h, record(ctx, tx, a, now, &h, "household.update", &old, &h, "")
}

// saveChildren writes the members, the search terms and the open ID numbers of household id; old is its
// stored version, nil for a new file, which has none of them yet (they reference households, with foreign keys
// on), so nothing is deleted first. The members get their ids in in.Members.
func saveChildren(ctx context.Context, tx *sqlx.Tx, id int64, in *Input, old *Household) error {
	if old != nil {
		for _, q := range []string{"DELETE FROM household_members WHERE household_id = ?",
			"DELETE FROM household_terms WHERE household_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
	}
	// A copy takes the new ids, so that a request that store.Write runs again (its group's transaction was
	// lost) starts from the members as sent, not with ids of rows that were rolled back.
	in.Members = slices.Clone(in.Members)
	for i := range in.Members {
		m := &in.Members[i]
		m.HouseholdID, m.Seq = id, i+1
		var mid any
		if m.ID != 0 {
			mid = m.ID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO household_members (id, household_id, seq, name, relation,
			id_number, birth_date, gender, health, disability, employment_status, school_stage, monthly_income_fen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, mid, id, m.Seq, m.Name, m.Relation, m.IDNumber,
			m.BirthDate, m.Gender, m.Health, m.Disability, m.EmploymentStatus, m.SchoolStage, m.MonthlyIncomeFen)
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	numbers, paths := in.ids()
	if err := insertTerms(ctx, tx, id, Terms(in.Name, in.Phone, numbers)); err != nil {
		return err
	}
	return holdIDs(ctx, tx, id, numbers, paths, old != nil)
}

// Terms returns the search terms of a household (see household_terms in schema.sql).
func Terms(name, phone string, ids []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	add("n:") // every household: a list without q is a search for it (migration 11)
	r := []rune(name)
	for i := range r {
		add("n:" + string(r[i]))
		if i+1 < len(r) {
			add("n:" + string(r[i:i+2]))
		}
	}
	add("p:" + phone)
	for _, id := range ids {
		add(idTerm(id))
	}
	return out
}

// idTerm is the search term of an ID number, or of its last digits: "r:" and the digits reversed, so that the
// numbers ending in some digits are the terms that begin with them (migration 21).
func idTerm(id string) string {
	b := []byte(id)
	slices.Reverse(b)
	return "r:" + string(b)
}

// holdIDs makes household id the open file of each ID number (SPEC §3.3). The partial unique index on
// household_open_ids refuses a number another open file holds; then an unused supervisor override for that
// number lets it through (and is used up), and an override this household already had is kept.
// Otherwise the answer is 409 naming the other file, masked. held says the household may hold numbers already
// (an update); a new file holds none.
func holdIDs(ctx context.Context, tx *sqlx.Tx, id int64, numbers, paths []string, held bool) error {
	var kept []string
	if held {
		if err := tx.SelectContext(ctx, &kept,
			"SELECT id_number FROM household_open_ids WHERE household_id = ? AND overridden = 1", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM household_open_ids WHERE household_id = ?", id); err != nil {
			return err
		}
	}
	for i, n := range numbers {
		_, err := tx.ExecContext(ctx, "INSERT INTO household_open_ids (id_number, household_id) VALUES (?, ?)", n, id)
		if err == nil {
			continue
		}
		if !store.IsUniqueViolation(err) {
			return err
		}
		overridden := contains(kept, n)
		if !overridden {
			res, err := tx.ExecContext(ctx, `UPDATE duplicate_overrides SET household_id = ? WHERE id = (
				SELECT id FROM duplicate_overrides WHERE id_number = ? AND household_id IS NULL ORDER BY id LIMIT 1)`, id, n)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			overridden = k == 1
		}
		if !overridden {
			return duplicateError(ctx, tx, n, paths[i])
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO household_open_ids (id_number, household_id, overridden) VALUES (?, ?, 1)", n, id); err != nil {
			return err
		}
	}
	return nil
}

// releaseIDs frees the ID numbers of a household that closes (exited, rejected).
func releaseIDs(ctx context.Context, tx *sqlx.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM household_open_ids WHERE household_id = ?", id)
	return err
}

// OpenFile names the open household that holds an ID number, masked.
type OpenFile struct {
	ID     int64  `db:"id" json:"id"`
	FileNo string `db:"file_no" json:"file_no"`
	Name   string `db:"head_name" json:"name"`
	Status Status `db:"status" json:"status"`
}

func duplicateError(ctx context.Context, q sqlx.QueryerContext, number, path string) error {
	var f OpenFile
	err := sqlx.GetContext(ctx, q, &f, `SELECT h.id, h.file_no, h.head_name, h.status FROM household_open_ids o
		JOIN households h ON h.id = o.household_id WHERE o.id_number = ? AND o.overridden = 0`, number)
	if err != nil {
		return fmt.Errorf("duplicate lookup: %w", err)
	}
	msg := fmt.Sprintf("身份证号 %s 已在档案 %s（户主 %s，%s）中，一个身份证号只能有一份在档档案；如确需重复建档，请审批人授权后重试",
		ident.MaskID(number), f.FileNo, ident.MaskName(f.Name), StatusNames[f.Status])
	return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{path: "已在档案 " + f.FileNo + " 中"}}
}

// grantDuplicate records a supervisor's grant of one more open file for an ID number inside tx.
func grantDuplicate(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, idNumber, reason string) error {
	var holder struct {
		ID      int64  `db:"id"`
		OrgID   int64  `db:"org_id"`
		OrgPath string `db:"org_path"`
	}
	err := tx.GetContext(ctx, &holder, `SELECT h.id, h.org_id, h.org_path FROM household_open_ids o
		JOIN households h ON h.id = o.household_id WHERE o.id_number = ? AND o.overridden = 0`, idNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Conflictf("该身份证号目前没有在档档案，无需授权")
	}
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO duplicate_overrides (id_number, reason, granted_by, granted_at)
		VALUES (?, ?, ?, ?)`, idNumber, reason, a.UserID, store.FormatTime(now))
	if err != nil {
		return err
	}
	gid, _ := res.LastInsertId()
	return audit.Record(ctx, tx, a, now, audit.Entry{Action: "household.duplicate_override", EntityType: "household",
		EntityID: fmt.Sprint(holder.ID), OrgID: holder.OrgID, OrgPath: holder.OrgPath, Reason: reason,
		After: map[string]any{"grant_id": gid, "id_number": ident.MaskID(idNumber)}})
}

// record writes the audit event of a change to household h. Before and after are JSON-encoded through
// Household.MarshalJSON, so the trail never holds a full ID or card number.
// A nil *Household side is left out.
func record(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, h *Household, action string, before, after *Household, reason string) error {
	e := audit.Entry{Action: action, EntityType: "household", EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID,
		OrgPath: h.OrgPath, Reason: reason}
	if before != nil {
		e.Before = before
	}
	if after != nil {
		e.After = after
	}
	return audit.Record(ctx, tx, a, now, e)
}
