package main

import (
	"strings"
	"testing"

	"bangfu/internal/benchkit"
)

// A benchmark function runs with b.N = 1 before its real run: the table keeps the last report of each case,
// in the order the cases first reported, and passes every other line through.
func TestCollect_KeepsTheLastReportOfEachCase(t *testing.T) {
	out := strings.Join([]string{
		"goos: linux",
		benchkit.Marker + `{"figure":"search","case":"district / name","value":1,"raw":1}`,
		benchkit.Marker + `{"figure":"search","case":"community / name","value":2,"raw":1}`,
		"BenchmarkHouseholdSearch/district/name  200  3 p99-ms",
		benchkit.Marker + `{"figure":"search","case":"district / name","value":3,"raw":0.5}`,
		benchkit.Marker + `{"figure":"approve-disburse","value":900,"raw":1200}`,
	}, "\n")
	rows := map[string][]benchkit.Row{}
	collect(strings.NewReader(out), rows)
	s := rows["search"]
	if len(s) != 2 || s[0].Case != "district / name" || s[0].Value != 3 || s[0].Raw != 0.5 || s[1].Value != 2 {
		t.Fatalf("search rows: %+v", s)
	}
	if a := rows["approve-disburse"]; len(a) != 1 || a[0].Value != 900 {
		t.Fatalf("approve-disburse rows: %+v", a)
	}
}

func TestFigures_AreUniqueAndRunnable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range benchkit.Figures {
		if seen[f.ID] || f.Name == "" || f.Unit == "" {
			t.Fatalf("figure %+v: duplicate id or missing name or unit", f)
		}
		seen[f.ID] = true
		if (f.Pkg == "") != (f.Bench == "") || (f.Pkg == "") != (f.Benchtime == "") {
			t.Fatalf("figure %s: a benchmark needs its package, pattern and benchtime", f.ID)
		}
	}
}

func TestMet_HonoursTheDirectionOfTheBar(t *testing.T) {
	tput := benchkit.Figure{Target: 1000, Higher: true}
	lat := benchkit.Figure{Target: 20}
	if !tput.Met(1000) || tput.Met(999) || !lat.Met(20) || lat.Met(20.1) || (benchkit.Figure{}).Met(1) {
		t.Fatal("Met")
	}
	if num(1234567) != "1,234,567" || num(12.34) != "12.3" || num(0.241) != "0.24" || num(999) != "999" {
		t.Fatal(num(1234567), num(12.34), num(0.241), num(999))
	}
}

// A row that measured its CPU shows it with raw SQLite's; one that did not shows nothing rather than a zero.
func TestCPUCell_ShowsOnlyWhatWasMeasured(t *testing.T) {
	rows := map[string][]benchkit.Row{}
	collect(strings.NewReader(benchkit.Marker+`{"figure":"approve-disburse","value":900,"raw":1200,"cpu_ms_per_op":2.41,"raw_cpu_ms_per_op":0.5}`+"\n"+
		benchkit.Marker+`{"figure":"search","case":"district / name","value":3,"raw":1}`), rows)
	if got := cpuCell(rows["approve-disburse"][0]); got != "2.410 (0.500)" {
		t.Fatalf("approve-disburse: %q", got)
	}
	if got := cpuCell(rows["search"][0]); got != "" {
		t.Fatalf("search: %q", got)
	}
	if got := cpuCell(benchkit.Row{CPUPerOp: 1.25}); got != "1.250" {
		t.Fatalf("no raw: %q", got)
	}
}
