package ledger_test

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/ledger"
	"bangfu/internal/money"
)

func TestReceive_PostsOutsideMoneyIntoAFundAndDebitsTheExternalAccount(t *testing.T) {
	f := newFixture(t)
	fund := f.fund("上级补助", "general", "education")
	tr := f.receive(fund, 500_000_00)
	if tr.State != ledger.Posted || tr.Amount != 500_000_00 || tr.Unit != money.CNY {
		t.Fatalf("transfer %+v", tr)
	}
	if b := f.balance(fund.ID); b.Posted != 500_000_00 || b.Available != 500_000_00 {
		t.Fatalf("fund balance %+v", b)
	}
	if b := f.balance(tr.DebitAccountID); b.Posted != -500_000_00 {
		t.Fatalf("external balance %+v", b)
	}
	f.mustCheck()
}

func TestBudget_RefusesAFundWhosePurposesDoNotAllowTheLine(t *testing.T) {
	f := newFixture(t)
	epidemic := f.fund("疫情防控专项", "epidemic")
	f.receive(epidemic, 100_000_00)
	education := f.line("education", "")
	_, err := f.books.Budget(f.ctx, f.fin, ledger.BudgetInput{FundID: epidemic.ID, BudgetLineID: education.ID, AmountFen: 1000})
	e := refused(t, err, apperr.Conflict)
	if !strings.Contains(e.Message, "专款专用") || e.Fields["budget_line_id"] == "" {
		t.Fatalf("message %q fields %v", e.Message, e.Fields)
	}
	epidemicLiving := f.line("living", "epidemic")
	f.budget(epidemic, epidemicLiving, 1000)
}

func TestAllocate_RefusesMoreThanTheLineHasAvailableWithTheNumbers(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1_200_00)
	_, err := f.books.Allocate(f.ctx, f.fin, ledger.AllocateInput{BudgetLineID: line.ID, OrgID: grassrootA, AmountFen: 2_000_00})
	e := refused(t, err, apperr.Conflict)
	want := "可用余额不足：可用 ¥1,200.00，申请 ¥2,000.00"
	if !strings.HasPrefix(e.Message, want) || e.Fields["amount_fen"] != want {
		t.Fatalf("message %q fields %v", e.Message, e.Fields)
	}
	tr, err := f.books.Allocate(f.ctx, f.fin, ledger.AllocateInput{BudgetLineID: line.ID, OrgID: grassrootA, AmountFen: 1_200_00})
	if err != nil {
		t.Fatal(err)
	}
	alloc, err := ledger.FindAllocation(f.ctx, f.db.R, grassrootA, line.ID)
	if err != nil || alloc.ID != tr.CreditAccountID || alloc.Balance().Available != 1_200_00 {
		t.Fatalf("allocation %+v %v", alloc, err)
	}
	f.mustCheck()
}

func TestAllocate_RefusesAnOrgThatIsNotAGrassrootsUnion(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1000)
	_, err := f.books.Allocate(f.ctx, f.fin, ledger.AllocateInput{BudgetLineID: line.ID, OrgID: community, AmountFen: 100})
	if e := refused(t, err, apperr.Validation); e.Fields["org_id"] == "" {
		t.Fatalf("fields %v", e.Fields)
	}
}

func TestFinanceOperations_RefuseOtherRolesAndOutOfScopeAccounts(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1000)
	sup := actor.Actor{Username: "supervisor1", Roles: []actor.Role{actor.Supervisor}, OrgID: district, OrgPath: "/1/"}
	_, err := f.books.Allocate(f.ctx, sup, ledger.AllocateInput{BudgetLineID: line.ID, OrgID: grassrootA, AmountFen: 100})
	refused(t, err, apperr.Forbidden)
	local := actor.Actor{Username: "finance-a", Roles: []actor.Role{actor.Finance}, OrgID: grassrootA, OrgPath: "/1/2/3/4/"}
	_, err = f.books.Allocate(f.ctx, local, ledger.AllocateInput{BudgetLineID: line.ID, OrgID: grassrootA, AmountFen: 100})
	refused(t, err, apperr.NotFound)
}

