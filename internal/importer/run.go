package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/ident"
	"bangfu/internal/org"
	"bangfu/internal/policy"
	"bangfu/internal/store"
)

// maxListed bounds the households listed one by one in a report; the counts are always complete.
const maxListed = 5000

// Import reads the survey list at path and checks every row; a real run (opts.DryRun false) then writes
// the whole file in one transaction, or nothing if any row is refused (the report says which, and the error
// is a validation error). The actor's role is checked first, then each row's union against its scope.
func (s *Service) Import(ctx context.Context, a actor.Actor, path string, opts Options) (Report, error) {
	if err := mayImport(a, opts.DryRun); err != nil {
		return Report{}, err
	}
	facts, err := inspect(path)
	if err != nil {
		return Report{}, err
	}
	r := Report{FileName: opts.FileName, SHA256: facts.SHA256, Size: facts.Size, Format: facts.Format,
		DryRun: opts.DryRun, Problems: []Problem{}, Unknown: []string{}, Notes: []string{}, Outcomes: []Outcome{}}
	if r.FileName == "" {
		r.FileName = "未命名文件"
	}
	tell := func(p Progress) {
		if opts.Progress != nil {
			opts.Progress(p)
		}
	}
	b, err := openBook(path, facts.Format)
	if err != nil {
		return Report{}, err
	}
	defer b.close()
	orgs, err := loadOrgs(ctx, s.DB.R)
	if err != nil {
		return Report{}, err
	}
	var fallback *org.Org
	if opts.OrgCode != "" {
		o, msg := orgs.resolve(a, opts.OrgCode)
		if msg != "" {
			return Report{}, apperr.Invalid("org", "默认工会"+msg)
		}
		fallback = o
	} else if o, ok := orgs.byID[a.OrgID]; ok && o.Level == org.Grassroots {
		fallback = o
	}
	people, err := readAll(b, &r, fallback == nil, func(n int) { tell(Progress{Phase: "read", Done: n, Share: b.progress()}) })
	if err != nil {
		return Report{}, err
	}
	r.Rows = len(people)
	tell(Progress{Phase: "read", Done: len(people), Total: len(people), Share: 1})
	now := s.Clock.Now()
	p := &plan{a: a, now: now, today: now.In(clock.China), orgs: orgs, fallback: fallback, report: &r, tell: tell}
	p.group(people)
	if opts.DryRun {
		tx, err := s.DB.R.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return Report{}, err
		}
		defer tx.Rollback()
		look, err := household.NewLookup(ctx, tx)
		if err != nil {
			return Report{}, err
		}
		defer look.Close()
		if err := p.check(ctx, look); err != nil {
			return Report{}, err
		}
		p.finish()
		return r, nil
	}
	_, err = store.InTx(ctx, s.DB, func(tx *sqlx.Tx) (struct{}, error) {
		bulk, err := household.NewBulk(ctx, tx)
		if err != nil {
			return struct{}{}, err
		}
		defer bulk.Close()
		// Each family is written as soon as it passes, while no row has been refused: one pass, and no file's
		// worth of households held. A refused row stops the writing; the rest is checked for the report, and
		// the error rolls back what was written.
		p.bulk = bulk
		if err := p.check(ctx, bulk.Lookup); err != nil {
			return struct{}{}, err
		}
		if len(r.Problems) > 0 {
			p.unwrite()
			p.finish()
			return struct{}{}, errRefused(&r)
		}
		if err := bulk.Flush(ctx); err != nil {
			return struct{}{}, err
		}
		p.tell(Progress{Phase: "write", Done: len(p.families), Total: len(p.families), Share: 1})
		r.Written = true
		p.finish()
		id, err := saveImport(ctx, tx, a, now, &r)
		if err != nil {
			return struct{}{}, err
		}
		r.ID = id
		if opts.JobID != 0 {
			if err := markWritten(ctx, tx, opts.JobID, id, &r, now); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, audit.Record(ctx, tx, a, now, audit.Entry{Action: "import.run", EntityType: "import",
			EntityID: fmt.Sprint(id), After: r.auditFacts()})
	})
	if err != nil {
		r.Written = false
		p.finish()
		return r, err
	}
	return r, nil
}

