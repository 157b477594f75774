package web_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/internal/benchkit"
	"bangfu/internal/demo"
	"bangfu/internal/web/webtest"
)

// The harness of the write benchmarks (households, relief, campaigns): sessions of their own, the timed load
// from 32 clients, and raw go-sqlite3 beside it in the same run.

// benchClients is the number of concurrent clients of SPEC §10: approve-and-disburse at ≥ 1,000 per second
// with 32 concurrent clients and no 5xx.
const benchClients = 32

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

// totalChanges is the rows written so far, as the server's writer connection counts them (triggers and audit
// events included).
func totalChanges(b *testing.B, srv *webtest.Server) int64 {
	var n int64
	if err := srv.DB.W.Get(&n, "SELECT total_changes()"); err != nil {
		b.Fatal(err)
	}
	return n
}

// timedLoad is the timed part of a load benchmark: it resets the timer, then clients goroutines each take the
// next of the requests 0 to n-1 and do it (do(client, i)) until none is left or do reports a failure, which
// ends that goroutine. The CPU profile covers this part alone. It stops the timer and returns how long the
// load took, the process's CPU time over it and the rows the server's writer connection changed.
func timedLoad(b *testing.B, srv *webtest.Server, n, clients int, do func(client, i int) bool) (elapsed, cpu time.Duration, rows int64) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	c0 := totalChanges(b, srv)
	stopProfile := profileTimed(b)
	cpu0 := cpuTime()
	start := time.Now()
	for k := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				if !do(k, int(i)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed = time.Since(start)
	cpu = cpuTime() - cpu0
	stopProfile()
	b.StopTimer()
	return elapsed, cpu, totalChanges(b, srv) - c0
}

// postLoad is timedLoad of n POSTs from 32 clients, each with its own caseworker1 session: request i goes to
// path with body(i), and any answer but 201 fails the benchmark. It returns the requests per second, the
// rows the writer connection changed per request and the process's CPU time over the load.
func postLoad(b *testing.B, srv *webtest.Server, n int, path string, body func(i int) any) (perSec, rows float64, cpu time.Duration) {
	sessions := make([]*benchSession, benchClients)
	for i := range sessions {
		sessions[i] = benchLogin(b, srv, "caseworker1")
	}
	var failed, fiveXX atomic.Int64
	var firstErr atomic.Value
	elapsed, cpu, changed := timedLoad(b, srv, n, benchClients, func(k, i int) bool {
		status, out, err := sessions[k].post(path, body(i))
		if err == nil && status == http.StatusCreated {
			return true
		}
		if status >= 500 {
			fiveXX.Add(1)
		}
		failed.Add(1)
		firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %d: %d %s %v", path, i, status, strings.TrimSpace(string(out)), err))
		return false
	})
	if failed.Load() > 0 {
		b.Fatalf("%d requests failed (%d answers 5xx), the first: %v", failed.Load(), fiveXX.Load(), firstErr.Load())
	}
	return float64(n) / elapsed.Seconds(), float64(changed) / float64(n), cpu
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

// rawDB is raw go-sqlite3 on a new file as the raw baselines write it: WAL mode, synchronous=FULL, immediate
// transactions, one connection, with schema created. The caller closes it.
func rawDB(b *testing.B, schema string) *sql.DB {
	b.Helper()
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+
		"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(schema); err != nil {
		raw.Close()
		b.Fatal(err)
	}
	return raw
}

// rawLoad runs write for the ids 1 to n from 32 goroutines and returns ids per second. A failed write is an
// error of the benchmark and ends its goroutine.
func rawLoad(b *testing.B, n int, write func(id int64) error) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := next.Add(1); id <= int64(n); id = next.Add(1) {
				if err := write(id); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// rawWrites is raw go-sqlite3 writing n transactions of rows rows each (~300-byte rows into an indexed
// table), each committed on its own with synchronous=FULL in WAL mode, from 32 goroutines through one
// connection. It returns transactions per second.
func rawWrites(b *testing.B, n, rows int) float64 {
	b.Helper()
	raw := rawDB(b, `CREATE TABLE rows (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);
		CREATE INDEX rows_owner ON rows (owner, kind)`)
	defer raw.Close()
	body, _ := json.Marshal(strings.Repeat("困难职工", 25)) // about 300 bytes
	return rawLoad(b, n, func(i int64) error {
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		at := time.Now().UTC().Format(time.RFC3339Nano)
		for k := range max(rows, 1) {
			if _, err := tx.Exec("INSERT INTO rows (owner, kind, at, body) VALUES (?, ?, ?, ?)", i, fmt.Sprint("k", k), at, body); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	})
}
