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
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/jsonenc"
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

// appendCanonical appends the byte string the hash covers: every stored column but the two hashes, in a fixed
// order, taken exactly as stored so that verification needs no re-interpretation — the JSON array
// [seq, at, actor_id, actor, roles, org_id, org_path, action, entity_type, entity_id, changes, reason,
// request_id, client_addr], written out without reflection because every change in the system hashes one
// event inside the write transaction (SPEC §10). TestCanonical_IsTheReflectiveEncoding holds it to
// json.Marshal of that array, the text every stored hash was taken over.
func (e *Event) appendCanonical(b []byte) []byte {
	nullInt := func(v sql.NullInt64) {
		if v.Valid {
			b = jsonenc.Int(b, v.Int64)
		} else {
			b = append(b, "null"...)
		}
	}
	b = append(b, '[')
	b = jsonenc.Int(b, e.Seq)
	b = jsonenc.String(append(b, ','), e.At)
	b = append(b, ',')
	nullInt(e.ActorID)
	b = jsonenc.String(append(b, ','), e.Actor)
	b = jsonenc.String(append(b, ','), e.Roles)
	b = append(b, ',')
	nullInt(e.OrgID)
	for _, s := range []string{e.OrgPath, e.Action, e.EntityType, e.EntityID} {
		b = jsonenc.String(append(b, ','), s)
	}
	b = append(b, ',')
	if e.Changes.Valid {
		b = jsonenc.String(b, e.Changes.String)
	} else {
		b = append(b, "null"...)
	}
	for _, s := range []string{e.Reason, e.RequestID, e.ClientAddr} {
		b = jsonenc.String(append(b, ','), s)
	}
	return append(b, ']')
}

func chainHash(prev string, e *Event) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(e.appendCanonical(make([]byte, 0, 256+len(e.Changes.String))))
	return hex.EncodeToString(h.Sum(nil))
}

// chainHead is the head of the chain as a request's events have moved it: the last event's seq and hash, and
// the seq the audit_head row holds (stored; 0 when there is no row yet).
type chainHead struct {
	seq, stored int64
	hash        string
}

type headKey struct{}

// headOf returns the chain's head for the next event in tx. Inside a request of store.Write it is read once
// per group transaction and handed from request to request (store.Request.Share: a request starts from the
// head the last kept request left), and the audit_head row is written once, before the group commits
// (store.Request.BeforeCommit): every change in the system records one or two events, and reading and moving
// the head row for each request was a fifth of an approval's statements (SPEC §10). Outside one (a bare
// transaction), the head is read each time and written by every event (managed is false).
func headOf(ctx context.Context, tx *sqlx.Tx) (h *chainHead, managed bool, err error) {
	req := store.RequestOf(tx)
	if req != nil {
		if h, ok := req.Value(headKey{}).(*chainHead); ok {
			return h, true, nil
		}
		if g, ok := req.Shared(headKey{}).(*chainHead); ok {
			h = &chainHead{seq: g.seq, stored: g.stored, hash: g.hash}
			req.Set(headKey{}, h)
			req.Share(headKey{}, h)
			return h, true, nil
		}
	}
	h = &chainHead{hash: GenesisHash}
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&h.seq, &h.hash)
	if errors.Is(err, sql.ErrNoRows) {
		h.seq, h.hash, err = 0, GenesisHash, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("audit head: %w", err)
	}
	h.stored = h.seq
	if req != nil {
		req.Set(headKey{}, h)
		req.Share(headKey{}, h)
		// The row is written from the head the group's kept requests left, whichever request came first.
		req.BeforeCommit(headKey{}, func() error {
			last, ok := req.Shared(headKey{}).(*chainHead)
			if !ok {
				return nil
			}
			return last.flush(context.WithoutCancel(ctx), tx)
		})
	}
	return h, req != nil, nil
}

