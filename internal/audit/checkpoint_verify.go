package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"
)

// Problem names what a verification found.
type Problem string

const (
	Edited    Problem = "edited"    // an event's content, its hashes or the head were changed
	Deleted   Problem = "deleted"   // an event is missing from the middle of the chain
	Reordered Problem = "reordered" // an intact event stands at another place than the one it was written at
	Truncated Problem = "truncated" // events are missing from the tail
	Rewritten Problem = "rewritten" // the chain is consistent in itself but does not pass through a signed head
)

// ProblemNames are the Chinese descriptions shown to users.
var ProblemNames = map[Problem]string{
	Edited: "事件被篡改", Deleted: "事件被删除", Reordered: "事件顺序被调换", Truncated: "日志尾部被截断",
	Rewritten: "日志被整体改写并重新计算哈希",
}

// CheckpointStatus is what one checkpoint says about the log.
type CheckpointStatus struct {
	Seq      int64  `json:"seq"`
	Time     string `json:"time"`
	HeadHash string `json:"head_hash"`
	OK       bool   `json:"ok"`
}

// CheckpointResult is the outcome of verifying the chain against checkpoints. On damage, FirstBadSeq is the
// first sequence number that is not what the log held when it was signed, and Problem says how. A chain that
// was rewritten and rehashed whole is consistent in itself: it is caught because it no longer passes through
// a signed head, and its first bad sequence number is the one after the last checkpoint it still passes
// through (the checkpoints bound where the rewrite began; the closer they are, the closer the bound).
type CheckpointResult struct {
	OK          bool    `json:"ok"`
	HeadSeq     int64   `json:"head_seq"`
	HeadHash    string  `json:"head_hash"`
	FirstBadSeq int64   `json:"first_bad_seq,omitempty"`
	Problem     Problem `json:"problem,omitempty"`
	// DisprovedBy: for a rewrite, the sequence number of the first checkpoint the chain no longer passes
	// through; the rewrite began between FirstBadSeq and it.
	DisprovedBy int64              `json:"disproved_by,omitempty"`
	Message     string             `json:"message"`
	Checkpoints []CheckpointStatus `json:"checkpoints"`
}

