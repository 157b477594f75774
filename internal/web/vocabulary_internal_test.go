package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// auditCode is what an audit action code looks like: "fund.receive", "application.confirm-receipt", "export".
var auditCode = regexp.MustCompile(`^[a-z][a-z_]+(\.[a-z][a-z_-]*)?$`)

// fileName is a literal passed to a function that is a file, not a code.
var fileName = regexp.MustCompile(`\.(db|go|js|json|png|csv|xlsx|pdf|sql|html|txt)$`)

// generatedFamilies are the codes written as "prefix." + an action of a table; each area builds their names
// from that same table (relief.AuditActions from Workflow, …), so a new row is named when it is added.
var generatedFamilies = map[string]string{
	"application.": "relief.Workflow", "household.": "household.Lifecycle", "campaign.": "campaign.Rules",
	"fund.": "ledger.TransferKinds", "referral.": "referral outcomes (helped, declined)",
}

// writtenAuditCodes reads every non-test Go file under internal/ and returns the audit action codes the code
// can write: string literals given as the Action of an audit.Entry, assigned to a variable named action, or
// passed to a function in the form of a code; the prefixes of codes built by concatenation there; and the
// string literals given as the EntityType of an audit.Entry.
func writtenAuditCodes(t *testing.T) (codes, families, entities map[string]string) {
	t.Helper()
	codes, families, entities = map[string]string{}, map[string]string{}, map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		// note takes an expression in an Action position: a literal is a code, "prefix." + x a family.
		note := func(e ast.Expr, strict bool) {
			switch x := e.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING && (strict || strings.Contains(s, ".") && !fileName.MatchString(s)) && auditCode.MatchString(s) {
					codes[s] = fset.Position(x.Pos()).String()
				}
			case *ast.BinaryExpr:
				if l, ok := x.X.(*ast.BasicLit); ok && x.Op == token.ADD && l.Kind == token.STRING {
					if s, err := strconv.Unquote(l.Value); err == nil && strings.HasSuffix(s, ".") && auditCode.MatchString(strings.TrimSuffix(s, ".")) {
						families[s] = fset.Position(x.Pos()).String()
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				if !isAuditEntry(x.Type, f.Name.Name) {
					return true
				}
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Action" {
							note(kv.Value, true)
						}
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "EntityType" {
							if l, ok := kv.Value.(*ast.BasicLit); ok && l.Kind == token.STRING {
								s, _ := strconv.Unquote(l.Value)
								entities[s] = fset.Position(l.Pos()).String()
							}
						}
					}
				}
			case *ast.AssignStmt:
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(x.Rhs) {
						note(x.Rhs[i], true)
					}
				}
			case *ast.CallExpr:
				for _, a := range x.Args {
					if _, ok := a.(*ast.BinaryExpr); ok && !calls(x, "record", "Record") {
						continue // a concatenation passed elsewhere is not an audit code
					}
					note(a, false)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes, families, entities
}

func isAuditEntry(e ast.Expr, pkg string) bool {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == "audit" && x.Sel.Name == "Entry"
	case *ast.Ident:
		return pkg == "audit" && (x.Name == "Entry" || x.Name == "Event")
	}
	return false
}

func calls(c *ast.CallExpr, names ...string) bool {
	var name string
	switch f := c.Fun.(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// TestVocabulary_NamesEveryAuditAction: every audit action code the code base can write has a Chinese name in
// the area that writes it (SPEC §7: the audit page speaks Chinese throughout), and no name is half made.
func TestVocabulary_NamesEveryAuditAction(t *testing.T) {
	named, err := auditActionNames()
	if err != nil {
		t.Fatal(err)
	}
	codes, families, _ := writtenAuditCodes(t)
	if len(codes) < 40 {
		t.Fatalf("the scan found only %d audit codes: it no longer sees the write sites", len(codes))
	}
	for code, at := range codes {
		if _, ok := named[code]; !ok {
			t.Errorf("%s: audit action %q has no Chinese name: add it to the AuditActions of the area that writes it", at, code)
		}
	}
	for prefix, at := range families {
		if _, ok := generatedFamilies[prefix]; !ok {
			t.Errorf("%s: audit action codes %q + … are built at run time: name them from the table they come from in the area's AuditActions and list the family in generatedFamilies", at, prefix)
		}
	}
	for prefix := range generatedFamilies {
		n := 0
		for code := range named {
			if strings.HasPrefix(code, prefix) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no audit action of the family %q is named", prefix)
		}
	}
	for code, name := range named {
		if name == "" || strings.HasSuffix(name, "·") || strings.HasPrefix(name, "·") {
			t.Errorf("audit action %q is named %q: its table row has no Chinese name", code, name)
		}
	}
}

// TestVocabulary_EveryListIsNamedInFull: no code in the served vocabulary goes without a name.
func TestVocabulary_EveryListIsNamedInFull(t *testing.T) {
	v := buildVocabulary()
	lists := servedLists(v)
	if len(lists) < 35 {
		t.Fatalf("the vocabulary serves %d lists", len(lists))
	}
	for list, items := range lists {
		if len(items) == 0 {
			t.Errorf("%s is empty", list)
		}
		for _, it := range items {
			if it.Label == "" {
				t.Errorf("%s: %q has no name", list, it.Value)
			}
		}
	}
	kinds := map[string]bool{}
	for _, k := range v.DocumentKinds {
		kinds[k.Value] = true
	}
	for _, t0 := range v.ApplicationTypes {
		docs, ok := v.RequiredDocuments[t0.Value]
		if !ok {
			t.Errorf("aid type %s has no required documents listed", t0.Value)
		}
		for _, d := range append(docs, v.GreenDocuments...) {
			if !kinds[d] {
				t.Errorf("aid type %s requires %q, which is not a document kind", t0.Value, d)
			}
		}
	}
}

// TestVocabulary_NamesEveryAuditEntityType: every kind of record an audit event is written about has a
// Chinese name (audit.EntityTypeNames), for the audit page's filter and rows.
func TestVocabulary_NamesEveryAuditEntityType(t *testing.T) {
	_, _, entities := writtenAuditCodes(t)
	if len(entities) < 15 {
		t.Fatalf("the scan found only %d entity types: it no longer sees the write sites", len(entities))
	}
	named := map[string]bool{}
	for _, n := range buildVocabulary().AuditEntityTypes {
		named[n.Value] = n.Label != ""
	}
	for e, at := range entities {
		if !named[e] {
			t.Errorf("%s: audit events about %q are written, but audit.EntityTypeNames does not name it", at, e)
		}
	}
}
