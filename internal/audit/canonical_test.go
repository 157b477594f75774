package audit

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// reflectiveCanonical is the encoding every stored hash was taken over, kept as appendCanonical's reference.
func reflectiveCanonical(e *Event) []byte {
	var actorID, orgID any
	if e.ActorID.Valid {
		actorID = e.ActorID.Int64
	}
	if e.OrgID.Valid {
		orgID = e.OrgID.Int64
	}
	var changes any
	if e.Changes.Valid {
		changes = e.Changes.String
	}
	b, _ := json.Marshal([]any{e.Seq, e.At, actorID, e.Actor, e.Roles, orgID, e.OrgPath, e.Action,
		e.EntityType, e.EntityID, changes, e.Reason, e.RequestID, e.ClientAddr})
	return b
}

func TestCanonical_IsTheReflectiveEncoding(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := rapid.Make[Event]().Draw(t, "event")
		if got, want := e.appendCanonical(nil), reflectiveCanonical(&e); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
