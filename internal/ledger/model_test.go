package ledger_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"pgregory.net/rapid"

	"bangfu/internal/apperr"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
)

// The model is what a person with a pencil would keep: per account the four sums, per transfer its accounts,
// amount and state. Every step of a random sequence is predicted by the model (success, or which refusal), and
// after every step every account's balance in the database must equal the model's and `ledger check` must pass.

type modelAccount struct {
	dp, cp, dpend, cpend int64
	controlled           bool
	purpose              string   // budget lines
	purposes             []string // funds
}

func (a *modelAccount) available() int64 { return a.cp - a.dp - a.dpend }

type modelTransfer struct {
	id, debit, credit, amount int64
	state                     string
	isReversal, reversed      bool
}

type modelReceipt struct{ fund, amount, id int64 }

type ledgerModel struct {
	f         *fixture
	accounts  map[int64]*modelAccount
	funds     []int64
	lines     []int64
	allocs    []int64
	payees    []int64
	external  int64
	transfers []*modelTransfer
	keys      map[string]modelReceipt
}

func (m *ledgerModel) apply(tr *modelTransfer) {
	m.transfers = append(m.transfers, tr)
	d, c := m.account(tr.debit), m.account(tr.credit)
	if tr.state == ledger.Pending {
		d.dpend += tr.amount
		c.cpend += tr.amount
	} else {
		d.dp += tr.amount
		c.cp += tr.amount
	}
}

func (m *ledgerModel) account(id int64) *modelAccount {
	a, ok := m.accounts[id]
	if !ok {
		a = &modelAccount{controlled: true}
		m.accounts[id] = a
	}
	return a
}

// expect checks err against the refusal the model predicts ("" for success).
func expect(t *rapid.T, err error, want apperr.Code, what string) {
	if got := apperr.CodeOf(err); got != want {
		t.Fatalf("%s: got %q (%v), model predicts %q", what, got, err, want)
	}
}

