package relief_test

import (
	"encoding/json"
	"math"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/household"
	"bangfu/internal/relief"
)

// A decision's snapshot is stored as json.Marshal wrote it before it was encoded by hand: the same text, for
// snapshots with and without a household, a funding account, checks and documents.
func TestSnapshotJSON_IsTheReflectiveEncoding(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.Make[relief.Snapshot]().Draw(t, "snapshot")
		app := rapid.Make[relief.Application]().Draw(t, "application")
		s.Application = app.AppendJSON(nil)
		s.Household = json.RawMessage("null")
		if rapid.Bool().Draw(t, "household") {
			s.Household = rapid.Make[household.Household]().Draw(t, "household").AppendJSON(nil)
		}
		p := &s.Policy.Params
		for _, f := range []*float64{&p.RelativeMultiplier, &p.AccidentExpenseRatio} {
			if math.IsNaN(*f) || math.IsInf(*f, 0) {
				*f = 1.5 // json.Marshal refuses them, and no stored policy has them
			}
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Skip(err)
		}
		got, err := relief.SnapshotJSON(s)
		if err != nil || string(got) != string(want) {
			t.Fatalf("got  %s %v\nwant %s", got, err, want)
		}
	})
}
