// Package audit owns the audit trail (SPEC §7): an append-only, hash-chained log of every change, written in
// the same transaction as the change; its verification; and its listing. It knows nothing of households or
// money: callers name the entity they changed.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/store"
)

// GenesisHash is the prev_hash of the first event.
var GenesisHash = hex.EncodeToString(make([]byte, sha256.Size))

// Entry is what a caller records: what was done to which entity, and why.
type Entry struct {
	Action     string // e.g. "user.create", "session.login"
	EntityType string // e.g. "user"
	EntityID   string
	OrgID      int64  // the org whose scope the entity belongs to; 0: the actor's org
	OrgPath    string // path of OrgID; "" with OrgID 0: the actor's path
	Before     any    // the entity before (nil for a creation); only changed fields are kept
	After      any    // the entity after (nil for a deletion)
	Reason     string
}

// Event is one stored audit event.
type Event struct {
	Seq        int64           `db:"seq" json:"seq"`
	At         string          `db:"at" json:"time"`
	ActorID    sql.NullInt64   `db:"actor_id" json:"-"`
	Actor      string          `db:"actor" json:"actor"`
	Roles      string          `db:"roles" json:"-"`
	RoleList   []string        `db:"-" json:"roles"`
	OrgID      sql.NullInt64   `db:"org_id" json:"-"`
	OrgPath    string          `db:"org_path" json:"-"`
	Action     string          `db:"action" json:"action"`
	EntityType string          `db:"entity_type" json:"entity_type"`
	EntityID   string          `db:"entity_id" json:"entity_id"`
	Changes    sql.NullString  `db:"changes" json:"-"`
	ChangesRaw json.RawMessage `db:"-" json:"changes"`
	Reason     string          `db:"reason" json:"reason"`
	RequestID  string          `db:"request_id" json:"request_id"`
	ClientAddr string          `db:"client_addr" json:"client_addr"`
	PrevHash   string          `db:"prev_hash" json:"prev_hash"`
	Hash       string          `db:"hash" json:"hash"`
}

// canonical is the byte string the hash covers: every stored column but the two hashes, in a fixed order,
// taken exactly as stored so that verification needs no re-interpretation.
func (e *Event) canonical() []byte {
	var actorID, orgID any
	if e.ActorID.Valid {
		actorID = e.ActorID.Int64
	}
	if e.OrgID.Valid {
		orgID = e.OrgID.Int64
	}
	var changes any
	if e.Changes.Valid {
		changes = e.Changes.String
	}
	b, _ := json.Marshal([]any{e.Seq, e.At, actorID, e.Actor, e.Roles, orgID, e.OrgPath, e.Action,
		e.EntityType, e.EntityID, changes, e.Reason, e.RequestID, e.ClientAddr})
	return b
}

func chainHash(prev string, e *Event) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(e.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// Record appends an event for a, inside tx. The caller's change and the event commit or roll back together.
func Record(ctx context.Context, tx *sqlx.Tx, a actor.Actor, at time.Time, en Entry) error {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	err := tx.GetContext(ctx, &head, "SELECT seq, hash FROM audit_head WHERE id = 1")
	if errors.Is(err, sql.ErrNoRows) {
		head.Seq, head.Hash = 0, GenesisHash
	} else if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e := Event{
		Seq: head.Seq + 1, At: store.FormatTime(at), Actor: a.Username, Roles: a.RoleList(),
		Action: en.Action, EntityType: en.EntityType, EntityID: en.EntityID, Reason: en.Reason,
		RequestID: a.RequestID, ClientAddr: a.ClientAddr, PrevHash: head.Hash,
	}
	if a.UserID != 0 {
		e.ActorID = sql.NullInt64{Int64: a.UserID, Valid: true}
	}
	orgID, orgPath := en.OrgID, en.OrgPath
	if orgID == 0 {
		orgID, orgPath = a.OrgID, a.OrgPath
	}
	if orgID != 0 {
		e.OrgID = sql.NullInt64{Int64: orgID, Valid: true}
	}
	if orgPath == "" {
		orgPath = "/"
	}
	e.OrgPath = orgPath
	if en.Before != nil || en.After != nil {
		c, err := Changes(en.Before, en.After)
		if err != nil {
			return err
		}
		e.Changes = sql.NullString{String: c, Valid: true}
	}
	e.Hash = chainHash(e.PrevHash, &e)
	// Positional rather than named: every change in the system passes here, and sqlx compiles a named query
	// on every call.
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events
		(seq, at, actor_id, actor, roles, org_id, org_path, action, entity_type, entity_id, changes, reason,
		 request_id, client_addr, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.ActorID, e.Actor, e.Roles, e.OrgID, e.OrgPath, e.Action, e.EntityType, e.EntityID, e.Changes,
		e.Reason, e.RequestID, e.ClientAddr, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if head.Seq == 0 {
		_, err = tx.ExecContext(ctx, "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", e.Seq, e.Hash)
	} else {
		_, err = tx.ExecContext(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", e.Seq, e.Hash)
	}
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// Changes renders the fields that differ between before and after as {"before": {...}, "after": {...}}.
// Both are encoded as JSON objects first, so struct tags decide the field names; a nil side is left out.
func Changes(before, after any) (string, error) {
	b, err := asMap(before)
	if err != nil {
		return "", err
	}
	a, err := asMap(after)
	if err != nil {
		return "", err
	}
	out := map[string]map[string]json.RawMessage{}
	if before != nil && after != nil {
		cb, ca := map[string]json.RawMessage{}, map[string]json.RawMessage{}
		for k, v := range a {
			// Both sides come from the same encoder, so equal values have equal encodings.
			if old, ok := b[k]; !ok || !bytes.Equal(old, v) {
				ca[k] = v
				if ok {
					cb[k] = old
				}
			}
		}
		for k, v := range b {
			if _, ok := a[k]; !ok {
				cb[k] = v
			}
		}
		out["before"], out["after"] = cb, ca
	} else if before != nil {
		out["before"] = b
	} else {
		out["after"] = a
	}
	j, err := json.Marshal(out)
	return string(j), err
}

func asMap(v any) (map[string]json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit changes: %w", err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("audit changes must be objects: %w", err)
	}
	return m, nil
}
