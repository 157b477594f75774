package importer

import (
	"os"
	"path/filepath"
	"testing"

	"bangfu/internal/benchkit"
)

// BenchmarkRead reads the benchmark's survey list (benchImportRows) as XLSX with the fast reader, as XLSX with
// excelize's row iterator (what the fast reader replaced) and as CSV, and reports the CPU seconds of a read.
func BenchmarkRead(b *testing.B) {
	rows := benchSurvey(benchImportRows())
	dir := b.TempDir()
	xp := filepath.Join(dir, "s.xlsx")
	writeXLSX(xp, rows)
	cp := filepath.Join(dir, "s.csv")
	os.WriteFile(cp, csvBytes(b, rows), 0o600)
	for _, c := range []struct{ n, p, f string }{{"xlsx", xp, FormatXLSX}, {"csv", cp, FormatUTF8}, {"excelize", xp, "excelize"}} {
		b.Run(c.n, func(b *testing.B) {
			c0 := benchkit.CPUTime()
			defer func() { b.ReportMetric((benchkit.CPUTime()-c0).Seconds()/float64(b.N), "cpu_s/op") }()
			for b.Loop() {
				bk, err := openBook(c.p, c.f)
				if c.f == "excelize" {
					bk, err = openExcelize(c.p)
				}
				if err != nil {
					b.Fatal(err)
				}
				var r Report
				ps, err := readAll(bk, &r, true, func(int) {})
				bk.close()
				if err != nil || len(ps) != len(rows)-1 {
					b.Fatal(err, len(ps))
				}
			}
		})
	}
}
