package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bangfu/internal/audit"
)

// importTables are the tables a real import writes; with the audit trail they say whether anything of it
// survived.
var importTables = []string{"households", "household_members", "household_open_ids", "household_terms", "imports", "audit_events"}

func tableCounts(t *testing.T, db string) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, table := range importTables {
		m[table] = countRows(t, db, "SELECT count(*) FROM "+table)
	}
	return m
}

// lockedBuffer collects a child's stderr while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// SPEC §8.3, §10: a kill -9 in the middle of a real run leaves the database as it was before the run —
// nothing half-imported — and the audit chain verifiable; the same file then imports whole.
func TestImport_Kill9DuringTheWriteLeavesTheDatabaseAsItWas(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 30,000-row survey list")
	}
	db := seededDB(t)
	const households = 15_000
	rows := make([][]string, 0, 2*households)
	for i := range households {
		head := surveyHead(fmt.Sprintf("职工%d", i), 2*i)
		head[4] = fmt.Sprintf("139%08d", i)
		rows = append(rows, head, []string{"家属", surveyID(2*i + 1), "配偶", head[1], "", "", "", "0", "", ""})
	}
	file := writeSurvey(t, rows...)
	before := tableCounts(t, db)

	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "import", "--db", db, "--as", "caseworker1", "--progress", file)
	cmd.Env = append(os.Environ(), "BANGFU_TEST_SERVE=1")
	var stderr lockedBuffer
	cmd.Stderr, cmd.Stdout = &stderr, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(stderr.String(), "正在写入") {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it was seen writing: %s", err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("the import never started writing: %s", stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	time.Sleep(150 * time.Millisecond) // well inside the write: 1,024 households a progress line
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed mid-run (%v); make the file larger: %s", err, stderr.String())
	}
	progress := stderr.String()
	t.Logf("killed at: %s", progress[max(0, strings.LastIndex(progress, "\r")+1):])

	after := tableCounts(t, db)
	for _, table := range importTables {
		if after[table] != before[table] {
			t.Errorf("%s: %d rows before the run, %d after the kill", table, before[table], after[table])
		}
	}
	d := inspect(t, db)
	if r, err := audit.Verify(context.Background(), d.R); err != nil || !r.OK {
		t.Fatalf("audit chain after kill -9: %+v %v", r, err)
	}
	d.Close()

	code, out, err := bangfu(t, "", "import", "--db", db, "--as", "caseworker1", file)
	if code != 0 || err != nil {
		t.Fatalf("the import after the kill: exit %d, %v\n%s", code, err, out[max(0, len(out)-500):])
	}
	if n := countRows(t, db, "SELECT count(*) FROM households"); n != households {
		t.Fatalf("%d households after the import, want %d", n, households)
	}
	if code, _, err := bangfu(t, "", "audit", "verify", "--db", db); code != 0 || err != nil {
		t.Fatalf("audit verify after the import: exit %d, %v", code, err)
	}
}
