package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"bangfu/internal/benchkit"
	"bangfu/internal/ledger"
	"bangfu/internal/relief/relieftest"
	"bangfu/internal/web/webtest"
)

// BenchmarkApproveAndDisburse_32Clients drives the real HTTP API: b.N submitted living-aid applications
// (prepared through the Go API, outside the timer), then 32 goroutines, each with a supervisor's and
// finance1's own sessions, approve an application and then disburse it until none is left. Approvers
// alternate between supervisor1 and supervisor2; finance1, who approves nothing, pays (segregation of
// duties). It reports approve+disburse pairs per second, the p50 and p99 latency of single requests, the
// 5xx count (any failed request fails the benchmark), the rows one pair writes as the server's writer
// connection counts them, and beside them raw SQLite writing as many rows per pair in one synchronous=FULL
// transaction per request, 32 goroutines through one connection, in the same run; ratio = pairs/s ÷ raw.
func BenchmarkApproveAndDisburse_32Clients(b *testing.B) {
	srv := webtest.New(b)
	ctx := context.Background()
	const warm = 8 // pairs run before the timer: they measure the rows one pair writes
	ids := prepareSubmitted(b, srv, b.N+warm)

	clients := make([]*benchClient, benchClients)
	for i := range clients {
		sup := []string{"supervisor1", "supervisor2"}[i%2]
		clients[i] = &benchClient{approver: benchLogin(b, srv, sup), payer: benchLogin(b, srv, "finance1")}
	}

	// Rows written, as the server's writer connection counts them (triggers and audit events included).
	changes := func() int64 { return totalChanges(b, srv) }
	c0 := changes()
	for _, id := range ids[:warm] {
		clients[0].must(b, clients[0].approver, id, "approve")
	}
	c1 := changes()
	for _, id := range ids[:warm] {
		clients[0].must(b, clients[0].payer, id, "disburse")
	}
	c2 := changes()
	ids = ids[warm:]

	elapsed, cpu, changed := timedLoad(b, srv, len(ids), len(clients), func(k, i int) bool { return clients[k].pair(ids[i]) })
	// The rows the timed pairs wrote (a household's first approval also opens its payee account), split
	// between the two requests as in the warm-up.
	rowsPerPair := float64(changed) / float64(b.N)
	approveRows := int(rowsPerPair*float64(c1-c0)/float64(c2-c0) + 0.5)
	disburseRows := int(rowsPerPair+0.5) - approveRows

	var lat []time.Duration
	var fiveXX, failed int
	for _, c := range clients {
		lat = append(lat, c.latencies...)
		fiveXX += c.fiveXX
		failed += c.failed
	}
	if fiveXX > 0 || failed > 0 {
		for _, c := range clients {
			if c.firstErr != "" {
				b.Log(c.firstErr)
				break
			}
		}
		b.Fatalf("%d answers were 5xx and %d requests failed in all", fiveXX, failed)
	}
	var disbursed int
	if err := srv.DB.R.Get(&disbursed, "SELECT count(*) FROM applications WHERE status = 'disbursed'"); err != nil || disbursed != b.N+warm {
		b.Fatalf("%d applications disbursed, want %d: %v", disbursed, b.N+warm, err)
	}
	if r, err := ledger.Check(ctx, srv.DB.R); err != nil || !r.OK() {
		b.Fatalf("ledger check: %+v %v", r, err)
	}

	rawCPU0 := cpuTime()
	rawPerSec := rawPairs(b, b.N, approveRows, disburseRows)
	rawCPU := cpuTime() - rawCPU0
	slices.Sort(lat)
	perSec := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(perSec, "pairs/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99_ms")
	b.ReportMetric(float64(fiveXX), "5xx")
	b.ReportMetric(rowsPerPair, "rows/pair")
	b.ReportMetric(rawPerSec, "raw_pairs/s")
	b.ReportMetric(perSec/rawPerSec, "ratio")
	// CPU time per pair, the whole process (the 32 HTTP clients included) and raw SQLite's: unlike the rates,
	// these hardly move when other work loads the machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu_us/pair")
	b.ReportMetric(float64(rawCPU.Microseconds())/float64(b.N), "raw_cpu_us/pair")
	benchkit.Report(b, benchkit.Row{Figure: "approve-disburse", Value: perSec, Raw: rawPerSec,
		RawWhat:  fmt.Sprintf("%.0f rows/pair in 2 FULL tx, 32 goroutines", rowsPerPair),
		CPUPerOp: benchkit.PerOp(cpu, b.N), RawCPUPerOp: benchkit.PerOp(rawCPU, b.N)})
}

