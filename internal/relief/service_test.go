package relief_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/ledger"
	"bangfu/internal/relief"
)

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// SPEC §1.2: admin reads no case or money data — every read of the service refuses admin, and the same reads
// are open to the roles that keep, decide, pay or audit a case.
func TestService_AdminReadsNoApplicationData(t *testing.T) {
	f := newFixture(t)
	v := f.draft()
	reads := map[string]func(a actor.Actor) error{
		"list":      func(a actor.Actor) error { _, err := f.svc.List(f.ctx, a, relief.Filter{}); return err },
		"get":       func(a actor.Actor) error { _, err := f.svc.Get(f.ctx, a, v.ID); return err },
		"checks":    func(a actor.Actor) error { _, err := f.svc.Checks(f.ctx, a, v.ID); return err },
		"decisions": func(a actor.Actor) error { _, err := f.svc.Decisions(f.ctx, a, v.ID); return err },
		"history": func(a actor.Actor) error {
			_, err := f.svc.History(f.ctx, a, v.ID, audit.Paging{Page: 1, PerPage: 50})
			return err
		},
		"reveal": func(a actor.Actor) error { _, err := f.svc.Reveal(f.ctx, a, v.ID); return err },
		"report": func(a actor.Actor) error { _, err := f.svc.GreenChannelReport(f.ctx, a, relief.Period{}); return err },
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			wantCode(t, read(f.admin), apperr.Forbidden)
			for _, a := range []actor.Actor{f.cw, f.sup1, f.fin, f.auditor} {
				if err := read(a); err != nil {
					t.Errorf("%s by %s: %v", name, a.Username, err)
				}
			}
		})
	}
}

// Who before what: a role that may not act is refused 403 whatever it sends — before the input is validated
// and before the record is looked up.
func TestService_RoleIsCheckedBeforeTheInput(t *testing.T) {
	f := newFixture(t)
	f.budget(100_000)
	v := f.approved()
	bad := relief.ActionInput{PaymentMethod: "alipay", ReceiptKind: "wechat", Outcome: "maybe"}
	cases := []struct {
		name string
		call func() error
		want apperr.Code
	}{
		{"create by an auditor, empty", func() error { _, err := f.svc.Create(f.ctx, f.auditor, relief.Input{}); return err }, apperr.Forbidden},
		{"create by admin, empty", func() error { _, err := f.svc.Create(f.ctx, f.admin, relief.Input{}); return err }, apperr.Forbidden},
		{"update by a supervisor, empty", func() error { _, err := f.svc.Update(f.ctx, f.sup1, v.ID, relief.Input{}); return err }, apperr.Forbidden},
		{"disburse by a caseworker, malformed", func() error { _, err := f.svc.Act(f.ctx, f.cw, v.ID, relief.ActDisburse, bad); return err }, apperr.Forbidden},
		{"disburse of a missing record by a caseworker", func() error { _, err := f.svc.Act(f.ctx, f.cw, 999999, relief.ActDisburse, bad); return err }, apperr.Forbidden},
		{"approve by finance", func() error { _, err := f.svc.Act(f.ctx, f.fin, v.ID, relief.ActApprove, bad); return err }, apperr.Forbidden},
		{"bulk approval by a caseworker, no ids", func() error { _, err := f.svc.ApproveMany(f.ctx, f.cw, relief.BulkApproval{}); return err }, apperr.Forbidden},
		{"an unknown action", func() error { _, err := f.svc.Act(f.ctx, f.sup1, v.ID, "pay-twice", relief.ActionInput{}); return err }, apperr.NotFound},
		{"edit is not an action", func() error { _, err := f.svc.Act(f.ctx, f.cw, v.ID, relief.ActEdit, relief.ActionInput{}); return err }, apperr.NotFound},
		{"disburse malformed by finance", func() error { _, err := f.svc.Act(f.ctx, f.fin, v.ID, relief.ActDisburse, bad); return err }, apperr.Validation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.call(), c.want) })
	}
}

