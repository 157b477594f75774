package web

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"bangfu/internal/campaign"
	"bangfu/internal/household"
	"bangfu/internal/ledger"
	"bangfu/internal/referral"
	"bangfu/internal/relief"
)

// servedLists are the served vocabulary's lists by their JSON name.
func servedLists(v vocabulary) map[string][]named {
	out := map[string][]named{}
	rv, rt := reflect.ValueOf(v), reflect.TypeOf(v)
	for i := 0; i < rt.NumField(); i++ {
		if l, ok := rv.Field(i).Interface().([]named); ok {
			out[strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]] = l
		}
	}
	return out
}

func namedCodes(l []named) []string {
	out := make([]string, len(l))
	for i, n := range l {
		out[i] = n.Value
	}
	return out
}

// TestVocabulary_NamesEveryCodeAFieldAccepts: every code an input accepts (its validate oneof) is named in the
// served list of that field, and every code a list names is one its fields accept. A oneof field of an area's
// input that no list names fails too: add its codes and names to the area, and the list here.
func TestVocabulary_NamesEveryCodeAFieldAccepts(t *testing.T) {
	lists := servedLists(buildVocabulary())
	// "Type.Field" → the list that names its codes.
	fields := map[string]string{
		"household.Fields.Gender": "genders", "household.Member.Gender": "genders",
		"household.Fields.Industry": "industries", "household.Fields.MainCause": "causes", "household.Fields.SecondaryCauses": "causes",
		"household.Fields.EmploymentStatus": "employment_statuses", "household.Member.EmploymentStatus": "employment_statuses",
		"household.Fields.Health": "health_states", "household.Member.Health": "health_states",
		"household.Fields.Disability": "disabilities", "household.Member.Disability": "disabilities",
		"household.Member.Relation": "relations", "household.Member.SchoolStage": "school_stages",
		"household.ActionInput.Category": "household_categories", "household.ActionInput.ExitReason": "exit_reasons",
		"household.ActionInput.Decision": "review_decisions",
		"relief.Input.Type":              "application_types", "relief.Input.GreenReason": "green_reasons",
		"relief.ActionInput.PaymentMethod": "payment_methods", "relief.ActionInput.ReceiptKind": "receipt_kinds",
		"relief.ActionInput.Outcome": "review_outcomes",
		"referral.Close.Outcome":     "referral_statuses", // the outcomes a referral is closed as
		"campaign.New.Kind":          "campaign_kinds",
		"ledger.NewAccount.Kind":     "account_kinds",
	}
	// Codes of a choice the dialog that offers it words itself, not shown back as a record's value.
	unlisted := map[string]string{}
	// Lists that hold more than the inputs accept: statuses a record reaches by an action, not by input.
	partial := map[string]bool{"referral_statuses": true, "account_kinds": true}
	accepted := map[string][]string{}
	for _, x := range []any{household.Fields{}, household.Member{}, household.ActionInput{}, relief.Input{},
		relief.ActionInput{}, referral.Close{}, campaign.New{}, ledger.NewAccount{}} {
		rt := reflect.TypeOf(x)
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			_, after, ok := strings.Cut(f.Tag.Get("validate"), "oneof=")
			if !ok {
				continue
			}
			codes := strings.Fields(strings.Split(after, ",")[0])
			key := rt.String() + "." + f.Name
			list, ok := fields[key]
			if !ok {
				if unlisted[key] == "" {
					t.Errorf("%s accepts the codes %v, which no vocabulary list names", key, codes)
				}
				continue
			}
			delete(fields, key)
			names := namedCodes(lists[list])
			for _, c := range codes {
				if !slices.Contains(names, c) {
					t.Errorf("%s accepts %q, which %s does not name", key, c, list)
				}
			}
			accepted[list] = append(accepted[list], codes...)
		}
	}
	for key := range fields {
		t.Errorf("%s: no such field with a oneof rule", key)
	}
	for list, codes := range accepted {
		if partial[list] {
			continue
		}
		for _, c := range namedCodes(lists[list]) {
			if !slices.Contains(codes, c) {
				t.Errorf("%s names %q, which no input accepts", list, c)
			}
		}
	}
}

