package auth_test

import (
	"context"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/auth"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
)

// usersFixture is the demo district with its users, and the actor of each by username.
type usersFixture struct {
	*lockoutFixture
	ctx context.Context
}

func newUsers(t *testing.T) *usersFixture {
	return &usersFixture{lockoutFixture: newLockout(t), ctx: context.Background()}
}

func (f *usersFixture) id(username string) int64 {
	f.t.Helper()
	var id int64
	if err := f.svc.DB.R.Get(&id, "SELECT id FROM users WHERE username = ?", username); err != nil {
		f.t.Fatalf("user %s: %v", username, err)
	}
	return id
}

func (f *usersFixture) as(username string) actor.Actor {
	f.t.Helper()
	a, err := auth.ActorNamed(f.ctx, f.svc.DB.R, username, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *usersFixture) orgID(code string) int64 {
	f.t.Helper()
	return demotest.OrgID(f.t, f.svc.DB, code)
}

func (f *usersFixture) create(a actor.Actor, username, orgCode string, roles ...actor.Role) (auth.User, error) {
	return f.svc.CreateUser(f.ctx, a, auth.NewUser{Username: username, Name: "测试用户", OrgID: f.orgID(orgCode),
		Roles: roles, Password: "pass-2026-word"})
}

// SPEC §1.2: user management is the admin's; every other role is refused whatever it asks, before its input
// is looked at.
func TestUserManagement_RefusesEveryRoleButAdmin(t *testing.T) {
	f := newUsers(t)
	target := f.id("caseworker2")
	calls := map[string]func(a actor.Actor) error{
		"list":   func(a actor.Actor) error { _, err := f.svc.Users(f.ctx, a, auth.UserFilter{}); return err },
		"get":    func(a actor.Actor) error { _, err := f.svc.User(f.ctx, a, target); return err },
		"create": func(a actor.Actor) error { _, err := f.svc.CreateUser(f.ctx, a, auth.NewUser{}); return err },
		"update": func(a actor.Actor) error { _, err := f.svc.UpdateUser(f.ctx, a, target, auth.UserChange{}); return err },
		"reset":  func(a actor.Actor) error { return f.svc.ResetPassword(f.ctx, a, target, auth.PasswordReset{}) },
		"unlock": func(a actor.Actor) error { _, err := f.svc.Unlock(f.ctx, a, target, auth.UnlockInput{}); return err },
	}
	for _, u := range demo.Users[1:] {
		a := f.as(u.Username)
		for name, call := range calls {
			if err := call(a); apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s by %s: %v, want forbidden", name, u.Username, err)
			}
		}
	}
	if err := calls["get"](f.as("admin")); err != nil {
		t.Fatalf("the admin reads a user: %v", err)
	}
	if _, err := auth.ActorNamed(f.ctx, f.svc.DB.R, "nobody", "test"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("the actor of no user: %v", err)
	}
}

// SPEC §1.1: an admin of a street sees and manages the users of the street's subtree only; a user outside it
// is not found, and a user cannot be created or moved outside it.
func TestUserManagement_StaysInTheAdminsSubtree(t *testing.T) {
	f := newUsers(t)
	if _, err := f.create(f.as("admin"), "streetadmin", "BJ-XX", actor.Admin); err != nil {
		t.Fatal(err)
	}
	street := f.as("streetadmin")
	page, err := f.svc.Users(f.ctx, street, auth.UserFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, u := range page.Items {
		got[u.Username] = true
	}
	want := map[string]bool{"caseworker1": true, "caseworker2": true, "supervisor1": true, "streetadmin": true}
	if page.Total != len(want) || len(got) != len(want) {
		t.Fatalf("the street's admin lists %v (total %d), want %v", got, page.Total, want)
	}
	for u := range want {
		if !got[u] {
			t.Errorf("%s missing from the street's list", u)
		}
	}
	outside := f.id("finance1")
	if _, err := f.svc.User(f.ctx, street, outside); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a user of the district read by a street's admin: %v", err)
	}
	if _, err := f.svc.UpdateUser(f.ctx, street, outside, auth.UserChange{Disabled: ptr(true)}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a user of the district disabled by a street's admin: %v", err)
	}
	if err := f.svc.ResetPassword(f.ctx, street, outside, auth.PasswordReset{Password: "taken-over-1"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a district user's password reset by a street's admin: %v", err)
	}
	if _, err := f.create(street, "elsewhere", "BJ-CH", actor.Caseworker); apperr.CodeOf(err) != apperr.Validation {
		t.Errorf("a user created in another street: %v", err)
	}
	if _, err := f.svc.UpdateUser(f.ctx, street, f.id("caseworker1"), auth.UserChange{OrgID: ptr(f.orgID("BJ-CH"))}); apperr.CodeOf(err) != apperr.Validation {
		t.Errorf("a user moved to another street: %v", err)
	}
}

// SPEC §1.3: a password an admin chose for someone is one-time; demo and command-line users keep theirs.
func TestCreateUser_AnAdminsChoiceOfPasswordIsOneTime(t *testing.T) {
	f := newUsers(t)
	chosen, err := f.create(f.as("admin"), "newbie", "BJ-XX-JH", actor.Caseworker)
	if err != nil || !chosen.MustChange {
		t.Fatalf("a password chosen by an admin must be changed at first log-in: %+v %v", chosen, err)
	}
	kept, err := f.svc.CreateUser(f.ctx, actor.System("cli"), auth.NewUser{Username: "operator", Name: "值班员",
		OrgID: 1, Roles: []actor.Role{actor.Caseworker}, Password: "pass-2026-word", KeepPassword: true})
	if err != nil || kept.MustChange {
		t.Fatalf("a kept password: %+v %v", kept, err)
	}
	if f.as("caseworker1").MustChangePassword {
		t.Fatal("the demo users keep the published password")
	}
}

// The system of the command line is no user: a user who happens to be named "system" is refused like any
// other caseworker.
func TestCreateUser_AUserNamedSystemIsNotTheSystem(t *testing.T) {
	f := newUsers(t)
	if _, err := f.create(f.as("admin"), "system", "BJ-XX-JH", actor.Caseworker); err != nil {
		t.Fatal(err)
	}
	named := f.as("system")
	if _, err := f.create(named, "intruder", "BJ-XX-JH", actor.Admin); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("a caseworker named system created an admin: %v", err)
	}
	if _, err := f.create(actor.System("cli"), "byoperator", "BJ-XX-JH", actor.Caseworker); err != nil {
		t.Fatalf("the command line creates users: %v", err)
	}
}

// An admin cannot disable or demote themself, so that a district never loses its last way in by accident.
func TestUpdateUser_AnAdminCannotDisableOrDemoteThemself(t *testing.T) {
	f := newUsers(t)
	admin := f.as("admin")
	for name, ch := range map[string]auth.UserChange{
		"disable": {Disabled: ptr(true)},
		"demote":  {Roles: &[]actor.Role{actor.Auditor}},
	} {
		if _, err := f.svc.UpdateUser(f.ctx, admin, admin.UserID, ch); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("%s oneself: %v", name, err)
		}
	}
	if u, err := f.svc.UpdateUser(f.ctx, admin, f.id("caseworker1"), auth.UserChange{Disabled: ptr(true)}); err != nil || !u.Disabled {
		t.Fatalf("disable another user: %+v %v", u, err)
	}
}

func ptr[T any](v T) *T { return &v }