func TestReserve_CountsPendingDebitsAgainstAvailable(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1000_00)
	payee := f.payee("1")
	tr, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID,
		Amount: 700_00, RefType: "application", RefID: "9"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.State != ledger.Pending {
		t.Fatalf("state %s", tr.State)
	}
	if b := f.balance(line.ID); b.Posted != 1000_00 || b.PendingOut != 700_00 || b.Available != 300_00 {
		t.Fatalf("line %+v", b)
	}
	if b := f.balance(payee.ID); b.Posted != 0 || b.PendingIn != 700_00 || b.Available != 0 {
		t.Fatalf("payee %+v: pending credits must not be available", b)
	}
	_, err = f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 300_01})
	if e := refused(t, err, apperr.Conflict); !strings.HasPrefix(e.Message, "可用余额不足：可用 ¥300.00，申请 ¥300.01") {
		t.Fatalf("message %q", e.Message)
	}
	byRef, err := ledger.TransfersByRef(f.ctx, f.db.R, "application", "9")
	if err != nil || len(byRef) != 1 || byRef[0].ID != tr.ID || byRef[0].State != ledger.Pending {
		t.Fatalf("by ref %+v %v", byRef, err)
	}
	f.mustCheck()
}

func TestPostAndVoid_SettleAPendingTransferExactlyOnce(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1000_00)
	payee := f.payee("1")
	reserve := func() ledger.Transfer {
		tr, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 400_00})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	paid, voided := reserve(), reserve()
	got, err := f.books.Post(f.ctx, f.fin, paid.ID, ledger.Settlement{VoucherNo: "记-001", PaymentMethod: "bank"})
	if err != nil || got.State != ledger.Posted || *got.SettleVoucherNo != "记-001" {
		t.Fatalf("post: %+v %v", got, err)
	}
	if _, err := f.books.Void(f.ctx, f.fin, voided.ID, "申请人放弃"); err != nil {
		t.Fatal(err)
	}
	_, err = f.books.Post(f.ctx, f.fin, paid.ID, ledger.Settlement{})
	refused(t, err, apperr.Conflict)
	_, err = f.books.Void(f.ctx, f.fin, paid.ID, "再作废")
	refused(t, err, apperr.Conflict)
	_, err = f.books.Post(f.ctx, f.fin, voided.ID, ledger.Settlement{})
	refused(t, err, apperr.Conflict)
	_, err = f.books.Void(f.ctx, f.fin, line.ID+1000, "无此转账")
	refused(t, err, apperr.NotFound)
	if b := f.balance(line.ID); b.Posted != 600_00 || b.PendingOut != 0 || b.Available != 600_00 {
		t.Fatalf("line %+v", b)
	}
	if b := f.balance(payee.ID); b.Posted != 400_00 || b.PendingIn != 0 {
		t.Fatalf("payee %+v", b)
	}
	// A transfer posted when written (here the first, the receipt) has nothing to settle.
	_, err = f.books.Void(f.ctx, f.fin, 1, "来款作废")
	refused(t, err, apperr.Conflict)
	f.mustCheck()
}

