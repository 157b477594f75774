package household

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/ident"
	"bangfu/internal/money"
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

// Bulk writes many households inside one transaction (SPEC §10: imports at ≥ 50,000 rows a second). New rows
// wait in memory and go to SQLite in multi-row INSERTs — households and members by batch, search terms and open
// ID numbers sorted by key, so that each index is filled in order rather than at random. Each file still gets
// its category by the policy in force, its search terms, its open ID numbers (the unique index refuses a
// duplicate here too) and its own audit event. Flush must be called before the transaction commits.
type Bulk struct {
	*Lookup
	update, delMembers, delTerms, delIDs, maxID, maxMember *sqlx.Stmt
	overridden, holdOverridden                             *sqlx.Stmt
	inserts                                                map[insertKey]*sqlx.Stmt
	firstID, nextID, nextMember                            int64
	policies                                               map[int64]policy.Policy
	events                                                 *audit.Appender

	households, members []any // arguments of the waiting rows, flat
	nHouseholds         int
	nMembers            int
	snapshot            []byte // the audit snapshot of the last household, reused
	terms               []pendingTerm
	openIDs             []pendingID
}

// insertKey names a multi-row INSERT: its table and how many rows it inserts.
type insertKey struct {
	table, columns string
	rows           int
}

// pendingTerm is a search term waiting to be written; its household's filter columns are shared by its terms,
// and written only with a name term.
type pendingTerm struct {
	term  string
	of    *termColumns
	named bool
}

type termColumns struct {
	householdID                          int64
	orgPath, status, category, industry  string
	mainCause, updatedAt, headName, file string
	filedAt                              sql.NullString
	migrant                              bool
	perCapitaFen                         money.Fen
}

type pendingID struct {
	number      string
	householdID int64
}

// Rows per multi-row INSERT (SQLite takes at most 32,766 parameters a statement), and how many search terms
// wait to be sorted before they are written.
const (
	householdBatch = 256
	memberBatch    = 1024
	termBatch      = 2048
	plainTermBatch = 8192
	openIDBatch    = 4096
	maxPending     = 1 << 18
)

// Lookup reads, inside one transaction (read-only for a dry run), who holds an ID number and the stored
// household, with a prepared statement.
type Lookup struct {
	tx           *sqlx.Tx
	holder, file *sqlx.Stmt
	sets         map[int]*sqlx.Stmt // Holders, by how many numbers it asks for
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
	for _, st := range l.sets {
		st.Close()
	}
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
	b := &Bulk{Lookup: look, policies: map[int64]policy.Policy{}, events: events, inserts: map[insertKey]*sqlx.Stmt{}}
	sets := strings.Join(bulkColumnList(), " = ?, ") + " = ?"
	for _, p := range []struct {
		s **sqlx.Stmt
		q string
	}{
		{&b.update, `UPDATE households SET ` + sets + ` WHERE id = ? AND status = 'draft'`},
		{&b.delMembers, `DELETE FROM household_members WHERE household_id = ?`},
		{&b.delTerms, `DELETE FROM household_terms WHERE household_id = ?`},
		{&b.delIDs, `DELETE FROM household_open_ids WHERE household_id = ?`},
		{&b.overridden, `SELECT id_number FROM household_open_ids WHERE household_id = ? AND overridden = 1`},
		{&b.holdOverridden, `INSERT INTO household_open_ids (id_number, household_id, overridden) VALUES (?, ?, 1)`},
		{&b.maxID, `SELECT coalesce(max(id), 0) FROM households`},
		{&b.maxMember, `SELECT coalesce(max(id), 0) FROM household_members`},
	} {
		s, err := tx.PreparexContext(ctx, p.q)
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("bulk prepare: %w", err)
		}
		*p.s = s
	}
	if err := b.maxID.GetContext(ctx, &b.nextID); err != nil {
		b.Close()
		return nil, err
	}
	if err := b.maxMember.GetContext(ctx, &b.nextMember); err != nil {
		b.Close()
		return nil, err
	}
	b.firstID = b.nextID + 1
	return b, nil
}

