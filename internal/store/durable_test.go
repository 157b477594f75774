package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "bangfu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func insertFailure(ctx context.Context, db *DB, name string) error {
	return db.Write(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.Exec("INSERT INTO login_failures (username, at, client_addr) VALUES (?, '2026-01-01T00:00:00.000000Z', 'test')", name)
		return err
	})
}

// SPEC §10's durability: a write is acknowledged only after an fsync of the WAL that began after its COMMIT.
// With the fsync held back, the row is committed (a reader sees it) but Write has not returned.
func TestWrite_AnswersOnlyAfterTheWALIsSynced(t *testing.T) {
	db := openTestDB(t)
	release := make(chan struct{})
	var synced sync.WaitGroup
	synced.Add(1)
	db.ack.sync = func(path string) error {
		<-release
		defer synced.Done()
		if path != db.Path+"-wal" {
			t.Errorf("synced %s, want the WAL %s-wal", path, db.Path)
		}
		return syncFile(path)
	}
	answered := make(chan error, 1)
	go func() { answered <- insertFailure(context.Background(), db, "held") }()

	deadline := time.Now().Add(10 * time.Second)
	for n := 0; n == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the write was never committed")
		}
		if err := db.R.Get(&n, "SELECT count(*) FROM login_failures WHERE username = 'held'"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-answered:
		t.Fatalf("Write answered %v before the WAL was synced", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-answered; err != nil {
		t.Fatalf("Write after the sync: %v", err)
	}
	synced.Wait()
}

// A failed fsync is not retried: the group's writes get the error, and so does every later write, because a
// second fsync could succeed without the pages the first one failed to write.
func TestWrite_AFailedSyncFailsTheGroupAndEveryLaterWrite(t *testing.T) {
	db := openTestDB(t)
	if err := insertFailure(context.Background(), db, "before"); err != nil {
		t.Fatal(err)
	}
	syncs := 0
	db.ack.sync = func(string) error { syncs++; return errors.New("EIO") }
	for _, name := range []string{"failed", "later"} {
		if err := insertFailure(context.Background(), db, name); !errors.Is(err, errNotDurable) {
			t.Errorf("write %q: %v, want errNotDurable", name, err)
		}
	}
	if syncs != 1 {
		t.Errorf("%d fsyncs tried, want 1: after a failure none is tried again", syncs)
	}
}

// Under writes without a pause the WAL stays short: without the writer's own checkpoint once the WAL
// outgrows walPages, the checkpointer never catches up with the writer and the file only grows.
func TestCheckpoint_KeepsTheWALShortUnderWritesWithoutAPause(t *testing.T) {
	db := openTestDB(t)
	db.ckpt.walPages = 200
	if _, err := db.W.Exec("CREATE TABLE blobs (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 80 // 640 writes of 64 KiB: 40 MiB through the WAL
	blob := make([]byte, 64<<10)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
					_, err := tx.Exec("INSERT INTO blobs VALUES (?)", blob)
					return err
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fi, err := os.Stat(db.Path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64(12 << 20); fi.Size() > limit {
		t.Errorf("the WAL is %d MiB after 40 MiB of writes, want at most %d MiB", fi.Size()>>20, limit>>20)
	}
	var n int
	if err := db.R.Get(&n, "SELECT count(*) FROM blobs"); err != nil || n != writers*each {
		t.Errorf("%d rows (%v), want %d", n, err, writers*each)
	}
}

// What the writer committed under synchronous=NORMAL is in the database file after Close, and the WAL is gone.
func TestClose_CheckpointsTheWALIntoTheDatabaseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bangfu.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		if err := insertFailure(context.Background(), db, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the WAL is still there after Close: %v", err)
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.R.Get(&n, "SELECT count(*) FROM login_failures"); err != nil || n != 3 {
		t.Errorf("%d rows after reopening (%v), want 3", n, err)
	}
}
