package importer

import (
	"context"
	"slices"
	"testing"

	"bangfu/internal/household"
)

// A supervisor allowed a draft household of the file to hold an ID number another open file holds (SPEC §3.3),
// and a caseworker added that member in the form. Re-importing the file keeps the allowed duplicate: the same
// rows are unchanged, a changed row updates the draft, and a file without that member releases the number.
func TestImport_ReimportKeepsASupervisorAllowedDuplicateOfTheDraft(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cw := f.as("caseworker1")
	hb, wife := testID("330108", "19700101", 71), testID("330108", "19720202", 82)
	if _, err := f.run(cw, f.xlsx("other.xlsx", [][]string{header, headRow("王五", hb, union1),
		memberRow("刘芳", wife, hb, "配偶")}), false); err != nil {
		t.Fatal(err)
	}
	ha, child := testID("330108", "19800101", 91), testID("330108", "20100606", 31)
	rows := [][]string{header, headRow("张建华", ha, union1), memberRow("张小明", child, ha, "子女")}
	first, err := f.run(cw, f.xlsx("v1.xlsx", rows), false)
	if err != nil {
		t.Fatal(err, texts(first))
	}
	a := first.Outcomes[0].HouseholdID
	hs := &household.Service{DB: f.db, Clock: f.svc.Clock}
	if err := hs.GrantDuplicate(ctx, f.as("supervisor1"), household.DuplicateGrant{IDNumber: wife, Reason: "再婚前的档案尚未注销"}); err != nil {
		t.Fatal(err)
	}
	h, err := household.Get(ctx, f.db.R, cw, a)
	if err != nil {
		t.Fatal(err)
	}
	in := household.Input{Fields: h.Fields, Members: append(h.Members, household.Member{Name: "刘芳", Relation: "spouse",
		IDNumber: wife, Gender: "female", Health: "healthy", Disability: "none", EmploymentStatus: "none", SchoolStage: "none"})}
	if _, err := hs.Update(ctx, cw, a, in); err != nil {
		t.Fatal(err)
	}
	openIDs := func() (ofA []string, wifeHolders int) {
		t.Helper()
		if err := f.db.R.Select(&ofA, "SELECT id_number || ':' || overridden FROM household_open_ids WHERE household_id = ? ORDER BY 1", a); err != nil {
			t.Fatal(err)
		}
		wifeHolders = f.count("household_open_ids WHERE id_number = '" + wife + "'")
		return
	}
	withWife := append(slices.Clone(rows), memberRow("刘芳", wife, ha, "配偶"))
	withWife[3][4] = "女"
	for _, step := range []struct {
		name   string
		rows   [][]string
		action string
		held   []string // A's open ID numbers after the run
		wives  int      // open files holding the wife's number
	}{
		{"the same rows", withWife, Unchanged, []string{ha + ":0", child + ":0", wife + ":1"}, 2},
		{"a changed phone", func() [][]string {
			r := slices.Clone(withWife)
			r[1] = slices.Clone(r[1])
			r[1][5] = "13900001111"
			return r
		}(), Update, []string{ha + ":0", child + ":0", wife + ":1"}, 2},
		{"the first file, without the wife", rows, Update, []string{ha + ":0", child + ":0"}, 1},
	} {
		dry, err := f.run(cw, f.xlsx("dry.xlsx", step.rows), true)
		if err != nil || len(dry.Problems) != 0 || dry.Outcomes[0].Action != step.action {
			t.Fatalf("%s, dry run: %v %v %+v", step.name, err, texts(dry), dry.Outcomes)
		}
		r, err := f.run(cw, f.xlsx("again.xlsx", step.rows), false)
		if err != nil || r.Outcomes[0].Action != step.action {
			t.Fatalf("%s: %v %v %+v", step.name, err, texts(r), r.Outcomes)
		}
		held, wives := openIDs()
		want := slices.Clone(step.held)
		slices.Sort(want)
		if !slices.Equal(held, want) || wives != step.wives {
			t.Errorf("%s: A holds %v, want %v; %d files hold the wife's number, want %d", step.name, held, want, wives, step.wives)
		}
	}
}
