package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"bangfu/internal/store"
)

var fixedTime = time.Date(2026, 3, 10, 1, 2, 3, 456789000, time.UTC)

func itoa(n int) string { return strconv.Itoa(n) }

func newDB(t *testing.T) *store.DB {
	t.Helper()
	return openDB(t, filepath.Join(t.TempDir(), "bangfu.db"))
}

func pragma(t *testing.T, q sqlx.Queryer, name string) string {
	t.Helper()
	var v string
	if err := sqlx.Get(q, &v, "PRAGMA "+name); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// The durability contract (docs/operations.md, docs/architecture.md): WAL, every acknowledged write fsynced
// (synchronous=FULL, or on the writer NORMAL with the fsync before the answer), foreign keys, a busy timeout;
// the reads are query-only.
func TestOpen_SetsThePragmasOfBothPools(t *testing.T) {
	db := newDB(t)
	// Several read connections at once, so the check covers more than the first one in the pool.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := db.R.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	tests := []struct {
		pool   string
		q      sqlx.Queryer
		pragma string
		want   string
	}{
		{"writer", db.W, "journal_mode", "wal"},
		{"writer", db.W, "synchronous", "1"},        // NORMAL: the acknowledger fsyncs before answering (durable.go)
		{"writer", db.W, "wal_autocheckpoint", "0"}, // the checkpointer copies the WAL beside it (checkpoint.go)
		{"writer", db.W, "foreign_keys", "1"},
		{"writer", db.W, "busy_timeout", "5000"},
		{"writer", db.W, "query_only", "0"},
		{"writer", db.W, "temp_store", "2"}, // MEMORY: the savepoint journals of group commit stay off the disk
		{"reader", db.R, "journal_mode", "wal"},
		{"reader", db.R, "synchronous", "2"}, // FULL
		{"reader", db.R, "foreign_keys", "1"},
		{"reader", db.R, "busy_timeout", "5000"},
		{"reader", db.R, "query_only", "1"},
	}
	for _, tt := range tests {
		if got := pragma(t, tt.q, tt.pragma); got != tt.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", tt.pool, tt.pragma, got, tt.want)
		}
	}
	for i, c := range conns {
		var v string
		if err := c.QueryRowContext(context.Background(), "PRAGMA query_only").Scan(&v); err != nil || v != "1" {
			t.Errorf("read connection %d: query_only = %q (%v), want 1", i, v, err)
		}
	}
	if n := db.W.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want exactly 1", n)
	}
}

func TestOpen_ReadPoolRefusesWrites(t *testing.T) {
	db := newDB(t)
	for _, q := range []string{
		"INSERT INTO orgs (code, name, level, path, created_at) VALUES ('x', 'x', 1, '/9/', 'now')",
		"DELETE FROM policies",
		"CREATE TABLE sneaky (x)",
	} {
		_, err := db.R.Exec(q)
		if err == nil {
			t.Errorf("read pool ran %q", q)
			continue
		}
		if !strings.Contains(err.Error(), "readonly") {
			t.Errorf("%q: error = %v, want a read-only refusal", q, err)
		}
	}
}

// With BEGIN IMMEDIATE the writer holds the write lock from its first statement, even one that only reads:
// a read-then-write transaction can never fail half-way with SQLITE_BUSY.
func TestWrite_BeginsImmediate(t *testing.T) {
	db := newDB(t)
	other, err := sql.Open("sqlite3", "file:"+db.Path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)

	err = db.Write(context.Background(), func(tx *sqlx.Tx) error {
		var n int
		if err := tx.Get(&n, "SELECT count(*) FROM orgs"); err != nil {
			return err
		}
		_, err := other.Exec("BEGIN IMMEDIATE")
		if err == nil {
			other.Exec("ROLLBACK")
			t.Error("another connection took the write lock while Write's transaction was open")
			return nil
		}
		var se sqlite3.Error
		if !errors.As(err, &se) || se.Code != sqlite3.ErrBusy {
			t.Errorf("other BEGIN IMMEDIATE: %v, want SQLITE_BUSY", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func insertOrg(tx *sqlx.Tx, code string) error {
	_, err := tx.Exec("INSERT INTO orgs (code, name, level, path, created_at) VALUES (?, ?, 1, ?, ?)",
		code, code, "/"+code+"/", store.FormatTime(fixedTime))
	return err
}

func TestWrite_CommitsWhenTheFunctionSucceeds(t *testing.T) {
	db := newDB(t)
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "1") }); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db.R, "SELECT count(*) FROM orgs"); n != 1 {
		t.Errorf("orgs = %d, want 1", n)
	}
}

func TestWrite_RollsBackWhenTheFunctionFails(t *testing.T) {
	db := newDB(t)
	refused := errors.New("refused by a rule")
	err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		if err := insertOrg(tx, "1"); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("error = %v, want the function's own error", err)
	}
	if n := count(t, db.R, "SELECT count(*) FROM orgs"); n != 0 {
		t.Errorf("orgs = %d after a failed write, want 0", n)
	}
	// The single writer connection is free again.
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "2") }); err != nil {
		t.Fatalf("write after a rollback: %v", err)
	}
}

