package policy

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/money"
	"bangfu/internal/org"
	"bangfu/internal/org/orgtest"
	"bangfu/internal/storetest"
)

var at = time.Date(2026, 3, 17, 9, 0, 0, 0, clock.China)

type fixture struct {
	svc                             *Service
	district, street1, street2, grs org.Org
	base                            Params // the migration's version for the whole district, from 2000-01-01
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.Open(t)
	ck := clock.NewManual(at)
	mk := orgtest.Maker(t, db, ck)
	f := &fixture{svc: &Service{DB: db, Clock: ck}}
	f.district = mk("D", 0)
	f.street1 = mk("S1", f.district.ID)
	f.street2 = mk("S2", f.district.ID)
	comm := mk("S1-C", f.street1.ID)
	f.grs = mk("S1-C-G", comm.ID)
	base, err := InForce(context.Background(), db.R, 0, "2026-01-01")
	if err != nil {
		t.Fatal(err)
	}
	f.base = base.Params
	return f
}

func adminAt(o org.Org) actor.Actor {
	return actor.Actor{UserID: 2, Username: "admin-" + o.Code, Roles: []actor.Role{actor.Admin}, OrgID: o.ID, OrgPath: o.Path}
}

// version stores a version whose warmth amount marks it, for org o (zero: the whole district).
func (f *fixture) version(t *testing.T, from string, o org.Org, warmthFen int64) Policy {
	t.Helper()
	p := f.base
	p.WarmthAmountFen = money.Fen(warmthFen)
	by := adminAt(f.district)
	p2, err := f.svc.Create(context.Background(), by, NewVersion{EffectiveFrom: from, OrgID: o.ID, Params: p})
	if err != nil {
		t.Fatalf("version from %s for %q: %v", from, o.Code, err)
	}
	return p2
}

// TestInForce_ChoosesTheNearestOrgThenTheLatestDateThenTheLatestVersion: SPEC §2 — a version for an org
// applies to its subtree, the nearest org's wins over the district's, a later effective date over an earlier
// one, and a version not yet effective on the date applies to nothing.
func TestInForce_ChoosesTheNearestOrgThenTheLatestDateThenTheLatestVersion(t *testing.T) {
	f := newFixture(t)
	none := org.Org{}
	f.version(t, "2026-01-01", none, 100_00)      // district, this year
	f.version(t, "2026-07-01", none, 200_00)      // district, not yet effective in March
	f.version(t, "2026-02-01", f.street1, 300_00) // street 1 and its subtree
	f.version(t, "2026-02-01", f.street1, 310_00) // same org and date, created later: replaces it
	f.version(t, "2025-06-01", f.grs, 400_00)     // the grassroots union itself, older but nearer
	f.version(t, "2026-04-01", f.street2, 500_00) // street 2, from April
	ctx := context.Background()
	for _, c := range []struct {
		name string
		org  org.Org
		date string
		want money.Fen
	}{
		{"the district in March", f.district, "2026-03-17", 100_00},
		{"the district in July", f.district, "2026-07-01", 200_00},
		{"the district before this year", f.district, "2025-12-31", f.base.WarmthAmountFen},
		{"street 1: its own version, the later of two on one date", f.street1, "2026-03-17", 310_00},
		{"street 1 in January: its version is not yet effective", f.street1, "2026-01-15", 100_00},
		{"the grassroots union: the nearest org wins over a later date", f.grs, "2026-07-01", 400_00},
		{"street 2 in March: the district's", f.street2, "2026-03-17", 100_00},
		{"street 2 in April: its own", f.street2, "2026-04-01", 500_00},
		{"no org: the district's", org.Org{}, "2026-03-17", 100_00},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := InForce(ctx, f.svc.DB.R, c.org.ID, c.date)
			if err != nil {
				t.Fatal(err)
			}
			if p.Params.WarmthAmountFen != c.want {
				t.Fatalf("version %d (%s, from %s) warmth %d, want %d", p.ID, p.OrgName, p.EffectiveFrom, p.Params.WarmthAmountFen, c.want)
			}
		})
	}
	if _, err := InForce(ctx, f.svc.DB.R, f.district.ID, "1999-12-31"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("a date before every version: %v", err)
	}
}

