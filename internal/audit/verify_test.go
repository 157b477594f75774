package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/audit/audittest"
	"bangfu/internal/store"
)

const chainLength = 10

func exec(tx *sqlx.Tx, query string, args ...any) error {
	res, err := tx.Exec(query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s %v changed nothing", query, args)
	}
	return nil
}

// flipLastByte changes one byte of a text column of event seq (an empty value becomes "x").
func flipLastByte(column string, seq int64) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		var v string
		if err := tx.Get(&v, "SELECT "+column+" FROM audit_events WHERE seq = ?", seq); err != nil {
			return err
		}
		b := []byte(v)
		if len(b) == 0 {
			b = []byte("x")
		} else {
			b[len(b)-1] ^= 1
		}
		return exec(tx, "UPDATE audit_events SET "+column+" = ? WHERE seq = ?", string(b), seq)
	}
}

func checkFirstBad(t *testing.T, db *store.DB, want int64) {
	t.Helper()
	r := verify(t, db)
	if r.OK || r.FirstBadSeq != want {
		t.Errorf("Verify = %+v, want ok=false first_bad_seq=%d", r, want)
	}
}

var positions = []struct {
	name string
	seq  int64
}{{"first", 1}, {"middle", chainLength / 2}, {"last", chainLength}}

func TestVerify_NamesTheEventWithOneChangedByte(t *testing.T) {
	textColumns := []string{"at", "actor", "roles", "org_path", "action", "entity_type", "entity_id", "changes",
		"reason", "request_id", "client_addr", "prev_hash", "hash"}
	for _, column := range textColumns {
		for _, p := range positions {
			t.Run(column+"/"+p.name, func(t *testing.T) {
				db := newDB(t)
				recordN(t, db, chainLength)
				audittest.Tamper(t, db, flipLastByte(column, p.seq))
				checkFirstBad(t, db, p.seq)
			})
		}
	}
	for _, column := range []string{"actor_id", "org_id"} { // nullable integers: NULL becomes 1, n becomes n+1
		for _, p := range positions {
			t.Run(column+"/"+p.name, func(t *testing.T) {
				db := newDB(t)
				recordN(t, db, chainLength)
				audittest.Tamper(t, db, func(tx *sqlx.Tx) error {
					return exec(tx, "UPDATE audit_events SET "+column+" = coalesce("+column+", 0) + 1 WHERE seq = ?", p.seq)
				})
				checkFirstBad(t, db, p.seq)
			})
		}
	}
}

