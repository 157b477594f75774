package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/audit"
	"bangfu/internal/store"
)

func entry(i int) audit.Entry {
	return audit.Entry{Action: "x.change", EntityType: "x", EntityID: fmt.Sprint(i), After: map[string]int{"n": i}}
}

// changes is the number of rows the writer connection has changed so far.
func changes(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.W.Get(&n, "SELECT total_changes()"); err != nil {
		t.Fatal(err)
	}
	return n
}

// A request that records several events writes the head row once, when its work is done, not after each event.
func TestRecord_WritesTheHeadOncePerRequest(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	recordN(t, db, 1) // the head row exists
	before := changes(t, db)
	if err := db.Write(ctx, func(tx *sqlx.Tx) error {
		for i := range 3 {
			if err := audit.Record(ctx, tx, caseworker, t0, entry(i)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := changes(t, db) - before; n != 4 {
		t.Errorf("three events changed %d rows, want 4: the events and the head once", n)
	}
	if r := verify(t, db); !r.OK || r.HeadSeq != 4 {
		t.Errorf("Verify = %+v", r)
	}
}

// Requests sharing one group transaction write the head row once, before the commit, from the last kept
// request's head: each request chains onto the events the kept requests before it recorded, and a refused
// one's are undone.
func TestRecord_WritesTheHeadOncePerGroup(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	recordN(t, db, 1)
	before := changes(t, db)
	refused := errors.New("refused")
	two := func(i int, err error) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			for j := range 2 {
				if e := audit.Record(ctx, tx, caseworker, t0, entry(10*i+j)); e != nil {
					return e
				}
			}
			return err
		}
	}
	errs := db.WriteTogether(ctx, two(1, nil), two(2, refused), two(3, nil), two(4, refused))
	if errs[0] != nil || !errors.Is(errs[1], refused) || errs[2] != nil || !errors.Is(errs[3], refused) {
		t.Fatalf("errors %v", errs)
	}
	// total_changes counts the refused requests' rows too, though they are rolled back.
	if n := changes(t, db) - before; n != 9 {
		t.Errorf("four requests of two events changed %d rows, want 9: the events and the head once", n)
	}
	if r := verify(t, db); !r.OK || r.HeadSeq != 5 {
		t.Errorf("Verify = %+v, want OK with head 5", r)
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := db.R.Get(&head, "SELECT seq, hash FROM audit_head"); err != nil || head.Seq != 5 {
		t.Errorf("head row %+v (%v), want seq 5", head, err)
	}
}

// Record and an Appender take turns in one request on one chain, and the head row ends on the last event.
func TestRecord_SharesTheHeadWithAnAppender(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *sqlx.Tx) error {
		if err := audit.Record(ctx, tx, caseworker, t0, entry(1)); err != nil {
			return err
		}
		p, err := audit.NewAppender(ctx, tx)
		if err != nil {
			return err
		}
		defer p.Close()
		for i := 2; i <= 3; i++ {
			if err := p.Record(ctx, caseworker, t0, entry(i)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, caseworker, t0, entry(4))
	}); err != nil {
		t.Fatal(err)
	}
	if r := verify(t, db); !r.OK || r.HeadSeq != 4 {
		t.Errorf("Verify = %+v", r)
	}
}

// Requests sharing one group transaction each keep the chain whole, those rolled back included: a refused
// request's events and its move of the head are undone, and the next request chains onto the last one kept.
func TestRecord_RefusedRequestsInAGroupLeaveTheChainWhole(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	refused := errors.New("refused")
	var wg sync.WaitGroup
	var mu sync.Mutex
	kept := 0
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(ctx, func(tx *sqlx.Tx) error {
				for j := range 2 {
					if err := audit.Record(ctx, tx, caseworker, t0, entry(100*i+j)); err != nil {
						return err
					}
				}
				if i%3 == 0 {
					return refused
				}
				return nil
			})
			if err != nil && !errors.Is(err, refused) {
				t.Error(err)
			}
			if err == nil {
				mu.Lock()
				kept++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if r := verify(t, db); !r.OK || r.HeadSeq != int64(2*kept) {
		t.Errorf("Verify = %+v, want OK with head %d", r, 2*kept)
	}
}

// The head row moves forward only, and only to an event of the chain with its hash.
func TestHead_MovesOnlyForwardToAnEventOfTheChain(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	recordN(t, db, 3)
	for name, q := range map[string]string{
		"back":              "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_events WHERE seq = 2)",
		"nowhere":           "UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_events WHERE seq = 3)",
		"to the wrong hash": "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 1)",
	} {
		err := db.Write(ctx, func(tx *sqlx.Tx) error {
			// event 4 exists, the head row not yet moved to it
			if err := audit.Record(ctx, tx, caseworker, t0, entry(4)); err != nil {
				return err
			}
			_, err := tx.Exec(q)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "only moves forward") {
			t.Errorf("%s: %v, want the trigger's refusal", name, err)
		}
	}
	if r := verify(t, db); !r.OK || r.HeadSeq != 3 {
		t.Errorf("Verify = %+v", r)
	}
}
