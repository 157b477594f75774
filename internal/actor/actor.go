// Package actor describes who is acting on a request: the user, their roles and org, and the data scope
// that follows from the org (SPEC §1.1, §1.2).
package actor

import (
	"strings"

	"bangfu/internal/apperr"
)

// Role is one of the five roles of SPEC §1.2.
type Role string

const (
	Caseworker Role = "caseworker" // 经办人
	Supervisor Role = "supervisor" // 审批人
	Finance    Role = "finance"    // 财务
	Auditor    Role = "auditor"    // 经审
	Admin      Role = "admin"      // 管理员
)

// Roles lists every role in display order.
var Roles = []Role{Caseworker, Supervisor, Finance, Auditor, Admin}

// RoleNames are the Chinese names shown to users.
var RoleNames = map[Role]string{
	Caseworker: "经办人", Supervisor: "审批人", Finance: "财务", Auditor: "经审", Admin: "管理员",
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := RoleNames[r]; return ok }

// Actor is the user behind a request, or the system for command-line work.
type Actor struct {
	UserID     int64
	Username   string
	Name       string
	Roles      []Role
	OrgID      int64
	OrgPath    string // materialised path of the user's org, e.g. "/1/3/7/"
	RequestID  string
	ClientAddr string
	// MustChangePassword: the user logged in with a one-time password and may do nothing but change it.
	MustChangePassword bool
}

// System acts for the command line and start-up work (demo data, migrations); it sees everything.
func System(requestID string) Actor {
	return Actor{Username: "system", Roles: nil, OrgPath: "/", RequestID: requestID, ClientAddr: "local"}
}

// IsSystem reports whether a is the system of System, not a user: no user id (a user named "system" is a user).
func (a Actor) IsSystem() bool { return a.UserID == 0 && a.Username == "system" }

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Require refuses with 403 unless the actor holds at least one of roles.
func (a Actor) Require(roles ...Role) error {
	for _, r := range roles {
		if a.Has(r) {
			return nil
		}
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = RoleNames[r]
	}
	return apperr.Forbiddenf("无权执行此操作，需要角色：%s", strings.Join(names, "或"))
}

// RoleList joins the roles with commas, for storage and audit.
func (a Actor) RoleList() string {
	s := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// Sees reports whether a record owned by the org at orgPath is inside the actor's data scope:
// the subtree of the actor's own org (SPEC §1.1).
func (a Actor) Sees(orgPath string) bool { return strings.HasPrefix(orgPath, a.OrgPath) }

// Scope returns an SQL condition restricting the org-path column col to the actor's subtree, with its
// arguments. It is a range on the path so that an index on col serves it: paths are made of digits and
// '/', and '0' is the byte after '/'.
func (a Actor) Scope(col string) (string, []any) {
	p := a.OrgPath
	if p == "" { // an actor without an org sees nothing
		return "0", nil
	}
	return "(" + col + " >= ? AND " + col + " < ?)", []any{p, p[:len(p)-1] + "0"}
}

// ExclusiveRoles combine with no other role (SPEC §1.2: auditor and admin).
var ExclusiveRoles = []Role{Auditor, Admin}

// CheckRoleCombination enforces SPEC §1.2: auditor and admin combine with no other role.
func CheckRoleCombination(roles []Role) error {
	if len(roles) == 0 {
		return apperr.Invalid("roles", "至少选择一个角色")
	}
	seen := map[Role]bool{}
	for _, r := range roles {
		if !r.Valid() {
			return apperr.Invalid("roles", "未知角色："+string(r))
		}
		if seen[r] {
			return apperr.Invalid("roles", "角色重复："+RoleNames[r])
		}
		seen[r] = true
	}
	for _, solo := range ExclusiveRoles {
		if seen[solo] && len(roles) > 1 {
			return apperr.Invalid("roles", RoleNames[solo]+"角色不能与其他角色兼任")
		}
	}
	return nil
}