func TestLedger_RandomOperationsKeepEveryInvariantAgainstAModel(t *testing.T) {
	dir := t.TempDir()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		f := newFixtureAt(t, filepath.Join(dir, fmt.Sprintf("model-%d.db", run)))
		defer f.db.Close()
		m := &ledgerModel{f: f, accounts: map[int64]*modelAccount{}, keys: map[string]modelReceipt{}}
		for _, fd := range []struct {
			name     string
			purposes []string
		}{{"本级经费", []string{"general"}}, {"疫情防控专项", []string{"epidemic"}}, {"上级补助", []string{"general", "education"}}} {
			acc := f.fund(fd.name, fd.purposes...)
			m.funds = append(m.funds, acc.ID)
			m.account(acc.ID).purposes = fd.purposes
		}
		for _, l := range [][2]string{{"living", "general"}, {"living", "epidemic"}, {"education", "education"}} {
			acc := f.line(l[0], l[1])
			m.lines = append(m.lines, acc.ID)
			m.account(acc.ID).purpose = l[1]
		}
		for _, id := range []string{"1", "2"} {
			m.payees = append(m.payees, f.payee(id).ID)
			m.account(m.payees[len(m.payees)-1])
		}
		amount := rapid.Int64Range(1, 3_000_000)

		rt.Repeat(map[string]func(*rapid.T){
			"receive": func(t *rapid.T) {
				fund := rapid.SampledFrom(m.funds).Draw(t, "fund")
				amt := amount.Draw(t, "amount")
				key := rapid.SampledFrom([]string{"", "", "k1", "k2", "k3"}).Draw(t, "key")
				tr, err := f.books.Receive(f.ctx, f.fin, ledger.ReceiveInput{FundID: fund, AmountFen: money.Fen(amt), IdempotencyKey: key})
				if prev, used := m.keys[key]; key != "" && used {
					if prev.fund == fund && prev.amount == amt {
						expect(t, err, "", "receive retried with the same key and content")
						if tr.ID != prev.id {
							t.Fatalf("retry returned transfer %d, first was %d", tr.ID, prev.id)
						}
					} else {
						expect(t, err, apperr.Conflict, "receive with a used key and other content")
					}
					return
				}
				expect(t, err, "", "receive")
				if key != "" {
					m.keys[key] = modelReceipt{fund, amt, tr.ID}
				}
				if m.external == 0 {
					m.external = tr.DebitAccountID
					m.account(m.external).controlled = false
				}
				m.apply(&modelTransfer{id: tr.ID, debit: tr.DebitAccountID, credit: fund, amount: amt, state: ledger.Posted})
			},
			"budget": func(t *rapid.T) {
				fund := rapid.SampledFrom(m.funds).Draw(t, "fund")
				line := rapid.SampledFrom(m.lines).Draw(t, "line")
				amt := amount.Draw(t, "amount")
				tr, err := f.books.Budget(f.ctx, f.fin, ledger.BudgetInput{FundID: fund, BudgetLineID: line, AmountFen: money.Fen(amt)})
				allowed := false
				for _, p := range m.account(fund).purposes {
					allowed = allowed || p == m.account(line).purpose
				}
				if !allowed || amt > m.account(fund).available() {
					expect(t, err, apperr.Conflict, "budget refused by purpose or balance")
					return
				}
				expect(t, err, "", "budget")
				m.apply(&modelTransfer{id: tr.ID, debit: fund, credit: line, amount: amt, state: ledger.Posted})
			},
			"allocate": func(t *rapid.T) {
				line := rapid.SampledFrom(m.lines).Draw(t, "line")
				orgID := rapid.SampledFrom([]int64{grassrootA, grassrootB}).Draw(t, "org")
				amt := amount.Draw(t, "amount")
				tr, err := f.books.Allocate(f.ctx, f.fin, ledger.AllocateInput{BudgetLineID: line, OrgID: orgID, AmountFen: money.Fen(amt)})
				if amt > m.account(line).available() {
					expect(t, err, apperr.Conflict, "allocate beyond the line")
					return
				}
				expect(t, err, "", "allocate")
				if _, known := m.accounts[tr.CreditAccountID]; !known {
					m.allocs = append(m.allocs, tr.CreditAccountID)
				}
				m.apply(&modelTransfer{id: tr.ID, debit: line, credit: tr.CreditAccountID, amount: amt, state: ledger.Posted})
			},
			"reserve": func(t *rapid.T) {
				from := rapid.SampledFrom(append(append([]int64{}, m.lines...), m.allocs...)).Draw(t, "from")
				to := rapid.SampledFrom(m.payees).Draw(t, "payee")
				amt := amount.Draw(t, "amount")
				tr, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: from, CreditAccountID: to, Amount: amt})
				if amt > m.account(from).available() {
					expect(t, err, apperr.Conflict, "reserve beyond available")
					return
				}
				expect(t, err, "", "reserve")
				m.apply(&modelTransfer{id: tr.ID, debit: from, credit: to, amount: amt, state: ledger.Pending})
			},
			"post or void": func(t *rapid.T) {
				if len(m.transfers) == 0 {
					return
				}
				tr := rapid.SampledFrom(m.transfers).Draw(t, "transfer")
				post := rapid.Bool().Draw(t, "post")
				var err error
				if post {
					_, err = f.books.Post(f.ctx, f.fin, tr.id, ledger.Settlement{VoucherNo: "V"})
				} else {
					_, err = f.books.Void(f.ctx, f.fin, tr.id, "作废")
				}
				// Only a transfer written as pending and not yet settled can be settled, exactly once.
				if tr.state != ledger.Pending {
					expect(t, err, apperr.Conflict, "settle a transfer that is not pending")
					return
				}
				expect(t, err, "", "settle")
				d, c := m.account(tr.debit), m.account(tr.credit)
				d.dpend -= tr.amount
				c.cpend -= tr.amount
				if post {
					tr.state = ledger.Posted
					d.dp += tr.amount
					c.cp += tr.amount
				} else {
					tr.state = ledger.Voided
				}
			},
			"reverse": func(t *rapid.T) {
				if len(m.transfers) == 0 {
					return
				}
				tr := rapid.SampledFrom(m.transfers).Draw(t, "transfer")
				rev, err := f.books.Reverse(f.ctx, f.fin, tr.id, ledger.ReverseInput{Reason: "更正"})
				if tr.isReversal || tr.reversed || tr.state != ledger.Posted ||
					(m.account(tr.credit).controlled && tr.amount > m.account(tr.credit).available()) {
					expect(t, err, apperr.Conflict, "reverse refused")
					return
				}
				expect(t, err, "", "reverse")
				tr.reversed = true
				m.apply(&modelTransfer{id: rev.ID, debit: tr.credit, credit: tr.debit, amount: tr.amount, state: ledger.Posted, isReversal: true})
			},
			"": func(t *rapid.T) {
				for id, want := range m.accounts {
					acc, err := ledger.GetAccount(f.ctx, f.db.R, id)
					if err != nil {
						t.Fatal(err)
					}
					got := acc.Balance()
					if got.Posted != want.cp-want.dp || got.PendingOut != want.dpend || got.PendingIn != want.cpend || got.Available != want.available() {
						t.Fatalf("account %d (%s): ledger %+v, model posted %d pending out %d pending in %d available %d",
							id, acc.Name, got, want.cp-want.dp, want.dpend, want.cpend, want.available())
					}
					if want.controlled && got.Available < 0 {
						t.Fatalf("account %d (%s) overspent: %+v", id, acc.Name, got)
					}
				}
				r, err := ledger.Check(f.ctx, f.db.R)
				if err != nil || !r.OK() {
					t.Fatalf("ledger check: %v %v", r.Differences, err)
				}
			},
		})
	})
}
