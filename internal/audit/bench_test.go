package audit_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/audit"
	"bangfu/internal/benchkit"
)

// BenchmarkAuditAppend measures one audit event per write transaction, as every state-changing request pays
// it (synchronous=FULL, WAL), beside raw go-sqlite3 inserting a row of the same width into a table of the
// same shape and indexes, one row per transaction, on a similar file in the same run. ratio = events/s ÷
// raw_inserts/s: what the chain (head read, SHA-256, head update) and the helpers cost on top of SQLite.
func BenchmarkAuditAppend(b *testing.B) {
	ctx := context.Background()
	db := newDB(b)
	entry := audit.Entry{Action: "household.update", EntityType: "household", EntityID: "12345", Reason: "核实家庭收入",
		Before: map[string]any{"phone": "13800000000", "income_fen": 120000},
		After:  map[string]any{"phone": "13900000000", "income_fen": 95000}}

	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "raw.db")+
		"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	var schema string
	if err := db.R.Get(&schema, "SELECT sql FROM sqlite_master WHERE name = 'audit_events'"); err != nil {
		b.Fatal(err)
	}
	ddl := []string{strings.Replace(schema, "audit_events", "raw_events", 1),
		"CREATE INDEX raw_entity ON raw_events (entity_type, entity_id)", "CREATE INDEX raw_action ON raw_events (action)",
		"CREATE INDEX raw_actor ON raw_events (actor)", "CREATE INDEX raw_org_path ON raw_events (org_path)"}
	for _, q := range ddl {
		if _, err := raw.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	changes, _ := audit.Changes(entry.Before, entry.After)
	hash := strings.Repeat("ab", 32)

	rawInsert := func(seq int) error {
		tx, err := raw.Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		_, err = tx.Exec(`INSERT INTO raw_events (seq, at, actor_id, actor, roles, org_id, org_path, action, entity_type,
			entity_id, changes, reason, request_id, client_addr, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			seq, "2026-03-10T01:00:00.000000Z", caseworker.UserID, caseworker.Username, "caseworker", caseworker.OrgID,
			caseworker.OrgPath, entry.Action, entry.EntityType, entry.EntityID, changes, entry.Reason,
			caseworker.RequestID, caseworker.ClientAddr, hash, hash)
		if err != nil {
			return err
		}
		return tx.Commit()
	}

	// The two alternate, one of each per iteration, so that a change in the machine's load (it is shared) or
	// the disk's mood falls on both alike; ns/op is the time of the pair.
	var auditElapsed, rawElapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := db.Write(ctx, func(tx *sqlx.Tx) error { return audit.Record(ctx, tx, caseworker, t0, entry) }); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := rawInsert(i + 1); err != nil {
			b.Fatal(err)
		}
		auditElapsed += mid.Sub(start)
		rawElapsed += time.Since(mid)
	}
	b.StopTimer()

	if r, err := audit.Verify(ctx, db.R); err != nil || !r.OK || r.HeadSeq != int64(b.N) {
		b.Fatalf("chain after the benchmark: %+v, %v", r, err)
	}
	events := float64(b.N) / auditElapsed.Seconds()
	rawInserts := float64(b.N) / rawElapsed.Seconds()
	b.ReportMetric(events, "events/s")
	b.ReportMetric(rawInserts, "raw_inserts/s")
	b.ReportMetric(events/rawInserts, "ratio")
	benchkit.Report(b, benchkit.Row{Figure: "audit-append", Value: events, Raw: rawInserts, RawWhat: "same row and indexes, 1/tx, FULL"})
}
