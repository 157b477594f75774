package store_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"bangfu"
	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

// copyFixture copies a database from testdata into a fresh folder, so that tests never change the original.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), name)
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func openDB(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func userVersion(t *testing.T, q sqlx.Queryer) int {
	t.Helper()
	var v int
	if err := sqlx.Get(q, &v, "PRAGMA user_version"); err != nil {
		t.Fatal(err)
	}
	return v
}

func count(t *testing.T, q sqlx.Queryer, query string, args ...any) int {
	t.Helper()
	var n int
	if err := sqlx.Get(q, &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSchemaVersion_IsTheLastMigrationOfSchemaSQL(t *testing.T) {
	ms, err := store.Migrations(bangfu.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("schema.sql has %d migrations; the schema-v1 fixture test needs at least 2", len(ms))
	}
	if got := store.SchemaVersion(); got != ms[len(ms)-1].Version {
		t.Errorf("SchemaVersion() = %d, want %d", got, ms[len(ms)-1].Version)
	}
}

// testdata/schema-v1.db was written by testdata/make-schema-v1.go with only migration 1 applied.
func TestOpen_MigratesASchemaV1DatabaseKeepingItsData(t *testing.T) {
	path := copyFixture(t, "schema-v1.db")

	// The fixture really is a version-1 database: opening it raw must not migrate it.
	raw, err := sqlx.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, raw); v != 1 {
		t.Fatalf("fixture user_version = %d, want 1", v)
	}
	if n := count(t, raw, "SELECT count(*) FROM sqlite_master WHERE name = 'policies'"); n != 0 {
		t.Fatalf("fixture already has the policies table of migration 2")
	}
	raw.Close()

	db := openDB(t, path)
	if v := userVersion(t, db.R); v != store.SchemaVersion() {
		t.Errorf("user_version after Open = %d, want %d", v, store.SchemaVersion())
	}

	var orgName string
	if err := db.R.Get(&orgName, "SELECT name FROM orgs WHERE code = 'XX'"); err != nil {
		t.Errorf("org of v1 lost: %v", err)
	} else if orgName != "西兴街道总工会" {
		t.Errorf("org name = %q", orgName)
	}
	var user struct {
		Name string `db:"name"`
		Org  string `db:"code"`
		Role string `db:"role"`
	}
	if err := db.R.Get(&user, `SELECT u.name, o.code, r.role FROM users u JOIN orgs o ON o.id = u.org_id
		JOIN user_roles r ON r.user_id = u.id WHERE u.username = 'wanglj'`); err != nil {
		t.Errorf("user of v1 lost: %v", err)
	} else if user.Name != "王丽娟" || user.Org != "XX" || user.Role != "caseworker" {
		t.Errorf("user = %+v", user)
	}
	if n := count(t, db.R, "SELECT count(*) FROM audit_events"); n != 4 {
		t.Errorf("audit events = %d, want the fixture's 4", n)
	}
	r, err := audit.Verify(context.Background(), db.R)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || r.HeadSeq != 4 {
		t.Errorf("Verify after migration = %+v, want ok with head_seq 4", r)
	}

	// Migration 2 ran: its table with the default policy of SPEC §2.
	var params string
	if err := db.R.Get(&params, "SELECT params FROM policies WHERE org_id IS NULL AND effective_from = '2000-01-01'"); err != nil {
		t.Fatalf("default policy of migration 2: %v", err)
	}
	if !strings.Contains(params, `"dibao_monthly_fen":90000`) {
		t.Errorf("default policy params = %s", params)
	}

	// The migrated database is a working one: the chain continues from the fixture's head.
	err = db.Write(context.Background(), func(tx *sqlx.Tx) error {
		return audit.Record(context.Background(), tx, actor.System("test"), fixedTime, audit.Entry{
			Action: "test.after_migration", EntityType: "test", EntityID: "1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := audit.Verify(context.Background(), db.R); !r.OK || r.HeadSeq != 5 {
		t.Errorf("Verify after a new event = %+v, want ok with head_seq 5", r)
	}
}

func TestOpen_RefusesADatabaseNewerThanTheProgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	newer := store.SchemaVersion() + 1
	if _, err := db.W.Exec("PRAGMA user_version = " + itoa(newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = store.Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database of a newer schema version")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error = %q, want it to say the database is newer", err)
	}
	raw, _ := sqlx.Open("sqlite3", "file:"+path)
	defer raw.Close()
	if v := userVersion(t, raw); v != newer {
		t.Errorf("user_version after the refusal = %d, want it left at %d", v, newer)
	}
}

func TestOpen_TwiceIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.db")
	first := openDB(t, path)
	// A second handle while the first is open (the CLI beside a running server), then a reopen.
	second := openDB(t, path)
	first.Close()
	second.Close()
	third := openDB(t, path)

	if v := userVersion(t, third.R); v != store.SchemaVersion() {
		t.Errorf("user_version = %d, want %d", v, store.SchemaVersion())
	}
	if n := count(t, third.R, "SELECT count(*) FROM policies"); n != 1 {
		t.Errorf("policies = %d after three opens, want the one default row", n)
	}
}

func TestMigrations_SplitsSchemaIntoNumberedSections(t *testing.T) {
	schema := "-- header comment\n-- migration 1: first\nCREATE TABLE a (x);\n-- migration 2: second\nCREATE TABLE b (x);\n"
	ms, err := store.Migrations(schema)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[1].Version != 2 {
		t.Fatalf("migrations = %+v", ms)
	}
	if !strings.Contains(ms[0].SQL, "CREATE TABLE a") || strings.Contains(ms[0].SQL, "CREATE TABLE b") {
		t.Errorf("migration 1 SQL = %q", ms[0].SQL)
	}
	if !strings.Contains(ms[1].SQL, "CREATE TABLE b") {
		t.Errorf("migration 2 SQL = %q", ms[1].SQL)
	}
}

func TestMigrations_RejectsBadNumbering(t *testing.T) {
	tests := []struct {
		name, schema, want string
	}{
		{"a gap", "-- migration 1: a\nSELECT 1;\n-- migration 3: c\nSELECT 1;\n", "migration 3 found where 2 was expected"},
		{"out of order", "-- migration 2: b\nSELECT 1;\n-- migration 1: a\nSELECT 1;\n", "migration 2 found where 1 was expected"},
		{"a repeat", "-- migration 1: a\nSELECT 1;\n-- migration 1: again\nSELECT 1;\n", "migration 1 found where 2 was expected"},
		{"no migrations", "CREATE TABLE a (x);\n", "no migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.Migrations(tt.schema)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestMigrateTo_RollsBackAFailingMigrationAndKeepsTheVersionBeforeIt(t *testing.T) {
	schema := "-- migration 1: a\nCREATE TABLE a (x);\n" +
		"-- migration 2: b, broken halfway\nCREATE TABLE b (x);\nINSERT INTO missing VALUES (1);\n"
	w, err := sqlx.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)

	err = store.MigrateTo(w, schema, 0)
	if err == nil || !strings.Contains(err.Error(), "migration 2") {
		t.Fatalf("error = %v, want one naming migration 2", err)
	}
	if v := userVersion(t, w); v != 1 {
		t.Errorf("user_version = %d, want 1", v)
	}
	if n := count(t, w, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"); n != 0 {
		t.Error("table b of the failed migration was left behind")
	}
}

func TestMigrateTo_StopsAtTheGivenVersionAndResumesLater(t *testing.T) {
	w, err := sqlx.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_txlock=immediate&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)

	if err := store.MigrateTo(w, bangfu.Schema, 1); err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, w); v != 1 {
		t.Fatalf("user_version = %d, want 1", v)
	}
	if n := count(t, w, "SELECT count(*) FROM sqlite_master WHERE name = 'policies'"); n != 0 {
		t.Fatal("MigrateTo(1) applied migration 2")
	}
	if err := store.MigrateTo(w, bangfu.Schema, 0); err != nil {
		t.Fatal(err)
	}
	if v := userVersion(t, w); v != store.SchemaVersion() {
		t.Errorf("user_version = %d, want %d", v, store.SchemaVersion())
	}
}

// A server starting while a command-line tool opens the same new file: both migrate, neither fails.
func TestOpen_ConcurrentlyOnANewFileMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.db")
	const n = 4
	type opened struct {
		db  *store.DB
		err error
	}
	results := make(chan opened, n)
	for i := 0; i < n; i++ {
		go func() {
			db, err := store.Open(path)
			results <- opened{db, err}
		}()
	}
	for i := 0; i < n; i++ {
		r := <-results
		if r.err != nil {
			t.Errorf("Open: %v", r.err)
			continue
		}
		r.db.Close()
	}
	db := openDB(t, path)
	if n := count(t, db.R, "SELECT count(*) FROM policies"); n != 1 {
		t.Errorf("policies = %d, want the one default row", n)
	}
}
