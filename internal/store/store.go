// Package store opens bangfu's SQLite database: one writer connection whose transactions begin IMMEDIATE,
// a pool of read-only connections, migrations from schema.sql, the write-transaction helper and backups.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"bangfu"
)

// DB is an open bangfu database.
type DB struct {
	W    *sqlx.DB // the single writer connection; changes go through Write
	R    *sqlx.DB // read-only pool for queries
	Path string

	writes  chan *writeRequest // to the commit loop (write.go)
	ckpt    *checkpointer      // copies the WAL into the database file beside the writer (checkpoint.go)
	ack     *acknowledger      // answers each group after an fsync of the WAL (durable.go)
	stopped chan struct{}
	sending sync.RWMutex // held for reading while sending on writes
	closed  bool
}

func dsn(path string, extra url.Values) string {
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_synchronous", "FULL") // SPEC §10: no acknowledged write is lost on kill -9 (the writer: durable.go)
	v.Set("_foreign_keys", "on")
	v.Set("_busy_timeout", "5000")
	// Keep prepared statements per connection: preparing the same statements again was a quarter of the
	// CPU of an approval (SPEC §10's approve-and-disburse figure).
	v.Set("_stmt_cache_size", "256")
	// 128 MiB of page cache per connection instead of SQLite's 2 MiB: a district-wide search over a million
	// files reads the same index pages again and again (p99 of name + filter 820 → 490 ms, ID suffix 16 → 10 ms).
	v.Set("_cache_size", "-131072")
	for k, vs := range extra {
		v[k] = vs
	}
	// The path is a URI path here: escape what would end it early ("?", "#") or be read as an escape ("%").
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?" + v.Encode()
}

// writerDriver is go-sqlite3 with the writer connection's own settings, set on every connection it opens
// (go-sqlite3's DSN has no parameter for them).
//
// temp_store = MEMORY keeps the statement and savepoint journals in memory. Every request runs in a savepoint
// of the group's transaction (write.go) and most statements open a statement journal, so each page a request
// first changes is copied there before it is changed; in a temporary file that was a write system call per
// page and more than half of an approval's CPU (SPEC §10). These journals serve rollbacks inside the open
// transaction only: crash recovery uses the WAL, so durability is the same.
//
// wal_autocheckpoint = 0: the writer never stops to checkpoint; the checkpointer does (checkpoint.go).
const writerDriver = "sqlite3_bangfu_writer"

func init() {
	sql.Register(writerDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0", nil)
		return err
	}})
}

// Open opens (creating if needed) the database at path and migrates it to the current schema.
func Open(path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// synchronous=NORMAL on the writer alone: its COMMIT does not wait for the fsync, which the acknowledger
	// does before any request is answered (durable.go), so what is acknowledged is as durable as under FULL.
	w, err := sqlx.Open(writerDriver, dsn(path, url.Values{"_txlock": {"immediate"}, "_synchronous": {"NORMAL"}}))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1) // one writer: "database is locked" cannot happen between our own writers
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := migrate(w); err != nil {
		w.Close()
		return nil, err
	}
	if err := syncCreated(path); err != nil {
		w.Close()
		return nil, fmt.Errorf("sync the database: %w", err)
	}
	r, err := sqlx.Open("sqlite3", dsn(path, url.Values{"_query_only": {"1"}}))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	ckpt, err := openCheckpointer(path)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	ckpt.committed() // what the migrations wrote
	db := &DB{W: w, R: r, Path: path, ckpt: ckpt, ack: newAcknowledger(path), writes: make(chan *writeRequest), stopped: make(chan struct{})}
	go db.commitLoop()
	return db, nil
}

// Close stops the writer after the writes already handed to it and closes both pools and the checkpointer;
// the writer closes last, so that it checkpoints what is left of the WAL and removes it.
func (db *DB) Close() error {
	db.sending.Lock()
	if !db.closed {
		db.closed = true
		close(db.writes)
	}
	db.sending.Unlock()
	<-db.stopped
	return errors.Join(db.R.Close(), db.ckpt.close(), db.W.Close())
}

