package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
)

// The transaction boundary (SPEC §10: every rule checked inside the write transaction, FULL durability).
//
// A request's unit of work is one call of Write(ctx, fn) (services call it through InTx): fn holds every read
// a rule depends on, every row it writes, its ledger transfers and its audit event. Inside commitLoop, the one
// goroutine that owns the writer connection, fn runs inside "SAVEPOINT w … RELEASE w" of a group transaction
// (BEGIN IMMEDIATE … COMMIT) shared with the other requests waiting at that moment:
//
//   - Isolation: fn runs alone on the only writer connection, between the previous request's RELEASE and its
//     own, so what it reads (a balance, a cap, a status) is what it writes against; no other write interleaves.
//   - A refused request (fn returns an error: a rule, a validation, a conflict) or a panicking one is rolled
//     back to its savepoint before the next request runs: "ROLLBACK TO w" undoes exactly fn's changes, rows,
//     audit event and ledger entries alike, and the requests before it keep theirs. Its caller gets the error
//     and no partial write can survive, because nothing of fn's is outside the savepoint. (SQLite undoes it
//     from the savepoint journal, which the writer keeps in memory — temp_store, store.go; a failing single
//     statement is undone likewise from its statement journal, so fn sees either all of a statement or none.)
//   - What an area defers to the end of fn (Request.AtEnd) runs inside the same savepoint, before RELEASE; if
//     it fails, the request is rolled back like a failing fn. What an area caches for fn (Request.Set) is
//     dropped when fn ends, so a rolled-back request leaves no cached value behind for the next one.
//   - What a request hands on to the next requests of its group (Request.Share: the audit chain's head as its
//     events left it) reaches them only once its RELEASE succeeded; a rolled-back request hands on nothing,
//     so the next one starts from what the kept requests left. What an area writes once per group
//     (Request.BeforeCommit: the audit chain's head row) runs after the last request's RELEASE and before
//     COMMIT, outside every savepoint; if it fails, the transaction is rolled back and every request of the
//     group gets the error, as when COMMIT fails: none was acknowledged.
//   - If SQLite drops the whole transaction (an interrupt, an I/O error: lostTransaction), the failing request
//     gets its error and the others run again from scratch in a fresh transaction; none was acknowledged yet.
//   - Acknowledgement: Write returns nil only after COMMIT returned and then an fsync of the WAL covered it
//     (durable.go: the fsync runs beside the writer, which goes on with the next group meanwhile), so an
//     acknowledged write survives kill -9 and power loss (cmd/bangfu/kill_test.go). A failed COMMIT or fsync
//     answers every request of the group with the error: none of them is acknowledged.
//
// Group commit shares the fsync, not the rules: each fn still sees the committed-or-earlier-in-group state
// and is checked in full.

// maxGroup bounds how many writes share one transaction.
const maxGroup = 64

type writeRequest struct {
	ctx   context.Context
	fn    func(tx *sqlx.Tx) error
	done  chan writeResult
	began bool // fn succeeded and its changes stand in the group's transaction, awaiting the commit
	// together, when set, is a whole group to run as it is (WriteTogether); the request itself has no fn.
	together []*writeRequest
}

type writeResult struct {
	err   error
	panic any
}

var errClosed = errors.New("store: database closed")