func TestInForceFor_AnOrgOutsideTheActorsScopeIsNotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cw := actor.Actor{UserID: 5, Username: "cw", Roles: []actor.Role{actor.Caseworker}, OrgID: f.street2.ID, OrgPath: f.street2.Path}
	if _, err := f.svc.InForceFor(ctx, cw, f.grs.ID, ""); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("street 2 reads street 1's policy: %v", err)
	}
	if p, err := f.svc.InForceFor(ctx, cw, 0, ""); err != nil || p.ID == 0 {
		t.Fatalf("own org's policy: %+v %v", p, err)
	}
	if _, err := f.svc.InForceFor(ctx, cw, 0, "17/03/2026"); apperr.CodeOf(err) != apperr.Validation {
		t.Fatalf("a malformed date: %v", err)
	}
}

func TestCreate_Refusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cw := actor.Actor{UserID: 5, Username: "cw", Roles: []actor.Role{actor.Caseworker}, OrgID: f.district.ID, OrgPath: f.district.Path}
	bad := f.base
	bad.GreenSLAHours = 0
	for _, c := range []struct {
		name string
		a    actor.Actor
		in   NewVersion
		code apperr.Code
	}{
		{"by a caseworker", cw, NewVersion{EffectiveFrom: "2026-05-01", Params: f.base}, apperr.Forbidden},
		{"for the whole district by a street's admin", adminAt(f.street1), NewVersion{EffectiveFrom: "2026-05-01", Params: f.base}, apperr.Forbidden},
		{"for an org outside the admin's subtree", adminAt(f.street1), NewVersion{EffectiveFrom: "2026-05-01", OrgID: f.street2.ID, Params: f.base}, apperr.Validation},
		{"with a parameter out of range", adminAt(f.district), NewVersion{EffectiveFrom: "2026-05-01", Params: bad}, apperr.Validation},
		{"without an effective date", adminAt(f.district), NewVersion{Params: f.base}, apperr.Validation},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := f.svc.Create(ctx, c.a, c.in); apperr.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
	// A street's admin sets its own subtree's version; the living cap defaults to 12 × 低保.
	p := f.base
	p.LivingCapYearFen = 0
	got, err := f.svc.Create(ctx, adminAt(f.street1), NewVersion{EffectiveFrom: "2026-05-01", OrgID: f.grs.ID, Params: p})
	if err != nil || got.Params.LivingCapYearFen != 12*p.DibaoMonthlyFen {
		t.Fatalf("a street's version for its grassroots union: %+v %v", got.Params, err)
	}
}

// TestParamSpecs_NameEveryParameter: the policy page shows a parameter by its spec, so every field of Params
// has one, of the kind its Go type is entered as, and no spec names a parameter Params lacks.
func TestParamSpecs_NameEveryParameter(t *testing.T) {
	fields := map[string]reflect.Kind{}
	pt := reflect.TypeOf(Params{})
	for i := 0; i < pt.NumField(); i++ {
		f := pt.Field(i)
		fields[strings.Split(f.Tag.Get("json"), ",")[0]] = f.Type.Kind()
	}
	want := map[string]reflect.Kind{"money": reflect.Int64, "ratio": reflect.Float64, "int": reflect.Int}
	seen := map[string]bool{}
	for _, s := range ParamSpecs {
		kind, ok := fields[s.Key]
		switch {
		case !ok:
			t.Errorf("spec %q names no parameter of Params", s.Key)
		case seen[s.Key]:
			t.Errorf("parameter %q has two specs", s.Key)
		case want[s.Kind] != kind:
			t.Errorf("parameter %q is a %s in Go but entered as %q", s.Key, kind, s.Kind)
		case s.Label == "" || s.Group == "":
			t.Errorf("parameter %q has no name or group", s.Key)
		}
		seen[s.Key] = true
	}
	for key := range fields {
		if !seen[key] {
			t.Errorf("parameter %q of Params has no spec: the policy page would show it under its key", key)
		}
	}
}
