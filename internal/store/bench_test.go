package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/benchkit"
	"bangfu/internal/store"
)

// BenchmarkWrite_32Writers measures small writes (one row each) from 32 concurrent goroutines through
// store.Write, whose group commit lets them share fsyncs, beside raw go-sqlite3 doing one transaction per row
// with the same pragmas (synchronous=FULL, WAL) on the same kind of file.
func BenchmarkWrite_32Writers(b *testing.B) {
	dir := b.TempDir()
	db, err := store.Open(filepath.Join(dir, "bangfu.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "raw.db")+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, at TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var next atomic.Int64
	b.ResetTimer()

	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				code := fmt.Sprint(i)
				if err := db.Write(ctx, func(tx *sqlx.Tx) error {
					_, err := tx.Exec("INSERT INTO login_failures (username, at, client_addr) VALUES (?, ?, 'bench')", code, store.FormatTime(time.Now()))
					return err
				}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	grouped := time.Since(start)

	start = time.Now()
	for i := 0; i < b.N; i++ {
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec("INSERT INTO t (code, at) VALUES (?, ?)", fmt.Sprint(i), store.FormatTime(time.Now())); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	rawTime := time.Since(start)
	b.ReportMetric(float64(b.N)/grouped.Seconds(), "writes/s")
	b.ReportMetric(float64(b.N)/rawTime.Seconds(), "raw_tx/s")
	b.ReportMetric(rawTime.Seconds()/grouped.Seconds(), "ratio")
	benchkit.Report(b, benchkit.Row{Figure: "store-write", Value: float64(b.N) / grouped.Seconds(), Raw: float64(b.N) / rawTime.Seconds(), RawWhat: "1 row/tx, FULL, one goroutine"})
}