func TestIdempotencyKey_ReturnsTheFirstResultForTheSameContentAndConflictsOtherwise(t *testing.T) {
	f := newFixture(t)
	fund := f.fund("社会捐赠", "general")
	in := ledger.ReceiveInput{FundID: fund.ID, AmountFen: 50_000_00, IdempotencyKey: "receipt-2026-001", Memo: "某公司捐赠"}
	first, err := f.books.Receive(f.ctx, f.fin, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.books.Receive(f.ctx, f.fin, in)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	in.AmountFen++
	_, err = f.books.Receive(f.ctx, f.fin, in)
	if e := refused(t, err, apperr.Conflict); e.Fields["idempotency_key"] == "" {
		t.Fatalf("fields %v", e.Fields)
	}
	if b := f.balance(fund.ID); b.Posted != 50_000_00 {
		t.Fatalf("fund %+v: the retry must not receive twice", b)
	}
	f.mustCheck()
}

func TestReverse_MirrorsAPostedTransferOnceNamingItAndAReason(t *testing.T) {
	f := newFixture(t)
	fund := f.fund("本级经费", "general")
	received := f.receive(fund, 900_00)
	_, err := f.books.Reverse(f.ctx, f.fin, received.ID, ledger.ReverseInput{})
	refused(t, err, apperr.Validation)
	rev, err := f.books.Reverse(f.ctx, f.fin, received.ID, ledger.ReverseInput{Reason: "金额录错"})
	if err != nil {
		t.Fatal(err)
	}
	if *rev.ReversesID != received.ID || rev.DebitAccountID != received.CreditAccountID || rev.Amount != received.Amount || rev.Reason != "金额录错" {
		t.Fatalf("reversal %+v", rev)
	}
	if b := f.balance(fund.ID); b.Posted != 0 {
		t.Fatalf("fund %+v", b)
	}
	_, err = f.books.Reverse(f.ctx, f.fin, received.ID, ledger.ReverseInput{Reason: "再次冲销"})
	refused(t, err, apperr.Conflict)
	_, err = f.books.Reverse(f.ctx, f.fin, rev.ID, ledger.ReverseInput{Reason: "冲销的冲销"})
	refused(t, err, apperr.Conflict)
	orig, _ := ledger.GetTransfer(f.ctx, f.db.R, received.ID)
	if orig.ReversedByID == nil || *orig.ReversedByID != rev.ID {
		t.Fatalf("original %+v", orig)
	}
	f.mustCheck()
}

func TestReverse_RefusesAPendingTransferAndMoneyAlreadySpent(t *testing.T) {
	f := newFixture(t)
	fund := f.fund("本级经费", "general")
	line := f.line("living", "")
	f.receive(fund, 1000_00)
	budgeted := f.budget(fund, line, 1000_00)
	payee := f.payee("1")
	pending, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 600_00})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.books.Reverse(f.ctx, f.fin, pending.ID, ledger.ReverseInput{Reason: "应作废"})
	refused(t, err, apperr.Conflict)
	_, err = f.books.Reverse(f.ctx, f.fin, budgeted.ID, ledger.ReverseInput{Reason: "退回预算"})
	if e := refused(t, err, apperr.Conflict); !strings.HasPrefix(e.Message, "可用余额不足：可用 ¥400.00，申请 ¥1,000.00") {
		t.Fatalf("message %q", e.Message)
	}
	f.mustCheck()
}

