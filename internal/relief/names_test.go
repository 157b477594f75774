package relief

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"bangfu/internal/policy"
)

// declared returns the values of the constants of type typ declared in file (relief.go, workflow.go).
func declared(t *testing.T, file, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			id, ok := vs.Type.(*ast.Ident)
			if (typ != "" && (!ok || id.Name != typ)) || (typ == "" && vs.Type != nil) {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// TestNames_EveryStatusAndActionHasAChineseName: every status declared, every status the workflow table
// names and every action of the table has its Chinese name, and Statuses (the UI's order) lists them all.
func TestNames_EveryStatusAndActionHasAChineseName(t *testing.T) {
	statuses := declared(t, "relief.go", "Status")
	if len(statuses) < 10 {
		t.Fatalf("found %d statuses in relief.go", len(statuses))
	}
	for _, tr := range Workflow {
		for _, s := range append(slices.Clone(tr.From), tr.To...) {
			statuses = append(statuses, string(s))
		}
		if ActionNames[tr.Action] == "" {
			t.Errorf("action %s has no Chinese name in ActionNames", tr.Action)
		}
	}
	for _, s := range statuses {
		if StatusNames[Status(s)] == "" {
			t.Errorf("status %s has no Chinese name in StatusNames", s)
		}
		if !slices.Contains(Statuses, Status(s)) {
			t.Errorf("status %s is missing from Statuses", s)
		}
	}
	for _, a := range declared(t, "workflow.go", "") {
		if _, ok := transition(a); !ok {
			t.Errorf("action %s is declared but not in Workflow", a)
		}
		if ActionNames[a] == "" {
			t.Errorf("action %s has no Chinese name in ActionNames", a)
		}
	}
	for _, ty := range Types {
		if TypeNames[ty] == "" {
			t.Errorf("type %s has no Chinese name", ty)
		}
	}
}

// TestEducationStages_AreTheStagesThePolicyPays: the stages the UI offers for 金秋助学 are exactly those the
// policy table gives an amount for, filed or not.
func TestEducationStages_AreTheStagesThePolicyPays(t *testing.T) {
	p := policy.Params{EducationHigherFiledFen: 1, EducationHigherUnfiledFen: 2, EducationSeniorFiledFen: 3, EducationSeniorUnfiledFen: 4}
	for _, stage := range []string{"none", "primary", "junior_high", "senior_high", "vocational", "higher_ed"} {
		for _, filed := range []bool{true, false} {
			fen, _ := educationAmount(p, stage, filed)
			if (fen > 0) != slices.Contains(EducationStages, stage) {
				t.Errorf("stage %s (filed %v): amount %d, listed %v", stage, filed, fen, slices.Contains(EducationStages, stage))
			}
		}
	}
}
