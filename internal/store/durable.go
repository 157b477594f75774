package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Acknowledgement after fsync, with the fsync beside the writer.
//
// SPEC §10 asks for FULL durability: a write is acknowledged only once it is on disk, so that it survives
// kill -9 and power loss. SQLite's synchronous=FULL does that by fsyncing the WAL inside every COMMIT, and the
// one writer connection waited for each of those fsyncs — a fifth of its time under load — before it could
// begin the next group. Here the writer commits with synchronous=NORMAL (COMMIT writes the group's frames to
// the WAL and returns) and the acknowledger fsyncs the WAL file and only then answers the group's requests,
// while the writer already runs the next group. The guarantee is the same as FULL's: Write returns nil for
// a request only after an fsync of the WAL that began after its COMMIT returned, so its frames, and every
// frame before them, are on disk (what crash recovery replays); only the waiting moved off the writer.
//
//   - Order: groups are answered in commit order, and one fsync answers every group committed before it
//     began. A request that read an earlier group's rows is answered after that group is durable.
//   - Refusals wait too: a request refused because of what an earlier group wrote is answered after that
//     group is durable, so no answer rests on a write that a power loss could still take back.
//   - Visibility: between its COMMIT and the fsync a group's rows can be read by others (for well under a
//     millisecond). A kill -9 loses nothing in that window (the frames are in the kernel's page cache); only a
//     power loss could take back rows that nobody was told were written.
//   - A failed fsync is not retried: after one, Linux may have dropped the unwritten pages and a second fsync
//     can succeed without them. The group's requests get the error and the database refuses every later
//     write (errNotDurable) until it is opened again, when SQLite's recovery reads what the WAL really holds.
//   - Checkpoints keep SQLite's own order under NORMAL: the WAL is fsynced before its pages are copied into
//     the database file, and the database file after (checkpoint.go).

// errNotDurable is what every write gets after an fsync of the WAL failed.
var errNotDurable = errors.New("store: the database file could not be synced; writes are refused until it is reopened")

// reply is one group's answers, to be sent once the WAL holds the group durably.
type reply struct {
	group     []*writeRequest
	results   []writeResult
	committed bool // the group's COMMIT returned: its answers wait for an fsync
}

// acknowledger answers the groups that commitLoop hands it, in order, each after an fsync that covers it.
type acknowledger struct {
	wal     string // the database's WAL file
	replies chan reply
	done    chan struct{}
	failed  atomic.Pointer[error] // the first failed fsync; every later write is refused
	// sync makes the WAL durable; syncFile, except in tests that hold it back.
	sync func(path string) error
}

func newAcknowledger(dbPath string) *acknowledger {
	a := &acknowledger{wal: dbPath + "-wal", replies: make(chan reply, maxGroup), done: make(chan struct{}), sync: syncFile}
	go a.run()
	return a
}

func (a *acknowledger) run() {
	defer close(a.done)
	for first := range a.replies {
		batch := []reply{first}
	more:
		for {
			select {
			case r, ok := <-a.replies:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		var syncErr error
		for _, r := range batch {
			if r.committed {
				syncErr = a.syncWAL()
				break
			}
		}
		for _, r := range batch {
			for i, req := range r.group {
				res := r.results[i]
				if syncErr != nil && r.committed && req.began {
					res.err = syncErr
				}
				req.done <- res
			}
		}
	}
}

func (a *acknowledger) syncWAL() error {
	if err := a.refused(); err != nil {
		return err
	}
	if err := a.sync(a.wal); err != nil {
		err = fmt.Errorf("%w: %v", errNotDurable, err)
		a.failed.CompareAndSwap(nil, &err)
		return err
	}
	return nil
}

// refused is errNotDurable (with its cause) once an fsync has failed, and nil before.
func (a *acknowledger) refused() error {
	if p := a.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// answer hands a group's answers on; they reach the requests in the order handed.
func (a *acknowledger) answer(r reply) { a.replies <- r }

func (a *acknowledger) close() {
	close(a.replies)
	<-a.done
}

// syncFile fsyncs the file at path.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncCreated makes the WAL durable together with its name in the database's folder, as SQLite's FULL does
// when it creates the file: Open calls it once, for what the migrations committed under NORMAL.
func syncCreated(dbPath string) error {
	if err := syncFile(dbPath + "-wal"); err != nil {
		return err
	}
	return syncFile(filepath.Dir(dbPath))
}