func TestUnits_NeverMix(t *testing.T) {
	f := newFixture(t)
	stock, err := f.books.EnsureAccount(f.ctx, f.fin, ledger.AccountRef{Kind: ledger.Stock, RefType: "good", RefID: "1", Unit: "箱", OrgID: district, Name: "绿豆汤"})
	if err != nil {
		t.Fatal(err)
	}
	cash := f.payee("1")
	_, err = f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: stock.ID, CreditAccountID: cash.ID, Amount: 1})
	refused(t, err, apperr.Validation)
	_, err = f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: stock.ID, CreditAccountID: cash.ID, Amount: 1, Unit: money.CNY})
	refused(t, err, apperr.Validation)
	// The database refuses it too, whatever the code does.
	err = f.db.Write(f.ctx, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO fund_transfers (kind, debit_account_id, credit_account_id, amount, unit, pending, content_hash, actor, created_at)
			VALUES ('transfer', ?, ?, 1, '箱', 0, '', 'x', 'x')`, stock.ID, cash.ID)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "units never mix") {
		t.Fatalf("raw insert mixing units: %v", err)
	}
}

func TestDatabase_RefusesOverspendAndEditsEvenWithoutTheLedgerCode(t *testing.T) {
	f := newFixture(t)
	line := f.funded(100)
	payee := f.payee("1")
	for _, stmt := range []string{
		"INSERT INTO fund_transfers (kind, debit_account_id, credit_account_id, amount, unit, pending, content_hash, actor, created_at) VALUES ('transfer', ?, ?, 101, 'CNY', 0, '', 'x', 'x')",
		"UPDATE fund_transfers SET amount = 1 WHERE credit_account_id IN (?, ?)",
		"DELETE FROM fund_transfers WHERE credit_account_id IN (?, ?)",
		"UPDATE fund_accounts SET unit = '箱' WHERE id = ? OR id = ?",
		"DELETE FROM fund_accounts WHERE id = ? OR id = ?",
	} {
		err := f.db.Write(f.ctx, func(tx *sqlx.Tx) error { _, err := tx.Exec(stmt, line.ID, payee.ID); return err })
		if err == nil {
			t.Errorf("%s: accepted", stmt)
		}
	}
	tr, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 50})
	if err != nil {
		t.Fatal(err)
	}
	f.books.Post(f.ctx, f.fin, tr.ID, ledger.Settlement{})
	for _, stmt := range []string{"UPDATE fund_settlements SET state = 'voided' WHERE transfer_id = ?", "DELETE FROM fund_settlements WHERE transfer_id = ?",
		"INSERT INTO fund_settlements (transfer_id, state, actor, created_at) VALUES (?, 'voided', 'x', 'x')"} {
		err := f.db.Write(f.ctx, func(tx *sqlx.Tx) error { _, err := tx.Exec(stmt, tr.ID); return err })
		if err == nil {
			t.Errorf("%s: accepted", stmt)
		}
	}
	f.mustCheck()
}

func TestCheck_FindsRowsAndBalancesDamagedByHand(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1000_00)
	payee := f.payee("1")
	tr, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 100_00})
	if err != nil {
		t.Fatal(err)
	}
	f.mustCheck()
	damage := []string{
		"DROP TRIGGER fund_transfers_no_update",
		"UPDATE fund_transfers SET amount = 200_00 WHERE id = " + itoa(tr.ID),
		"UPDATE fund_accounts SET credits_posted = credits_posted + 1 WHERE id = " + itoa(payee.ID),
	}
	for _, stmt := range damage {
		if _, err := f.db.W.Exec(strings.ReplaceAll(stmt, "_00", "00")); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ledger.Check(f.ctx, f.db.R)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, d := range r.Differences {
		text += d.String() + "\n"
	}
	for _, want := range []string{"transfer " + itoa(tr.ID) + ": content differs", "debits pending", "credits pending",
		"credits posted", "debits and credits in CNY differ"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestConcurrentReservations_ExactlyNSucceedAndAvailableEndsAtZero(t *testing.T) {
	f := newFixture(t)
	const n, each = 7, 123_45
	line := f.funded(n * each)
	payee := f.payee("1")
	var ok, conflict atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: each})
			switch apperr.CodeOf(err) {
			case "":
				ok.Add(1)
			case apperr.Conflict:
				conflict.Add(1)
			default:
				t.Errorf("reserve: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != n || conflict.Load() != 32-n {
		t.Fatalf("%d succeeded, %d conflicts; want %d and %d", ok.Load(), conflict.Load(), n, 32-n)
	}
	if b := f.balance(line.ID); b.Available != 0 || b.PendingOut != n*each {
		t.Fatalf("line %+v", b)
	}
	f.mustCheck()
}

func TestFindBudgetLine_TakesTheNearestOrgsLineForTheYearAndAidType(t *testing.T) {
	f := newFixture(t)
	districtLine := f.line("living", "")
	got, err := ledger.FindBudgetLine(f.ctx, f.db.R, grassrootA, 2026, "living")
	if err != nil || got.ID != districtLine.ID {
		t.Fatalf("got %+v %v", got, err)
	}
	streetLine, err := f.books.CreateBudgetLine(f.ctx, f.fin, ledger.NewBudgetLine{Year: 2026, AidType: "living", OrgID: subDistr})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ledger.FindBudgetLine(f.ctx, f.db.R, grassrootA, 2026, "living"); got.ID != streetLine.ID {
		t.Fatalf("got %d, want the sub-district's line %d", got.ID, streetLine.ID)
	}
	_, err = ledger.FindBudgetLine(f.ctx, f.db.R, grassrootA, 2025, "living")
	refused(t, err, apperr.NotFound)
	_, err = f.books.CreateBudgetLine(f.ctx, f.fin, ledger.NewBudgetLine{Year: 2026, AidType: "living"})
	refused(t, err, apperr.Conflict)
}

func TestAuditChain_VerifiesAfterLedgerWorkAndRecordsEveryWrite(t *testing.T) {
	f := newFixture(t)
	line := f.funded(1000)
	payee := f.payee("1")
	tr, _ := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 10})
	f.books.Void(f.ctx, f.fin, tr.ID, "撤回")
	r, err := audit.Verify(f.ctx, f.db.R)
	if err != nil || !r.OK {
		t.Fatalf("audit verify: %+v %v", r, err)
	}
	var actions []string
	f.db.R.Select(&actions, "SELECT action FROM audit_events ORDER BY seq")
	want := "fund_account.create fund_account.create fund_account.create fund.receive fund.budget fund_account.create fund.reserve fund.void"
	if got := strings.Join(actions, " "); got != want {
		t.Fatalf("audit actions\n got %s\nwant %s", got, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The transfer a write returns is built, not read back (ledger.written); it must be what a read gives.
func TestWrite_ReturnsTheTransferAsStored(t *testing.T) {
	f := newFixture(t)
	fund := f.fund("社会捐赠", "general")
	line := f.line("living", "general")
	payee := f.payee("1")
	same := func(what string) func(ledger.Transfer, error) ledger.Transfer {
		return func(got ledger.Transfer, err error) ledger.Transfer {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			stored, err := ledger.GetTransfer(f.ctx, f.db.R, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, stored) {
				t.Fatalf("%s returned\n%+v\nbut stored is\n%+v", what, got, stored)
			}
			return got
		}
	}
	same("receive")(f.books.Receive(f.ctx, f.fin, ledger.ReceiveInput{FundID: fund.ID, AmountFen: 1000_00, VoucherNo: "收-1",
		PaymentMethod: "bank", Memo: "来款", IdempotencyKey: "k-1"}))
	same("budget")(f.books.Budget(f.ctx, f.fin, ledger.BudgetInput{FundID: fund.ID, BudgetLineID: line.ID, AmountFen: 1000_00}))
	r := same("reserve")(f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID,
		Amount: 300_00, RefType: "application", RefID: "9", Memo: "JZ1"}))
	v := same("reserve")(f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 100_00}))
	p := same("post")(f.books.Post(f.ctx, f.fin, r.ID, ledger.Settlement{VoucherNo: "付-1", PaymentMethod: "bank", Memo: "JZ1"}))
	same("void")(f.books.Void(f.ctx, f.fin, v.ID, "放弃"))
	same("reverse")(f.books.Reverse(f.ctx, f.fin, p.ID, ledger.ReverseInput{Reason: "追回", VoucherNo: "冲-1"}))
}

// A retry of a reservation that took the last of the money gets the first transfer back, not an overspend
// refusal: the key is looked up whenever the transfer would be refused. A new key for the same content is a
// new transfer and is refused. ReserveFrom, given the accounts just read, behaves the same.
func TestIdempotencyKey_ARetryIsAnsweredBeforeTheOverspendRule(t *testing.T) {
	f := newFixture(t)
	line := f.funded(400_00)
	payee := f.payee("77")
	in := ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID, Amount: 400_00, IdempotencyKey: "application-9-reserve"}
	first, err := f.books.Reserve(f.ctx, f.fin, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.books.Reserve(f.ctx, f.fin, in)
	if err != nil || again.ID != first.ID || again.State != ledger.Pending {
		t.Fatalf("retry: %+v %v", again, err)
	}
	err = f.db.Write(f.ctx, func(tx *sqlx.Tx) error {
		debit, err := ledger.GetAccount(f.ctx, tx, line.ID)
		if err != nil {
			return err
		}
		credit, err := ledger.GetAccount(f.ctx, tx, payee.ID)
		if err != nil {
			return err
		}
		again, err = ledger.ReserveFrom(f.ctx, tx, f.fin, f.now, debit, credit, in)
		if err != nil || again.ID != first.ID {
			t.Errorf("retry through ReserveFrom: %+v %v", again, err)
		}
		in.IdempotencyKey = "application-10-reserve"
		_, err = ledger.ReserveFrom(f.ctx, tx, f.fin, f.now, debit, credit, in)
		refused(t, err, apperr.Conflict)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := f.balance(line.ID); b.PendingOut != 400_00 || b.Available != 0 {
		t.Fatalf("line %+v: the retries must not reserve twice", b)
	}
	f.mustCheck()
}
