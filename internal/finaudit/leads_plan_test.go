package finaudit

import (
	"context"
	"strings"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/storetest"
)

// The report's reads of candidates keep their plans at a million payments: each reads its leads or its range
// of an index, never every application or household (issue 11: under 2 s).
func TestAnomalies_QueryPlansReadOnlyTheCandidates(t *testing.T) {
	db := storetest.Open(t)
	a := actor.Actor{UserID: 1, Roles: []actor.Role{actor.Auditor}, OrgPath: "/1/"}
	w := newWindow(a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	b, err := policyBounds(context.Background(), db.R)
	if err != nil {
		t.Fatal(err)
	}
	plan := func(query string, args []any) string {
		return strings.Join(storetest.Plan(t, db, query, args...), "\n")
	}
	type read struct {
		what, query string
		args        []any
		want        string // the index (or key) the read must use
	}
	var reads []read
	for _, r := range amountArms(b) {
		for _, x := range r.arms {
			q, args := w.paidQuery(x.source, x.cond, x.args...)
			want := "USING INTEGER PRIMARY KEY"
			switch {
			case strings.Contains(x.source, "anomaly_twice"):
				want = "USING INDEX applications_applicant (applicant_id_number=?)"
			case strings.Contains(x.source, "applications_paid_amount"):
				want = "USING INDEX applications_paid_amount (type=? AND green=? AND amount_fen"
			case strings.Contains(x.source, "household_year_paid"):
				want = "USING INDEX applications_household (household_id=? AND aid_year=?)"
			case strings.Contains(x.source, "applications_household"):
				want = "USING INDEX applications_household (household_id=?)"
			}
			reads = append(reads, read{x.cond, q, args, want})
		}
	}
	closed, closedArgs := w.paidQuery("applications a INDEXED BY applications_household", "a.household_id IN "+leadsOf("closed"))
	sod, sodArgs := w.paidQuery("applications a NOT INDEXED", "a.id IN "+leadsOf("sod"))
	reads = append(reads, read{"closed", closed, closedArgs, "USING INDEX applications_household (household_id=?)"},
		read{"sod", sod, sodArgs, "USING INTEGER PRIMARY KEY"})
	for _, r := range reads {
		p := plan(r.query, r.args)
		scans := false
		for _, line := range strings.Split(p, "\n") {
			scans = scans || line == "SCAN a" || strings.HasPrefix(line, "SCAN a ") || strings.HasPrefix(line, "SCAN applications")
		}
		if !strings.Contains(p, r.want) || scans {
			t.Errorf("%s: plan\n%s\nwant %s", r.what, p, r.want)
		}
	}
}
