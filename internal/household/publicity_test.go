package household

import (
	"strings"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/storetest"
)

// TestPublicity_QueriesUseThePublicityIndex: the rounds and a round's list are found through households_publicity,
// not by reading every file (SPEC §10: a million households).
func TestPublicity_QueriesUseThePublicityIndex(t *testing.T) {
	db := storetest.Open(t)
	cond, args := actor.Actor{OrgPath: "/1/3/"}.Scope("org_path")
	for name, s := range map[string]stmt{
		"rounds": {roundsQuery(cond), args},
		"list":   {roundQuery(cond), append(append([]any{"2026-03-02"}, args...), 10)},
	} {
		if plan := explain(t, db, s); !strings.Contains(plan, "households_publicity") {
			t.Errorf("%s: plan does not use households_publicity:\n%s", name, plan)
		}
	}
}
