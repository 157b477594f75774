package household_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/household"
)

// serviceFixture is the demo district — its orgs and users — and the household service over it.
type serviceFixture struct {
	t   *testing.T
	ctx context.Context
	svc *household.Service
}

func newService(t *testing.T) *serviceFixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China))
	db := demotest.Seed(t, clk)
	return &serviceFixture{t: t, ctx: ctx, svc: &household.Service{DB: db, Clock: clk}}
}

func (f *serviceFixture) as(username string) actor.Actor {
	f.t.Helper()
	return demotest.Actor(f.t, f.svc.DB, username)
}

func (f *serviceFixture) idNumber(n int) string {
	return demo.ResidentID("330108", time.Date(1980, 5, n, 0, 0, 0, 0, time.UTC), n, true)
}

// file opens a household file of who's union (a draft) and returns its ID number.
func (f *serviceFixture) file(who string, n int) string {
	f.t.Helper()
	org := demotest.OrgID(f.t, f.svc.DB, "BJ-XX-JH-01")
	in := household.Input{Fields: household.Fields{OrgID: org, Name: "测试职工", Gender: "male", IDNumber: f.idNumber(n),
		BirthDate: fmt.Sprintf("1980-05-%02d", n), Phone: "13800000001", Industry: "construction", EmploymentStatus: "employed",
		Address: "滨江区江汉路1号", BankCard: demo.BankCard("622202", n), Health: "chronic", Disability: "none",
		MainCause: "illness", SecondaryCauses: household.CauseList{}, IncomeWagesFen: 1_800_000}}
	if _, err := f.svc.Create(f.ctx, f.as(who), in); err != nil {
		f.t.Fatal(err)
	}
	return in.IDNumber
}

func (f *serviceFixture) audited(action string) int {
	f.t.Helper()
	var n int
	if err := f.svc.DB.R.Get(&n, "SELECT count(*) FROM audit_events WHERE action = ?", action); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// SPEC §3.3: a supervisor may allow one more open file for an ID number that has one, with a reason;
// every other role is refused whatever it sends, and a grant needs a valid number that has an open file.
func TestGrantDuplicate_ASupervisorWithAReasonForAnOpenFile(t *testing.T) {
	f := newService(t)
	open := f.file("caseworker1", 1)
	for _, who := range []string{"caseworker1", "finance1", "auditor1", "admin"} {
		if err := f.svc.GrantDuplicate(f.ctx, f.as(who), household.DuplicateGrant{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a grant by %s: %v, want forbidden", who, err)
		}
	}
	sup := f.as("supervisor1")
	noFile := f.idNumber(2)
	for name, c := range map[string]struct {
		in    household.DuplicateGrant
		code  apperr.Code
		field string
	}{
		"a number that is no ID": {household.DuplicateGrant{IDNumber: "330108199001021234", Reason: "夫妻分户"}, apperr.Validation, "id_number"},
		"no reason":              {household.DuplicateGrant{IDNumber: open, Reason: " 分 "}, apperr.Validation, "reason"},
		"a number with no file":  {household.DuplicateGrant{IDNumber: noFile, Reason: "夫妻分户"}, apperr.Conflict, ""},
	} {
		err := f.svc.GrantDuplicate(f.ctx, sup, c.in)
		if apperr.CodeOf(err) != c.code || (c.field != "" && apperr.From(err).Fields[c.field] == "") {
			t.Errorf("%s: %v, want %s on %q", name, err, c.code, c.field)
		}
	}
	if n := f.audited("household.duplicate_override"); n != 0 {
		t.Fatalf("refused grants wrote %d audit events", n)
	}
	if err := f.svc.GrantDuplicate(f.ctx, sup, household.DuplicateGrant{IDNumber: open, Reason: "夫妻已分户，经核实各自独立生活"}); err != nil {
		t.Fatal(err)
	}
	if n := f.audited("household.duplicate_override"); n != 1 {
		t.Fatalf("a grant wrote %d audit events", n)
	}
}

// The holiday calendar sets everyone's publicity deadlines: everyone reads it, only admins change it.
func TestHolidays_EveryoneReadsThemAndOnlyAdminsChangeThem(t *testing.T) {
	f := newService(t)
	cw, admin := f.as("caseworker1"), f.as("admin")
	for _, year := range []string{"26", "２０２６", "2026-01"} {
		if _, err := f.svc.Holidays(f.ctx, cw, household.HolidayFilter{Year: year}); apperr.CodeOf(err) != apperr.Validation {
			t.Errorf("year %q: %v", year, err)
		}
	}
	day := household.Holiday{Date: "2026-10-01", Name: "国庆节"}
	if _, err := f.svc.SetHoliday(f.ctx, cw, day); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a caseworker set a holiday: %v", err)
	}
	if _, err := f.svc.SetHoliday(f.ctx, admin, day); err != nil {
		t.Fatal(err)
	}
	hs, err := f.svc.Holidays(f.ctx, cw, household.HolidayFilter{Year: "2026"})
	if err != nil || len(hs) != 1 || hs[0] != day {
		t.Fatalf("holidays of 2026: %+v %v", hs, err)
	}
	if err := f.svc.DeleteHoliday(f.ctx, cw, day.Date); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a caseworker deleted a holiday: %v", err)
	}
	if err := f.svc.DeleteHoliday(f.ctx, admin, day.Date); err != nil {
		t.Fatal(err)
	}
	if hs, err := f.svc.Holidays(f.ctx, cw, household.HolidayFilter{}); err != nil || len(hs) != 0 {
		t.Fatalf("after the delete: %+v %v", hs, err)
	}
}