// Write runs fn in a write transaction (BEGIN IMMEDIATE on the single writer connection) and returns once
// fn's changes are committed, or with fn's error and none of its changes. Every change, with its audit event
// and ledger rows, goes through here.
//
// Writes that arrive together share one transaction (group commit): each fn runs inside its own savepoint, so
// a failing fn is rolled back alone, and the one commit — one fsync with synchronous=FULL — answers them all.
// With many concurrent writers this multiplies throughput; a lone writer waits for nothing.
// A panic in fn is re-raised in the caller's goroutine after fn's savepoint is rolled back.
func (db *DB) Write(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	db.sending.RLock() // Close takes the write lock before it closes the channel
	if db.closed {
		db.sending.RUnlock()
		return errClosed
	}
	db.writes <- req
	db.sending.RUnlock()
	res := <-req.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

// WriteTogether runs fns as the requests of one group transaction, in order, as Write runs requests that
// arrive together, and returns each one's error (nil: committed). Tests use it to pin what requests sharing a
// transaction see of each other.
func (db *DB) WriteTogether(ctx context.Context, fns ...func(tx *sqlx.Tx) error) []error {
	group := make([]*writeRequest, len(fns))
	for i, fn := range fns {
		group[i] = &writeRequest{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	}
	errs := make([]error, len(fns))
	db.sending.RLock()
	if db.closed {
		db.sending.RUnlock()
		for i := range errs {
			errs[i] = errClosed
		}
		return errs
	}
	db.writes <- &writeRequest{together: group}
	db.sending.RUnlock()
	for i, r := range group {
		res := <-r.done
		if res.panic != nil {
			panic(res.panic)
		}
		errs[i] = res.err
	}
	return errs
}

// commitLoop is the one goroutine that writes: it takes the waiting requests, runs them in one
// transaction and commits.
func (db *DB) commitLoop() {
	defer close(db.stopped)
	defer db.ack.close() // the last groups' answers, after their fsync
	for first := range db.writes {
		if first.together != nil {
			db.commitGroup(first.together)
			continue
		}
		group := []*writeRequest{first}
	more:
		for len(group) < maxGroup {
			select {
			case r, ok := <-db.writes:
				if !ok {
					break more
				}
				if r.together != nil { // runs on its own, after this group
					db.commitGroup(group)
					group = nil
					db.commitGroup(r.together)
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		if group != nil {
			db.commitGroup(group)
		}
	}
}

func (db *DB) commitGroup(group []*writeRequest) {
	results := make([]writeResult, len(group))
	committed := false
	answer := func() { db.ack.answer(reply{group: group, results: results, committed: committed}) }
	if err := db.ack.refused(); err != nil {
		for i := range results {
			results[i].err = err
		}
		answer()
		return
	}
	db.ckpt.byWriter(db.W)
	tx, err := db.W.Beginx()
	if err != nil {
		for i := range results {
			results[i].err = fmt.Errorf("begin: %w", err)
		}
		answer()
		return
	}
	g := &groupState{shared: map[any]any{}}
	for i, r := range group {
		res, broken := runInSavepoint(tx, g, r)
		if !broken {
			results[i] = res
			continue
		}
		// r's failure took the whole transaction with it. r gets its error; the others did nothing wrong and
		// their changes are gone with the transaction, so they run again in a fresh one.
		tx.Rollback()
		db.ack.answer(reply{group: []*writeRequest{r}, results: []writeResult{res}})
		var again []*writeRequest
		for _, o := range group {
			if o != r {
				o.began = false
				again = append(again, o)
			}
		}
		if len(again) > 0 {
			db.commitGroup(again)
		}
		return
	}
	if err := g.beforeCommit(); err != nil {
		tx.Rollback()
		for i, r := range group {
			if r.began {
				results[i].err = err
			}
		}
		answer()
		return
	}
	if err := tx.Commit(); err != nil {
		for i, r := range group {
			if r.began {
				results[i].err = fmt.Errorf("commit: %w", err)
			}
		}
	} else {
		committed = true
		db.ckpt.committed()
	}
	answer()
}

// groupState is what the requests of one group transaction hand on to each other (Request.Share) and what
// runs once before its COMMIT (Request.BeforeCommit).
type groupState struct {
	shared  map[any]any
	keys    []any // of the functions, in the order first registered
	commits map[any]func() error
}

func (g *groupState) beforeCommit() error {
	for _, k := range g.keys {
		if err := g.commits[k](); err != nil {
			return err
		}
	}
	return nil
}

// runInSavepoint runs one request's fn inside a savepoint of tx. broken reports that the transaction
// itself is gone (SQLite rolls the whole transaction back on some errors, e.g. an interrupt when a caller's
// context is cancelled), so nothing more may run in it.
func runInSavepoint(tx *sqlx.Tx, g *groupState, r *writeRequest) (res writeResult, broken bool) {
	if err := r.ctx.Err(); err != nil {
		return writeResult{err: err}, false
	}
	if _, err := tx.ExecContext(prepared, "SAVEPOINT w"); err != nil {
		return writeResult{err: fmt.Errorf("savepoint: %w", err)}, true
	}
	req := &Request{group: g}
	func() {
		requests.Store(tx, req)
		defer requests.Delete(tx)
		defer func() {
			if p := recover(); p != nil {
				res.panic = p
			}
		}()
		if res.err = r.fn(tx); res.err == nil {
			res.err = req.end()
		}
	}()
	if res.err != nil || res.panic != nil {
		if _, err := tx.Exec("ROLLBACK TO w; RELEASE w"); err != nil { // rare: parsed each time
			return res, lostTransaction(err)
		}
		return res, false
	}
	if _, err := tx.ExecContext(prepared, "RELEASE w"); err != nil {
		return writeResult{err: fmt.Errorf("release: %w", err)}, true
	}
	r.began = true
	for k, v := range req.handOn {
		g.shared[k] = v
	}
	return res, false
}

// Request is what one request's fn keeps for its own length in the group's transaction: values an area
// caches between its statements (the audit chain's head), and work it defers to the end of fn (writing that
// head once rather than after every event). Both live exactly as long as fn's savepoint: when fn fails they
// are dropped with its changes, so nothing cached can outlive a rollback.
type Request struct {
	values map[any]any
	atEnd  []func() error
	group  *groupState
	handOn map[any]any // Share: for the group once the savepoint is released
}

// requests holds the Request of each group transaction whose fn is running (one at a time per transaction).
var requests sync.Map // *sqlx.Tx → *Request

// RequestOf returns the Request of the fn running in tx, or nil when tx is not a Write's (then the caller
// keeps nothing and defers nothing).
func RequestOf(tx *sqlx.Tx) *Request {
	if r, ok := requests.Load(tx); ok {
		return r.(*Request)
	}
	return nil
}

// Value is what Set kept under key during this fn, or nil.
func (r *Request) Value(key any) any { return r.values[key] }

// Set keeps v under key until fn ends.
func (r *Request) Set(key, v any) {
	if r.values == nil {
		r.values = map[any]any{}
	}
	r.values[key] = v
}

// AtEnd has f run, in tx, once fn has returned without an error and before its savepoint is released, in the
// order registered. An error from f is fn's error: the request is rolled back and its caller gets it.
func (r *Request) AtEnd(f func() error) { r.atEnd = append(r.atEnd, f) }

// Shared is what the requests before this one in the group's transaction handed on under key (Share), the
// last one kept; nil when none did.
func (r *Request) Shared(key any) any { return r.group.shared[key] }

// Share hands v on under key to the requests after this one in the group's transaction, once this one's
// savepoint is released; if this request is rolled back, v is dropped. The next requests must not change v:
// each copies what it needs and shares its own value.
func (r *Request) Share(key, v any) {
	if r.handOn == nil {
		r.handOn = map[any]any{}
	}
	r.handOn[key] = v
}

// BeforeCommit has f run once in the group's transaction after its last request, before COMMIT (once per key,
// whichever request registered it first, kept or rolled back: f reads what the kept requests Shared). An
// error from f fails every request of the group; none of them is acknowledged.
func (r *Request) BeforeCommit(key any, f func() error) {
	g := r.group
	if _, ok := g.commits[key]; ok {
		return
	}
	if g.commits == nil {
		g.commits = map[any]func() error{}
	}
	g.commits[key] = f
	g.keys = append(g.keys, key)
}

func (r *Request) end() error {
	for _, f := range r.atEnd {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// prepared is a context that is never cancelled but has a Done channel: go-sqlite3 runs a statement without
// arguments under a context without one by parsing it afresh each time (sqlite3_exec), and under one like
// this through its statement cache. SAVEPOINT and RELEASE run twice per request.
var prepared, _ = context.WithCancel(context.Background())

// lostTransaction reports whether err says the savepoint, and so the transaction, no longer exists.
func lostTransaction(err error) bool {
	return strings.Contains(err.Error(), "no such savepoint") || strings.Contains(err.Error(), "no transaction")
}

// InTx runs fn in a write transaction through db.Write and returns its result: the one transaction helper
// every area's service uses, so that a service method is one call whose changes — with their audit events and
// ledger rows — commit together or not at all.
func InTx[T any](ctx context.Context, db *DB, fn func(tx *sqlx.Tx) (T, error)) (T, error) {
	var out T
	err := db.Write(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}
