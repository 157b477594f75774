package finaudit

import (
	"context"
	"strings"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/storetest"
)

// The register's two queries keep their plans at a million payments: the totals from payment_totals' key, the
// page along applications_paid in order, neither sorting nor scanning the applications (issue 11, §10).
func TestRegister_QueryPlansUseTheTotalsAndThePaidIndex(t *testing.T) {
	db := storetest.Open(t)
	s := &Service{DB: db}
	a := actor.Actor{UserID: 1, Roles: []actor.Role{actor.Auditor}, OrgPath: "/1/"}
	plan := func(query string, args []any) string {
		return strings.Join(storetest.Plan(t, db, query, args...), "\n")
	}
	for _, f := range []RegisterFilter{{}, {Type: "medical"}, {From: "2026-01-01", To: "2026-06-30", Status: "received", Green: "false"}} {
		c, err := s.registerConds(context.Background(), db.R, a, f)
		if err != nil {
			t.Fatal(err)
		}
		totals := plan(c.totalsQuery(), c.totalArgs)
		if !strings.Contains(totals, "payment_totals USING PRIMARY KEY") {
			t.Errorf("%+v: totals plan\n%s", f, totals)
		}
		page := plan(c.pageQuery(false), append(c.appArgs, 20, 0))
		if !strings.Contains(page, "USING INDEX applications_paid") || strings.Contains(page, "TEMP B-TREE") {
			t.Errorf("%+v: page plan\n%s", f, page)
		}
		// With campaign costs the two arms are merged, the applications' still read in index order (the few
		// costs are sorted on their own).
		merged := plan(c.pageQuery(true), append(append(append([]any{}, c.appArgs...), c.costArgs...), 20, 0))
		left := strings.SplitN(merged, "RIGHT", 2)[0]
		if !strings.Contains(merged, "MERGE (UNION ALL)") || !strings.Contains(left, "USING INDEX applications_paid") || strings.Contains(left, "TEMP B-TREE") {
			t.Errorf("%+v: merged page plan\n%s", f, merged)
		}
	}
}
