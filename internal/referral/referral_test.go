package referral

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/org"
	"bangfu/internal/org/orgtest"
	"bangfu/internal/storetest"
)

var at = time.Date(2026, 3, 17, 9, 0, 0, 0, clock.China)

type fixture struct {
	svc            *Service
	clock          *clock.Manual
	street1, grs1  org.Org // grs1 is a grassroots union under street 1
	street2, grs2  org.Org
	cw1, cw2, sup1 actor.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.Open(t)
	ck := clock.NewManual(at)
	mk := orgtest.Maker(t, db, ck)
	f := &fixture{svc: &Service{DB: db, Clock: ck}, clock: ck}
	d := mk("D", 0)
	f.street1, f.street2 = mk("S1", d.ID), mk("S2", d.ID)
	f.grs1 = mk("S1-G", mk("S1-C", f.street1.ID).ID)
	f.grs2 = mk("S2-G", mk("S2-C", f.street2.ID).ID)
	person := func(id int64, name string, r actor.Role, o org.Org) actor.Actor {
		return actor.Actor{UserID: id, Username: name, Name: name, Roles: []actor.Role{r}, OrgID: o.ID, OrgPath: o.Path}
	}
	f.cw1, f.cw2, f.sup1 = person(3, "cw1", actor.Caseworker, f.street1), person(4, "cw2", actor.Caseworker, f.street2),
		person(5, "sup1", actor.Supervisor, f.street1)
	return f
}

func (f *fixture) refer(t *testing.T, a actor.Actor, to org.Org) Referral {
	t.Helper()
	r, err := f.svc.Create(context.Background(), a, New{Name: "张建华", IDNumber: "11010519491231002x", Phone: "13812345678",
		OrgID: to.ID, Reason: "家庭突发困难，请基层工会跟进", FollowUpDate: "2026-03-24"})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	return r
}

func TestCreate_RefersToAGrassrootsUnionInScopeWithTheNumbersMasked(t *testing.T) {
	f := newFixture(t)
	r := f.refer(t, f.cw1, f.grs1)
	if r.Status != "pending" || r.IDNumber == "11010519491231002X" || r.Phone == "13812345678" || r.OrgID != f.grs1.ID {
		t.Fatalf("referral %+v", r)
	}
	ctx := context.Background()
	base := New{Name: "李四", IDNumber: "11010519491231002X", OrgID: f.grs1.ID, Reason: "困难", FollowUpDate: "2026-03-24"}
	for _, c := range []struct {
		name  string
		a     actor.Actor
		edit  func(*New)
		code  apperr.Code
		field string
	}{
		{"by a supervisor", f.sup1, func(*New) {}, apperr.Forbidden, ""},
		{"to a union outside the caseworker's scope", f.cw2, func(*New) {}, apperr.Validation, "org_id"},
		{"to a street, not a grassroots union", f.cw1, func(n *New) { n.OrgID = f.street1.ID }, apperr.Validation, "org_id"},
		{"with an invalid ID number", f.cw1, func(n *New) { n.IDNumber = "110105194912310021" }, apperr.Validation, "id_number"},
		{"with a follow-up date in the past", f.cw1, func(n *New) { n.FollowUpDate = "2026-03-16" }, apperr.Validation, "follow_up_date"},
		{"linked to a household that does not exist", f.cw1, func(n *New) { n.HouseholdID = 999 }, apperr.Validation, "household_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := base
			c.edit(&in)
			_, err := f.svc.Create(ctx, c.a, in)
			var e *apperr.Error
			if apperr.CodeOf(err) != c.code || (c.field != "" && (!errors.As(err, &e) || e.Fields[c.field] == "")) {
				t.Fatalf("got %v, want %s on %q", err, c.code, c.field)
			}
		})
	}
}

