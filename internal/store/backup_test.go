package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

func recordOne(ctx context.Context, db *store.DB, i int) error {
	return db.Write(ctx, func(tx *sqlx.Tx) error {
		return audit.Record(ctx, tx, actor.System("writer"), fixedTime.Add(time.Duration(i)*time.Millisecond),
			audit.Entry{Action: "test.write", EntityType: "test", EntityID: fmt.Sprint(i),
				After: map[string]any{"i": i, "note": strings.Repeat("写", i%50)}})
	})
}

// Issue 2 item 2: `bangfu backup` writes a consistent copy while the server keeps writing.
func TestBackup_DuringWritesGivesACopyWhoseChainVerifies(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	// A few thousand events in one transaction first, so that the copy takes long enough to overlap writes.
	err := db.Write(ctx, func(tx *sqlx.Tx) error {
		for i := 0; i < 3000; i++ {
			if err := audit.Record(ctx, tx, actor.System("prefill"), fixedTime, audit.Entry{Action: "test.prefill",
				EntityType: "test", EntityID: fmt.Sprint(i), After: map[string]any{"pad": strings.Repeat("帮扶", 100)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	const before = 3000 + 200 // events written before the backup starts, so the copy cannot be empty
	started := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written int
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 3001; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := recordOne(ctx, db, i); err != nil {
				writeErr = err
				if i <= before {
					close(started)
				}
				return
			}
			written = i
			if i == before {
				close(started)
			}
		}
	}()

	<-started
	dest := filepath.Join(t.TempDir(), "backup.db")
	backupErr := store.Backup(ctx, db.Path, dest)
	// Keep writing a little after the backup, then stop: the copy was taken with a writer on both sides.
	for i := 0; i < 20; i++ {
		if err := recordOne(ctx, db, 100000+i); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if backupErr != nil {
		t.Fatalf("Backup: %v", backupErr)
	}

	cp := openDB(t, dest)
	if got := pragma(t, cp.R, "integrity_check"); got != "ok" {
		t.Errorf("integrity_check of the copy = %s", got)
	}
	r, err := audit.Verify(ctx, cp.R)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.HeadSeq < before {
		t.Errorf("Verify of the copy = %+v, want ok with head_seq ≥ %d", r, before)
	}
	if live, _ := audit.Verify(ctx, db.R); !live.OK || r.HeadSeq > live.HeadSeq {
		t.Errorf("copy head %d beyond the live head %+v", r.HeadSeq, live)
	}
	t.Logf("writer wrote %d events; the copy holds %d", written, r.HeadSeq)
}

func TestBackup_RefusesAnExistingDestination(t *testing.T) {
	db := newDB(t)
	if err := recordOne(context.Background(), db, 1); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "exists.db")
	if err := os.WriteFile(dest, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := store.Backup(context.Background(), db.Path, dest)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("error = %v, want a refusal naming the existing file", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "keep me" {
		t.Errorf("the existing destination was changed to %q", b)
	}
}

func TestBackup_RefusesAMissingDatabaseAndCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	missing, dest := filepath.Join(dir, "missing.db"), filepath.Join(dir, "copy.db")
	if err := store.Backup(context.Background(), missing, dest); err == nil {
		t.Fatal("Backup of a missing database succeeded")
	}
	for _, p := range []string{missing, dest} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was created", p)
		}
	}
}
