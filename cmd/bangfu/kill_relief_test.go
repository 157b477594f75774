package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/relief/relieftest"
	"bangfu/internal/store"
)

// killRounds is how many times the relief kill test kills the server under load (issue 14: at least 50);
// each round brings perRound fresh applications to the work.
const (
	killRounds = 50
	perRound   = 30
)

// SPEC §10 under the group-commit write path (store.Write: many requests' savepoints in one transaction, one
// fsync): 32 clients approve and pay applications through HTTP while the server process is killed with
// SIGKILL, 50 times. After every kill, every approval and payment the server acknowledged (200) is in the
// database, `bangfu ledger check` (the ledger and each application's money against its status) and `bangfu
// audit verify` pass, and no answer was ever a 5xx. A request that was not acknowledged may or may not have
// happened; the next round takes each application on from the state the database holds.
func TestKill9_UnderApproveAndDisburseLoadLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the server 50 times")
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "bangfu.db")
	began := time.Now()
	prepared := func() []int64 {
		d, err := store.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := demo.Seed(ctx, d, demotest.Users(d, clock.System{})); err != nil {
			t.Fatal(err)
		}
		ids, err := relieftest.Submitted(ctx, d, time.Now(), killRounds*perRound)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}()
	t.Logf("prepared %d submitted applications in %v", len(prepared), time.Since(began).Round(time.Millisecond))
	var checking, starting time.Duration
	var serverLog io.Writer = io.Discard
	if os.Getenv("BANGFU_TEST_LOG") != "" {
		serverLog = os.Stderr
	}

	// What the server acknowledged, by application: 1 approved, 2 disbursed.
	acked := make([]atomic.Int32, len(prepared))
	var fiveXX atomic.Int64
	var firstBad atomic.Value
	var sessions map[string]*session
	totalApproved, totalPaid := 0, 0
	for round := range killRounds {
		startFrom := time.Now()
		cmd, base := serveProcess(t, db, serverLog)
		starting += time.Since(startFrom)
		if sessions == nil { // sessions live in the database, so they survive the restarts
			sessions = map[string]*session{}
			for _, u := range []string{"supervisor1", "supervisor2", "finance1"} {
				sessions[u] = logIn(t, base, u)
				sessions[u].c.Transport = &http.Transport{MaxIdleConnsPerHost: 32}
			}
		}
		for _, s := range sessions {
			s.base = base
		}
		// The work of this round, from what the database holds: submitted ones to approve and pay, approved
		// ones to pay.
		todo, err := statuses(db, prepared)
		if err != nil {
			t.Fatal(err)
		}
		var work []int // indexes into prepared: this round's fresh ones and any earlier ones not yet paid
		for i, id := range prepared[:(round+1)*perRound] {
			if todo[id] == "submitted" || todo[id] == "approved" {
				work = append(work, i)
			}
		}
		var next atomic.Int64
		var acks atomic.Int64
		var stop atomic.Bool
		var wg sync.WaitGroup
		for c := range 32 {
			sup := sessions[[]string{"supervisor1", "supervisor2"}[c%2]]
			fin := sessions["finance1"]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for w := next.Add(1) - 1; w < int64(len(work)) && !stop.Load(); w = next.Add(1) - 1 {
					i := work[w]
					id := prepared[i]
					steps := map[string][]string{"submitted": {"approve", "disburse"}, "approved": {"disburse"}}[todo[id]]
					for _, action := range steps {
						body := map[string]string{"reason": ""}
						s := sup
						if action == "disburse" {
							body, s = map[string]string{"voucher_no": fmt.Sprintf("付-%d", id), "payment_method": "bank"}, fin
						}
						status := s.post(fmt.Sprintf("/api/v1/applications/%d/%s", id, action), body, nil)
						if status >= 500 {
							fiveXX.Add(1)
						}
						if status != http.StatusOK {
							if status != 0 { // 0: the server is gone
								firstBad.CompareAndSwap(nil, fmt.Sprintf("round %d: %s %d: %d", round, action, id, status))
							}
							break
						}
						acked[i].Store(map[string]int32{"approve": 1, "disburse": 2}[action])
						acks.Add(1)
					}
				}
			}()
		}
		// Kill at a random moment of the load: after between 1 and 30 acknowledged writes, of the 60 or more
		// the round's work holds.
		killAt := int64(1 + rand.IntN(30))
		for deadline := time.Now().Add(time.Minute); acks.Load() < killAt && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
			t.Fatal(err)
		}
		cmd.Wait()
		stop.Store(true)
		wg.Wait()
		if acks.Load() == 0 {
			t.Fatalf("round %d: no write was acknowledged before the kill", round)
		}
		if v := firstBad.Load(); v != nil {
			t.Fatalf("a refused request (none should be, each application has one client): %v", v)
		}

		after, err := statuses(db, prepared)
		if err != nil {
			t.Fatal(err)
		}
		approved, paid := 0, 0
		for i, id := range prepared {
			switch st, a := after[id], acked[i].Load(); {
			case a == 2 && st != "disbursed":
				t.Errorf("round %d: application %d was acknowledged disbursed but is %s after kill -9", round, id, st)
			case a == 1 && st != "approved" && st != "disbursed":
				t.Errorf("round %d: application %d was acknowledged approved but is %s after kill -9", round, id, st)
			}
			switch after[id] {
			case "approved":
				approved++
			case "disbursed":
				paid++
			}
		}
		checkFrom := time.Now()
		for _, cmd := range [][]string{{"ledger", "check", "--db", db}, {"audit", "verify", "--db", db}} {
			var out bytes.Buffer
			if code, err := run(ctx, cmd, nil, &out); code != 0 || err != nil {
				t.Fatalf("round %d: bangfu %s after kill -9: exit %d %v\n%s", round, strings.Join(cmd[:2], " "), code, err, out.String())
			}
		}
		checking += time.Since(checkFrom)
		if t.Failed() {
			t.FailNow()
		}
		totalApproved, totalPaid = approved, paid
	}
	if n := fiveXX.Load(); n > 0 {
		t.Fatalf("%d answers were 5xx", n)
	}
	t.Logf("%d kills in %v (%v of it starting the server, %v in ledger check and audit verify): %d applications paid and %d approved awaiting payment, "+
		"every acknowledged one present; ledger and audit chain check", killRounds, time.Since(began).Round(time.Millisecond),
		starting.Round(time.Millisecond), checking.Round(time.Millisecond), totalPaid, totalApproved)
}

// statuses reads the status of each application from the database file as it is after a kill.
func statuses(path string, ids []int64) (map[int64]string, error) {
	d, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	rows, err := d.R.Query("SELECT id, status FROM applications WHERE id BETWEEN ? AND ?", ids[0], ids[len(ids)-1])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]string, len(ids))
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}
