package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/store"
)

// SPEC §8.2, §9.1: bangfu ledger reconcile passes on the clean demo and exits 1 on a damaged copy, naming the
// application whose amount no longer matches its payment.
func TestLedgerReconcile_TheDemoReconcilesAndADamagedCopyExitsOne(t *testing.T) {
	path := demoFile(t, clock.NewManual(time.Date(2026, 6, 10, 9, 0, 0, 0, clock.China)), demo.Full)
	code, out, err := bangfu(t, "", "ledger", "reconcile", "--db", path)
	if code != 0 || err != nil || !strings.Contains(out, "0 differences") {
		t.Fatalf("clean demo: exit %d, %v, %s", code, err, out)
	}

	damaged := filepath.Join(t.TempDir(), "damaged.db")
	if err := store.Backup(context.Background(), path, damaged); err != nil {
		t.Fatal(err)
	}
	ddb := inspect(t, damaged)
	var appNo string
	err = ddb.Write(context.Background(), func(tx *sqlx.Tx) error {
		if err := tx.Get(&appNo, "SELECT app_no FROM applications WHERE status = 'received' ORDER BY id LIMIT 1"); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE applications SET amount_fen = amount_fen * 2 WHERE app_no = ?", appNo)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ddb.Close()
	code, out, err = bangfu(t, "", "ledger", "reconcile", "--db", damaged)
	if code != 1 || err == nil || !strings.Contains(out, "DIFFERS amount_mismatch") || !strings.Contains(out, appNo) {
		t.Errorf("damaged copy: exit %d, %v, %s", code, err, out)
	}
}