func TestWrite_RollsBackAndRepanicsWhenTheFunctionPanics(t *testing.T) {
	db := newDB(t)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the function's panic", p)
			}
		}()
		db.Write(context.Background(), func(tx *sqlx.Tx) error {
			if err := insertOrg(tx, "1"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if n := count(t, db.R, "SELECT count(*) FROM orgs"); n != 0 {
		t.Errorf("orgs = %d after a panic, want 0", n)
	}
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "2") }); err != nil {
		t.Fatalf("write after a panic: %v", err)
	}
}

func TestWrite_EnforcesForeignKeys(t *testing.T) {
	db := newDB(t)
	err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO users (username, name, org_id, password_hash, created_at, updated_at)
			VALUES ('ghost', 'ghost', 999, 'x', 'now', 'now')`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("error = %v, want a foreign key failure", err)
	}
}

func TestIsUniqueViolation_TellsUniqueFailuresFromOthers(t *testing.T) {
	db := newDB(t)
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "1") }); err != nil {
		t.Fatal(err)
	}
	dup := db.Write(context.Background(), func(tx *sqlx.Tx) error { return insertOrg(tx, "1") })
	if !store.IsUniqueViolation(dup) {
		t.Errorf("IsUniqueViolation(%v) = false", dup)
	}
	check := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		_, err := tx.Exec("INSERT INTO orgs (code, name, level, path, created_at) VALUES ('z', 'z', 9, '/z/', 'now')")
		return err
	})
	if check == nil || store.IsUniqueViolation(check) {
		t.Errorf("IsUniqueViolation(%v) = true for a CHECK failure", check)
	}
	if store.IsUniqueViolation(errors.New("UNIQUE constraint failed")) {
		t.Error("IsUniqueViolation is true for a plain error that only mentions UNIQUE")
	}
}

func TestFormatTime_IsFixedWidthUTCAndRoundTrips(t *testing.T) {
	china := time.FixedZone("CST", 8*3600)
	tests := []struct {
		in   time.Time
		want string
	}{
		{fixedTime, "2026-03-10T01:02:03.456789Z"},
		{time.Date(2026, 3, 10, 9, 0, 0, 0, china), "2026-03-10T01:00:00.000000Z"},
		{time.Date(2026, 1, 1, 0, 0, 0, 999, time.UTC), "2026-01-01T00:00:00.000000Z"}, // below a microsecond
	}
	for _, tt := range tests {
		got := store.FormatTime(tt.in)
		if got != tt.want {
			t.Errorf("FormatTime(%v) = %s, want %s", tt.in, got, tt.want)
		}
		back, err := store.ParseTime(got)
		if err != nil || !back.Equal(tt.in.Truncate(time.Microsecond)) {
			t.Errorf("ParseTime(%s) = %v, %v", got, back, err)
		}
	}
}

func TestPaging_ClampsPageAndPerPage(t *testing.T) {
	tests := []struct{ page, per, wantPage, wantPer int }{
		{0, 0, 1, 50},
		{-3, -1, 1, 50},
		{2, 20, 2, 20},
		{1, 200, 1, 200},
		{1, 201, 1, 200},
		{7, 1, 7, 1},
	}
	for _, tt := range tests {
		if p, n := store.Paging(tt.page, tt.per); p != tt.wantPage || n != tt.wantPer {
			t.Errorf("Paging(%d, %d) = %d, %d; want %d, %d", tt.page, tt.per, p, n, tt.wantPage, tt.wantPer)
		}
	}
}

func TestOpen_AcceptsPathsWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "办公室 a?b#c%d", "bangfu.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		_, err := tx.Exec("INSERT INTO orgs (code, name, level, path, created_at) VALUES ('X', 'x', 1, '/1/', 'now')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path asked for: %v", err)
	}
}
