package relief

import (
	"slices"
	"strings"
	"testing"

	"bangfu/internal/storetest"
)

// The yearly cap rule, read inside every approval's transaction, reads the beneficiary's committed
// applications of the year from an index alone that holds the committed applications only, so that a
// submission or a return writes no entry of it (migration 28).
func TestPaidSQL_ReadsTheCommittedApplicationsFromTheIndexAlone(t *testing.T) {
	db := storetest.Open(t)
	plan := strings.Join(storetest.Plan(t, db, paidSQL, "living", "h:1", 2026, 1), "\n")
	if !strings.Contains(plan, "USING COVERING INDEX applications_beneficiary (beneficiary=? AND aid_year=?)") {
		t.Errorf("cap rule plan:\n%s", plan)
	}
	var cols []string
	if err := db.R.Select(&cols, "SELECT name FROM pragma_index_info('applications_beneficiary') ORDER BY seqno"); err != nil {
		t.Fatal(err)
	}
	var partial bool
	if err := db.R.Get(&partial, "SELECT partial FROM pragma_index_list('applications') WHERE name = 'applications_beneficiary'"); err != nil {
		t.Fatal(err)
	}
	if !partial || !slices.Equal(cols, []string{"beneficiary", "aid_year", "type", "amount_fen", "status"}) {
		t.Errorf("applications_beneficiary holds %v (partial %v), want the committed applications' [beneficiary aid_year type amount_fen status]", cols, partial)
	}
}

// An application's decisions are read in order from application_decisions_actors, which replaced the shorter
// application_decisions_application (migration 28): no scan, no sort.
func TestDecisionsSQL_ReadsTheActorsIndexInOrder(t *testing.T) {
	db := storetest.Open(t)
	plan := strings.Join(storetest.Plan(t, db, decisionsSQL, 1), "\n")
	if !strings.Contains(plan, "USING INDEX application_decisions_actors (application_id=?)") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("decisions plan:\n%s", plan)
	}
	var n int
	if err := db.R.Get(&n, "SELECT count(*) FROM sqlite_schema WHERE name = 'application_decisions_application'"); err != nil || n != 0 {
		t.Errorf("application_decisions_application still there (%d, %v)", n, err)
	}
}