func bulkColumnList() []string {
	cols := strings.Split(bulkColumns, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return cols
}

// Close releases the prepared statements. Rows not yet flushed are dropped.
func (b *Bulk) Close() {
	b.Lookup.Close()
	b.events.Close()
	for _, s := range b.inserts {
		s.Close()
	}
	for _, s := range []*sqlx.Stmt{b.update, b.delMembers, b.delTerms, b.delIDs, b.maxID, b.maxMember, b.overridden, b.holdOverridden} {
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

// Holders returns the open files that hold any of numbers (SPEC §3.3), by number, in one query per call: an
// import asks for a batch of rows at once instead of a query per row.
func (l *Lookup) Holders(ctx context.Context, numbers []string) (map[string]HolderOf, error) {
	out := make(map[string]HolderOf)
	if len(numbers) == 0 {
		return out, nil
	}
	st, ok := l.sets[len(numbers)]
	if !ok {
		var err error
		st, err = l.tx.PreparexContext(ctx, `SELECT o.id_number AS number, h.id AS household_id, h.file_no, h.head_name,
			h.id_number, h.status, h.org_path FROM household_open_ids o JOIN households h ON h.id = o.household_id
			WHERE o.overridden = 0 AND o.id_number IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(numbers)), ", ")+`)`)
		if err != nil {
			return nil, fmt.Errorf("lookup prepare: %w", err)
		}
		if l.sets == nil {
			l.sets = map[int]*sqlx.Stmt{}
		}
		l.sets[len(numbers)] = st
	}
	args := make([]any, len(numbers))
	for i, n := range numbers {
		args[i] = n
	}
	rows, err := st.QueryxContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var h struct {
			Number string `db:"number"`
			HolderOf
		}
		if err := rows.StructScan(&h); err != nil {
			return nil, err
		}
		out[h.Number] = h.HolderOf
	}
	return out, rows.Err()
}

// Overrides returns, by number, the open files that hold any of numbers by a supervisor's override (SPEC §3.3:
// one more open file allowed for a number another holds), which Holders leaves out. Such numbers are few: one
// query per call, each number a seek of the open-ID key.
func (l *Lookup) Overrides(ctx context.Context, numbers []string) (map[string][]HolderOf, error) {
	out := make(map[string][]HolderOf)
	if len(numbers) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT o.id_number AS number, h.id AS household_id, h.file_no, h.head_name, h.id_number,
		h.status, h.org_path FROM household_open_ids o JOIN households h ON h.id = o.household_id
		WHERE o.overridden = 1 AND o.id_number IN (?)`, numbers)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Number string `db:"number"`
		HolderOf
	}
	if err := l.tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Number] = append(out[r.Number], r.HolderOf)
	}
	return out, nil
}

