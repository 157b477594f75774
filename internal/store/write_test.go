package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/store"
)

// Writes that arrive together share a transaction; each must still succeed or fail on its own.
func TestWrite_ConcurrentWritesSucceedOrFailEachOnItsOwn(t *testing.T) {
	db := newDB(t)
	const n = 300
	refused := errors.New("refused")
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					results[i] = fmt.Errorf("panicked: %v", p)
				}
			}()
			results[i] = db.Write(context.Background(), func(tx *sqlx.Tx) error {
				if err := insertOrg(tx, fmt.Sprint(i)); err != nil {
					return err
				}
				switch {
				case i%3 == 1:
					return refused // after writing: its row must go
				case i%50 == 7:
					panic("boom") // likewise, and the panic reaches this goroutine only
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range results {
		var stored int
		sqlx.Get(db.R, &stored, "SELECT count(*) FROM orgs WHERE code = ?", fmt.Sprint(i))
		switch {
		case i%3 == 1:
			if !errors.Is(err, refused) || stored != 0 {
				t.Errorf("write %d: error %v, stored %d; want its own error and nothing stored", i, err, stored)
			}
		case i%50 == 7:
			if err == nil || err.Error() != "panicked: boom" || stored != 0 {
				t.Errorf("write %d: %v, stored %d; want its panic and nothing stored", i, err, stored)
			}
		default:
			if err != nil || stored != 1 {
				t.Errorf("write %d: error %v, stored %d; want success and its row", i, err, stored)
			}
		}
	}
}

// A caller whose context ends while its statement runs is interrupted, which aborts the shared transaction.
// The interrupted write fails; the others in its group run again and succeed; and whatever happens, a write
// reported as done is stored and one reported as failed is not.
func TestWrite_AnInterruptedWriteNeverLiesAboutTheOthersInItsGroup(t *testing.T) {
	db := newDB(t)
	release := make(chan struct{})
	started := make(chan struct{})
	go db.Write(context.Background(), func(tx *sqlx.Tx) error { // holds the writer so the next two queue up together
		close(started)
		<-release
		return nil
	})
	<-started
	type outcome struct {
		code string
		err  error
	}
	out := make(chan outcome, 3)
	go func() {
		out <- outcome{"A", db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "A") })}
	}()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		out <- outcome{"B", db.Write(ctx, func(tx *sqlx.Tx) error {
			if err := insertOrg(tx, "B"); err != nil {
				return err
			}
			// A long INSERT … SELECT that the context's end interrupts.
			_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (username, at, client_addr)
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)
				SELECT 'x', 'y', 'z' FROM n`)
			return err
		})}
	}()
	time.Sleep(20 * time.Millisecond)
	go func() { // queued behind B: must not run outside the transaction B's interrupt aborted
		out <- outcome{"C", db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "C") })}
	}()
	time.Sleep(50 * time.Millisecond) // all three are waiting for the writer
	close(release)
	for range 3 {
		o := <-out
		stored := count(t, db.R, "SELECT count(*) FROM orgs WHERE code = ?", o.code)
		if (o.err == nil) != (stored == 1) {
			t.Errorf("write %s: error %v but %d rows stored", o.code, o.err, stored)
		}
		t.Logf("write %s: %v, stored %d", o.code, o.err, stored)
		if o.code == "B" && o.err == nil {
			t.Error("the interrupted write reported success")
		}
		if o.code != "B" && o.err != nil {
			t.Errorf("write %s failed for another write's interruption: %v", o.code, o.err)
		}
	}
	if n := count(t, db.R, "SELECT count(*) FROM login_failures"); n != 0 {
		t.Errorf("%d rows of the interrupted statement were kept", n)
	}
	// The writer is healthy afterwards.
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "D") }); err != nil {
		t.Fatal(err)
	}
}

func TestWrite_RefusesACancelledContextAndWritesAfterClose(t *testing.T) {
	db := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Write(ctx, func(tx *sqlx.Tx) error { return insertOrg(tx, "1") }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	db.Close()
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "2") }); err == nil {
		t.Error("a write after Close succeeded")
	}
}

// Requests of one group transaction hand values on only once kept: a refused request's value never reaches the
// next one, and what runs before the commit sees the last kept request's value.
func TestWriteTogether_HandsOnOnlyWhatKeptRequestsShare(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	type key struct{}
	refused := errors.New("refused")
	var seen []any
	var atCommit any
	share := func(v int, err error) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			req := store.RequestOf(tx)
			seen = append(seen, req.Shared(key{}))
			req.Share(key{}, v)
			req.BeforeCommit(key{}, func() error { atCommit = req.Shared(key{}); return nil })
			return err
		}
	}
	errs := db.WriteTogether(ctx, share(1, nil), share(2, refused), share(3, nil), share(4, refused))
	if errs[0] != nil || !errors.Is(errs[1], refused) || errs[2] != nil || !errors.Is(errs[3], refused) {
		t.Fatalf("errors %v", errs)
	}
	if fmt.Sprint(seen) != "[<nil> 1 1 3]" || atCommit != 3 {
		t.Errorf("requests saw %v, the commit %v; want [<nil> 1 1 3] and 3", seen, atCommit)
	}
	// The next group starts afresh.
	seen = nil
	if errs := db.WriteTogether(ctx, share(5, nil)); errs[0] != nil || fmt.Sprint(seen) != "[<nil>]" {
		t.Errorf("a new group saw %v (%v)", seen, errs)
	}
}

// What fails before the commit fails every request of the group, and none of their changes is kept.
func TestWriteTogether_AFailingBeforeCommitFailsTheWholeGroup(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if _, err := db.W.Exec("CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("broken")
	insert := func(n int) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			store.RequestOf(tx).BeforeCommit("k", func() error { return broken })
			_, err := tx.Exec("INSERT INTO t (n) VALUES (?)", n)
			return err
		}
	}
	for i, err := range db.WriteTogether(ctx, insert(1), insert(2)) {
		if !errors.Is(err, broken) {
			t.Errorf("request %d: %v, want the failure before the commit", i, err)
		}
	}
	var n int
	if err := db.R.Get(&n, "SELECT count(*) FROM t"); err != nil || n != 0 {
		t.Errorf("%d rows kept (%v), want none", n, err)
	}
}