// TestFinish_EveryOutcomeAndRefusal: SPEC §3.4 — a pending referral ends helped (with an amount) or declined
// (with a reason), once, by a caseworker or supervisor whose scope holds the union; each is audited.
func TestFinish_EveryOutcomeAndRefusal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	auditor := actor.Actor{UserID: 6, Username: "aud", Roles: []actor.Role{actor.Auditor}, OrgPath: "/"}
	for _, c := range []struct {
		name   string
		a      func() actor.Actor
		in     Close
		code   apperr.Code
		status string
	}{
		{"helped with an amount", func() actor.Actor { return f.cw1 }, Close{Outcome: "helped", AmountFen: 50000}, "", "helped"},
		{"declined with a reason, by a supervisor", func() actor.Actor { return f.sup1 }, Close{Outcome: "declined", AmountFen: 900, Note: "不符合帮扶条件"}, "", "declined"},
		{"helped without an amount", func() actor.Actor { return f.cw1 }, Close{Outcome: "helped"}, apperr.Validation, "pending"},
		{"declined without a reason", func() actor.Actor { return f.cw1 }, Close{Outcome: "declined", Note: "  "}, apperr.Validation, "pending"},
		{"by a caseworker of another street", func() actor.Actor { return f.cw2 }, Close{Outcome: "helped", AmountFen: 1}, apperr.NotFound, "pending"},
		{"by an auditor", func() actor.Actor { return auditor }, Close{Outcome: "helped", AmountFen: 1}, apperr.Forbidden, "pending"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.refer(t, f.cw1, f.grs1)
			got, err := f.svc.Finish(ctx, c.a(), r.ID, c.in)
			if apperr.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %q", err, c.code)
			}
			after, err := f.svc.Get(ctx, f.cw1, r.ID)
			if err != nil || after.Status != c.status {
				t.Fatalf("status %q (%v), want %s", after.Status, err, c.status)
			}
			var n int
			if err := sqlx.GetContext(ctx, f.svc.DB.R, &n, "SELECT count(*) FROM audit_events WHERE action = ? AND entity_id = ?",
				"referral."+c.in.Outcome, r.ID); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[c.code == ""]; n != want {
				t.Fatalf("%d referral.%s events, want %d", n, c.in.Outcome, want)
			}
			if c.code != "" {
				return
			}
			if c.status == "declined" && got.AmountFen != 0 {
				t.Fatalf("a declined referral keeps an amount: %d", got.AmountFen)
			}
			if _, err := f.svc.Finish(ctx, f.cw1, r.ID, Close{Outcome: "helped", AmountFen: 1}); apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("finished twice: %v", err)
			}
		})
	}
}

func TestList_IsTheReadersScopeWithOverdueFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.refer(t, f.cw1, f.grs1)
	b := f.refer(t, f.cw1, f.grs1)
	f.refer(t, f.cw2, f.grs2)
	f.clock.Set(at.AddDate(0, 0, 10)) // both past their follow-up date
	if _, err := f.svc.Finish(ctx, f.cw1, a.ID, Close{Outcome: "helped", AmountFen: 100}); err != nil {
		t.Fatal(err)
	}
	admin := actor.Actor{UserID: 1, Username: "admin", Roles: []actor.Role{actor.Admin}, OrgPath: "/"}
	if _, err := f.svc.List(ctx, admin, Filter{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("admin reads referrals: %v", err)
	}
	for _, c := range []struct {
		who                    actor.Actor
		total, overdue, helped int
		first                  int64
	}{{f.cw1, 2, 1, 1, b.ID}, {f.sup1, 2, 1, 1, b.ID}, {f.cw2, 1, 1, 0, 0}} {
		p, err := f.svc.List(ctx, c.who, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != c.total || p.Counts.Overdue != c.overdue || p.Counts.Helped != c.helped {
			t.Fatalf("%s: total %d, counts %+v", c.who.Username, p.Total, p.Counts)
		}
		if c.first != 0 && (p.Items[0].ID != c.first || !p.Items[0].Overdue) {
			t.Fatalf("%s: first %+v, want the overdue %d", c.who.Username, p.Items[0], c.first)
		}
	}
	if _, err := f.svc.List(ctx, f.cw1, Filter{Status: "lost"}); apperr.CodeOf(err) != apperr.Validation {
		t.Fatalf("an unknown status filter: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.cw2, a.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("another street reads the referral: %v", err)
	}
}

// TestActions_OfferCloseExactlyWhenFinishWouldTakeIt: the actions a reader is answered with are the ones
// Finish accepts — close, for a caseworker or supervisor, while the referral is pending; none once closed.
func TestActions_OfferCloseExactlyWhenFinishWouldTakeIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	auditor := actor.Actor{UserID: 6, Username: "aud", Roles: []actor.Role{actor.Auditor}, OrgPath: "/"}
	r := f.refer(t, f.cw1, f.grs1)
	if len(r.Actions) != 1 || r.Actions[0] != ActClose {
		t.Fatalf("the new referral answers its caseworker with actions %v, want [close]", r.Actions)
	}
	for _, c := range []struct {
		name string
		a    actor.Actor
		want bool
	}{{"caseworker", f.cw1, true}, {"supervisor", f.sup1, true}, {"auditor", auditor, false}} {
		got, err := f.svc.Get(ctx, c.a, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		page, err := f.svc.List(ctx, c.a, Filter{})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("%s: list %+v, %v", c.name, page, err)
		}
		for _, x := range [][]string{got.Actions, page.Items[0].Actions} {
			if has := len(x) == 1 && x[0] == ActClose; has != c.want {
				t.Errorf("%s on a pending referral: actions %v, want close %v", c.name, x, c.want)
			}
		}
	}
	done, err := f.svc.Finish(ctx, f.sup1, r.ID, Close{Outcome: "helped", AmountFen: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Actions) != 0 {
		t.Fatalf("a closed referral still offers %v", done.Actions)
	}
	if got, _ := f.svc.Get(ctx, f.cw1, r.ID); len(got.Actions) != 0 {
		t.Fatalf("a closed referral still offers %v to its caseworker", got.Actions)
	}
}
