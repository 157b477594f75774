package relief_test

import (
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"

	"bangfu"
	"bangfu/internal/store"
)

// Migration 12 rebuilds the applications table to add the recovered status: a payment recovered before it
// (recovered_at set, status still received) becomes recovered, the others keep theirs, the decisions that
// reference the table survive and every foreign key still holds.
func TestMigration12_ARecoveredPaymentGetsItsOwnStatusAndNothingElseChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v11.db")
	w, err := sqlx.Open("sqlite3", "file:"+path+"?_txlock=immediate&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := store.MigrateTo(w, bangfu.Schema, 11); err != nil {
		t.Fatal(err)
	}
	at := "2026-03-10T01:00:00.000000Z"
	w.MustExec(`INSERT INTO orgs (id, code, name, level, path, created_at) VALUES (1, 'BJ', '区总工会', 1, '/1/', ?)`, at)
	w.MustExec(`INSERT INTO fund_accounts (id, kind, name, unit, org_id, org_path, created_at, created_by)
		VALUES (1, 'external', '外部', 'CNY', 1, '/1/', ?, 'test'), (2, 'payee', '救助对象', 'CNY', 1, '/1/', ?, 'test')`, at, at)
	for _, tr := range []struct {
		id, debit, credit int
		kind              string
		reverses          any
	}{{1, 1, 2, "transfer", nil}, {2, 2, 1, "reverse", 1}, {3, 1, 2, "transfer", nil}} {
		w.MustExec(`INSERT INTO fund_transfers (id, kind, debit_account_id, credit_account_id, amount, unit, pending, content_hash,
			ref_type, ref_id, reverses_id, reason, actor, created_at) VALUES (?, ?, ?, ?, 50000, 'CNY', 0, 'h', 'application', ?, ?, ?, 'test', ?)`,
			tr.id, tr.kind, tr.debit, tr.credit, tr.id, tr.reverses, map[bool]string{true: "追回"}[tr.kind == "reverse"], at)
	}
	for _, a := range []struct {
		id, transfer int
		recovered    any
		recovery     any
	}{{1, 1, at, 2}, {2, 3, nil, nil}} {
		w.MustExec(`INSERT INTO applications (id, app_no, type, status, beneficiary, applicant_name, applicant_id_number, org_id,
			org_path, aid_year, amount_fen, purpose, created_by, created_at, updated_at, transfer_id, recovered_at, recovery_transfer_id)
			VALUES (?, ?, 'warmth', 'received', ?, '张三', '110101199001011234', 1, '/1/', 2026, 50000, '送温暖', 1, ?, ?, ?, ?, ?)`,
			a.id, "JZ202600000"+string(rune('0'+a.id)), "p:"+string(rune('0'+a.id)), at, at, a.transfer, a.recovered, a.recovery)
		w.MustExec(`INSERT INTO application_decisions (application_id, action, outcome, actor_id, actor_name, at, snapshot)
			VALUES (?, 'approve', 'approved', 1, '审批人', ?, '{}')`, a.id, at)
	}

	if err := store.MigrateTo(w, bangfu.Schema, 0); err != nil {
		t.Fatal(err)
	}
	var statuses []string
	if err := w.Select(&statuses, "SELECT status FROM applications ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 2 || statuses[0] != "recovered" || statuses[1] != "received" {
		t.Errorf("statuses after migration 12: %v, want [recovered received]", statuses)
	}
	var decisions, broken int
	w.Get(&decisions, "SELECT count(*) FROM application_decisions")
	rows, err := w.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		broken++
	}
	rows.Close()
	if decisions != 2 || broken != 0 {
		t.Errorf("after migration 12: %d decisions (want 2), %d broken foreign keys", decisions, broken)
	}
	// The rebuilt table keeps its rules: a recovered case names its reversing transfer.
	if _, err := w.Exec("UPDATE applications SET status = 'recovered' WHERE id = 2"); err == nil {
		t.Error("a recovered application without a recovery transfer was stored")
	}
	if _, err := w.Exec("UPDATE applications SET status = 'paid' WHERE id = 2"); err == nil {
		t.Error("an unknown status was stored")
	}
}
