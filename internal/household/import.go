package household

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// This file is the household area's side of bulk imports (SPEC §8.3, internal/importer): the same rules as the
// form, exported, and a writer that saves many files in the caller's one transaction with prepared statements.

// Check normalises in and applies every rule of a household file that needs no database (SPEC §3.1): the
// struct tags and the rules the form applies. Field errors name JSON paths (id_number, members[0].relation).
func (in *Input) Check(today time.Time) error { return in.check(today) }

// HolderOf names an open file that holds an ID number.
type HolderOf struct {
	HouseholdID int64  `db:"household_id"`
	FileNo      string `db:"file_no"`
	HeadName    string `db:"head_name"`
	HeadID      string `db:"id_number"`
	Status      Status `db:"status"`
	OrgPath     string `db:"org_path"`
}

// DuplicateMessage is the Chinese refusal for an ID number another open file holds (SPEC §3.3), masked.
func (h HolderOf) DuplicateMessage(number string) string {
	return fmt.Sprintf("身份证号 %s 已在档案 %s（户主 %s，%s）中，一个身份证号只能有一份在档档案",
		ident.MaskID(number), h.FileNo, ident.MaskName(h.HeadName), StatusNames[h.Status])
}

// Bulk writes many households inside one transaction (SPEC §10: imports at ≥ 50,000 rows a second): every
// statement is prepared once. Each file still gets its category by the policy in force, its search terms, its
// open ID numbers (the unique index refuses a duplicate here too) and its own audit event.
type Bulk struct {
	*Lookup
	insert, update, delMembers, member, delTerms, delIDs, openID, maxID *sqlx.Stmt
	terms                                                               map[int]*sqlx.Stmt
	nextID                                                              int64
	policies                                                            map[int64]policy.Policy
	events                                                              *audit.Appender
}

// Lookup reads, inside one transaction (read-only for a dry run), who holds an ID number and the stored
// household, with a prepared statement.
type Lookup struct {
	tx           *sqlx.Tx
	holder, file *sqlx.Stmt
}

// NewLookup prepares the lookups in tx.
func NewLookup(ctx context.Context, tx *sqlx.Tx) (*Lookup, error) {
	// Two statements rather than a join: most numbers of an import are held by nobody, and SQLite keeps a
	// statement without a join prepared.
	s, err := tx.PreparexContext(ctx, `SELECT household_id FROM household_open_ids WHERE id_number = ? AND overridden = 0`)
	if err != nil {
		return nil, fmt.Errorf("lookup prepare: %w", err)
	}
	f, err := tx.PreparexContext(ctx, `SELECT id AS household_id, file_no, head_name, id_number, status, org_path
		FROM households WHERE id = ?`)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("lookup prepare: %w", err)
	}
	return &Lookup{tx: tx, holder: s, file: f}, nil
}

// Q is the lookup's transaction, for other reads that must see the same state.
func (l *Lookup) Q() *sqlx.Tx { return l.tx }

// Close releases the prepared statements.
func (l *Lookup) Close() {
	l.holder.Close()
	l.file.Close()
}

const bulkColumns = `org_id, org_path, head_name, gender, id_number, id_suffix, birth_date, phone, employer, industry,
	employment_status, union_member_since, migrant, address, bank_card, health, disability, income_wages_fen,
	income_business_fen, income_property_fen, income_transfer_fen, expense_medical_fen, expense_disability_fen,
	expense_schooling_fen, expense_housing_fen, main_cause, secondary_causes, excl_car, excl_homes, excl_shareholder,
	excl_child_abroad, excl_refused_checks, note, suggested_category, category_policy_id, per_capita_fen,
	category_basis, updated_at`

