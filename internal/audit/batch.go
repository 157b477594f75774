package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
)

// Appender records many events in one transaction, as Record does event by event, with prepared statements
// and the chain's head kept in memory between events (imports write one event per household, SPEC §8.3).
// Nothing else may record in the transaction while an Appender is in use.
type Appender struct {
	tx               *sqlx.Tx
	insert, moveHead *sqlx.Stmt
	seq              int64
	hash             string
}

// NewAppender reads the chain's head inside tx and prepares the statements.
func NewAppender(ctx context.Context, tx *sqlx.Tx) (*Appender, error) {
	p := &Appender{tx: tx}
	err := tx.QueryRowxContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&p.seq, &p.hash)
	if errors.Is(err, sql.ErrNoRows) {
		p.seq, p.hash = 0, GenesisHash
	} else if err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	if p.insert, err = tx.PreparexContext(ctx, `INSERT INTO audit_events (seq, at, actor_id, actor, roles, org_id,
		org_path, action, entity_type, entity_id, changes, reason, request_id, client_addr, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	if p.moveHead, err = tx.PreparexContext(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"); err != nil {
		p.insert.Close()
		return nil, err
	}
	return p, nil
}

// Close releases the prepared statements.
func (p *Appender) Close() {
	p.insert.Close()
	p.moveHead.Close()
}

// Record appends one event, exactly as Record would. An After of type json.RawMessage with no Before is
// stored as {"after": After} without being decoded again.
func (p *Appender) Record(ctx context.Context, a actor.Actor, at time.Time, en Entry) error {
	e := newEvent(a, at, en, p.seq+1, p.hash)
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
	var err error
	if e.Seq == 1 {
		_, err = p.tx.ExecContext(ctx, "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", e.Seq, e.Hash)
	} else {
		_, err = p.moveHead.ExecContext(ctx, e.Seq, e.Hash)
	}
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	p.seq, p.hash = e.Seq, e.Hash
	return nil
}