// auditFacts are what the import event records: the file and the counts (SPEC §8.3).
func (r *Report) auditFacts() map[string]any {
	return map[string]any{"file_name": r.FileName, "sha256": r.SHA256, "size": r.Size, "format": r.Format,
		"dry_run": r.DryRun, "rows": r.Rows, "rows_refused": r.RowsRefused, "households": r.Households,
		"create": r.Create, "update": r.Update, "unchanged": r.Unchanged, "review": r.Review}
}

// saveImport stores the finished report (masked) in imports.
func saveImport(ctx context.Context, tx *sqlx.Tx, a actor.Actor, now time.Time, r *Report) (int64, error) {
	rep, err := json.Marshal(r)
	if err != nil {
		return 0, err
	}
	state := "done"
	if len(r.Problems) > 0 {
		state = "refused"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO imports (file_name, sha256, size, format, dry_run, state, org_path,
		created_by, created_at, rows_total, rows_refused, households, created, updated, unchanged, review, report)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.FileName, r.SHA256, r.Size, r.Format, r.DryRun, state,
		a.OrgPath, a.UserID, store.FormatTime(now), r.Rows, r.RowsRefused, r.Households, r.Create, r.Update, r.Unchanged,
		r.Review, string(rep))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// orgIndex finds unions by name or code.
type orgIndex struct {
	byID   map[int64]*org.Org
	byName map[string]*org.Org
}

func loadOrgs(ctx context.Context, q sqlx.QueryerContext) (*orgIndex, error) {
	var all []org.Org
	if err := sqlx.SelectContext(ctx, q, &all, "SELECT * FROM orgs"); err != nil {
		return nil, err
	}
	ix := &orgIndex{byID: map[int64]*org.Org{}, byName: map[string]*org.Org{}}
	for i := range all {
		o := &all[i]
		ix.byID[o.ID] = o
		ix.byName[o.Code] = o
		ix.byName[o.Name] = o
	}
	return ix, nil
}

// resolve finds the grassroots union named v (its name or code) in a's scope; msg says why not.
func (ix *orgIndex) resolve(a actor.Actor, v string) (*org.Org, string) {
	o, ok := ix.byName[v]
	if !ok || !a.Sees(o.Path) {
		return nil, "「" + v + "」不存在或不在你的范围内"
	}
	if o.Level != org.Grassroots {
		return nil, "「" + v + "」不是基层工会，请填写基层工会的名称"
	}
	return o, ""
}

// family is one household of the file: its head's row and its members' rows.
type family struct {
	head    *person
	members []*person
	bad     bool
	org     *org.Org
	in      *household.Input     // what a real run saves, held from its check to its write
	old     *household.Household // the stored household of this head
	out     Outcome
	written bool // by the bulk writer, in the transaction
}

type plan struct {
	a        actor.Actor
	now      time.Time
	today    time.Time
	orgs     *orgIndex
	fallback *org.Org
	report   *Report
	tell     func(Progress)
	families []*family
	badRows  map[*person]bool
	policies map[int64]policy.Policy
	bulk     *household.Bulk // a real run's writer: check writes each family that passes
	look     *household.Lookup
}

func (p *plan) refuse(pr Problem, who *person, f *family) {
	p.report.Problems = append(p.report.Problems, pr)
	if who != nil {
		p.badRows[who] = true
	}
	if f != nil {
		f.bad = true
	}
}

// group checks what needs no database and puts members under their heads: ID numbers (GB 11643, the
// household area's rule), ID numbers twice in the file, and a member's head.
func (p *plan) group(people []person) {
	p.badRows = map[*person]bool{}
	firstRow := map[string]*person{}
	heads := map[string]*family{}
	var last *family
	lastSheet := ""
	for i := range people {
		pe := &people[i]
		if pe.lay.sheet != lastSheet {
			last, lastSheet = nil, pe.lay.sheet
		}
		id := pe.cell(colID)
		validID := false
		if id == "" {
			p.refuse(cellProblem(pe, colID, "此项为必填"), pe, nil)
		} else if _, err := ident.ParseResidentID(id, p.today); err != nil {
			msg := strings.TrimPrefix(apperr.From(err).Message, "身份证号")
			if strings.ContainsAny(id, "Ee") && strings.Contains(id, "+") {
				msg = "被 Excel 存成了数字（科学计数法），请把该列设为文本格式后重新填写"
			}
			p.refuse(cellProblem(pe, colID, msg), pe, nil)
		} else if first, dup := firstRow[id]; dup {
			where := fmt.Sprintf("第 %d 行", first.row)
			if first.lay.sheet != pe.lay.sheet {
				where = "工作表「" + first.lay.sheet + "」" + where
			}
			p.refuse(cellProblem(pe, colID, "与"+where+"身份证号重复"), pe, nil)
		} else {
			firstRow[id] = pe
			validID = true
		}
		rel := pe.cell(colRelation)
		if headWords[rel] {
			f := &family{head: pe}
			if !validID {
				f.bad = true
			} else {
				heads[id] = f
			}
			p.families = append(p.families, f)
			last = f
			continue
		}
		var f *family
		if hid := pe.cell(colHeadID); hid != "" {
			if f = heads[hid]; f == nil {
				p.refuse(cellProblem(pe, colHeadID, "本文件中没有身份证号为 "+ident.MaskID(hid)+" 的户主行（户主行的「与户主关系」应为「本人」或留空）"), pe, nil)
				continue
			}
		} else if f = last; f == nil {
			p.refuse(cellProblem(pe, colRelation, "家庭成员行之前没有户主行，请填写「户主身份证号」"), pe, nil)
			continue
		}
		f.members = append(f.members, pe)
		if !validID {
			f.bad = true
		}
	}
}

// checkBatch is how many families' ID numbers are looked up in one query.
const checkBatch = 256

// check resolves each family against the database (inside look's transaction): its union, the stored
// household of its head, the ID numbers other files hold (one query per batch of families); then applies the
// household rules to what a real run would save, and decides what it would do. In a real run it writes each
// family that passes while nothing has been refused.
func (p *plan) check(ctx context.Context, look *household.Lookup) error {
	p.policies, p.look = map[int64]policy.Policy{}, look
	total := len(p.families)
	phase := "check"
	if p.bulk != nil {
		phase = "write"
	}
	var numbers []string
	for from := 0; from < total; from += checkBatch {
		p.tell(Progress{Phase: phase, Done: from, Total: total, Share: float64(from) / float64(max(total, 1))})
		batch := p.families[from:min(from+checkBatch, total)]
		numbers = numbers[:0]
		for _, f := range batch {
			if f.bad {
				continue
			}
			numbers = append(numbers, f.head.cell(colID))
			for _, m := range f.members {
				numbers = append(numbers, m.cell(colID))
			}
		}
		holders, err := look.Holders(ctx, numbers)
		if err != nil {
			return err
		}
		overrides, err := look.Overrides(ctx, numbers)
		if err != nil {
			return err
		}
		if len(overrides) > 0 {
			holders = withOwnFiles(holders, overrides, batch)
		}
		// The stored households of the batch's heads, read together: the import is idempotent by ID number.
		var ids []int64
		for _, f := range batch {
			if holder, held := holders[f.head.cell(colID)]; held && !f.bad && holder.HeadID == f.head.cell(colID) {
				ids = append(ids, holder.HouseholdID)
			}
		}
		stored, err := look.LoadMany(ctx, ids)
		if err != nil {
			return err
		}
		for _, f := range batch {
			if err := p.checkFamily(ctx, holders, stored, f); err != nil {
				return err
			}
			if p.bulk != nil && !f.bad && f.out.Action != "" {
				if err := p.write(ctx, f); err != nil {
					return err
				}
			}
			f.in, f.old = nil, nil // a dry run's report needs only the outcome
		}
	}
	p.tell(Progress{Phase: phase, Done: total, Total: total, Share: 1})
	return nil
}

// withOwnFiles makes a head's own file the holder of the head's number and of its members' numbers where
// that file holds them by a supervisor's override (SPEC §3.3) and another file holds them too: an allowed
// duplicate of the file is not a duplicate to its re-import. A head's number held as a head by the other
// file stays that file's.
func withOwnFiles(holders map[string]household.HolderOf, overrides map[string][]household.HolderOf, batch []*family) map[string]household.HolderOf {
	for _, f := range batch {
		if f.bad {
			continue
		}
		head := f.head.cell(colID)
		own, held := holders[head]
		if !held || own.HeadID != head {
			for _, o := range overrides[head] {
				if o.HeadID == head {
					own, held = o, true
					holders[head] = o
					break
				}
			}
		}
		if !held || own.HeadID != head {
			continue
		}
		for _, m := range f.members {
			for _, o := range overrides[m.cell(colID)] {
				if o.HouseholdID == own.HouseholdID {
					holders[m.cell(colID)] = o
				}
			}
		}
	}
	return holders
}

func (p *plan) checkFamily(ctx context.Context, holders map[string]household.HolderOf, stored map[int64]household.Household, f *family) error {
	h := f.head
	// The union: a grassroots union in the actor's scope (SPEC §1.1).
	if v := h.cell(colUnion); v != "" {
		o, msg := p.orgs.resolve(p.a, v)
		if msg != "" {
			p.refuse(cellProblem(h, colUnion, msg), h, f)
		}
		f.org = o
	} else if p.fallback != nil {
		f.org = p.fallback
	} else {
		p.refuse(cellProblem(h, colUnion, "此项为必填"), h, f)
	}
	if f.bad {
		return nil
	}
	// The stored household of this head, if any: the import is idempotent by ID number.
	if holder, held := holders[h.cell(colID)]; held {
		if holder.HeadID != h.cell(colID) || !p.a.Sees(holder.OrgPath) {
			p.refuse(cellProblem(h, colID, holder.DuplicateMessage(h.cell(colID))), h, f)
			return nil
		}
		old, ok := stored[holder.HouseholdID]
		if !ok {
			return fmt.Errorf("import: household %d of %s not read", holder.HouseholdID, ident.MaskID(h.cell(colID)))
		}
		f.old = &old
	}
	in, ok := p.input(f)
	if !ok {
		return nil
	}
	if err := in.Check(p.today); err != nil {
		e := apperr.From(err)
		if e.Code != apperr.Validation {
			return err
		}
		p.fieldProblems(f, e)
		return nil
	}
	for i, m := range in.Members {
		if holder, held := holders[m.IDNumber]; held && (f.old == nil || holder.HouseholdID != f.old.ID) {
			p.refuse(cellProblem(f.members[i], colID, holder.DuplicateMessage(m.IDNumber)), f.members[i], f)
		}
	}
	if f.bad {
		return nil
	}
	f.in = &in
	f.out = Outcome{Sheet: h.lay.sheet, Row: h.row, Name: in.Name, IDNumber: ident.MaskID(in.IDNumber),
		Members: len(in.Members), Action: Create, Changed: []string{}}
	pol, err := p.policy(ctx, p.look, in.OrgID)
	if err != nil {
		return err
	}
	f.out.Category = household.CategoryNames[household.Assess(in.Fields, len(in.Members)+1, pol).Suggested]
	if f.old != nil {
		f.out.HouseholdID, f.out.FileNo, f.out.Status = f.old.ID, f.old.FileNo, household.StatusNames[f.old.Stored]
		f.out.Changed = changes(f.old, &in)
		switch {
		case len(f.out.Changed) == 0:
			f.out.Action = Unchanged
		case f.old.Stored == household.Draft:
			f.out.Action = Update
		default:
			f.out.Action = Review
		}
	}
	return nil
}

func (p *plan) policy(ctx context.Context, look *household.Lookup, orgID int64) (policy.Policy, error) {
	if pol, ok := p.policies[orgID]; ok {
		return pol, nil
	}
	pol, err := policy.Current(ctx, look.Q(), orgID, p.now)
	if err == nil {
		p.policies[orgID] = pol
	}
	return pol, err
}

// fieldProblems turns the household rules' field errors into problems at their rows and columns.
func (p *plan) fieldProblems(f *family, e *apperr.Error) {
	paths := make([]string, 0, len(e.Fields))
	for path := range e.Fields {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		msg := e.Fields[path]
		who, k := f.head, keyOfField(path, false)
		if rest, ok := strings.CutPrefix(path, "members["); ok {
			var i int
			var field string
			fmt.Sscanf(rest, "%d].%s", &i, &field)
			if i >= 0 && i < len(f.members) {
				who = f.members[i]
			}
			k = keyOfField(field, true)
		}
		label := byKey[k].label
		msg = strings.TrimPrefix(msg, label)
		p.refuse(cellProblem(who, k, msg), who, f)
	}
	if len(paths) == 0 {
		p.refuse(cellProblem(f.head, colName, e.Message), f.head, f)
	}
}

// keyOfField is the column of a household JSON field ("secondary_causes[1]" is 次要困难原因).
func keyOfField(field string, member bool) key {
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	switch field {
	case "income_wages_fen", "income_business_fen", "income_property_fen", "income_transfer_fen":
		return colMonthly
	}
	for _, c := range columns {
		if (!member && c.head == field) || (member && c.member == field) {
			return c.key
		}
	}
	return colName
}

// finish counts the outcomes and the refused rows, and writes the summary.
func (p *plan) finish() {
	r := p.report
	r.Create, r.Update, r.Unchanged, r.Review, r.Households = 0, 0, 0, 0, 0
	r.Outcomes = r.Outcomes[:0]
	for _, f := range p.families {
		if f.bad || f.out.Action == "" {
			continue
		}
		r.Households++
		switch f.out.Action {
		case Create:
			r.Create++
		case Update:
			r.Update++
		case Unchanged:
			r.Unchanged++
		case Review:
			r.Review++
		}
		if len(r.Outcomes) < maxListed {
			r.Outcomes = append(r.Outcomes, f.out)
		}
	}
	r.RowsRefused = len(p.badRows)
	// A family refused for one row refuses its other rows too; they are counted with it.
	for _, f := range p.families {
		if f.bad {
			for _, pe := range append([]*person{f.head}, f.members...) {
				if !p.badRows[pe] {
					r.RowsRefused++
				}
			}
		}
	}
	if r.RowsRefused > r.Rows {
		r.RowsRefused = r.Rows
	}
	sort.SliceStable(r.Problems, func(i, j int) bool {
		if r.Problems[i].Sheet != r.Problems[j].Sheet {
			return false
		}
		return r.Problems[i].Row < r.Problems[j].Row
	})
	r.summarize()
}

// write saves family f if the plan creates or updates it, in the bulk writer's transaction, unless a row
// has been refused (the transaction will be rolled back). What was held for it goes once it is written.
func (p *plan) write(ctx context.Context, f *family) error {
	if len(p.report.Problems) > 0 {
		return nil
	}
	var h household.Household
	var err error
	switch f.out.Action {
	case Create:
		h, err = p.bulk.Create(ctx, p.a, p.now, *f.in, f.org.Path, f.org.Name)
	case Update:
		h, err = p.bulk.Update(ctx, p.a, p.now, *f.old, *f.in, f.org.Path, f.org.Name)
	default:
		f.in, f.old = nil, nil
		return nil
	}
	if err != nil {
		return err
	}
	f.out.HouseholdID, f.out.FileNo, f.out.Status = h.ID, h.FileNo, household.StatusNames[h.Stored]
	f.written = true
	f.in, f.old = nil, nil
	return nil
}

// unwrite forgets the numbers of the households a refused real run wrote before the refusal: the
// transaction is rolled back, so they do not exist.
func (p *plan) unwrite() {
	for _, f := range p.families {
		if f.written && f.out.Action == Create {
			f.out.HouseholdID, f.out.FileNo, f.out.Status = 0, "", ""
		}
		f.written = false
	}
}

// changes names the columns whose values differ between the stored household and what the file says.
func changes(old *household.Household, in *household.Input) []string {
	var out []string
	for _, d := range fieldDiffs { // in the order of their JSON names
		if !d.same(&old.Fields, &in.Fields) {
			if l, ok := fieldLabels[d.key]; ok {
				out = append(out, l)
			} else {
				out = append(out, d.key)
			}
		}
	}
	if !sameMembers(old.Members, in.Members) {
		out = append(out, "家庭成员")
	}
	return out
}

// fieldDiffs compares each field of a household by its JSON name, without reflection (a re-import of
// 50,000 unchanged households compares them all). TestChanges_CoversEveryFieldOfAHousehold fails when a
// field is added to household.Fields and not here.
var fieldDiffs = func() []fieldDiff {
	type F = household.Fields
	d := []fieldDiff{
		{"org_id", func(a, b *F) bool { return a.OrgID == b.OrgID }},
		{"name", func(a, b *F) bool { return a.Name == b.Name }},
		{"gender", func(a, b *F) bool { return a.Gender == b.Gender }},
		{"id_number", func(a, b *F) bool { return a.IDNumber == b.IDNumber }},
		{"birth_date", func(a, b *F) bool { return a.BirthDate == b.BirthDate }},
		{"phone", func(a, b *F) bool { return a.Phone == b.Phone }},
		{"employer", func(a, b *F) bool { return a.Employer == b.Employer }},
		{"industry", func(a, b *F) bool { return a.Industry == b.Industry }},
		{"employment_status", func(a, b *F) bool { return a.EmploymentStatus == b.EmploymentStatus }},
		{"union_member_since", func(a, b *F) bool { return a.UnionMemberSince == b.UnionMemberSince }},
		{"migrant", func(a, b *F) bool { return a.Migrant == b.Migrant }},
		{"address", func(a, b *F) bool { return a.Address == b.Address }},
		{"bank_card", func(a, b *F) bool { return a.BankCard == b.BankCard }},
		{"health", func(a, b *F) bool { return a.Health == b.Health }},
		{"disability", func(a, b *F) bool { return a.Disability == b.Disability }},
		{"income_wages_fen", func(a, b *F) bool { return a.IncomeWagesFen == b.IncomeWagesFen }},
		{"income_business_fen", func(a, b *F) bool { return a.IncomeBusinessFen == b.IncomeBusinessFen }},
		{"income_property_fen", func(a, b *F) bool { return a.IncomePropertyFen == b.IncomePropertyFen }},
		{"income_transfer_fen", func(a, b *F) bool { return a.IncomeTransferFen == b.IncomeTransferFen }},
		{"expense_medical_fen", func(a, b *F) bool { return a.ExpenseMedicalFen == b.ExpenseMedicalFen }},
		{"expense_disability_fen", func(a, b *F) bool { return a.ExpenseDisabilityFen == b.ExpenseDisabilityFen }},
		{"expense_schooling_fen", func(a, b *F) bool { return a.ExpenseSchoolingFen == b.ExpenseSchoolingFen }},
		{"expense_housing_fen", func(a, b *F) bool { return a.ExpenseHousingFen == b.ExpenseHousingFen }},
		{"main_cause", func(a, b *F) bool { return a.MainCause == b.MainCause }},
		{"secondary_causes", func(a, b *F) bool { return slices.Equal(a.SecondaryCauses, b.SecondaryCauses) }},
		{"excl_car", func(a, b *F) bool { return a.ExclCar == b.ExclCar }},
		{"excl_homes", func(a, b *F) bool { return a.ExclHomes == b.ExclHomes }},
		{"excl_shareholder", func(a, b *F) bool { return a.ExclShareholder == b.ExclShareholder }},
		{"excl_child_abroad", func(a, b *F) bool { return a.ExclChildAbroad == b.ExclChildAbroad }},
		{"excl_refused_checks", func(a, b *F) bool { return a.ExclRefusedChecks == b.ExclRefusedChecks }},
		{"note", func(a, b *F) bool { return a.Note == b.Note }},
	}
	slices.SortFunc(d, func(x, y fieldDiff) int { return strings.Compare(x.key, y.key) })
	return d
}()

type fieldDiff struct {
	key  string
	same func(a, b *household.Fields) bool
}

func sameMembers(a, b []household.Member) bool {
	return slices.EqualFunc(a, b, func(x, y household.Member) bool {
		x.ID, x.HouseholdID, y.ID, y.HouseholdID = 0, 0, 0, 0
		x.Seq, y.Seq = 0, 0
		return x == y
	})
}