// LoadMany returns the stored households ids with their members, by id, as Load does one by one, in three
// queries for the lot (a re-import of a file reads every household it holds).
func (l *Lookup) LoadMany(ctx context.Context, ids []int64) (map[int64]Household, error) {
	out := make(map[int64]Household, len(ids))
	rows, err := store.SelectIn[row](ctx, l.tx, selectHousehold+" WHERE h.id IN (?)", ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		h := r.Household
		h.Status, h.Members = h.Stored, []Member{}
		out[h.ID] = h
	}
	members, err := store.SelectIn[Member](ctx, l.tx, "SELECT * FROM household_members WHERE household_id IN (?) ORDER BY household_id, seq", ids)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		h := out[m.HouseholdID]
		h.Members = append(h.Members, m)
		out[m.HouseholdID] = h
	}
	open, err := store.SelectIn[struct {
		ID int64 `db:"household_id"`
		N  int   `db:"n"`
	}](ctx, l.tx, `SELECT household_id, count(*) AS n FROM household_objections WHERE household_id IN (?)
		AND resolved_at IS NULL GROUP BY household_id`, ids)
	if err != nil {
		return nil, err
	}
	for _, o := range open {
		h := out[o.ID]
		h.OpenObjections = o.N
		out[o.ID] = h
	}
	return out, nil
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
// Its rows are written by a later flush.
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
	b.households = append(b.households, h.ID, h.FileNo, h.CreatedBy, h.CreatedAt)
	b.households = b.fieldArgs(b.households, &h)
	b.nHouseholds++
	b.children(&h, in.Members)
	b.snapshot = h.AppendJSON(b.snapshot[:0]) // masked, as Household.MarshalJSON
	if err := b.events.Record(ctx, a, now, audit.Entry{Action: "household.create", EntityType: "household",
		EntityID: strconv.FormatInt(h.ID, 10), OrgID: h.OrgID, OrgPath: h.OrgPath, After: json.RawMessage(b.snapshot)}); err != nil {
		return Household{}, err
	}
	return h, b.flushIfFull(ctx)
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
	if old.ID >= b.firstID { // created by this Bulk: its waiting rows go first
		if err := b.Flush(ctx); err != nil {
			return Household{}, err
		}
	}
	h := old
	h.Fields, h.OrgPath, h.OrgName, h.UpdatedAt = in.Fields, orgPath, orgName, store.FormatTime(now)
	if err := b.assess(ctx, now, &h, len(in.Members)+1); err != nil {
		return Household{}, err
	}
	res, err := b.update.ExecContext(ctx, append(b.fieldArgs(nil, &h), h.ID)...)
	if err != nil {
		return Household{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Household{}, fmt.Errorf("bulk update: household %d changed under the import", h.ID)
	}
	// The numbers a supervisor allowed this file to share with another (SPEC §3.3) stay allowed while the file
	// keeps them, as in the form (holdIDs); the others are held again like a new file's.
	var kept []string
	if err := b.overridden.SelectContext(ctx, &kept, h.ID); err != nil {
		return Household{}, err
	}
	for _, st := range []*sqlx.Stmt{b.delMembers, b.delTerms, b.delIDs} {
		if _, err := st.ExecContext(ctx, h.ID); err != nil {
			return Household{}, err
		}
	}
	from := len(b.openIDs)
	b.children(&h, in.Members)
	if err := b.keepOverrides(ctx, kept, from); err != nil {
		return Household{}, err
	}
	if err := b.events.Record(ctx, a, now, audit.Entry{Action: "household.update", EntityType: "household",
		EntityID: strconv.FormatInt(h.ID, 10), OrgID: h.OrgID, OrgPath: h.OrgPath, Before: &old, After: &h}); err != nil {
		return Household{}, err
	}
	return h, b.flushIfFull(ctx)
}