// flush writes the head to the audit_head row, if events moved it since the row was written.
func (h *chainHead) flush(ctx context.Context, tx *sqlx.Tx) error {
	if h.seq == h.stored {
		return nil
	}
	var err error
	if h.stored == 0 {
		_, err = tx.ExecContext(ctx, "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", h.seq, h.hash)
	} else {
		_, err = tx.ExecContext(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", h.seq, h.hash)
	}
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	h.stored = h.seq
	return nil
}

// advance moves the head to e, just inserted; unmanaged, it writes the row at once.
func (h *chainHead) advance(ctx context.Context, tx *sqlx.Tx, managed bool, e *Event) error {
	h.seq, h.hash = e.Seq, e.Hash
	if managed {
		return nil
	}
	return h.flush(ctx, tx)
}

// Record appends an event for a, inside tx. The caller's change and the event commit or roll back together.
func Record(ctx context.Context, tx *sqlx.Tx, a actor.Actor, at time.Time, en Entry) error {
	head, managed, err := headOf(ctx, tx)
	if err != nil {
		return err
	}
	e := newEvent(a, at, en, head.seq+1, head.hash)
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
	return head.advance(ctx, tx, managed, &e)
}

// Changes renders the fields that differ between before and after as {"before": {...}, "after": {...}}.
// Both are encoded as JSON objects first, so struct tags decide the field names; a nil side is left out.
//
// Every change in the system passes here inside the write transaction (SPEC §10), so the encoded objects are
// split into their members and the answer written out directly, rather than decoded into maps and encoded
// again: the text is the same as json.Marshal of the maps would give (members in key order, as encoding/json
// orders map keys; the values exactly as json.Marshal encoded them).
func Changes(before, after any) (string, error) {
	if c, ok := appendersChanges(before, after); ok {
		return c, nil
	}
	b, bNull, err := members(before)
	if err != nil {
		return "", err
	}
	a, aNull, err := members(after)
	if err != nil {
		return "", err
	}
	var cb, ca []member
	switch {
	case before != nil && after != nil && sameKeys(b, a):
		// The usual case, two versions of one entity: the same members in the same order.
		for i := range a {
			if !bytes.Equal(b[i].raw, a[i].raw) {
				cb, ca = append(cb, b[i]), append(ca, a[i])
			}
		}
	case before != nil && after != nil:
		old := make(map[string][]byte, len(b))
		for _, m := range b {
			old[m.key] = m.raw
		}
		seen := make(map[string]bool, len(a))
		for _, m := range a {
			seen[m.key] = true
			// Both sides come from the same encoder, so equal values have equal encodings.
			if o, ok := old[m.key]; !ok || !bytes.Equal(o, m.raw) {
				ca = append(ca, m)
				if ok {
					cb = append(cb, member{m.key, o})
				}
			}
		}
		for _, m := range b {
			if !seen[m.key] {
				cb = append(cb, m)
			}
		}
	case before != nil:
		cb = b
	default:
		ca = a
	}
	// One side alone is written as it encoded, null included; beside the other it is the fields that differ.
	bNull, aNull = bNull && after == nil, aNull && before == nil
	var out bytes.Buffer
	out.Grow(64 + 2*len(ca)*24)
	out.WriteByte('{')
	if after != nil || before == nil {
		out.WriteString(`"after":`)
		writeObject(&out, ca, aNull)
	}
	if before != nil {
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		out.WriteString(`"before":`)
		writeObject(&out, cb, bNull)
	}
	out.WriteByte('}')
	return out.String(), nil
}

// appender is an entity that writes its own JSON without reflection (relief.Application, ledger.Transfer):
// compact, and the same text json.Marshal gives for it, so Changes need not compact or check it again.
type appender interface {
	AppendJSON(b []byte) []byte
}

// appendersChanges is Changes of two appenders that write the same keys in the same order (two versions of
// one entity, every approval and payment): the two texts are walked side by side and only the members that
// differ are kept, without splitting either into all its members. ok is false when the two are not such a
// pair; Changes then takes the general path, which gives the same answer (TestChanges_OfAppendersIsTheGeneralDiff).
func appendersChanges(before, after any) (string, bool) {
	ba, ok := before.(appender)
	if !ok || isNilPointer(before) {
		return "", false
	}
	aa, ok := after.(appender)
	if !ok || isNilPointer(after) {
		return "", false
	}
	bj := ba.AppendJSON(make([]byte, 0, 2048))
	aj := aa.AppendJSON(make([]byte, 0, 2048))
	if len(bj) < 2 || len(aj) < 2 || bj[0] != '{' || aj[0] != '{' {
		return "", false
	}
	var cb, ca []member
	i, j := 1, 1
	for {
		if i >= len(bj) || j >= len(aj) {
			return "", false
		}
		if bj[i] == '}' || aj[j] == '}' {
			if bj[i] != aj[j] {
				return "", false
			}
			break
		}
		if bj[i] == ',' {
			i++
		}
		if aj[j] == ',' {
			j++
		}
		bk, ak := stringEnd(bj, i), stringEnd(aj, j)
		if !bytes.Equal(bj[i:bk], aj[j:ak]) || bytes.IndexByte(bj[i:bk], '\\') >= 0 || bk >= len(bj) || ak >= len(aj) {
			return "", false
		}
		bv, av := valueEnd(bj, bk+1), valueEnd(aj, ak+1)
		if !bytes.Equal(bj[bk+1:bv], aj[ak+1:av]) {
			key := string(bj[i+1 : bk-1])
			cb, ca = append(cb, member{key, bj[bk+1 : bv]}), append(ca, member{key, aj[ak+1 : av]})
		}
		i, j = bv, av
	}
	var out bytes.Buffer
	out.Grow(64 + 2*len(ca)*24)
	out.WriteString(`{"after":`)
	writeObject(&out, ca, false)
	out.WriteString(`,"before":`)
	writeObject(&out, cb, false)
	out.WriteByte('}')
	return out.String(), true
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func sameKeys(x, y []member) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i].key != y[i].key {
			return false
		}
	}
	return true
}