// VerifyCheckpoints walks the chain once and checks, besides every link (as Verify does), that the event at
// each checkpoint's sequence number has the signed hash. The signatures must have been checked by the caller
// (Checkpoints.Verify does). Given a pool, it reads in one read transaction.
func VerifyCheckpoints(ctx context.Context, q sqlx.QueryerContext, cps []Checkpoint) (CheckpointResult, error) {
	if db, ok := q.(*sqlx.DB); ok {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return CheckpointResult{}, err
		}
		defer tx.Rollback()
		q = tx
	}
	cps = append([]Checkpoint(nil), cps...)
	sort.Slice(cps, func(i, j int) bool { return cps[i].Seq < cps[j].Seq })
	want := map[int64]string{} // seq → the hash the chain held there, filled by the walk
	for _, c := range cps {
		if c.Seq > 0 {
			want[c.Seq] = ""
		}
	}

	res := CheckpointResult{Checkpoints: []CheckpointStatus{}}
	bad := func(seq int64, p Problem) {
		if res.FirstBadSeq == 0 || seq < res.FirstBadSeq {
			res.FirstBadSeq, res.Problem = seq, p
		}
	}

	// 1. The links, as Verify walks them, naming how the first broken one broke.
	rows, err := q.QueryxContext(ctx, "SELECT * FROM audit_events ORDER BY seq")
	if err != nil {
		return CheckpointResult{}, err
	}
	expected, prev := int64(1), GenesisHash
	broken := false
	for rows.Next() {
		var e Event
		if err := rows.StructScan(&e); err != nil {
			rows.Close()
			return CheckpointResult{}, fmt.Errorf("audit verify: %w", err)
		}
		if _, ok := want[e.Seq]; ok {
			want[e.Seq] = e.Hash
		}
		if broken {
			continue
		}
		switch {
		case e.Seq != expected:
			bad(expected, Deleted)
			broken = true
		case e.PrevHash != prev || chainHash(e.PrevHash, &e) != e.Hash:
			bad(e.Seq, Edited) // refined below, once the rows are closed
			broken = true
		default:
			prev = e.Hash
			expected++
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return CheckpointResult{}, err
	}
	rows.Close()
	last, lastHash := expected-1, prev
	if broken && res.Problem == Edited {
		p, err := classify(ctx, q, res.FirstBadSeq)
		if err != nil {
			return CheckpointResult{}, err
		}
		res.Problem = p
	}

	// 2. The head row, which remembers how far the chain went.
	head, err := readHead(ctx, q)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if last > 0 {
			bad(1, Edited)
		}
	case err != nil:
		return CheckpointResult{}, err
	case broken:
	case head.Seq > last:
		bad(last+1, Truncated)
	case head.Seq < last:
		bad(head.Seq+1, Edited) // events appended behind the head's back
	case head.Hash != lastHash:
		bad(last, Edited)
	}

	// 3. Each checkpoint, in sequence order: the log must still hold, at the signed sequence number, the
	// signed hash. A mismatch means the chain was rewritten after the last checkpoint it still matches.
	matched := int64(0)
	for _, c := range cps {
		st := CheckpointStatus{Seq: c.Seq, Time: c.Time, HeadHash: c.HeadHash}
		got := want[c.Seq]
		switch {
		case c.Seq == 0:
			st.OK = c.HeadHash == GenesisHash
		case got == "":
			// The chain ends before the signed head: its tail was cut off (and the head row moved back with it,
			// or step 2 would have said so).
			bad(min(last, c.Seq-1)+1, Truncated)
		case broken && res.FirstBadSeq <= c.Seq:
			// The walk already broke before this checkpoint: the mismatch follows from that damage.
		case got != c.HeadHash:
			if res.FirstBadSeq == 0 || matched+1 < res.FirstBadSeq {
				res.DisprovedBy = c.Seq
			}
			bad(matched+1, Rewritten)
		default:
			st.OK = true
			matched = c.Seq
		}
		res.Checkpoints = append(res.Checkpoints, st)
	}

	if res.FirstBadSeq == 0 {
		res.OK, res.HeadSeq, res.HeadHash = true, last, lastHash
		res.Message = fmt.Sprintf("日志完整：共 %d 条事件，自 %d 个检查点以来只增未改", last, len(cps))
	} else if res.Problem == Rewritten {
		res.Message = fmt.Sprintf("%s：与序号 %d 的检查点不符，改写始于序号 %d 至 %d 之间，第一个异常的序号为 %d",
			ProblemNames[res.Problem], res.DisprovedBy, res.FirstBadSeq, res.DisprovedBy, res.FirstBadSeq)
	} else {
		res.DisprovedBy = 0
		res.Message = fmt.Sprintf("%s：第一个异常的序号为 %d", ProblemNames[res.Problem], res.FirstBadSeq)
	}
	return res, nil
}

// classify says how the first broken event at seq broke. An event whose stored hash is right for another
// place in the chain is intact but was moved: reordered, or renumbered after the event it was chained to was
// deleted. Otherwise it was edited. Moves are looked for nearby (within reorderWindow places).
func classify(ctx context.Context, q sqlx.QueryerContext, seq int64) (Problem, error) {
	var e Event
	if err := sqlx.GetContext(ctx, q, &e, "SELECT * FROM audit_events WHERE seq = ?", seq); err != nil {
		return "", err
	}
	// The event it was chained to, if that one is still in the log.
	var parent sql.NullInt64
	if err := sqlx.GetContext(ctx, q, &parent, "SELECT max(seq) FROM audit_events WHERE hash = ?", e.PrevHash); err != nil {
		return "", err
	}
	intactAt := func(s int64) bool { m := e; m.Seq = s; return s > 0 && s != seq && chainHash(m.PrevHash, &m) == e.Hash }
	moved := (parent.Valid && intactAt(parent.Int64+1)) || (e.PrevHash == GenesisHash && intactAt(1))
	for d := int64(1); !moved && d <= reorderWindow; d++ {
		moved = intactAt(seq-d) || intactAt(seq+d)
	}
	switch {
	case !moved:
		return Edited, nil
	case !parent.Valid && e.PrevHash != GenesisHash:
		return Deleted, nil
	}
	return Reordered, nil
}

const reorderWindow = 512
