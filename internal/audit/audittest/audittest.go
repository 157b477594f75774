// Package audittest tampers with the audit chain the way someone holding the database file could, for the
// tests that show the chain walk and the signed checkpoints catch it.
package audittest

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// Tamper drops the triggers that keep the audit tables append-only and runs change in one write.
func Tamper(t testing.TB, db *store.DB, change func(tx *sqlx.Tx) error) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		for _, trigger := range []string{"audit_events_no_update", "audit_events_no_delete",
			"audit_head_no_delete", "audit_head_only_forward"} {
			if _, err := tx.Exec("DROP TRIGGER " + trigger); err != nil {
				return err
			}
		}
		return change(tx)
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

// Exec is one statement of a change; it runs query with args.
func Exec(query string, args ...any) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	}
}

// Rehash recomputes every hash from seq on and moves the head to the last event, as an attacker who knows the
// (public) algorithm would after changing or removing events: the chain is then consistent in itself, and only
// a signed checkpoint tells.
func Rehash(seq int64) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		var es []audit.Event
		if err := tx.Select(&es, "SELECT * FROM audit_events ORDER BY seq"); err != nil {
			return err
		}
		prev := audit.GenesisHash
		for i := range es {
			e := &es[i]
			if e.Seq >= seq {
				e.PrevHash = prev
				e.Hash = audit.HashEvent(prev, e)
				if _, err := tx.Exec("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", e.PrevHash, e.Hash, e.Seq); err != nil {
					return err
				}
			}
			prev = e.Hash
		}
		last := es[len(es)-1]
		_, err := tx.Exec("UPDATE audit_head SET seq = ?, hash = ?", last.Seq, last.Hash)
		return err
	}
}

// Steps is the changes in order, as one change.
func Steps(changes ...func(tx *sqlx.Tx) error) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		for _, change := range changes {
			if err := change(tx); err != nil {
				return err
			}
		}
		return nil
	}
}
