package ledger_test

import (
	"slices"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/ledger"
)

// TestTransferActions_OfferReverseExactlyWhenReverseWouldPass: a transfer read, alone or on a statement, offers
// 冲销 to its reader exactly when Reverse would accept it from that reader (SPEC §6): finance, both accounts in
// scope, posted, neither a reversal nor reversed, and the money still there to take back.
func TestTransferActions_OfferReverseExactlyWhenReverseWouldPass(t *testing.T) {
	auditor := actor.Actor{Username: "auditor1", Roles: []actor.Role{actor.Auditor}, OrgID: district, OrgPath: "/1/"}
	local := actor.Actor{Username: "finance-a", Roles: []actor.Role{actor.Finance}, OrgID: grassrootA, OrgPath: "/1/2/3/4/"}
	// Each plant returns a transfer and the account whose statement shows it.
	tests := []struct {
		name  string
		who   func(f *fixture) actor.Actor
		plant func(f *fixture) (transfer, account int64)
		offer bool
	}{
		{"a posted receipt, to finance", func(f *fixture) actor.Actor { return f.fin }, func(f *fixture) (int64, int64) {
			fund := f.fund("本级经费", "general")
			return f.receive(fund, 900_00).ID, fund.ID
		}, true},
		{"a posted receipt, to an auditor", func(*fixture) actor.Actor { return auditor }, func(f *fixture) (int64, int64) {
			fund := f.fund("本级经费", "general")
			return f.receive(fund, 900_00).ID, fund.ID
		}, false},
		{"a reversed transfer", func(f *fixture) actor.Actor { return f.fin }, func(f *fixture) (int64, int64) {
			fund := f.fund("本级经费", "general")
			tr := f.receive(fund, 900_00)
			f.reverse(tr.ID)
			return tr.ID, fund.ID
		}, false},
		{"a reversal", func(f *fixture) actor.Actor { return f.fin }, func(f *fixture) (int64, int64) {
			fund := f.fund("本级经费", "general")
			return f.reverse(f.receive(fund, 900_00).ID).ID, fund.ID
		}, false},
		{"a pending reservation", func(f *fixture) actor.Actor { return f.fin }, func(f *fixture) (int64, int64) {
			line := f.funded(1000_00)
			return f.reserve(line, 600_00).ID, line.ID
		}, false},
		{"a voided reservation", func(f *fixture) actor.Actor { return f.fin }, func(f *fixture) (int64, int64) {
			line := f.funded(1000_00)
			tr := f.reserve(line, 600_00)
			if _, err := f.books.Void(f.ctx, f.fin, tr.ID, "申请人放弃"); err != nil {
				f.t.Fatal(err)
			}
			return tr.ID, line.ID
		}, false},
		{"a budget whose money is reserved", func(f *fixture) actor.Actor { return f.fin }, func(f *fixture) (int64, int64) {
			fund := f.fund("本级经费", "general")
			line := f.line("living", "")
			f.receive(fund, 1000_00)
			budgeted := f.budget(fund, line, 1000_00)
			f.reserve(line, 600_00)
			return budgeted.ID, line.ID
		}, false},
		{"an allocation, to the grassroots union's finance", func(*fixture) actor.Actor { return local }, func(f *fixture) (int64, int64) {
			line := f.funded(1000_00)
			tr, err := f.books.Allocate(f.ctx, f.fin, ledger.AllocateInput{BudgetLineID: line.ID, OrgID: grassrootA, AmountFen: 300_00})
			if err != nil {
				f.t.Fatal(err)
			}
			return tr.ID, tr.CreditAccountID
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id, acc := tt.plant(f)
			a := tt.who(f)
			tr, err := f.books.Transfer(f.ctx, a, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(tr.Actions, ledger.ActReverse); got != tt.offer {
				t.Errorf("transfer actions %v, want reverse offered %v", tr.Actions, tt.offer)
			}
			page, err := f.books.AccountStatement(f.ctx, a, acc, ledger.StatementFilter{})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(page.Items, func(l ledger.StatementLine) bool { return l.ID == id })
			if i < 0 {
				t.Fatalf("transfer #%d not on the statement of account %d", id, acc)
			}
			if got := page.Items[i].Actions; !slices.Equal(got, tr.Actions) {
				t.Errorf("statement line actions %v, transfer actions %v", got, tr.Actions)
			}
			_, err = f.books.Reverse(f.ctx, a, id, ledger.ReverseInput{Reason: "核对"})
			if (err == nil) != tt.offer {
				t.Errorf("Reverse: %v, while reverse offered %v", err, tt.offer)
			}
			f.mustCheck()
		})
	}
}

func (f *fixture) reverse(id int64) ledger.Transfer {
	f.t.Helper()
	tr, err := f.books.Reverse(f.ctx, f.fin, id, ledger.ReverseInput{Reason: "录错"})
	if err != nil {
		f.t.Fatal(err)
	}
	return tr
}

func (f *fixture) reserve(line ledger.Account, fen int64) ledger.Transfer {
	f.t.Helper()
	tr, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: f.payee("1").ID, Amount: fen})
	if err != nil {
		f.t.Fatal(err)
	}
	return tr
}
