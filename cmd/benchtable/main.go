// Command benchtable is `make bench`: it runs the benchmarks that internal/benchkit registers, one `go test`
// per distinct benchmark, passes their output through to stderr, and prints one table on stdout: each
// SPEC §10 figure, its target, this run's value, raw SQLite's value in the same run and their ratio.
//
// It exits non-zero only when a benchmark failed (a wrong answer, a 5xx, a refused search) or a registered
// figure reported nothing; a slow figure is shown, never a failure.
//
//	go run ./cmd/benchtable                       # every figure
//	go run ./cmd/benchtable -figures search       # some of them
//	BANGFU_BENCH_HOUSEHOLDS=20000 go run ./cmd/benchtable -figures search
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"bangfu/internal/benchkit"
)

func main() {
	only := flag.String("figures", "", "comma-separated figure ids to run (default: all)")
	goBin := flag.String("go", "go", "the go command")
	flag.Parse()
	want := map[string]bool{}
	for _, id := range strings.Split(*only, ",") {
		if id = strings.TrimSpace(id); id != "" {
			if _, ok := benchkit.Lookup(id); !ok {
				fmt.Fprintf(os.Stderr, "benchtable: no figure %q\n", id)
				os.Exit(2)
			}
			want[id] = true
		}
	}
	figures := []benchkit.Figure{}
	for _, f := range benchkit.Figures {
		if len(want) == 0 || want[f.ID] {
			figures = append(figures, f)
		}
	}

	type run struct{ pkg, bench, benchtime string }
	var runs []run
	seen := map[run]bool{}
	for _, f := range figures {
		r := run{f.Pkg, f.Bench, f.Benchtime}
		if f.Pkg != "" && !seen[r] {
			seen[r] = true
			runs = append(runs, r)
		}
	}
	rows := map[string][]benchkit.Row{} // by figure, in report order, the last report of a case kept
	failed := []string{}
	start := time.Now()
	for _, r := range runs {
		args := []string{"test", "-run", "^$", "-bench", r.bench, "-benchtime", r.benchtime, "-timeout", "30m", r.pkg}
		fmt.Fprintf(os.Stderr, "benchtable: %s %s\n", *goBin, strings.Join(args, " "))
		cmd := exec.Command(*goBin, args...)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			fatal(err)
		}
		if err := cmd.Start(); err != nil {
			fatal(err)
		}
		collect(out, rows)
		if err := cmd.Wait(); err != nil {
			failed = append(failed, fmt.Sprintf("%s %s: %v", r.pkg, r.bench, err))
		}
	}

	fmt.Printf("\n## make bench — SPEC §10 figures (%s, %s)\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		time.Since(start).Round(time.Second))
	fmt.Println("| figure | case | target | this run | raw SQLite, same run | ratio | CPU ms/op (raw) | bar |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, f := range figures {
		target := "—"
		if f.Target != 0 {
			target = map[bool]string{true: "≥ ", false: "≤ "}[f.Higher] + num(f.Target) + " " + f.Unit
		}
		rs := rows[f.ID]
		if len(rs) == 0 {
			why := "not measured: no benchmark registered"
			if f.Pkg != "" {
				why = "NOT REPORTED: the benchmark failed or did not run"
				failed = append(failed, f.ID+" reported nothing")
			}
			fmt.Printf("| %s | | %s | %s | | | | |\n", f.Name, target, why)
			continue
		}
		for _, r := range rs {
			bar := "—"
			if f.Target != 0 {
				bar = map[bool]string{true: "met", false: "MISSED"}[f.Met(r.Value)]
			}
			ratio := ""
			if r.Raw != 0 {
				ratio = fmt.Sprintf("%.2f", r.Value/r.Raw)
			}
			fmt.Printf("| %s | %s | %s | %s %s | %s %s (%s) | %s | %s | %s |\n", f.Name, r.Case, target, num(r.Value), f.Unit,
				num(r.Raw), f.Unit, r.RawWhat, ratio, cpuCell(r), bar)
		}
	}
	fmt.Println("\nratio = this run ÷ raw SQLite in the same run (throughput: the share of raw; latency: times raw).")
	fmt.Println("CPU ms/op = the process's user+sys CPU per operation over the timed part (server and its HTTP clients), raw SQLite's in brackets; blank where not measured.")
	fmt.Println("The machine is shared: absolute figures are noisy, the ratio against raw SQLite is what compares runs.")
	if len(failed) > 0 {
		fmt.Fprintln(os.Stderr, "\nbenchtable: FAILED (a wrong answer, a 5xx or a missing figure, not a time):")
		for _, f := range failed {
			fmt.Fprintln(os.Stderr, "  "+f)
		}
		os.Exit(1)
	}
}

// collect passes the benchmark's output through to stderr and keeps the rows benchkit.Report printed.
func collect(out io.Reader, rows map[string][]benchkit.Row) {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		if !strings.HasPrefix(line, benchkit.Marker) {
			continue
		}
		var r benchkit.Row
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, benchkit.Marker)), &r); err != nil {
			fmt.Fprintf(os.Stderr, "benchtable: bad row %q: %v\n", line, err)
			continue
		}
		rs := rows[r.Figure]
		replaced := false
		for i := range rs {
			if rs[i].Case == r.Case {
				rs[i], replaced = r, true
			}
		}
		if !replaced {
			rs = append(rs, r)
		}
		rows[r.Figure] = rs
	}
}

// cpuCell is a row's CPU per operation with raw SQLite's in brackets, or "" for a row that did not measure it.
func cpuCell(r benchkit.Row) string {
	if r.CPUPerOp == 0 {
		return ""
	}
	if r.RawCPUPerOp == 0 {
		return fmt.Sprintf("%.3f", r.CPUPerOp)
	}
	return fmt.Sprintf("%.3f (%.3f)", r.CPUPerOp, r.RawCPUPerOp)
}

// num prints a figure with three significant digits, thousands separated.
func num(v float64) string {
	switch {
	case v >= 1000:
		s := fmt.Sprintf("%.0f", v)
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchtable:", err)
	os.Exit(1)
}
