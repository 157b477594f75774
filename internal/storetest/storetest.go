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
