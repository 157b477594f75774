package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/store"
)

func TestLedgerCheck_PassesOnAnIntactLedgerAndFailsNamingEachHandMadeDamage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bangfu.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`INSERT INTO orgs (id, code, name, level, path, created_at) VALUES (1, 'BJ', '区总工会', 1, '/1/', 'x')`); err != nil {
		t.Fatal(err)
	}
	fin := actor.Actor{Username: "finance1", Roles: []actor.Role{actor.Finance}, OrgID: 1, OrgPath: "/1/"}
	books := &ledger.Service{DB: db, Clock: clock.System{}}
	fund, err := books.CreateFund(ctx, fin, ledger.NewFund{Name: "本级经费", Purposes: []string{"general"}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := books.Receive(ctx, fin, ledger.ReceiveInput{FundID: fund.ID, AmountFen: 1000_00})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out bytes.Buffer
	if code, err := run(ctx, []string{"ledger", "check", "--db", path}, nil, &out); code != 0 || err != nil {
		t.Fatalf("intact ledger: code %d, %v\n%s", code, err, &out)
	}

	// Damage by hand what the triggers protect: drop the guard, edit the amount, touch a cached balance.
	db, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TRIGGER fund_transfers_no_update",
		"UPDATE fund_transfers SET amount = 2000 WHERE id = ?",
		"UPDATE fund_accounts SET credits_posted = credits_posted - 1 WHERE id = ?",
	} {
		arg := tr.ID
		if strings.Contains(stmt, "fund_accounts") {
			arg = fund.ID
		}
		if _, err := db.W.Exec(stmt, arg); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out.Reset()
	code, err := run(ctx, []string{"ledger", "check", "--db", path}, nil, &out)
	if code != 1 || err == nil {
		t.Fatalf("damaged ledger: code %d, %v", code, err)
	}
	for _, want := range []string{"transfer 1: content differs", "credits posted (本级经费): cached ¥999.99, recomputed ¥20.00",
		"debits posted (外部来款)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
}
