package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/internal/benchkit"
	"bangfu/internal/demo"
	"bangfu/internal/ledger"
	"bangfu/internal/relief/relieftest"
	"bangfu/internal/web/webtest"
)

// benchClients is the number of concurrent clients of SPEC §10: approve-and-disburse at ≥ 1,000 per second
// with 32 concurrent clients and no 5xx.
const benchClients = 32

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
	changes := func() int64 {
		var n int64
		if err := srv.DB.W.Get(&n, "SELECT total_changes()"); err != nil {
			b.Fatal(err)
		}
		return n
	}
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

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	c3 := changes()
	stopProfile := profileTimed(b)
	cpu0 := cpuTime()
	start := time.Now()
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(ids)); i = next.Add(1) - 1 {
				if !c.pair(ids[i]) {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	stopProfile()
	b.StopTimer()
	// The rows the timed pairs wrote (a household's first approval also opens its payee account), split
	// between the two requests as in the warm-up.
	rowsPerPair := float64(changes()-c3) / float64(b.N)
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

// profileTimed starts a CPU profile of the timed part alone (not the preparation) into the file that
// BANGFU_BENCH_CPUPROFILE names, if set, and returns the function that stops it.
func profileTimed(b *testing.B) func() {
	path := os.Getenv("BANGFU_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// cpuTime is the CPU time (user and system) this process has used so far.
func cpuTime() time.Duration { return benchkit.CPUTime() }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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

type benchSession struct {
	base string
	http *http.Client
	csrf string
}

func benchLogin(b *testing.B, srv *webtest.Server, username string) *benchSession {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	// Each session keeps its own connection alive, as a browser would.
	s := &benchSession{base: srv.URL, http: &http.Client{Jar: jar, Timeout: time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2}}}
	status, body, err := s.post("/api/v1/session", map[string]string{"username": username, "password": demo.Password})
	if err != nil || status != http.StatusOK {
		b.Fatalf("log in %s: %d %s %v", username, status, body, err)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		b.Fatal(err)
	}
	s.csrf = me.CSRF
	return s
}

func (s *benchSession) post(path string, body any) (int, []byte, error) {
	j, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, s.base+path, bytes.NewReader(j))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
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
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+
		"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(`CREATE TABLE cases (id INTEGER PRIMARY KEY, status TEXT NOT NULL, updated_at TEXT NOT NULL);
		CREATE TABLE events (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
		CREATE INDEX events_case ON events (case_id, kind)`); err != nil {
		b.Fatal(err)
	}
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
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := next.Add(1); id <= int64(n); id = next.Add(1) {
				if err := write(id, "approved", approveRows); err != nil {
					b.Error(err)
					return
				}
				if err := write(id, "disbursed", disburseRows); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}
