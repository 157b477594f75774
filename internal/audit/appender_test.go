package audit_test

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/audit"
	"bangfu/internal/relief"
)

// An entity that encodes itself (relief.Application) is diffed member by member in place; the answer must be
// the one the general path gives for the same JSON objects.
func TestChanges_OfAppendersIsTheGeneralDiff(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		before := rapid.Make[relief.Application]().Draw(t, "before")
		after := before
		if rapid.Bool().Draw(t, "other") {
			after = rapid.Make[relief.Application]().Draw(t, "after")
		} else {
			after.Status, after.LastReason = relief.Approved, rapid.String().Draw(t, "reason")
		}
		asMap := func(a relief.Application) map[string]json.RawMessage {
			m := map[string]json.RawMessage{}
			if err := json.Unmarshal(a.AppendJSON(nil), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		got, err := audit.Changes(&before, &after)
		if err != nil {
			t.Fatal(err)
		}
		want, err := audit.Changes(asMap(before), asMap(after))
		if err != nil || got != want {
			t.Fatalf("got  %s\nwant %s %v", got, want, err)
		}
	})
}