// whileBusy runs fn again while SQLite answers SQLITE_BUSY, for up to busyWait. A file that another process
// is creating at the same moment (switching it to WAL) is locked without SQLite's busy handler being asked,
// so the first read of a brand-new database can fail at once even with a busy timeout.
func whileBusy(fn func() error) error {
	deadline := time.Now().Add(busyWait)
	for {
		err := fn()
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || (se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// busyWait is as long as the busy timeout of the connections.
const busyWait = 5 * time.Second

// IsUniqueViolation reports whether err is a UNIQUE constraint failure.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// Backup writes a consistent copy of the live database to dest (which must not exist) while others keep
// writing: VACUUM INTO reads one snapshot in a read transaction, which WAL lets run beside the writer.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists", dest)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	c, err := sql.Open("sqlite3", dsn(path, nil))
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return err
	}
	// VACUUM INTO does not fsync what it writes (sqlite.org/lang_vacuum.html): sync before calling it a backup.
	f, err := os.Open(dest)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

var migrationHeader = regexp.MustCompile(`(?m)^-- migration (\d+):.*$`)

// Migration is one numbered section of schema.sql.
type Migration struct {
	Version int
	SQL     string
}

// Migrations splits schema.sql into its numbered sections, which must count up from 1.
func Migrations(schema string) ([]Migration, error) {
	locs := migrationHeader.FindAllStringSubmatchIndex(schema, -1)
	var ms []Migration
	for i, loc := range locs {
		n, _ := strconv.Atoi(schema[loc[2]:loc[3]])
		if n != i+1 {
			return nil, fmt.Errorf("schema.sql: migration %d found where %d was expected", n, i+1)
		}
		end := len(schema)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		ms = append(ms, Migration{Version: n, SQL: schema[loc[0]:end]})
	}
	if len(ms) == 0 {
		return nil, errors.New("schema.sql has no migrations")
	}
	return ms, nil
}

// SchemaVersion is the version this binary migrates databases to.
func SchemaVersion() int {
	ms, err := Migrations(bangfu.Schema)
	if err != nil {
		panic(err)
	}
	return ms[len(ms)-1].Version
}

// migrate applies, each in its own transaction, every section of schema.sql newer than the database's
// user_version. A database newer than this binary is refused rather than guessed at.
func migrate(w *sqlx.DB) error {
	return MigrateTo(w, bangfu.Schema, 0)
}

// MigrateTo applies the migrations of schema up to version upTo (0: all). Tests use it to build
// databases of older versions.
func MigrateTo(w *sqlx.DB, schema string, upTo int) error {
	ms, err := Migrations(schema)
	if err != nil {
		return err
	}
	var current int
	if err := whileBusy(func() error { return w.Get(&current, "PRAGMA user_version") }); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if latest := ms[len(ms)-1].Version; current > latest {
		return fmt.Errorf("database schema version %d is newer than this program's %d", current, latest)
	}
	for _, m := range ms {
		if m.Version <= current || (upTo > 0 && m.Version > upTo) {
			continue
		}
		tx, err := w.Begin()
		if err != nil {
			return err
		}
		// Another process opening the same file may have applied it since the version was read above: look
		// again inside this transaction, which holds the write lock (BEGIN IMMEDIATE).
		if err := tx.QueryRow("PRAGMA user_version").Scan(&current); err != nil {
			tx.Rollback()
			return fmt.Errorf("read schema version: %w", err)
		}
		if m.Version <= current {
			tx.Rollback()
			continue
		}
		if _, err := tx.Exec(m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", m.Version, err)
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", m.Version, err)
		}
	}
	return nil
}

// TimeFormat is how instants are stored: UTC, fixed width, so that text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// FormatTime renders t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a stored instant.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeFormat, s) }

// Paging normalises list paging (SPEC §9.2): page ≥ 1, 1 ≤ per_page ≤ 200, 50 by default.
func Paging(page, perPage int) (int, int) {
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = 50
	}
	if perPage > 200 {
		perPage = 200
	}
	return page, perPage
}
