package ledger_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/benchkit"
	"bangfu/internal/ledger"
	"bangfu/internal/store"
)

// BenchmarkTransfers measures reservations through the ledger's Go API, one transfer per write transaction
// (idempotency lookup, both accounts, the overspend check, the row, its cached sums and its audit event), beside
// raw SQLite inserting the same rows one per transaction into a table without triggers, on the same kind of
// database file (WAL, synchronous=FULL) in the same run.
func BenchmarkTransfers(b *testing.B) {
	f := newFixture(b)
	line := f.funded(1 << 50)
	payee := f.payee("1")

	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := f.books.Reserve(f.ctx, f.fin, ledger.TransferInput{DebitAccountID: line.ID, CreditAccountID: payee.ID,
			Amount: 100_00, RefType: "application", RefID: "1"}); err != nil {
			b.Fatal(err)
		}
	}
	ledgerTime := time.Since(start)
	b.StopTimer()

	raw, err := store.Open(filepath.Join(b.TempDir(), "raw.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.W.Exec(`CREATE TABLE raw_transfers (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, debit_account_id INTEGER NOT NULL,
		credit_account_id INTEGER NOT NULL, amount INTEGER NOT NULL, unit TEXT NOT NULL, pending INTEGER NOT NULL, idempotency_key TEXT,
		content_hash TEXT NOT NULL, ref_type TEXT, ref_id TEXT, reverses_id INTEGER, reason TEXT NOT NULL, voucher_no TEXT NOT NULL,
		payment_method TEXT NOT NULL, memo TEXT NOT NULL, actor_id INTEGER, actor TEXT NOT NULL, created_at TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	now := store.FormatTime(f.now)
	start = time.Now()
	for i := 0; i < b.N; i++ {
		if err := raw.Write(f.ctx, func(tx *sqlx.Tx) error {
			_, err := tx.Exec(`INSERT INTO raw_transfers (kind, debit_account_id, credit_account_id, amount, unit, pending,
				content_hash, ref_type, ref_id, reason, voucher_no, payment_method, memo, actor, created_at)
				VALUES ('reserve', ?, ?, 10000, 'CNY', 1, '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
				'application', '1', '', '', '', '', 'finance1', ?)`, line.ID, payee.ID, now)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	rawTime := time.Since(start)

	perSec := float64(b.N) / ledgerTime.Seconds()
	rawPerSec := float64(b.N) / rawTime.Seconds()
	b.ReportMetric(perSec, "transfers/s")
	b.ReportMetric(rawPerSec, "raw_inserts/s")
	b.ReportMetric(perSec/rawPerSec, "ratio")
	benchkit.Report(b, benchkit.Row{Figure: "ledger-transfer", Value: perSec, Raw: rawPerSec, RawWhat: "same row, no triggers, 1/tx, FULL"})
	f.mustCheck()
}
