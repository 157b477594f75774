package relief_test

import (
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/relief"
	"bangfu/internal/relief/relieftest"
)

// actTx takes the action with ActTx and, in the same transaction, reads the application back: ActTx builds
// the application it returns (and audits) from the row it updated, which must be the row as stored.
func (f *fixture) actTx(a actor.Actor, id int64, action string, in relief.ActionInput) relief.Application {
	f.t.Helper()
	var got, want relief.Application
	if err := f.svc.DB.Write(f.ctx, func(tx *sqlx.Tx) error {
		var err error
		if got, err = relief.ActTx(f.ctx, tx, a, f.clk.Now(), id, action, in); err != nil {
			return err
		}
		want, err = relief.Get(f.ctx, tx, a, id)
		return err
	}); err != nil {
		f.t.Fatalf("%s by %s: %v", action, a.Username, err)
	}
	if !reflect.DeepEqual(got, want) {
		f.t.Fatalf("%s: ActTx returned\n%+v\nbut the row reads\n%+v", action, got, want)
	}
	return got
}

// Every action's application, as ActTx returns it, is the row as it now stands: through the whole workflow of
// a warmth payment (submit, return, submit again, approve, pay, receipt; a reject; a void).
func TestActTx_ReturnsTheRowAsStored(t *testing.T) {
	f := newFixture(t)
	f.budget(1_000_000)
	no := relief.ActionInput{}
	paid := f.draft()
	f.actTx(f.cw, paid.ID, relief.ActSubmit, no)
	f.actTx(f.sup1, paid.ID, relief.ActReturn, relief.ActionInput{Reason: "补充坚守岗位证明"})
	f.actTx(f.cw, paid.ID, relief.ActSubmit, no)
	if app := f.actTx(f.sup1, paid.ID, relief.ActApprove, relief.ActionInput{Reason: "同意"}); app.Status != relief.Approved || !app.TransferID.Valid {
		t.Fatalf("approved: %s, transfer %v", app.Status, app.TransferID)
	}
	f.actTx(f.fin, paid.ID, relief.ActDisburse, relief.ActionInput{VoucherNo: "付-1", PaymentMethod: "cash"})
	f.actTx(f.cw, paid.ID, relief.ActReceipt, relief.ActionInput{ReceiptKind: "signature", ReceiptRef: "签领-1"})

	rejected := f.submitted()
	f.actTx(f.sup1, rejected.ID, relief.ActReject, relief.ActionInput{Reason: "不符合条件"})

	voided := f.approved()
	f.actTx(f.fin, voided.ID, relief.ActVoid, relief.ActionInput{Reason: "重复申请"})
}

// The answer of an action is the view Get reads after the commit, for applications of households with their
// documents (approve and disburse answer from the transaction's results, receipt by reading again).
func TestAct_AnswersAsGetReadsAfterwards(t *testing.T) {
	f := newFixture(t)
	ids, err := relieftest.Submitted(f.ctx, f.svc.DB, f.clk.Now(), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		v := f.act(f.sup1, relief.View{Application: relief.Application{ID: id}}, relief.ActApprove, relief.ActionInput{})
		if v.Status != relief.Approved || len(v.Transfers) != 1 {
			t.Fatalf("approved: %s, transfers %+v", v.Status, v.Transfers)
		}
		if i == 2 {
			f.act(f.fin, v, relief.ActVoid, relief.ActionInput{Reason: "重复申请"})
			continue
		}
		method := []string{"bank", "cash"}[i]
		v = f.act(f.fin, v, relief.ActDisburse, relief.ActionInput{VoucherNo: "付-1", PaymentMethod: method})
		f.act(f.cw, v, relief.ActReceipt, relief.ActionInput{ReceiptKind: "signature", ReceiptRef: "签领-1"})
	}
}
