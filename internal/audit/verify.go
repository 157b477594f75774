package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Result is the outcome of walking the chain. On damage, FirstBadSeq is the first sequence number that is
// not what an untouched log would hold there: changed, missing, out of order, or cut off at the tail.
type Result struct {
	OK          bool   `json:"ok"`
	HeadSeq     int64  `json:"head_seq,omitempty"`
	HeadHash    string `json:"head_hash,omitempty"`
	FirstBadSeq int64  `json:"first_bad_seq,omitempty"`
}

// Verify walks the whole chain in sequence order and checks each link, then that the last event is the
// recorded head. Given a pool, it reads the events and the head in one read transaction: on a live database
// an event committed between the two reads would otherwise look like a cut-off tail.
func Verify(ctx context.Context, q sqlx.QueryerContext) (Result, error) {
	if db, ok := q.(*sqlx.DB); ok {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return Result{}, err
		}
		defer tx.Rollback()
		return verify(ctx, tx)
	}
	return verify(ctx, q)
}

func verify(ctx context.Context, q sqlx.QueryerContext) (Result, error) {
	rows, err := q.QueryxContext(ctx, "SELECT * FROM audit_events ORDER BY seq")
	if err != nil {
		return Result{}, err
	}
	defer rows.Close()
	expected, prev := int64(1), GenesisHash
	for rows.Next() {
		var e Event
		if err := rows.StructScan(&e); err != nil {
			return Result{}, fmt.Errorf("audit verify: %w", err)
		}
		switch {
		case e.Seq != expected:
			return Result{FirstBadSeq: expected}, nil
		case e.PrevHash != prev, chainHash(e.PrevHash, &e) != e.Hash:
			return Result{FirstBadSeq: e.Seq}, nil
		}
		prev = e.Hash
		expected++
	}
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	last := expected - 1
	head, err := readHead(ctx, q)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if last > 0 {
			return Result{FirstBadSeq: 1}, nil // events without a head: the head row was removed
		}
		return Result{OK: true, HeadHash: GenesisHash}, nil
	case err != nil:
		return Result{}, err
	case head.Seq > last:
		return Result{FirstBadSeq: last + 1}, nil // the tail was cut off
	case head.Seq < last:
		return Result{FirstBadSeq: head.Seq + 1}, nil // events appended behind the head's back
	case head.Hash != prev:
		return Result{FirstBadSeq: last}, nil
	}
	return Result{OK: true, HeadSeq: last, HeadHash: prev}, nil
}

// headRow is the head row, which remembers how far the chain went.
type headRow struct {
	Seq  int64  `db:"seq"`
	Hash string `db:"hash"`
}

// readHead reads the head row; sql.ErrNoRows where there is none.
func readHead(ctx context.Context, q sqlx.QueryerContext) (headRow, error) {
	var h headRow
	err := sqlx.GetContext(ctx, q, &h, "SELECT seq, hash FROM audit_head WHERE id = 1")
	return h, err
}
