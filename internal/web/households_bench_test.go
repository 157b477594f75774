package web_test

import (
	"fmt"
	"testing"
	"time"

	"bangfu/internal/benchkit"
	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// BenchmarkHouseholdCreate_32Clients drives POST /api/v1/households through the real HTTP stack: 32 clients,
// each with its own caseworker1 session, create b.N household files (a head and two members, every check of
// SPEC §3: ID check digits, bank card, scope, category, open-file duplicates, search terms, audit event) until
// none is left. Beside it, raw go-sqlite3 writes as many rows per create as the server's writer connection
// counted, one synchronous=FULL transaction per create, from 32 goroutines through one connection, in the same
// run. Any answer but 201 fails the benchmark; afterwards every file must be there with its audit event.
func BenchmarkHouseholdCreate_32Clients(b *testing.B) {
	srv := webtest.New(b)
	org := srv.OrgID("BJ-XX-JH-01")
	var audited0 int
	if err := srv.DB.R.Get(&audited0, "SELECT count(*) FROM audit_events WHERE action = 'household.create'"); err != nil {
		b.Fatal(err)
	}
	perSec, rows, cpu := postLoad(b, srv, b.N, "/api/v1/households", func(i int) any { return benchHousehold(org, i) })
	var created, audited int
	if err := srv.DB.R.Get(&created, "SELECT count(*) FROM households WHERE file_no <> '' AND head_name = '赵明华'"); err != nil || created != b.N {
		b.Fatalf("%d households created, want %d: %v", created, b.N, err)
	}
	if err := srv.DB.R.Get(&audited, "SELECT count(*) FROM audit_events WHERE action = 'household.create'"); err != nil || audited-audited0 != b.N {
		b.Fatalf("%d household.create audit events, want %d: %v", audited-audited0, b.N, err)
	}
	rawCPU0 := cpuTime()
	raw := rawWrites(b, b.N, int(rows+0.5))
	rawCPU := cpuTime() - rawCPU0
	benchkit.Report(b, benchkit.Row{Figure: "household-create", Value: perSec, Raw: raw,
		RawWhat:  fmt.Sprintf("%.0f rows/tx, FULL, 32 goroutines", rows),
		CPUPerOp: benchkit.PerOp(cpu, b.N), RawCPUPerOp: benchkit.PerOp(rawCPU, b.N)})
	b.ReportMetric(rows, "rows/create")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu_us/create")
	b.ReportMetric(float64(rawCPU.Microseconds())/float64(b.N), "raw_cpu_us/create")
}

// benchHousehold is household i's JSON: a head and two members, all with valid, unique ID numbers.
func benchHousehold(org int64, i int) map[string]any {
	day := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/500%7000) }
	return map[string]any{
		"org_id": org, "name": "赵明华", "gender": "male", "id_number": demo.ResidentID("330108", day(1960), i, true),
		"birth_date": day(1960).Format("2006-01-02"), "phone": fmt.Sprintf("139%08d", i), "employer": "江南建设工程有限公司",
		"industry": "construction", "employment_status": "employed", "migrant": i%3 == 0, "address": "滨江区西兴街道江汉路1号",
		"bank_card": demo.BankCard("622202", i), "health": "chronic", "disability": "none",
		"income_wages_fen": 2400000, "expense_medical_fen": 600000, "main_cause": "illness", "secondary_causes": []string{"schooling"},
		"members": []map[string]any{
			{"name": "李秀英", "relation": "spouse", "id_number": demo.ResidentID("330109", day(1962), i, false), "health": "serious",
				"disability": "none", "employment_status": "unemployed", "school_stage": "none", "monthly_income_fen": 0},
			{"name": "赵小明", "relation": "child", "id_number": demo.ResidentID("330110", day(1990), i, true), "health": "healthy",
				"disability": "none", "employment_status": "student", "school_stage": "senior_high", "monthly_income_fen": 0},
		},
	}
}
