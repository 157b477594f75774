package audit_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// listFixture records seven events over two China calendar days in several orgs:
//
//	seq action          entity        actor        org_path  at (UTC)              China day
//	1   org.create      org 1         system       /         2026-03-09T16:00Z      03-10
//	2   user.create     user 7        admin        /1/       2026-03-10T02:00Z      03-10
//	3   household.create household 1  caseworker1  /1/2/     2026-03-10T03:00Z      03-10
//	4   household.update household 1  caseworker1  /1/2/5/   2026-03-10T15:59:59Z   03-10
//	5   household.create household 2  caseworker2  /1/3/     2026-03-10T16:00Z      03-11
//	6   household.create household 3  caseworker2  /1/20/    2026-03-11T01:00Z      03-11
//	7   household.create household 4  caseworker2  /1/21/6/  2026-03-11T02:00Z      03-11
func listFixture(t *testing.T) *store.DB {
	t.Helper()
	db := newDB(t)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	user := func(name, path string) actor.Actor {
		return actor.Actor{UserID: 9, Username: name, Roles: []actor.Role{actor.Caseworker}, OrgID: 2, OrgPath: path}
	}
	rows := []struct {
		a       actor.Actor
		at      string
		action  string
		typ, id string
		orgPath string
		orgID   int64
	}{
		{actor.System("boot"), "2026-03-09T16:00:00Z", "org.create", "org", "1", "/", 0},
		{user("admin", "/1/"), "2026-03-10T02:00:00Z", "user.create", "user", "7", "/1/", 1},
		{user("caseworker1", "/1/2/"), "2026-03-10T03:00:00Z", "household.create", "household", "1", "/1/2/", 2},
		{user("caseworker1", "/1/2/"), "2026-03-10T15:59:59Z", "household.update", "household", "1", "/1/2/5/", 5},
		{user("caseworker2", "/1/3/"), "2026-03-10T16:00:00Z", "household.create", "household", "2", "/1/3/", 3},
		{user("caseworker2", "/1/3/"), "2026-03-11T01:00:00Z", "household.create", "household", "3", "/1/20/", 20},
		{user("caseworker2", "/1/3/"), "2026-03-11T02:00:00Z", "household.create", "household", "4", "/1/21/6/", 6},
	}
	for _, r := range rows {
		record(t, db, r.a, at(r.at), audit.Entry{Action: r.action, EntityType: r.typ, EntityID: r.id,
			OrgID: r.orgID, OrgPath: r.orgPath})
	}
	return db
}

func seqs(es []audit.Event) []int64 {
	s := []int64{}
	for _, e := range es {
		s = append(s, e.Seq)
	}
	return s
}

var everyone = actor.System("auditor-view") // org path "/": the whole district and system events

func TestList_FiltersNewestFirst(t *testing.T) {
	db := listFixture(t)
	tests := []struct {
		name string
		f    audit.Filter
		want []int64
	}{
		{"no filter", audit.Filter{}, []int64{7, 6, 5, 4, 3, 2, 1}},
		{"by action", audit.Filter{Action: "household.create"}, []int64{7, 6, 5, 3}},
		{"by entity type", audit.Filter{EntityType: "user"}, []int64{2}},
		{"by entity", audit.Filter{EntityType: "household", EntityID: "1"}, []int64{4, 3}},
		{"by actor", audit.Filter{Actor: "caseworker2"}, []int64{7, 6, 5}},
		{"by China day from", audit.Filter{From: "2026-03-11"}, []int64{7, 6, 5}},
		{"by China day to", audit.Filter{To: "2026-03-10"}, []int64{4, 3, 2, 1}},
		{"one China day", audit.Filter{From: "2026-03-10", To: "2026-03-10"}, []int64{4, 3, 2, 1}},
		{"filters combine", audit.Filter{Action: "household.create", Actor: "caseworker1"}, []int64{3}},
		{"nothing matches", audit.Filter{Action: "ledger.post"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, total, err := audit.List(context.Background(), db.R, everyone, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(es); !reflect.DeepEqual(got, tt.want) || total != len(tt.want) {
				t.Errorf("List = %v (total %d), want %v", got, total, tt.want)
			}
		})
	}
}

func TestList_PagesWithTheTotalOfAllMatches(t *testing.T) {
	db := listFixture(t)
	tests := []struct {
		page, per int
		want      []int64
	}{
		{1, 3, []int64{7, 6, 5}},
		{2, 3, []int64{4, 3, 2}},
		{3, 3, []int64{1}},
		{4, 3, []int64{}},
		{0, 0, []int64{7, 6, 5, 4, 3, 2, 1}}, // defaults: page 1, 50 a page
	}
	for _, tt := range tests {
		es, total, err := audit.List(context.Background(), db.R, everyone, audit.Filter{Page: tt.page, PerPage: tt.per})
		if err != nil {
			t.Fatal(err)
		}
		if got := seqs(es); !reflect.DeepEqual(got, tt.want) || total != 7 {
			t.Errorf("page %d of %d = %v (total %d), want %v (total 7)", tt.page, tt.per, got, total, tt.want)
		}
	}
}

func TestList_RefusesMalformedDatesAsValidationErrors(t *testing.T) {
	db := listFixture(t)
	for _, f := range []audit.Filter{{From: "2026/03/10"}, {To: "yesterday"}, {From: "2026-02-30"}} {
		_, _, err := audit.List(context.Background(), db.R, everyone, f)
		if apperr.CodeOf(err) != apperr.Validation {
			t.Errorf("List(%+v) error = %v, want a validation error", f, err)
		}
	}
}

// SPEC §1.1: an actor sees the events of their own org's subtree only, and a path that merely starts with the
// same digits ("/1/20/" beside "/1/2/") is another subtree.
func TestList_ShowsOnlyTheActorsSubtree(t *testing.T) {
	db := listFixture(t)
	tests := []struct {
		orgPath string
		want    []int64
	}{
		{"/", []int64{7, 6, 5, 4, 3, 2, 1}},
		{"/1/", []int64{7, 6, 5, 4, 3, 2}},
		{"/1/2/", []int64{4, 3}},
		{"/1/2/5/", []int64{4}},
		{"/1/3/", []int64{5}},
		{"/1/20/", []int64{6}},
		{"/1/21/", []int64{7}},
		{"/1/4/", []int64{}},
		{"", []int64{}}, // an actor without an org sees nothing
	}
	for _, tt := range tests {
		t.Run(tt.orgPath, func(t *testing.T) {
			a := actor.Actor{UserID: 1, Username: "auditor1", Roles: []actor.Role{actor.Auditor}, OrgPath: tt.orgPath}
			es, total, err := audit.List(context.Background(), db.R, a, audit.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(es); !reflect.DeepEqual(got, tt.want) || total != len(tt.want) {
				t.Errorf("actor at %q sees %v (total %d), want %v", tt.orgPath, got, total, tt.want)
			}
		})
	}
}

func TestList_ScopeAppliesToFilteredQueriesToo(t *testing.T) {
	db := listFixture(t)
	a := actor.Actor{Username: "auditor1", Roles: []actor.Role{actor.Auditor}, OrgPath: "/1/3/"}
	// Household 1 belongs to /1/2/: naming it exactly does not reveal it to /1/3/.
	es, total, err := audit.List(context.Background(), db.R, a, audit.Filter{EntityType: "household", EntityID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 0 || total != 0 {
		t.Errorf("actor at /1/3/ sees %v of /1/2/'s household", seqs(es))
	}
}
