package org

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/storetest"
)

var at = time.Date(2026, 3, 17, 9, 0, 0, 0, clock.China)

// tree is a district with two streets, a community under the first and a grassroots union under that.
type tree struct {
	svc                                 *Service
	district, street1, street2, comm, g Org
}

func newTree(t *testing.T) tree {
	t.Helper()
	svc := &Service{DB: storetest.Open(t), Clock: clock.NewManual(at)}
	root := actor.Actor{UserID: 1, Username: "admin", Roles: []actor.Role{actor.Admin}, OrgPath: "/"}
	mk := func(code string, parent int64) Org {
		t.Helper()
		o, err := svc.Create(context.Background(), root, NewOrg{Code: code, Name: code + "工会", ParentID: parent})
		if err != nil {
			t.Fatalf("create %s: %v", code, err)
		}
		return o
	}
	tr := tree{svc: svc}
	tr.district = mk("D", 0)
	tr.street1 = mk("S1", tr.district.ID)
	tr.street2 = mk("S2", tr.district.ID)
	tr.comm = mk("S1-C", tr.street1.ID)
	tr.g = mk("S1-C-G", tr.comm.ID)
	return tr
}

func adminAt(o Org) actor.Actor {
	return actor.Actor{UserID: 9, Username: "admin-" + o.Code, Roles: []actor.Role{actor.Admin}, OrgID: o.ID, OrgPath: o.Path}
}

func TestCreate_EachOrgIsOneLevelBelowItsParentWithItsPathUnderTheParents(t *testing.T) {
	tr := newTree(t)
	for _, c := range []struct {
		o     Org
		level int
		path  string
	}{
		{tr.district, District, "/1/"}, {tr.street1, SubDistrict, "/1/2/"}, {tr.street2, SubDistrict, "/1/3/"},
		{tr.comm, Community, "/1/2/4/"}, {tr.g, Grassroots, "/1/2/4/5/"},
	} {
		if c.o.Level != c.level || c.o.Path != c.path || c.o.LevelName != LevelNames[c.level] {
			t.Errorf("%s: level %d (%s), path %s; want %d, %s", c.o.Code, c.o.Level, c.o.LevelName, c.o.Path, c.level, c.path)
		}
	}
}

func TestCreate_Refusals(t *testing.T) {
	tr := newTree(t)
	ctx := context.Background()
	caseworker := actor.Actor{UserID: 3, Username: "cw", Roles: []actor.Role{actor.Caseworker}, OrgID: tr.district.ID, OrgPath: tr.district.Path}
	for _, c := range []struct {
		name  string
		a     actor.Actor
		in    NewOrg
		code  apperr.Code
		field string
	}{
		{"a second district", adminAt(tr.district), NewOrg{Code: "D2", Name: "又一个区"}, apperr.Validation, "parent_id"},
		{"below a grassroots union", adminAt(tr.district), NewOrg{Code: "X", Name: "下级", ParentID: tr.g.ID}, apperr.Validation, "parent_id"},
		{"a code already taken", adminAt(tr.district), NewOrg{Code: "S1", Name: "重复", ParentID: tr.district.ID}, apperr.Conflict, "code"},
		{"a code with spaces", adminAt(tr.district), NewOrg{Code: "a b", Name: "空格", ParentID: tr.district.ID}, apperr.Validation, "code"},
		{"a blank name", adminAt(tr.district), NewOrg{Code: "N", Name: "  ", ParentID: tr.district.ID}, apperr.Validation, "name"},
		{"under a parent outside the admin's subtree", adminAt(tr.street2), NewOrg{Code: "Y", Name: "越权", ParentID: tr.comm.ID}, apperr.Validation, "parent_id"},
		{"by a caseworker", caseworker, NewOrg{Code: "Z", Name: "经办人", ParentID: tr.district.ID}, apperr.Forbidden, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := tr.svc.Create(ctx, c.a, c.in)
			if apperr.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			var e *apperr.Error
			if c.field != "" && (!errors.As(err, &e) || e.Fields[c.field] == "") {
				t.Fatalf("no message for %s: %v", c.field, err)
			}
		})
	}
}

func TestList_IsTheActorsSubtreeInTreeOrder(t *testing.T) {
	tr := newTree(t)
	for _, c := range []struct {
		at   Org
		want []string
	}{
		{tr.district, []string{"D", "S1", "S1-C", "S1-C-G", "S2"}},
		{tr.street1, []string{"S1", "S1-C", "S1-C-G"}},
		{tr.street2, []string{"S2"}},
		{tr.g, []string{"S1-C-G"}},
	} {
		got, err := tr.svc.List(context.Background(), adminAt(c.at))
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, o := range got {
			codes = append(codes, o.Code)
		}
		if len(codes) != len(c.want) {
			t.Fatalf("%s sees %v, want %v", c.at.Code, codes, c.want)
		}
		for i := range codes {
			if codes[i] != c.want[i] {
				t.Fatalf("%s sees %v, want %v", c.at.Code, codes, c.want)
			}
		}
	}
}

func TestGetInScope_AnOrgOutsideTheSubtreeIsNotFound(t *testing.T) {
	tr := newTree(t)
	q := tr.svc.DB.R
	for _, c := range []struct {
		who   Org
		id    int64
		found bool
	}{
		{tr.district, tr.g.ID, true}, {tr.street1, tr.g.ID, true}, {tr.comm, tr.comm.ID, true},
		{tr.street2, tr.g.ID, false}, {tr.g, tr.comm.ID, false}, {tr.street1, tr.district.ID, false}, {tr.district, 99, false},
	} {
		_, err := GetInScope(context.Background(), q, adminAt(c.who), c.id)
		if (err == nil) != c.found || (!c.found && apperr.CodeOf(err) != apperr.NotFound) {
			t.Errorf("%s reads org %d: %v, want found=%v", c.who.Code, c.id, err, c.found)
		}
	}
}

func TestRename_InsideTheSubtreeOnlyAndAudited(t *testing.T) {
	tr := newTree(t)
	ctx := context.Background()
	if _, err := tr.svc.Rename(ctx, adminAt(tr.street2), tr.comm.ID, NewName{Name: "越权改名"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("an admin of another street renamed the community: %v", err)
	}
	if _, err := tr.svc.Rename(ctx, adminAt(tr.street1), tr.comm.ID, NewName{Name: " "}); apperr.CodeOf(err) != apperr.Validation {
		t.Fatalf("a blank name: %v", err)
	}
	got, err := tr.svc.Rename(ctx, adminAt(tr.street1), tr.comm.ID, NewName{Name: "新名称社区工会"})
	if err != nil || got.Name != "新名称社区工会" {
		t.Fatalf("rename: %+v %v", got, err)
	}
	var n int
	if err := sqlx.GetContext(ctx, tr.svc.DB.R, &n, "SELECT count(*) FROM audit_events WHERE action = 'org.rename' AND entity_id = ?", tr.comm.ID); err != nil || n != 1 {
		t.Fatalf("org.rename events: %d %v", n, err)
	}
}