// prepareSubmitted prepares n submitted living-aid applications of ¥100 with the money to pay them
// (relieftest.Submitted) and returns their ids.
func prepareSubmitted(b *testing.B, srv *webtest.Server, n int) []int64 {
	b.Helper()
	ids, err := relieftest.Submitted(context.Background(), srv.DB, srv.Clock.Now(), n)
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// benchClient is one of the 32 clients: a supervisor's session that approves and finance1's that pays.
// It records instead of failing, since it runs outside the benchmark's goroutine.
type benchClient struct {
	approver, payer *benchSession
	latencies       []time.Duration
	fiveXX, failed  int
	firstErr        string
}

// act sends one workflow action and records its latency and outcome; it reports whether it succeeded.
func (c *benchClient) act(s *benchSession, id int64, action string) bool {
	body := map[string]string{"reason": ""}
	if action == "disburse" {
		body = map[string]string{"voucher_no": fmt.Sprintf("付-%d", id), "payment_method": "bank"}
	}
	t0 := time.Now()
	status, out, err := s.post(fmt.Sprintf("/api/v1/applications/%d/%s", id, action), body)
	c.latencies = append(c.latencies, time.Since(t0))
	if err == nil && status == http.StatusOK {
		return true
	}
	if status >= 500 {
		c.fiveXX++
	}
	c.failed++
	if c.firstErr == "" {
		c.firstErr = fmt.Sprintf("%s %d: %d %s %v", action, id, status, strings.TrimSpace(string(out)), err)
	}
	return false
}

func (c *benchClient) pair(id int64) bool {
	return c.act(c.approver, id, "approve") && c.act(c.payer, id, "disburse")
}

func (c *benchClient) must(b *testing.B, s *benchSession, id int64, action string) {
	b.Helper()
	if !c.act(s, id, action) {
		b.Fatal(c.firstErr)
	}
	c.latencies = c.latencies[:0]
}

// rawPairs is raw go-sqlite3 writing, for each of n pairs, the same number of rows as the server does: an
// approval transaction (one UPDATE of the case row, the rest INSERTs of ~300-byte rows into an indexed
// table) and a disbursement transaction likewise, each committed on its own with synchronous=FULL in WAL
// mode, from 32 goroutines through one connection. It returns pairs per second.
func rawPairs(b *testing.B, n, approveRows, disburseRows int) float64 {
	b.Helper()
	raw := rawDB(b, `CREATE TABLE cases (id INTEGER PRIMARY KEY, status TEXT NOT NULL, updated_at TEXT NOT NULL);
		CREATE TABLE events (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
		CREATE INDEX events_case ON events (case_id, kind)`)
	defer raw.Close()
	tx, _ := raw.Begin()
	for i := range n {
		tx.Exec("INSERT INTO cases (id, status, updated_at) VALUES (?, 'submitted', '')", i+1)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("审批快照", 25) // 300 bytes
	write := func(id int64, status string, rows int) error {
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		at := time.Now().UTC().Format(time.RFC3339Nano)
		if _, err := tx.Exec("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", status, at, id); err != nil {
			tx.Rollback()
			return err
		}
		for range rows - 1 {
			if _, err := tx.Exec("INSERT INTO events (case_id, kind, at, body) VALUES (?, ?, ?, ?)", id, status, at, body); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	}
	return rawLoad(b, n, func(id int64) error {
		if err := write(id, "approved", approveRows); err != nil {
			return err
		}
		return write(id, "disbursed", disburseRows)
	})
}