// SPEC §4.2, §6: approval reserves the amount on the line, disbursement posts it, receipt leaves it paid;
// the detail shows the one transfer in each state and the books agree with every application.
func TestService_ApprovalReservesDisbursementPostsAndReceiptConfirms(t *testing.T) {
	f := newFixture(t)
	line := f.budget(500_000)
	v := f.approved()
	if v.Status != relief.Approved || len(v.Transfers) != 1 || v.Transfers[0].State != ledger.Pending || f.available(line) != 400_000 {
		t.Fatalf("approved: %s, transfers %+v, available %d", v.Status, v.Transfers, f.available(line))
	}
	v = f.act(f.fin, v, relief.ActDisburse, relief.ActionInput{VoucherNo: "付-1", PaymentMethod: "cash"})
	if v.Status != relief.Disbursed || v.Transfers[0].State != ledger.Posted || v.Transfers[0].ID != v.TransferID.Int64 {
		t.Fatalf("disbursed: %s, transfers %+v", v.Status, v.Transfers)
	}
	v = f.act(f.cw, v, relief.ActReceipt, relief.ActionInput{ReceiptKind: "signature", ReceiptRef: "签领-1"})
	if v.Status != relief.Received || len(v.Actions) != 0 || f.available(line) != 400_000 {
		t.Fatalf("received: %s, actions %v, available %d", v.Status, v.Actions, f.available(line))
	}
	if n, problems, err := relief.CheckMoney(f.ctx, f.svc.DB.R); err != nil || n != 1 || len(problems) != 0 {
		t.Fatalf("CheckMoney: %d %v %v", n, problems, err)
	}
	// Money is money.Fen inside and integer fen with _fen names outside (SPEC §9.2).
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"amount_fen":100000,`, `"out_of_pocket_fen":0,`, `"transfers":[{`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the answer lacks %s: %s", want, b)
		}
	}
}

// SPEC §4.2: a void before payment releases the reservation back to the line and needs a reason.
func TestService_VoidReleasesTheReservation(t *testing.T) {
	f := newFixture(t)
	line := f.budget(100_000)
	v := f.approved()
	_, err := f.svc.Act(f.ctx, f.fin, v.ID, relief.ActVoid, relief.ActionInput{Reason: "  "})
	wantCode(t, err, apperr.Validation)
	if e := apperr.From(err); e.Fields["reason"] == "" {
		t.Errorf("void without a reason names no field: %+v", e)
	}
	v = f.act(f.fin, v, relief.ActVoid, relief.ActionInput{Reason: "重复申请"})
	if v.Status != relief.Cancelled || v.Transfers[0].State != ledger.Voided || f.available(line) != 100_000 {
		t.Fatalf("void: %s, transfers %+v, available %d", v.Status, v.Transfers, f.available(line))
	}
}

// The required fields of the table are refused together, each beside its field, and write nothing.
func TestService_RequiredFieldsAreRefusedFieldByField(t *testing.T) {
	f := newFixture(t)
	f.budget(300_000)
	sub, app := f.submitted(), f.approved()
	cases := []struct {
		who    actor.Actor
		v      relief.View
		action string
		in     relief.ActionInput
		fields []string
	}{
		{f.sup1, sub, relief.ActReturn, relief.ActionInput{}, []string{"reason"}},
		{f.sup1, sub, relief.ActReject, relief.ActionInput{Reason: " "}, []string{"reason"}},
		{f.fin, app, relief.ActDisburse, relief.ActionInput{}, []string{"voucher_no", "payment_method"}},
		{f.fin, app, relief.ActDisburse, relief.ActionInput{VoucherNo: "付-1"}, []string{"payment_method"}},
		{f.fin, app, relief.ActVoid, relief.ActionInput{}, []string{"reason"}},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			_, err := f.svc.Act(f.ctx, c.who, c.v.ID, c.action, c.in)
			wantCode(t, err, apperr.Validation)
			e := apperr.From(err)
			if len(e.Fields) != len(c.fields) {
				t.Errorf("fields %v, want %v", e.Fields, c.fields)
			}
			for _, k := range c.fields {
				if e.Fields[k] == "" {
					t.Errorf("no message for %s: %v", k, e.Fields)
				}
			}
		})
	}
	if got, _ := f.svc.Get(f.ctx, f.sup1, sub.ID); got.Status != relief.Submitted {
		t.Errorf("a refused return moved the case to %s", got.Status)
	}
}

// SPEC §6: never overspent — 50 supervisors' approvals race for a line that covers 20; exactly 20 are
// reserved, the rest are conflicts, and the line and the applications agree.
func TestService_FiftyApprovalsRaceForALineThatCoversTwenty(t *testing.T) {
	f := newFixture(t)
	line := f.budget(20 * 100_000)
	var subs []relief.View
	for range 50 {
		subs = append(subs, f.submitted())
	}
	var wg sync.WaitGroup
	codes := make([]apperr.Code, len(subs))
	for i, v := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sup := []actor.Actor{f.sup1, f.sup2}[i%2]
			_, err := f.svc.Act(f.ctx, sup, v.ID, relief.ActApprove, relief.ActionInput{})
			codes[i] = apperr.CodeOf(err)
		}()
	}
	wg.Wait()
	approved, refused := 0, 0
	for _, c := range codes {
		switch c {
		case "":
			approved++
		case apperr.Conflict:
			refused++
		default:
			t.Errorf("an approval failed with %q", c)
		}
	}
	if approved != 20 || refused != 30 || f.available(line) != 0 {
		t.Fatalf("approved %d, refused %d, line available %d; want 20, 30, 0", approved, refused, f.available(line))
	}
	if _, problems, err := relief.CheckMoney(f.ctx, f.svc.DB.R); err != nil || len(problems) != 0 {
		t.Fatalf("CheckMoney: %v %v", problems, err)
	}
}

// SPEC §5: a bulk approval checks every rule per item and reports each: approved, a duplicate, a conflict
// (no money left), and one out of the workflow's reach.
func TestService_BulkApprovalReportsEachItem(t *testing.T) {
	f := newFixture(t)
	f.budget(100_000)
	a, b, c := f.submitted(), f.submitted(), f.draft()
	r, err := f.svc.ApproveMany(f.ctx, f.sup1, relief.BulkApproval{IDs: []int64{a.ID, a.ID, b.ID, c.ID}, Reason: "同意"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		ok   bool
		code apperr.Code
	}{{true, ""}, {false, apperr.Validation}, {false, apperr.Conflict}, {false, apperr.Conflict}}
	if r.Total != 4 || r.Approved != 1 {
		t.Fatalf("bulk: %+v", r)
	}
	for i, w := range want {
		if r.Items[i].OK != w.ok || r.Items[i].Code != w.code {
			t.Errorf("item %d: %+v, want ok %v code %q", i, r.Items[i], w.ok, w.code)
		}
	}
	_, err = f.svc.ApproveMany(f.ctx, f.sup1, relief.BulkApproval{IDs: make([]int64, relief.MaxBulk+1)})
	wantCode(t, err, apperr.Validation)
}
