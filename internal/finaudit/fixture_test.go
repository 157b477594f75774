package finaudit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/finaudit"
	"bangfu/internal/store"
)

// now is the demo's clock: the demo's stories all happen in the year before it.
var now = time.Date(2026, 11, 20, 9, 0, 0, 0, clock.China)

var (
	demoOnce sync.Once
	demoPath string
	demoErr  error
)

// demoDB returns a fresh copy of the full demo database (written once per test run: it takes seconds).
func demoDB(t testing.TB) *store.DB {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bangfu-finaudit-demo-")
		if err != nil {
			demoErr = err
			return
		}
		demoPath = filepath.Join(dir, "demo.db")
		db, err := store.Open(demoPath)
		if err != nil {
			demoErr = err
			return
		}
		defer db.Close()
		svc := &auth.Service{DB: db, Clock: clock.NewManual(now), BcryptCost: bcrypt.MinCost}
		_, demoErr = demo.Full(context.Background(), db, svc)
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	dest := filepath.Join(t.TempDir(), "bangfu.db")
	if err := store.Backup(context.Background(), demoPath, dest); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoPath != "" {
		os.RemoveAll(filepath.Dir(demoPath))
	}
	os.Exit(code)
}

func service(db *store.DB) *finaudit.Service {
	return &finaudit.Service{DB: db, Clock: clock.NewManual(now)}
}

// user is the demo user with username, as the server would build them.
func user(t testing.TB, db *store.DB, username string) actor.Actor {
	t.Helper()
	var id int64
	if err := db.R.Get(&id, "SELECT id FROM users WHERE username = ?", username); err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	a, err := auth.ActorFor(context.Background(), db.R, id, "test")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sql runs statements on the writer, as someone with the database file would.
func sql(t testing.TB, db *store.DB, stmts ...string) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *sqlx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func one[T any](t testing.TB, db *store.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.R.Get(&v, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}
