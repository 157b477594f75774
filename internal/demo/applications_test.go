package demo_test

import (
	"context"
	"testing"
	"time"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demotest"
	"bangfu/internal/ledger"
	"bangfu/internal/relief"
)

func TestFull_ApplicationsCoverEveryStatusTypeAndGreenChannelCase(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China)
	db := demotest.Full(t, clock.NewManual(now))

	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.R.Get(&n, q, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT count(*) FROM applications"); n < 250 || n > 500 {
		t.Errorf("%d applications, want a few hundred", n)
	}
	for s := range relief.StatusNames {
		if n := count("SELECT count(*) FROM applications WHERE status = ?", s); n == 0 {
			t.Errorf("no application is %s", s)
		}
	}
	for _, ty := range relief.Types {
		if n := count("SELECT count(DISTINCT status) FROM applications WHERE type = ?", ty); n < 5 {
			t.Errorf("%s applications take only %d statuses", ty, n)
		}
	}
	if n := count("SELECT count(*) FROM applications WHERE opened_household = 1"); n == 0 {
		t.Error("no green-channel case opened its file alongside")
	}
	if n := count("SELECT count(*) FROM applications WHERE household_id IS NULL"); n == 0 {
		t.Error("no warmth payment to a holiday-duty worker without a file")
	}
	// Segregation of duties held in every story (SPEC §1.2).
	if n := count(`SELECT count(*) FROM applications WHERE submitted_by IN (approved_by, first_approved_by, reviewed_by)
		OR disbursed_by IN (approved_by, first_approved_by) OR reviewed_by = approved_by OR approved_by = first_approved_by`); n != 0 {
		t.Errorf("%d applications break segregation of duties", n)
	}

	// The green channel as the queues and the report show it (SPEC §4.3).
	sup, err := auth.ActorFor(ctx, db.R, 5, "test") // supervisor2, the whole district
	if err != nil || !sup.Has(actor.Supervisor) {
		t.Fatalf("supervisor2: %+v %v", sup, err)
	}
	list := func(f relief.Filter) []relief.Application {
		t.Helper()
		f.PerPage = 200
		p, err := relief.List(ctx, db.R, sup, now, f)
		if err != nil {
			t.Fatal(err)
		}
		return p.Items
	}
	var running, late int
	for _, a := range list(relief.Filter{Queue: "approval", Green: "1"}) {
		if a.Overdue {
			late++
		} else {
			running++
		}
	}
	if running < 3 || late == 0 {
		t.Errorf("green cases pending: %d with the countdown running, %d overdue", running, late)
	}
	running, late = 0, 0
	for _, a := range list(relief.Filter{Queue: "approval", Green: "0"}) {
		if a.Overdue {
			late++
		} else {
			running++
		}
	}
	if running < 10 || late == 0 || late > running/2 {
		t.Errorf("ordinary cases pending: %d within the 15 working days, %d overdue", running, late)
	}
	docsOverdue := 0
	for _, a := range list(relief.Filter{Queue: "docs_overdue"}) {
		if a.DocsOverdue {
			docsOverdue++
		}
	}
	if docsOverdue < 2 {
		t.Errorf("%d green cases with documents overdue", docsOverdue)
	}
	if n := len(list(relief.Filter{Queue: "review"})); n < 3 {
		t.Errorf("%d green cases await the retrospective review", n)
	}
	// Two flagged reviews: one whose money finance took back, one still waiting for it (a lead for the audit).
	if n := count("SELECT count(*) FROM applications WHERE review_outcome = 'flagged'"); n != 2 {
		t.Errorf("%d flagged reviews, want 2", n)
	}
	if n := count("SELECT count(*) FROM applications WHERE review_outcome = 'flagged' AND status = 'recovered'"); n != 1 {
		t.Errorf("%d flagged reviews recovered, want 1", n)
	}
	if n := count("SELECT count(*) FROM applications WHERE review_outcome = 'confirmed'"); n == 0 {
		t.Error("no confirmed review")
	}
	if n := len(list(relief.Filter{Queue: "approval", Status: "first_approved"})); n == 0 {
		t.Error("no large case waits for its second approval")
	}

	r, err := ledger.Check(ctx, db.R)
	if err != nil || !r.OK() {
		t.Fatalf("ledger check: %+v %v", r, err)
	}
	if n := count("SELECT count(*) FROM fund_transfers WHERE ref_type = 'application'"); n < 150 {
		t.Errorf("%d application transfers in the ledger", n)
	}
	if v, err := audit.Verify(ctx, db.R); err != nil || !v.OK {
		t.Fatalf("audit verify: %+v %v", v, err)
	}
	if n := count("SELECT count(*) FROM audit_events WHERE entity_type = 'application'"); n < 1000 {
		t.Errorf("%d audit events on applications", n)
	}
}