// TestVocabulary_NamesEveryCodeTheSchemaStores: every code a column of the schema may hold (its CHECK (col IN
// (…)) list, as the last migration leaves the table) is named in the vocabulary list of that column, so the
// UI never shows a bare code. A coded column no list names fails: name it, or say here why it is not shown.
func TestVocabulary_NamesEveryCodeTheSchemaStores(t *testing.T) {
	src, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	lists := servedLists(buildVocabulary())
	columns := map[string]string{
		"user_roles.role":               "roles",
		"fund_accounts.kind":            "account_kinds",
		"fund_transfers.kind":           "transfer_kinds",
		"fund_transfers.payment_method": "payment_methods",
		"fund_settlements.state":        "transfer_states", "fund_settlements.payment_method": "payment_methods",
		"households.status": "household_statuses", "households.gender": "genders",
		"referrals.status":  "referral_statuses",
		"applications.type": "application_types", "applications.status": "application_statuses",
		"applications.green_reason": "green_reasons", "applications.payment_method": "payment_methods",
		"applications.receipt_kind": "receipt_kinds", "applications.review_outcome": "review_outcomes",
		"campaigns.kind": "campaign_kinds", "campaigns.status": "campaign_statuses",
		"campaign_deliveries.site_kind": "site_kinds", "campaign_deliveries.status": "delivery_statuses",
		"campaign_enrolments.status": "enrolment_statuses",
	}
	notShown := map[string]string{
		"household_documents.mime":           "a file's type, not a code the UI names",
		"campaign_deliveries.confirm_method": "shown as the confirmation's own sentence",
		"imports.state":                      "the import page words each job's outcome",
		"import_jobs.state":                  "the import page words each job's progress",
	}
	table := regexp.MustCompile(`(?s)CREATE TABLE (\w+) \((.*?)\n\)[^;\n]*;`)
	check := regexp.MustCompile(`(?s)(\w+)\s+[A-Z]+[^,]*?CHECK \((\w+) IN \(([^)]*)\)\)`)
	stored := map[string][]string{}
	for _, m := range table.FindAllStringSubmatch(string(src), -1) {
		for k := range stored {
			if strings.HasPrefix(k, m[1]+".") {
				delete(stored, k) // a later migration rebuilt the table
			}
		}
		for _, c := range check.FindAllStringSubmatch(m[2], -1) {
			var codes []string
			for _, q := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(c[3], -1) {
				if q[1] != "" {
					codes = append(codes, q[1])
				}
			}
			if len(codes) > 0 {
				stored[m[1]+"."+c[2]] = codes
			}
		}
	}
	if len(stored) < 15 {
		t.Fatalf("found %d coded columns in schema.sql: the scan no longer reads its CHECKs", len(stored))
	}
	for col, codes := range stored {
		list, ok := columns[col]
		if !ok {
			if notShown[col] == "" {
				t.Errorf("schema.sql: %s holds the codes %v, which no vocabulary list names", col, codes)
			}
			continue
		}
		names := namedCodes(lists[list])
		for _, c := range codes {
			if !slices.Contains(names, c) {
				t.Errorf("schema.sql: %s may hold %q, which %s does not name", col, c, list)
			}
		}
	}
	for col := range columns {
		if _, ok := stored[col]; !ok {
			t.Errorf("%s: the schema has no CHECK (… IN …) on it", col)
		}
	}
}

// TestUI_RestatesNoNameTheVocabularyServes: no UI module keeps its own map from the codes of a served list to
// Chinese names (an object literal whose keys are all codes of one list and whose values are short Chinese
// names): the names come from GET /api/v1/vocabulary through labels.js, so they cannot drift from Go's.
// Maps from codes to how a code is shown (a badge's colour, a sentence of help) are the UI's own.
func TestUI_RestatesNoNameTheVocabularyServes(t *testing.T) {
	lists := servedLists(buildVocabulary())
	literal := regexp.MustCompile(`\{([^{}]*)\}`)
	entry := regexp.MustCompile(`(\w+): '([^']*)'`)
	han := regexp.MustCompile(`\p{Han}`)
	var files []string
	for _, glob := range []string{"../../static/*.js", "../../static/pages/*.js", "../../static/pages/*/*.js"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("found %d UI modules", len(files))
	}
	for _, p := range files {
		js, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, lit := range literal.FindAllStringSubmatch(string(js), -1) {
			entries := entry.FindAllStringSubmatch(lit[1], -1)
			if len(entries) < 2 {
				continue
			}
			for list, items := range lists {
				codes := namedCodes(items)
				all := true
				for _, e := range entries {
					if !slices.Contains(codes, e[1]) || !han.MatchString(e[2]) || utf8.RuneCountInString(e[2]) > 12 {
						all = false
						break
					}
				}
				if all {
					r := []rune(strings.TrimSpace(lit[1]))
					t.Errorf("%s names the codes of %s itself (%s…): use the map labels.js fills from the vocabulary",
						filepath.Base(p), list, string(r[:min(40, len(r))]))
				}
			}
		}
	}
}