func TestVerify_NamesADeletedEvent(t *testing.T) {
	for _, p := range positions {
		t.Run(p.name, func(t *testing.T) {
			db := newDB(t)
			recordN(t, db, chainLength)
			audittest.Tamper(t, db, func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_events WHERE seq = ?", p.seq) })
			checkFirstBad(t, db, p.seq)
		})
	}
	t.Run("several in the middle", func(t *testing.T) {
		db := newDB(t)
		recordN(t, db, chainLength)
		audittest.Tamper(t, db, func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_events WHERE seq IN (4, 6, 7)") })
		checkFirstBad(t, db, 4)
	})
}

// swapContents exchanges every column but seq between events i and j.
func swapContents(i, j int64) func(tx *sqlx.Tx) error {
	const cols = "at, actor_id, actor, roles, org_id, org_path, action, entity_type, entity_id, changes, reason, " +
		"request_id, client_addr, prev_hash, hash"
	return func(tx *sqlx.Tx) error {
		if err := exec(tx, "CREATE TEMP TABLE swap AS SELECT * FROM audit_events WHERE seq IN (?, ?)", i, j); err != nil {
			return err
		}
		for _, p := range [][2]int64{{i, j}, {j, i}} {
			if err := exec(tx, "UPDATE audit_events SET ("+cols+") = (SELECT "+cols+" FROM temp.swap WHERE seq = ?) WHERE seq = ?",
				p[1], p[0]); err != nil {
				return err
			}
		}
		_, err := tx.Exec("DROP TABLE temp.swap")
		return err
	}
}

func TestVerify_NamesTheFirstOfTwoSwappedEvents(t *testing.T) {
	tests := []struct {
		name string
		i, j int64
	}{
		{"first two", 1, 2},
		{"two in the middle", 4, 7},
		{"last two", chainLength - 1, chainLength},
		{"first and last", 1, chainLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			recordN(t, db, chainLength)
			before := events(t, db)
			audittest.Tamper(t, db, swapContents(tt.i, tt.j))
			after := events(t, db)
			if after[tt.i-1].Hash != before[tt.j-1].Hash || after[tt.j-1].Hash != before[tt.i-1].Hash {
				t.Fatal("the swap did not happen")
			}
			checkFirstBad(t, db, tt.i)
		})
	}
}

func TestVerify_NamesTheFirstEventCutFromTheTail(t *testing.T) {
	for _, cut := range []int64{1, 3, chainLength - 1, chainLength} {
		t.Run(fmt.Sprintf("last %d", cut), func(t *testing.T) {
			db := newDB(t)
			recordN(t, db, chainLength)
			audittest.Tamper(t, db, func(tx *sqlx.Tx) error {
				return exec(tx, "DELETE FROM audit_events WHERE seq > ?", chainLength-cut)
			})
			checkFirstBad(t, db, chainLength-cut+1)
		})
	}
}

func TestVerify_NamesDamageToTheHead(t *testing.T) {
	tests := []struct {
		name   string
		change func(tx *sqlx.Tx) error
		want   int64
	}{
		{"head hash changed", func(tx *sqlx.Tx) error {
			return exec(tx, "UPDATE audit_head SET hash = replace(hash, substr(hash, 1, 1), 'x')")
		}, chainLength},
		{"head deleted", func(tx *sqlx.Tx) error { return exec(tx, "DELETE FROM audit_head") }, 1},
		{"head moved back one", func(tx *sqlx.Tx) error {
			return exec(tx, "UPDATE audit_head SET seq = seq - 1")
		}, chainLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := newDB(t)
			recordN(t, db, chainLength)
			audittest.Tamper(t, db, tt.change)
			checkFirstBad(t, db, tt.want)
		})
	}
}

// An event inserted with a correct hash but without moving the head is found: the head is behind the chain.
func TestVerify_NamesAnEventAppendedBehindTheHeadsBack(t *testing.T) {
	db := newDB(t)
	recordN(t, db, chainLength)
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := db.R.Get(&head, "SELECT seq, hash FROM audit_head"); err != nil {
		t.Fatal(err)
	}
	// Record the forged event properly, then put the head back where it was.
	record(t, db, caseworker, t0, audit.Entry{Action: "forged", EntityType: "x", EntityID: "1"})
	audittest.Tamper(t, db, func(tx *sqlx.Tx) error {
		return exec(tx, "UPDATE audit_head SET seq = ?, hash = ?", head.Seq, head.Hash)
	})
	checkFirstBad(t, db, chainLength+1)
}

// Verify runs on the live database (`GET /api/v1/audit/verify` while serving): events committed while it
// walks the chain must not look like damage.
func TestVerify_ReportsNoDamageWhileEventsAreBeingWritten(t *testing.T) {
	db := newDB(t)
	recordN(t, db, 50)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := db.Write(ctx, func(tx *sqlx.Tx) error {
				return audit.Record(ctx, tx, actor.System("writer"), t0, audit.Entry{Action: "w", EntityType: "x", EntityID: fmt.Sprint(i)})
			})
			if err != nil {
				writeErr = err
				return
			}
		}
	}()
	var bad []audit.Result
	for i := 0; i < 100; i++ {
		r, err := audit.Verify(ctx, db.R)
		if err != nil {
			t.Fatal(err)
		}
		if !r.OK {
			bad = append(bad, r)
		}
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	if len(bad) > 0 {
		t.Errorf("%d of 100 verifications of an untouched live chain reported damage, e.g. %+v", len(bad), bad[0])
	}
	if r := verify(t, db); !r.OK {
		t.Errorf("Verify after the writes = %+v", r)
	}
}
