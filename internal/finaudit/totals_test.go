package finaudit_test

import (
	"strings"
	"testing"

	"bangfu"

	"bangfu/internal/finaudit"
	"bangfu/internal/money"
	"bangfu/internal/store"
)

// checkTotals: the totals above the register (read from payment_totals) are those of its rows (read from
// applications), overall and per type.
func checkTotals(t *testing.T, rows []finaudit.Payment, r finaudit.Register) {
	t.Helper()
	var fen money.Fen
	byType := map[string]finaudit.Sum{}
	for _, p := range rows {
		fen += p.AmountFen
		s := byType[p.Type]
		s.Count++
		s.Fen += p.AmountFen
		byType[p.Type] = s
	}
	if r.Total != len(rows) || r.TotalFen != fen || len(r.ByType) != len(byType) {
		t.Fatalf("totals %d / %d fen over %d types; the rows %d / %d fen over %d types", r.Total, r.TotalFen, len(r.ByType),
			len(rows), fen, len(byType))
	}
	for typ, s := range byType {
		if r.ByType[typ] != s {
			t.Fatalf("%s: totals %+v, rows %+v", typ, r.ByType[typ], s)
		}
	}
}

// The triggers keep payment_totals equal to the paid applications through every kind of change: a payment
// received, its amount, its status leaving the register, a new paid row.
func TestRegister_TotalsFollowEveryChangeToAPayment(t *testing.T) {
	db := demoDB(t)
	s := service(db)
	aud := user(t, db, "auditor1")
	disbursed := one[int64](t, db, "SELECT id FROM applications WHERE status = 'disbursed' ORDER BY id LIMIT 1")
	received := one[int64](t, db, "SELECT id FROM applications WHERE status = 'received' ORDER BY id LIMIT 1")
	approved := one[int64](t, db, "SELECT id FROM applications WHERE status = 'approved' ORDER BY id LIMIT 1")
	changes := []struct{ name, sql string }{
		{"received", "UPDATE applications SET status = 'received' WHERE id = ?"},
		{"amount", "UPDATE applications SET amount_fen = amount_fen + 123 WHERE id = ?"},
		{"paid day", "UPDATE applications SET disbursed_at = '2026-03-01T17:00:00.000000Z' WHERE id = ?"},
		{"paid", "UPDATE applications SET status = 'disbursed', disbursed_at = '2026-05-05T01:00:00.000000Z' WHERE id = ?"},
		{"no longer paid", "UPDATE applications SET status = 'approved' WHERE id = ?"},
	}
	ids := []int64{disbursed, received, received, approved, disbursed}
	for i, c := range changes {
		if _, err := db.W.Exec(c.sql, ids[i]); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, f := range []finaudit.RegisterFilter{{}, {Status: "received"}, {From: "2026-03-02", To: "2026-03-02"}, {From: "2026-05-05"}} {
			rows, r := allPages(t, s, aud, f)
			checkTotals(t, rows, r)
		}
	}
	// A paid row written as such (as an import of past payments or the bench does).
	var cols []string
	if err := db.R.Select(&cols, "SELECT name FROM pragma_table_info('applications') WHERE name NOT IN ('id', 'app_no')"); err != nil {
		t.Fatal(err)
	}
	list := strings.Join(cols, ", ")
	living := one[int64](t, db, "SELECT id FROM applications WHERE status = 'received' AND type = 'living' ORDER BY id LIMIT 1")
	if _, err := db.W.Exec("INSERT INTO applications (app_no, "+list+") SELECT app_no || 'X', "+list+" FROM applications WHERE id = ?", living); err != nil {
		t.Fatal(err)
	}
	rows, r := allPages(t, s, aud, finaudit.RegisterFilter{Type: "living"})
	checkTotals(t, rows, r)
}

// Migration 15 builds payment_totals from the payments a database already holds.
func TestMigration15_TotalsBuiltFromExistingPayments(t *testing.T) {
	db := demoDB(t)
	type total struct {
		Path   string `db:"org_path"`
		Day    string `db:"day"`
		Type   string `db:"type"`
		Status string `db:"status"`
		Green  int    `db:"green"`
		Acct   int64  `db:"account_id"`
		N      int    `db:"n"`
		Fen    int64  `db:"fen"`
	}
	read := func(db *store.DB) []total {
		var ts []total
		if err := db.R.Select(&ts, "SELECT * FROM payment_totals WHERE n <> 0 ORDER BY org_path, day, type, status, green, account_id"); err != nil {
			t.Fatal(err)
		}
		return ts
	}
	kept := read(db)
	if len(kept) < 10 {
		t.Fatalf("only %d total rows after the demo", len(kept))
	}
	for _, stmt := range []string{"DROP INDEX applications_paid", "DROP TRIGGER payment_totals_insert", "DROP TRIGGER payment_totals_leave",
		"DROP TRIGGER payment_totals_enter", "DROP TABLE payment_totals"} {
		if _, err := db.W.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	ms, err := store.Migrations(bangfu.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(ms[15-1].SQL); err != nil {
		t.Fatalf("migration 15 again: %v", err)
	}
	rebuilt := read(db)
	if len(rebuilt) != len(kept) {
		t.Fatalf("rebuilt %d rows, the triggers kept %d", len(rebuilt), len(kept))
	}
	for i := range kept {
		if kept[i] != rebuilt[i] {
			t.Fatalf("row %d: triggers %+v, migration %+v", i, kept[i], rebuilt[i])
		}
	}
}
