package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/internal/audit"
	"bangfu/internal/ledger"
)

// TestMain lets the test binary stand in for bangfu itself: with BANGFU_TEST_SERVE set it runs
// "bangfu serve …" with the arguments after "--", so a test can start a real server process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("BANGFU_TEST_SERVE") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				code, err := run(context.Background(), os.Args[i+1:], os.Stdin, os.Stdout)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
				}
				os.Exit(code)
			}
		}
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServer runs "bangfu serve --demo" in a child process and waits until it answers.
func startServer(t *testing.T, db string) (*exec.Cmd, string) {
	t.Helper()
	return serveProcess(t, db, os.Stderr, "--demo")
}

// serveProcess runs "bangfu serve --db db" with the extra flags in a child process whose output goes to
// log, and waits until it answers.
func serveProcess(t *testing.T, db string, log io.Writer, flags ...string) (*exec.Cmd, string) {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"-test.run=^$", "--", "serve", "--db", db, "--addr", addr}, flags...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BANGFU_TEST_SERVE=1")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			return cmd, base
		}
	}
	cmd.Process.Kill()
	t.Fatal("the server did not start")
	return nil, ""
}

type session struct {
	c    *http.Client
	base string
	csrf string
}

func logIn(t *testing.T, base, username string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{c: &http.Client{Jar: jar, Timeout: 10 * time.Second}, base: base}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if status := s.post("/api/v1/session", map[string]string{"username": username, "password": "bangfu-demo"}, &me); status != 200 {
		t.Fatalf("log in %s: %d", username, status)
	}
	s.csrf = me.CSRF
	return s
}

// post sends JSON and decodes the answer into out; it returns the status, or 0 when the server is gone.
func (s *session) post(path string, body, out any) int {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", s.csrf)
	res, err := s.c.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// SPEC §10: a kill -9 at any moment loses no acknowledged write and leaves the audit chain and the ledger
// consistent. Writers keep creating orgs and receiving money while the server process is killed; every write
// that was answered with success must be in the database afterwards, and both checks must pass.
func TestKill9_LosesNoAcknowledgedWriteAndLeavesAuditAndLedgerConsistent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bangfu.db")
	for round, runFor := range []time.Duration{700 * time.Millisecond, 1500 * time.Millisecond, 300 * time.Millisecond} {
		cmd, base := startServer(t, db)
		admin, finance := logIn(t, base, "admin"), logIn(t, base, "finance1")
		var fund struct {
			Items []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"items"`
		}
		req, _ := http.NewRequest("GET", base+"/api/v1/funds?kind=fund&per_page=1", nil)
		res, err := finance.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(res.Body).Decode(&fund)
		res.Body.Close()
		if len(fund.Items) == 0 {
			t.Fatal("the demo ledger has no fund source")
		}
		fundID := fund.Items[0].ID

		var mu sync.Mutex
		var orgCodes, vouchers []string
		var stop atomic.Bool
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !stop.Load(); i++ {
					if w%2 == 0 {
						code := fmt.Sprintf("K%d-%d-%d", round, w, i)
						if admin.post("/api/v1/orgs", map[string]any{"code": code, "name": "压力测试工会", "parent_id": 1}, nil) == 201 {
							mu.Lock()
							orgCodes = append(orgCodes, code)
							mu.Unlock()
						}
					} else {
						v := fmt.Sprintf("V%d-%d-%d", round, w, i)
						if finance.post(fmt.Sprintf("/api/v1/funds/%d/receive", fundID), map[string]any{"amount_fen": 100, "voucher_no": v, "payment_method": "bank"}, nil) == 201 {
							mu.Lock()
							vouchers = append(vouchers, v)
							mu.Unlock()
						}
					}
				}
			}()
		}
		time.Sleep(runFor)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
			t.Fatal(err)
		}
		cmd.Wait()
		stop.Store(true)
		wg.Wait()
		if len(orgCodes) == 0 || len(vouchers) == 0 {
			t.Fatalf("round %d: no write was acknowledged before the kill (%d orgs, %d receipts)", round, len(orgCodes), len(vouchers))
		}

		d := inspect(t, db)
		for _, code := range orgCodes {
			var n int
			d.R.Get(&n, "SELECT count(*) FROM orgs WHERE code = ?", code)
			if n != 1 {
				t.Errorf("round %d: acknowledged org %s is missing", round, code)
			}
		}
		for _, v := range vouchers {
			var n int
			d.R.Get(&n, "SELECT count(*) FROM fund_transfers WHERE voucher_no = ?", v)
			if n != 1 {
				t.Errorf("round %d: acknowledged receipt %s is missing", round, v)
			}
		}
		ctx := context.Background()
		if r, err := audit.Verify(ctx, d.R); err != nil || !r.OK {
			t.Fatalf("round %d: audit chain after kill -9: %+v %v", round, r, err)
		}
		if r, err := ledger.Check(ctx, d.R); err != nil || len(r.Differences) > 0 {
			t.Fatalf("round %d: ledger after kill -9: %v %v", round, r.Differences, err)
		}
		d.Close()
		t.Logf("round %d: %d orgs and %d receipts acknowledged before kill -9, all present", round, len(orgCodes), len(vouchers))
	}
}