// NewBulk prepares the statements of a bulk write in tx.
func NewBulk(ctx context.Context, tx *sqlx.Tx) (*Bulk, error) {
	look, err := NewLookup(ctx, tx)
	if err != nil {
		return nil, err
	}
	events, err := audit.NewAppender(ctx, tx)
	if err != nil {
		look.Close()
		return nil, err
	}
	b := &Bulk{Lookup: look, policies: map[int64]policy.Policy{}, events: events, terms: map[int]*sqlx.Stmt{}}
	cols := strings.Split(bulkColumns, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	qs := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	sets := strings.Join(cols, " = ?, ") + " = ?"
	for _, p := range []struct {
		s **sqlx.Stmt
		q string
	}{
		{&b.insert, `INSERT INTO households (id, file_no, status, category, category_override, created_by, created_at, ` +
			strings.Join(cols, ", ") + `) VALUES (?, ?, 'draft', '', '', ?, ?, ` + qs + `)`},
		{&b.update, `UPDATE households SET ` + sets + ` WHERE id = ? AND status = 'draft'`},
		{&b.delMembers, `DELETE FROM household_members WHERE household_id = ?`},
		{&b.member, `INSERT INTO household_members (household_id, seq, name, relation, id_number, birth_date, gender,
			health, disability, employment_status, school_stage, monthly_income_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&b.delTerms, `DELETE FROM household_terms WHERE household_id = ?`},
		{&b.delIDs, `DELETE FROM household_open_ids WHERE household_id = ? AND overridden = 0`},
		{&b.openID, `INSERT INTO household_open_ids (id_number, household_id) VALUES (?, ?)`},
		{&b.maxID, `SELECT coalesce(max(id), 0) FROM households`},
	} {
		s, err := tx.PreparexContext(ctx, p.q)
		if err != nil {
			return nil, fmt.Errorf("bulk prepare: %w", err)
		}
		*p.s = s
	}
	if err := b.maxID.GetContext(ctx, &b.nextID); err != nil {
		return nil, err
	}
	return b, nil
}

// Close releases the prepared statements.
func (b *Bulk) Close() {
	b.Lookup.Close()
	b.events.Close()
	for _, s := range b.terms {
		s.Close()
	}
	for _, s := range []*sqlx.Stmt{b.insert, b.update, b.delMembers, b.member, b.delTerms, b.delIDs, b.openID, b.maxID} {
		if s != nil {
			s.Close()
		}
	}
}

// Holder returns the open file that holds number, if any (SPEC §3.3), read inside the lookup's transaction.
func (l *Lookup) Holder(ctx context.Context, number string) (HolderOf, bool, error) {
	var h HolderOf
	var id int64
	err := l.holder.GetContext(ctx, &id, number)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err == nil {
		err = l.file.GetContext(ctx, &h, id)
	}
	return h, err == nil, err
}

// Load returns the stored household id with its members, read inside the lookup's transaction.
func (l *Lookup) Load(ctx context.Context, id int64) (Household, error) { return get(ctx, l.tx, id) }

// policy returns the policy in force now for the household's org, read once per org.
func (b *Bulk) policy(ctx context.Context, orgID int64, now time.Time) (policy.Policy, error) {
	if p, ok := b.policies[orgID]; ok {
		return p, nil
	}
	p, err := policy.Current(ctx, b.tx, orgID, now)
	if err == nil {
		b.policies[orgID] = p
	}
	return p, err
}

// Create writes a new draft household from in, already checked with Check, under the grassroots union
// orgID at orgPath (the caller has checked it is in a's scope), and records its household.create event.
func (b *Bulk) Create(ctx context.Context, a actor.Actor, now time.Time, in Input, orgPath, orgName string) (Household, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Household{}, err
	}
	b.nextID++
	at := store.FormatTime(now)
	h := Household{ID: b.nextID, FileNo: fmt.Sprintf("KN%s%06d", now.In(clock.China).Format("2006"), b.nextID),
		Stored: Draft, Status: Draft, Fields: in.Fields, OrgPath: orgPath, OrgName: orgName, CreatedBy: a.UserID,
		CreatedAt: at, UpdatedAt: at}
	if err := b.assess(ctx, now, &h, len(in.Members)+1); err != nil {
		return Household{}, err
	}
	args := append([]any{h.ID, h.FileNo, h.CreatedBy, h.CreatedAt}, b.fieldArgs(&h)...)
	if _, err := b.insert.ExecContext(ctx, args...); err != nil {
		return Household{}, err
	}
	if err := b.children(ctx, &h, in.Members); err != nil {
		return Household{}, err
	}
	after, err := json.Marshal(&h) // masked by Household.MarshalJSON
	if err != nil {
		return Household{}, err
	}
	return h, b.events.Record(ctx, a, now, audit.Entry{Action: "household.create", EntityType: "household",
		EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID, OrgPath: h.OrgPath, After: json.RawMessage(after)})
}

// Update overwrites the draft household old with in (checked with Check) and records household.update with
// the fields that changed. A household that is no longer a draft is not touched (SPEC §8.3).
func (b *Bulk) Update(ctx context.Context, a actor.Actor, now time.Time, old Household, in Input, orgPath, orgName string) (Household, error) {
	if err := a.Require(actor.Caseworker); err != nil {
		return Household{}, err
	}
	if old.Stored != Draft {
		return Household{}, fmt.Errorf("bulk update: household %d is %s, not draft", old.ID, old.Stored)
	}
	h := old
	h.Fields, h.OrgPath, h.OrgName, h.UpdatedAt = in.Fields, orgPath, orgName, store.FormatTime(now)
	if err := b.assess(ctx, now, &h, len(in.Members)+1); err != nil {
		return Household{}, err
	}
	res, err := b.update.ExecContext(ctx, append(b.fieldArgs(&h), h.ID)...)
	if err != nil {
		return Household{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Household{}, fmt.Errorf("bulk update: household %d changed under the import", h.ID)
	}
	if _, err := b.delMembers.ExecContext(ctx, h.ID); err != nil {
		return Household{}, err
	}
	if _, err := b.delTerms.ExecContext(ctx, h.ID); err != nil {
		return Household{}, err
	}
	if _, err := b.delIDs.ExecContext(ctx, h.ID); err != nil {
		return Household{}, err
	}
	if err := b.children(ctx, &h, in.Members); err != nil {
		return Household{}, err
	}
	return h, b.events.Record(ctx, a, now, audit.Entry{Action: "household.update", EntityType: "household",
		EntityID: fmt.Sprint(h.ID), OrgID: h.OrgID, OrgPath: h.OrgPath, Before: &old, After: &h})
}

func (b *Bulk) assess(ctx context.Context, now time.Time, h *Household, persons int) error {
	p, err := b.policy(ctx, h.OrgID, now)
	if err != nil {
		return err
	}
	as := Assess(h.Fields, persons, p)
	h.SuggestedCategory, h.PerCapitaFen, h.CategoryBasis, h.CategoryPolicyID = as.Suggested, as.PerCapitaFen, as.Basis, as.PolicyID
	h.IDSuffix = suffix(h.IDNumber)
	return nil
}

func (b *Bulk) fieldArgs(h *Household) []any {
	f := &h.Fields
	return []any{f.OrgID, h.OrgPath, f.Name, f.Gender, f.IDNumber, h.IDSuffix, f.BirthDate, f.Phone, f.Employer,
		f.Industry, f.EmploymentStatus, f.UnionMemberSince, f.Migrant, f.Address, f.BankCard, f.Health, f.Disability,
		f.IncomeWagesFen, f.IncomeBusinessFen, f.IncomePropertyFen, f.IncomeTransferFen, f.ExpenseMedicalFen,
		f.ExpenseDisabilityFen, f.ExpenseSchoolingFen, f.ExpenseHousingFen, f.MainCause,
		strings.Join(f.SecondaryCauses, ","), f.ExclCar, f.ExclHomes, f.ExclShareholder, f.ExclChildAbroad,
		f.ExclRefusedChecks, f.Note, h.SuggestedCategory, h.CategoryPolicyID, h.PerCapitaFen, h.CategoryBasis, h.UpdatedAt}
}

// termsStmt is the prepared insert of n search terms with every column filled.
func (b *Bulk) termsStmt(ctx context.Context, n int) (*sqlx.Stmt, error) {
	if st, ok := b.terms[n]; ok {
		return st, nil
	}
	q := `INSERT INTO household_terms (term, household_id, org_path, status, migrant, category, industry, main_cause,
		filed_at, updated_at, per_capita_fen, head_name, file_no) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
	st, err := b.tx.PreparexContext(ctx, q)
	if err != nil {
		return nil, err
	}
	b.terms[n] = st
	return st, nil
}

// children writes the members, search terms and open ID numbers of h. The unique index on household_open_ids
// refuses an ID number another open file holds, whatever the caller checked before (SPEC §3.3).
func (b *Bulk) children(ctx context.Context, h *Household, members []Member) error {
	h.Members = make([]Member, len(members))
	numbers := []string{h.IDNumber}
	for i, m := range members {
		m.HouseholdID, m.Seq = h.ID, i+1
		res, err := b.member.ExecContext(ctx, h.ID, m.Seq, m.Name, m.Relation, m.IDNumber, m.BirthDate, m.Gender,
			m.Health, m.Disability, m.EmploymentStatus, m.SchoolStage, m.MonthlyIncomeFen)
		if err != nil {
			return err
		}
		m.ID, _ = res.LastInsertId()
		h.Members[i] = m
		numbers = append(numbers, m.IDNumber)
	}
	// All terms of the household in one statement: a statement's fixed cost, not the rows, dominates here.
	terms := Terms(h.Name, h.Phone, numbers)
	st, err := b.termsStmt(ctx, len(terms))
	if err != nil {
		return err
	}
	// A name term carries the household's filter columns and sort keys (migration 11), written here so that the
	// triggers that fill them for other writers have nothing to do.
	args := make([]any, 0, 13*len(terms))
	for _, t := range terms {
		if strings.HasPrefix(t, "n:") {
			args = append(args, t, h.ID, h.OrgPath, h.Stored, h.Migrant, h.Category, h.Industry, h.MainCause, h.FiledAt,
				h.UpdatedAt, h.PerCapitaFen, h.Name, h.FileNo)
		} else {
			args = append(args, t, h.ID, h.OrgPath, "", false, "", "", "", nil, "", 0, "", "")
		}
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return err
	}
	for _, n := range numbers {
		if _, err := b.openID.ExecContext(ctx, n, h.ID); err != nil {
			if store.IsUniqueViolation(err) {
				holder, _, _ := b.Holder(ctx, n)
				return fmt.Errorf("%s: %w", holder.DuplicateMessage(n), err)
			}
			return err
		}
	}
	return nil
}
