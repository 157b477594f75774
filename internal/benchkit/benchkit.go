// Package benchkit is the registry of the figures `make bench` prints (SPEC §10) and the helper a benchmark
// calls to report one of them. cmd/benchtable runs the benchmarks the registry names and prints one table:
// figure, target, this run's value, raw SQLite's value in the same run, and their ratio.
//
// To add a figure: append a Figure to Figures (its package, the benchmark that measures it and how many
// iterations), and call Report from that benchmark once it has measured the value and the raw baseline.
// A benchmark fails (b.Fatal) on a wrong answer or a 5xx, never on a time: the table shows times, and only a
// failure makes `make bench` exit non-zero.
package benchkit

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Figure is one line of SPEC §10 (or a supporting figure) and the benchmark that measures it.
type Figure struct {
	ID        string  // what Report names, e.g. "approve-disburse"
	Name      string  // as the table prints it
	Unit      string  // e.g. "pairs/s", "ms"
	Target    float64 // the bar; 0: no bar (a supporting figure)
	Higher    bool    // a larger value is better (throughput) rather than a smaller one (latency)
	Pkg       string  // the package whose benchmark measures it, e.g. "./internal/web"
	Bench     string  // the -bench pattern
	Benchtime string  // the -benchtime, e.g. "2000x"
}

// Figures are the table's figures in the order it prints them. Several figures may share one benchmark run
// (same Pkg, Bench and Benchtime): cmd/benchtable runs each distinct one once.
var Figures = []Figure{
	{ID: "import", Name: "导入 import, household rows/s", Unit: "rows/s", Target: 50_000, Higher: true,
		Pkg: "./internal/importer", Bench: "^BenchmarkImport$", Benchtime: "1x"},
	{ID: "approve-disburse", Name: "approve+disburse via HTTP, 32 clients", Unit: "pairs/s", Target: 1000, Higher: true,
		Pkg: "./internal/web", Bench: "^BenchmarkApproveAndDisburse_32Clients$", Benchtime: "3000x"},
	{ID: "household-create", Name: "household create via HTTP, 32 clients", Unit: "creates/s", Target: 1100, Higher: true,
		Pkg: "./internal/web", Bench: "^BenchmarkHouseholdCreate_32Clients$", Benchtime: "3000x"},
	{ID: "search", Name: "household search p99, 1,000,000 households", Unit: "ms", Target: 20,
		Pkg: "./internal/household", Bench: "^BenchmarkHouseholdSearch$", Benchtime: "200x"},
	{ID: "dashboard", Name: "dashboard p99, 1,000,000 households", Unit: "ms",
		Pkg: "./internal/household", Bench: "^BenchmarkDashboard$", Benchtime: "30x"},
	{ID: "export-xlsx", Name: "XLSX export, 200,000 households", Unit: "s",
		Pkg: "./internal/report", Bench: "^BenchmarkExportHouseholds_200k$", Benchtime: "1x"},
	{ID: "export-xlsx-memory", Name: "XLSX export, 200,000 households, peak heap", Unit: "MiB",
		Pkg: "./internal/report", Bench: "^BenchmarkExportHouseholds_200k$", Benchtime: "1x"},
	{ID: "campaign-delivery", Name: "cooling delivery via HTTP, 32 clients", Unit: "deliveries/s", Higher: true,
		Pkg: "./internal/web", Bench: "^BenchmarkCampaignDeliveries_32Clients$", Benchtime: "2000x"},
	{ID: "campaign-enrolment", Name: "health-check enrolment via HTTP, 32 clients", Unit: "enrolments/s", Higher: true,
		Pkg: "./internal/web", Bench: "^BenchmarkCampaignEnrolments_32Clients$", Benchtime: "2000x"},
	{ID: "anomalies", Name: "anomaly report, 1,000,000 payments", Unit: "s", Target: 2,
		Pkg: "./internal/finaudit", Bench: "^BenchmarkAnomalies$", Benchtime: "1x"},
	{ID: "register-page", Name: "register first page p99, 1,000,000 payments", Unit: "ms", Target: 50,
		Pkg: "./internal/finaudit", Bench: "^BenchmarkAnomalies$", Benchtime: "1x"},
	{ID: "store-write", Name: "store.Write, 32 writers, one row each", Unit: "writes/s", Higher: true,
		Pkg: "./internal/store", Bench: "^BenchmarkWrite_32Writers$", Benchtime: "3000x"},
	{ID: "audit-append", Name: "audit event, one per transaction", Unit: "events/s", Higher: true,
		Pkg: "./internal/audit", Bench: "^BenchmarkAuditAppend$", Benchtime: "1000x"},
	{ID: "ledger-transfer", Name: "ledger reservation, one per transaction", Unit: "transfers/s", Higher: true,
		Pkg: "./internal/ledger", Bench: "^BenchmarkTransfers$", Benchtime: "1000x"},
}

