package actor

import (
	"testing"

	"bangfu/internal/apperr"
)

func TestCheckRoleCombination(t *testing.T) {
	cases := []struct {
		roles []Role
		ok    bool
	}{
		{[]Role{Caseworker}, true},
		{[]Role{Caseworker, Supervisor, Finance}, true},
		{[]Role{Auditor}, true},
		{[]Role{Admin}, true},
		{[]Role{Auditor, Finance}, false},
		{[]Role{Admin, Caseworker}, false},
		{[]Role{Admin, Auditor}, false},
		{[]Role{Caseworker, Caseworker}, false},
		{[]Role{"root"}, false},
		{nil, false},
	}
	for _, c := range cases {
		err := CheckRoleCombination(c.roles)
		if (err == nil) != c.ok || (err != nil && apperr.CodeOf(err) != apperr.Validation) {
			t.Errorf("%v: %v", c.roles, err)
		}
	}
}

func TestScope_IsTheSubtreeOfTheActorsOrgAndNothingBeside(t *testing.T) {
	a := Actor{OrgPath: "/1/3/"}
	for path, want := range map[string]bool{"/1/3/": true, "/1/3/7/": true, "/1/3/7/12/": true,
		"/1/": false, "/1/2/": false, "/1/30/": false, "/1/31/5/": false, "/1/4/": false} {
		if a.Sees(path) != want {
			t.Errorf("Sees(%s) = %v", path, !want)
		}
		// The SQL range must agree with Sees: [lo, hi).
		_, args := a.Scope("p")
		lo, hi := args[0].(string), args[1].(string)
		if inRange := path >= lo && path < hi; inRange != want {
			t.Errorf("Scope range [%s, %s) on %s = %v, want %v", lo, hi, path, inRange, want)
		}
	}
	if cond, _ := (Actor{}).Scope("p"); cond != "0" {
		t.Errorf("an actor without an org must see nothing, got %q", cond)
	}
}

func TestRequire_RefusesWithForbiddenNamingTheRoles(t *testing.T) {
	a := Actor{Roles: []Role{Caseworker}}
	if err := a.Require(Caseworker); err != nil {
		t.Fatal(err)
	}
	err := a.Require(Supervisor, Finance)
	if apperr.CodeOf(err) != apperr.Forbidden || apperr.From(err).Message != "无权执行此操作，需要角色：审批人或财务" {
		t.Fatalf("%v", err)
	}
}
