package relief_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/ledger"
	"bangfu/internal/ledger/ledgertest"
	"bangfu/internal/money"
	"bangfu/internal/relief"
)

// fixture is a fresh database with the demo orgs and users, a manual clock on a Tuesday morning in March
// 2026, and relief's service over them. Warmth payments to holiday-duty workers without a file need no
// household, so the workflow and money tests build on them.
type fixture struct {
	t                                   *testing.T
	ctx                                 context.Context
	svc                                 *relief.Service
	clk                                 *clock.Manual
	cw, sup1, sup2, fin, auditor, admin actor.Actor
	org                                 int64 // a grassroots union in caseworker1's scope
	workers                             int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China))
	db := demotest.Seed(t, clk)
	f := &fixture{t: t, ctx: ctx, svc: &relief.Service{DB: db, Clock: clk}, clk: clk}
	f.cw, f.sup1, f.sup2, f.fin = f.as("caseworker1"), f.as("supervisor1"), f.as("supervisor2"), f.as("finance1")
	f.auditor, f.admin = f.as("auditor1"), f.as("admin")
	f.org = demotest.OrgID(t, db, "BJ-XX-JH-01")
	return f
}

func (f *fixture) as(username string) actor.Actor {
	f.t.Helper()
	return demotest.Actor(f.t, f.svc.DB, username)
}

// budget receives fen into a general fund and puts it all on the 2026 warmth line; it returns the line.
func (f *fixture) budget(fen money.Fen) ledger.Account {
	f.t.Helper()
	var line ledger.Account
	now := f.clk.Now()
	if err := f.svc.DB.Write(f.ctx, func(tx *sqlx.Tx) (err error) {
		line, err = ledgertest.FundLine(f.ctx, tx, f.fin, now, ledgertest.Line{Fund: "送温暖经费", Year: 2026, AidType: "warmth",
			AmountFen: fen, Voucher: "1"})
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return line
}

// available is what line still has to spend.
func (f *fixture) available(line ledger.Account) int64 {
	f.t.Helper()
	acc, err := ledger.GetAccount(f.ctx, f.svc.DB.R, line.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return acc.Balance().Available
}

// warmthInput is a warmth payment (the policy's ¥1,000) to a new holiday-duty worker without a file.
func (f *fixture) warmthInput() relief.Input {
	f.workers++
	birth := time.Date(1970+f.workers%30, time.Month(1+f.workers%12), 1+f.workers%28, 0, 0, 0, 0, time.UTC)
	return relief.Input{Type: relief.Warmth, OrgID: f.org, ApplicantName: fmt.Sprintf("坚守%d", f.workers),
		ApplicantIDNumber: demo.ResidentID("330108", birth, f.workers, true), DutyNote: "春节坚守供暖岗位", Purpose: "节日慰问"}
}

func (f *fixture) draft() relief.View {
	f.t.Helper()
	v, err := f.svc.Create(f.ctx, f.cw, f.warmthInput())
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// act takes the action through the service and holds its answer to the application as Get reads it
// afterwards: the answer is built from the transaction's own results where it can be (Service.Act).
func (f *fixture) act(a actor.Actor, v relief.View, action string, in relief.ActionInput) relief.View {
	f.t.Helper()
	out, err := f.svc.Act(f.ctx, a, v.ID, action, in)
	if err != nil {
		f.t.Fatalf("%s by %s: %v", action, a.Username, err)
	}
	sameView(f.t, f.svc, a, out, action)
	return out
}

// sameView fails t unless v is, as JSON, what Get answers for a now.
func sameView(t *testing.T, svc *relief.Service, a actor.Actor, v relief.View, what string) {
	t.Helper()
	want, err := svc.Get(context.Background(), a, v.ID)
	if err != nil {
		t.Fatalf("%s: get: %v", what, err)
	}
	got, _ := json.Marshal(v)
	read, _ := json.Marshal(want)
	if string(got) != string(read) {
		t.Fatalf("%s answered\n%s\nbut Get reads\n%s", what, got, read)
	}
}

func (f *fixture) submitted() relief.View {
	return f.act(f.cw, f.draft(), relief.ActSubmit, relief.ActionInput{})
}

func (f *fixture) approved() relief.View {
	return f.act(f.sup1, f.submitted(), relief.ActApprove, relief.ActionInput{})
}
