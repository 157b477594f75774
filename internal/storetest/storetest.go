// Package storetest opens real SQLite databases for tests: a fresh, migrated file in t.TempDir(), closed when
// the test ends. Every package's tests open their database here instead of repeating the setup.
package storetest

import (
	"path/filepath"
	"testing"

	"bangfu/internal/store"
)

// Open returns a fresh, migrated database in t.TempDir(), closed at the end of the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "bangfu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Plan is SQLite's query plan of query with args, one detail per line, as the plan tests pin it.
func Plan(t testing.TB, db *store.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.R.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
