package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/benchkit"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/store"
)

// benchImportRows is the size of the benchmark's survey list: 100,000 rows (SPEC §10) unless
// BANGFU_BENCH_IMPORT_ROWS says otherwise (smaller while developing).
func benchImportRows() int {
	if n, err := strconv.Atoi(os.Getenv("BANGFU_BENCH_IMPORT_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchSurvey is a survey list of n rows: households of a head and a spouse, under two unions.
func benchSurvey(n int) [][]string {
	rows := [][]string{header}
	for i := 0; len(rows) <= n; i++ {
		h := benchID(2*i + 1)
		union := union1
		if i%2 == 1 {
			union = union2
		}
		head := headRow(fmt.Sprint("张", string(rune(0x4e00+i%2000)), string(rune(0x4e00+i/2000%2000))), h, union)
		head[5] = fmt.Sprintf("13%09d", i)
		rows = append(rows, head)
		if len(rows) <= n {
			rows = append(rows, memberRow("李秀英", benchID(2*i), h, "配偶"))
		}
	}
	return rows
}

// benchID is a distinct valid ID number for each i < 1,000,000 (regions 33xxxx, born 1970-1999).
func benchID(i int) string {
	region := fmt.Sprintf("33%04d", i/1000%10000)
	birth := fmt.Sprintf("19%02d0101", 70+i/1000/10000%30)
	return testID(region, birth, i%1000)
}

// peakRSS resets (at start) and reads the process's peak resident memory in MiB (Linux /proc).
func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// BenchmarkImport measures a real run (validation, category, duplicates, terms, audit, one transaction) of a
// 100,000-row XLSX and CSV survey list, beside raw SQLite inserting the same rows into one plain table in
// one transaction with a prepared statement, in the same run (SPEC §10: ≥ 50,000 rows/s).
func BenchmarkImport(b *testing.B) {
	n := benchImportRows()
	rows := benchSurvey(n)
	dir := b.TempDir()
	xlsxPath := filepath.Join(dir, "survey.xlsx")
	if err := writeXLSX(xlsxPath, rows); err != nil {
		b.Fatal(err)
	}
	csvPath := filepath.Join(dir, "survey.csv")
	if err := os.WriteFile(csvPath, csvBytes(b, rows), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, path string }{{"xlsx", xlsxPath}, {"csv", csvPath}} {
		b.Run(c.name, func(b *testing.B) {
			var rate, raw, rawCPU, peak, heap, cpu float64
			for i := 0; b.Loop(); i++ {
				db, svc, a := benchDB(b, filepath.Join(dir, fmt.Sprintf("%s-%d.db", c.name, i)))
				runtime.GC()
				resetPeak()
				stopHeap := watchHeap()
				cpu0 := benchkit.CPUTime()
				start := time.Now()
				r, err := svc.Import(context.Background(), a, c.path, Options{FileName: c.name})
				took := time.Since(start)
				cpu = (benchkit.CPUTime() - cpu0).Seconds()
				heap = stopHeap()
				peak = peakMiB()
				if err != nil || r.Create != (n+1)/2 || r.Rows != n {
					b.Fatalf("import: %v, %d rows, %d created, problems %v", err, r.Rows, r.Create, texts(r)[:min(3, len(r.Problems))])
				}
				rate = float64(n) / took.Seconds()
				raw, rawCPU = rawInsert(b, db, rows[1:])
				db.Close()
			}
			b.Logf("%s: %d rows, %.0f rows/s (%.1f s CPU, %.0f rows per CPU second), raw SQLite %.0f rows/s (%.0f per CPU second), peak Go heap %.0f MiB, peak RSS %.0f MiB",
				c.name, n, rate, cpu, float64(n)/cpu, raw, float64(n)/rawCPU, heap, peak)
			b.ReportMetric(peak, "peak_MiB")
			b.ReportMetric(heap, "peak_heap_MiB")
			b.ReportMetric(float64(n)/cpu, "rows/cpu_s")
			benchkit.Report(b, benchkit.Row{Figure: "import", Case: fmt.Sprintf("%s, %d rows, peak heap %.0f MiB, RSS %.0f MiB", c.name, n, heap, peak),
				Value: rate, Raw: raw, RawWhat: "the same rows, prepared INSERT into one plain table, one transaction",
				CPUPerOp: 1000 * cpu / float64(n), RawCPUPerOp: 1000 * rawCPU / float64(n)})
		})
	}
}

// watchHeap samples the Go heap's live objects every few milliseconds until the returned function is called,
// which answers the largest sample in MiB. (SQLite's page cache is outside the Go heap: peak RSS covers it.)
func watchHeap() func() float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	stop, done := make(chan struct{}), make(chan float64)
	go func() {
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				done <- float64(peak) / (1 << 20)
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		return <-done
	}
}

func benchDB(b *testing.B, path string) (*store.DB, *Service, actor.Actor) {
	db, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	clk := clock.NewManual(testNow)
	if _, err := demo.Seed(context.Background(), db, &auth.Service{DB: db, Clock: clk, BcryptCost: bcrypt.MinCost}); err != nil {
		b.Fatal(err)
	}
	var id int64
	if err := db.R.Get(&id, "SELECT id FROM users WHERE username = 'caseworker1'"); err != nil {
		b.Fatal(err)
	}
	a, err := auth.ActorFor(context.Background(), db.R, id, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return db, &Service{DB: db, Clock: clk}, a
}

// rawInsert inserts rows into a plain table in one transaction and returns rows per second and the CPU
// seconds it took.
func rawInsert(b *testing.B, db *store.DB, rows [][]string) (float64, float64) {
	if _, err := db.W.Exec(`CREATE TABLE IF NOT EXISTS raw_rows (c0 TEXT, c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT,
		c6 TEXT, c7 TEXT, c8 TEXT, c9 TEXT, c10 TEXT, c11 TEXT, c12 TEXT)`); err != nil {
		b.Fatal(err)
	}
	start, cpu0 := time.Now(), benchkit.CPUTime()
	err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		st, err := tx.Prepare("INSERT INTO raw_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer st.Close()
		args := make([]any, 13)
		for _, r := range rows {
			for i := range args {
				args[i] = r[i]
			}
			if _, err := st.Exec(args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return float64(len(rows)) / time.Since(start).Seconds(), (benchkit.CPUTime() - cpu0).Seconds()
}

// writeXLSX writes rows to one worksheet with excelize's stream writer.
func writeXLSX(path string, rows [][]string) error {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	cells := make([]any, len(rows[0]))
	for i, r := range rows {
		for j := range cells {
			cells[j] = nil
			if j < len(r) {
				cells[j] = r[j]
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.SaveAs(path)
}
