// Package orgtest builds org trees for the tests of the areas that read orgs (policy, referral …).
package orgtest

import (
	"context"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/org"
	"bangfu/internal/store"
)

// Maker returns a function that creates the org code (named after its code) under parent (0: a root), as
// an admin whose scope is everything would, and fails the test if it cannot.
func Maker(t *testing.T, db *store.DB, ck clock.Clock) func(code string, parent int64) org.Org {
	orgs := &org.Service{DB: db, Clock: ck}
	root := actor.Actor{UserID: 1, Username: "admin", Roles: []actor.Role{actor.Admin}, OrgPath: "/"}
	return func(code string, parent int64) org.Org {
		t.Helper()
		o, err := orgs.Create(context.Background(), root, org.NewOrg{Code: code, Name: code, ParentID: parent})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}