// Row is one measured line: a figure, the case it measured (e.g. "district/name" for a search; "" when the
// figure has one case), this run's value and raw SQLite's value in the same run.
//
// CPUPerOp and RawCPUPerOp, when a benchmark measures them (0: not measured), are the CPU time the whole
// process spent per operation over the timed section, user and system together (CPUTime), in milliseconds:
// for bangfu's benchmark the server and its in-process HTTP clients, for the raw baseline raw SQLite alone.
// Unlike a rate, the CPU an operation costs hardly moves when other work loads the machine.
type Row struct {
	Figure      string  `json:"figure"`
	Case        string  `json:"case,omitempty"`
	Value       float64 `json:"value"`
	Raw         float64 `json:"raw"`
	RawWhat     string  `json:"raw_what"`                    // what the raw baseline did, in a few words
	CPUPerOp    float64 `json:"cpu_ms_per_op,omitempty"`     // ms of process CPU per operation
	RawCPUPerOp float64 `json:"raw_cpu_ms_per_op,omitempty"` // the same for the raw baseline
}

// CPUTime is the CPU time (user and system) this process has used so far: a benchmark takes it before and
// after its timed section and divides the difference by the operations for Row.CPUPerOp.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PerOp is d spread over n operations, in milliseconds (Row.CPUPerOp); 0 when n is 0.
func PerOp(d time.Duration, n int) float64 {
	if n <= 0 {
		return 0
	}
	return d.Seconds() * 1000 / float64(n)
}

// Marker starts the line Report prints, which cmd/benchtable collects from the benchmark's output.
const Marker = "BENCHKIT "

// Lookup returns the registered figure with id.
func Lookup(id string) (Figure, bool) {
	for _, f := range Figures {
		if f.ID == id {
			return f, true
		}
	}
	return Figure{}, false
}

// Report records one row of the table: it reports value and raw as the benchmark's metrics (so that plain
// `go test -bench` shows them too) and prints the row for cmd/benchtable. A benchmark function runs more than
// once (b.N = 1 first); the table keeps the last report of each figure and case. An unregistered figure is a
// programming error and fails the benchmark.
func Report(b *testing.B, r Row) {
	b.Helper()
	f, ok := Lookup(r.Figure)
	if !ok {
		b.Fatalf("benchkit: figure %q is not in benchkit.Figures", r.Figure)
	}
	unit := strings.ReplaceAll(f.Unit, " ", "_")
	b.ReportMetric(r.Value, unit)
	b.ReportMetric(r.Raw, "raw_"+unit)
	j, err := json.Marshal(r)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "\n%s%s\n", Marker, j)
}

// Met says whether value meets f's bar; false when f has none.
func (f Figure) Met(value float64) bool {
	switch {
	case f.Target == 0:
		return false
	case f.Higher:
		return value >= f.Target
	default:
		return value <= f.Target
	}
}