// member is one member of an encoded JSON object: its key, decoded, and its value as encoded.
type member struct {
	key string
	raw []byte
}

// members encodes v and splits the object into its members, with unique keys (a later duplicate wins, as
// when decoding into a map). nil, and a value that encodes as null (null is set), have none.
func members(v any) (ms []member, null bool, err error) {
	if v == nil {
		return nil, true, nil
	}
	var j []byte
	unique := false // keys known to be unique, as an appender writes them
	if ap, ok := v.(appender); ok && !isNilPointer(v) {
		j, unique = ap.AppendJSON(make([]byte, 0, 1024)), true
	} else if j, err = json.Marshal(v); err != nil {
		return nil, false, fmt.Errorf("audit changes: %w", err)
	}
	if string(j) == "null" {
		return nil, true, nil
	}
	if len(j) < 2 || j[0] != '{' {
		return nil, false, errors.New("audit changes must be objects")
	}
	var at map[string]int // where each key is, when a key might come twice
	if !unique {
		at = map[string]int{}
	}
	ms = make([]member, 0, 64)
	i := 1
	for i < len(j) && j[i] != '}' {
		if j[i] == ',' {
			i++
		}
		end := stringEnd(j, i)
		key := string(j[i+1 : end-1])
		if bytes.IndexByte(j[i:end], '\\') >= 0 {
			if err := json.Unmarshal(j[i:end], &key); err != nil {
				return nil, false, fmt.Errorf("audit changes: %w", err)
			}
		}
		i = end + 1 // past the colon
		vend := valueEnd(j, i)
		m := member{key, j[i:vend]}
		if k, ok := at[key]; ok {
			ms[k] = m
		} else {
			if at != nil {
				at[key] = len(ms)
			}
			ms = append(ms, m)
		}
		i = vend
	}
	return ms, false, nil
}

// stringEnd is the index just past the JSON string that starts at j[i] (a quote).
func stringEnd(j []byte, i int) int {
	for k := i + 1; k < len(j); k++ {
		switch j[k] {
		case '\\':
			k++
		case '"':
			return k + 1
		}
	}
	return len(j)
}

// valueEnd is the index just past the JSON value that starts at j[i], in compact JSON as json.Marshal writes it.
func valueEnd(j []byte, i int) int {
	depth := 0
	for k := i; k < len(j); k++ {
		switch j[k] {
		case '"':
			k = stringEnd(j, k) - 1
			if depth == 0 {
				return k + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return k
			}
			depth--
			if depth == 0 {
				return k + 1
			}
		case ',':
			if depth == 0 {
				return k
			}
		}
	}
	return len(j)
}

// writeObject writes ms as a JSON object, members in key order, or null.
func writeObject(out *bytes.Buffer, ms []member, null bool) {
	if null {
		out.WriteString("null")
		return
	}
	slices.SortFunc(ms, func(x, y member) int { return strings.Compare(x.key, y.key) })
	out.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(jsonenc.String(out.AvailableBuffer(), m.key)) // as json.Marshal writes a key, without reflection
		out.WriteByte(':')
		out.Write(m.raw)
	}
	out.WriteByte('}')
}

// newEvent is the event a records for en at at, number seq after the event whose hash is prevHash: who, what,
// and the org whose scope it belongs to (the entry's, else the actor's; "/" for the system's). Record and
// Appender.Record both start from it, so an event reads the same whichever wrote it; the changes and the
// hash are theirs to add.
func newEvent(a actor.Actor, at time.Time, en Entry, seq int64, prevHash string) Event {
	e := Event{Seq: seq, At: store.FormatTime(at), Actor: a.Username, Roles: a.RoleList(), Action: en.Action,
		EntityType: en.EntityType, EntityID: en.EntityID, Reason: en.Reason, RequestID: a.RequestID,
		ClientAddr: a.ClientAddr, PrevHash: prevHash}
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
	return e
}