// keepOverrides holds again, by the override, each number of kept that the waiting open IDs from index from
// name and another open file still holds; a number nobody else holds any more is held as usual.
func (b *Bulk) keepOverrides(ctx context.Context, kept []string, from int) error {
	if len(kept) == 0 {
		return nil
	}
	waiting := b.openIDs[:from]
	for _, o := range b.openIDs[from:] {
		if !slices.Contains(kept, o.number) {
			waiting = append(waiting, o)
			continue
		}
		holder, held, err := b.Holder(ctx, o.number)
		if err != nil {
			return err
		}
		if !held || holder.HouseholdID == o.householdID {
			waiting = append(waiting, o)
			continue
		}
		if _, err := b.holdOverridden.ExecContext(ctx, o.number, o.householdID); err != nil {
			return err
		}
	}
	b.openIDs = waiting
	return nil
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

func (b *Bulk) fieldArgs(args []any, h *Household) []any {
	f := &h.Fields
	return append(args, f.OrgID, h.OrgPath, f.Name, f.Gender, f.IDNumber, h.IDSuffix, f.BirthDate, f.Phone, f.Employer,
		f.Industry, f.EmploymentStatus, f.UnionMemberSince, f.Migrant, f.Address, f.BankCard, f.Health, f.Disability,
		f.IncomeWagesFen, f.IncomeBusinessFen, f.IncomePropertyFen, f.IncomeTransferFen, f.ExpenseMedicalFen,
		f.ExpenseDisabilityFen, f.ExpenseSchoolingFen, f.ExpenseHousingFen, f.MainCause,
		strings.Join(f.SecondaryCauses, ","), f.ExclCar, f.ExclHomes, f.ExclShareholder, f.ExclChildAbroad,
		f.ExclRefusedChecks, f.Note, string(h.SuggestedCategory), h.CategoryPolicyID, h.PerCapitaFen, h.CategoryBasis, h.UpdatedAt)
}

// children queues the members, search terms and open ID numbers of h, the members with their ids.
func (b *Bulk) children(h *Household, members []Member) {
	h.Members = make([]Member, len(members))
	numbers := make([]string, 0, len(members)+1)
	numbers = append(numbers, h.IDNumber)
	for i, m := range members {
		b.nextMember++
		m.ID, m.HouseholdID, m.Seq = b.nextMember, h.ID, i+1
		b.members = append(b.members, m.ID, h.ID, m.Seq, m.Name, m.Relation, m.IDNumber, m.BirthDate, m.Gender,
			m.Health, m.Disability, m.EmploymentStatus, m.SchoolStage, m.MonthlyIncomeFen)
		b.nMembers++
		h.Members[i] = m
		numbers = append(numbers, m.IDNumber)
	}
	// A name term carries the household's filter columns and sort keys (migration 11), written here so that the
	// triggers that fill them for other writers have nothing to do; other terms carry only the org path.
	named := &termColumns{householdID: h.ID, orgPath: h.OrgPath, status: string(h.Stored), category: string(h.Category),
		industry: h.Industry, mainCause: h.MainCause, updatedAt: h.UpdatedAt, headName: h.Name, file: h.FileNo,
		filedAt: h.FiledAt, migrant: h.Migrant, perCapitaFen: h.PerCapitaFen}
	for _, t := range Terms(h.Name, h.Phone, numbers) {
		b.terms = append(b.terms, pendingTerm{term: t, of: named, named: strings.HasPrefix(t, "n:")})
	}
	for _, n := range numbers {
		b.openIDs = append(b.openIDs, pendingID{number: n, householdID: h.ID})
	}
}

func (b *Bulk) flushIfFull(ctx context.Context) error {
	if b.nHouseholds >= householdBatch || b.nMembers >= memberBatch {
		if err := b.flushRows(ctx); err != nil {
			return err
		}
	}
	if len(b.terms) >= maxPending || len(b.openIDs) >= maxPending {
		return b.Flush(ctx)
	}
	return nil
}

// Flush writes every waiting row. The unique index on household_open_ids refuses an ID number another open
// file holds, whatever the caller checked before (SPEC §3.3).
func (b *Bulk) Flush(ctx context.Context) error {
	if err := b.flushRows(ctx); err != nil {
		return err
	}
	slices.SortFunc(b.terms, func(x, y pendingTerm) int {
		if c := strings.Compare(x.term, y.term); c != 0 {
			return c
		}
		// A name term's households go in name order: three of its four wide indexes (household_terms_scope, _sig,
		// _name) order a term's entries by their few filter values and then the head's name, so each is filled
		// in order too, where household-ID order put every entry at a random place in them.
		if x.named {
			if c := strings.Compare(x.of.headName, y.of.headName); c != 0 {
				return c
			}
		}
		return cmp.Compare(x.of.householdID, y.of.householdID)
	})
	args := make([]any, 0, 13*termBatch)
	for len(b.terms) > 0 {
		// Sorted, the name terms ("n:…") come as one run and the others as another: a name term carries the
		// household's filter columns, the others only its org path (the rest are the columns' defaults).
		named := b.terms[0].named
		n, limit := 0, termBatch
		if !named {
			limit = plainTermBatch
		}
		for n < len(b.terms) && n < limit && b.terms[n].named == named {
			n++
		}
		args = args[:0]
		for _, t := range b.terms[:n] {
			c := t.of
			if named {
				args = append(args, t.term, c.householdID, c.orgPath, c.status, c.migrant, c.category, c.industry,
					c.mainCause, c.filedAt, c.updatedAt, c.perCapitaFen, c.headName, c.file)
			} else {
				args = append(args, t.term, c.householdID, c.orgPath)
			}
		}
		columns := termColumnNames
		if !named {
			columns = "term, household_id, org_path"
		}
		if err := b.insert(ctx, "household_terms", columns, n, args); err != nil {
			return err
		}
		b.terms = b.terms[n:]
	}
	b.terms = nil
	slices.SortFunc(b.openIDs, func(x, y pendingID) int { return strings.Compare(x.number, y.number) })
	for len(b.openIDs) > 0 {
		n := min(len(b.openIDs), openIDBatch)
		args = args[:0]
		for _, o := range b.openIDs[:n] {
			args = append(args, o.number, o.householdID)
		}
		if err := b.insert(ctx, "household_open_ids", "id_number, household_id", n, args); err != nil {
			if store.IsUniqueViolation(err) {
				return b.duplicate(ctx, b.openIDs[:n], err)
			}
			return err
		}
		b.openIDs = b.openIDs[n:]
	}
	b.openIDs = nil
	return nil
}

const termColumnNames = `term, household_id, org_path, status, migrant, category, industry, main_cause, filed_at,
	updated_at, per_capita_fen, head_name, file_no`

// flushRows writes the waiting households, then their members (which refer to them).
func (b *Bulk) flushRows(ctx context.Context) error {
	if b.nHouseholds > 0 {
		if err := b.insert(ctx, "households", "id, file_no, created_by, created_at, "+bulkColumns+
			", status, category, category_override", b.nHouseholds, b.households); err != nil {
			return err
		}
		b.households, b.nHouseholds = b.households[:0], 0
	}
	for done := 0; done < b.nMembers; {
		n := min(b.nMembers-done, memberBatch)
		if err := b.insert(ctx, "household_members", `id, household_id, seq, name, relation, id_number, birth_date,
			gender, health, disability, employment_status, school_stage, monthly_income_fen`, n, b.members[13*done:13*(done+n)]); err != nil {
			return err
		}
		done += n
	}
	b.members, b.nMembers = b.members[:0], 0
	return nil
}

// insert runs the multi-row INSERT of n rows into table, prepared once for each n.
func (b *Bulk) insert(ctx context.Context, table, columns string, n int, args []any) error {
	k := insertKey{table, columns, n}
	st, ok := b.inserts[k]
	if !ok {
		width := strings.Count(columns, ",") + 1
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
		if table == "households" { // status, category and category_override are constants
			width -= 3
			row = "(" + strings.Repeat("?, ", width) + "'draft', '', '')"
		}
		var err error
		st, err = b.tx.PreparexContext(ctx, "INSERT INTO "+table+" ("+columns+") VALUES "+
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
		if err != nil {
			return fmt.Errorf("bulk prepare %s: %w", table, err)
		}
		b.inserts[k] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

// duplicate finds which of the numbers another open file holds, and names that file (SPEC §3.3), masked.
func (b *Bulk) duplicate(ctx context.Context, ids []pendingID, cause error) error {
	for _, o := range ids {
		holder, held, err := b.Holder(ctx, o.number)
		if err != nil {
			return err
		}
		if held && holder.HouseholdID != o.householdID {
			return fmt.Errorf("%s: %w", holder.DuplicateMessage(o.number), cause)
		}
	}
	return cause
}
