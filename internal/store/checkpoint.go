package store

import (
	"database/sql"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Checkpoints: moving the WAL's pages into the database file.
//
// SQLite's default is that the connection whose COMMIT takes the WAL past 1,000 pages copies them all into the
// database file and fsyncs it, there and then, inside that COMMIT. Here that connection is the one writer, so
// every few hundred requests a whole group waited for a checkpoint's copy and fsync before it was answered,
// and the requests queued behind it waited too (SPEC §10's write figures). So the writer never checkpoints
// (wal_autocheckpoint = 0, writerDriver) and a checkpointer does it on a connection of its own, beside the
// writer: a PASSIVE checkpoint waits for no reader and no writer, copies what no reader still needs, and
// lets the writer go on appending to the WAL meanwhile.
//
// Durability does not depend on it: a commit is durable once its frames are fsynced into the WAL, and crash
// recovery replays the WAL, whether or not a checkpoint ever copied them. What a checkpoint bounds is the
// WAL's length: once every frame is copied and no reader uses the WAL, the writer's next transaction starts
// it again from the beginning. Under writes without a pause the checkpointer never catches up (the writer
// appends while it copies), so the WAL would only grow; once it is longer than walPages, the checkpointer asks
// the writer to checkpoint between two groups (writerShould). By then nearly every frame is copied, so the
// writer copies only the last few and fsyncs the database file, and its next transaction starts the WAL
// again: the file stays at about walPages.
//
// The last connection to close checkpoints the whole WAL and removes it (Close closes the writer last).

// checkpointInterval is how long the checkpointer waits after a checkpoint before the next: long enough that
// a page written again and again is copied once per interval, short enough that the WAL stays a few MiB.
const checkpointInterval = 100 * time.Millisecond

// walPages is how long the WAL may grow (pages of 4 KiB) before the writer checkpoints it itself.
const walPages = 4000

type checkpointer struct {
	conn *sql.DB
	wake chan struct{} // a commit happened; buffered 1, so the writer never waits on it
	stop chan struct{}
	done chan struct{}
	// writerShould asks the writer to checkpoint before its next group: the WAL has outgrown walPages.
	writerShould atomic.Bool
	walPages     int // walPages; tests set fewer

	stopping sync.Once // Close may be called more than once
}

func openCheckpointer(path string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite3", dsn(path, url.Values{"_cache_size": {"-2048"}}))
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, walPages: walPages, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// byWriter runs the checkpoint that writerShould asks for, on the writer between two groups (commitLoop).
func (c *checkpointer) byWriter(w *sqlx.DB) {
	if c.writerShould.CompareAndSwap(true, false) {
		w.Exec("PRAGMA wal_checkpoint(PASSIVE)") // as the checkpointer's: a failure leaves the WAL as it was
	}
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		// A failed checkpoint (SQLITE_BUSY: another process's checkpoint holds the lock) leaves the frames in
		// the WAL, where they are as durable and as readable; the next wake tries again.
		var busy, log, copied int
		if err := c.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied); err == nil && log > c.walPages {
			c.writerShould.Store(true)
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointInterval):
		}
	}
}

func (c *checkpointer) close() error {
	c.stopping.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}
