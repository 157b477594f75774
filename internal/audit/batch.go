package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
)

// Appender records many events in one transaction, as Record does event by event, with prepared statements
// and the chain's head kept in memory between events (imports write one event per household, SPEC §8.3).
// Nothing else may record in the transaction while an Appender is in use.
type Appender struct {
	tx      *sqlx.Tx
	insert  *sqlx.Stmt
	head    *chainHead // shared with Record in the same request of store.Write
	managed bool
}

// NewAppender takes the chain's head inside tx (as Record does, so that the two may take turns in one
// request) and prepares the insert.
func NewAppender(ctx context.Context, tx *sqlx.Tx) (*Appender, error) {
	head, managed, err := headOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	p := &Appender{tx: tx, head: head, managed: managed}
	if p.insert, err = tx.PreparexContext(ctx, `INSERT INTO audit_events (seq, at, actor_id, actor, roles, org_id,
		org_path, action, entity_type, entity_id, changes, reason, request_id, client_addr, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	return p, nil
}

// Close releases the prepared statement.
func (p *Appender) Close() {
	p.insert.Close()
}

// Record appends one event, exactly as Record would. An After of type json.RawMessage with no Before is
// stored as {"after": After} without being decoded again.
func (p *Appender) Record(ctx context.Context, a actor.Actor, at time.Time, en Entry) error {
	e := newEvent(a, at, en, p.head.seq+1, p.head.hash)
	if raw, ok := en.After.(json.RawMessage); ok && en.Before == nil {
		e.Changes = sql.NullString{String: `{"after":` + string(raw) + `}`, Valid: true}
	} else if en.Before != nil || en.After != nil {
		c, err := Changes(en.Before, en.After)
		if err != nil {
			return err
		}
		e.Changes = sql.NullString{String: c, Valid: true}
	}
	e.Hash = chainHash(e.PrevHash, &e)
	if _, err := p.insert.ExecContext(ctx, e.Seq, e.At, e.ActorID, e.Actor, e.Roles, e.OrgID, e.OrgPath, e.Action,
		e.EntityType, e.EntityID, e.Changes, e.Reason, e.RequestID, e.ClientAddr, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	return p.head.advance(ctx, p.tx, p.managed, &e)
}
