// Package demotest gives tests a fresh database with demo data: storetest's migrated file in t.TempDir(),
// seeded by demo.Seed (the district's orgs and users) or demo.Full (the whole demo of `serve --demo`) through
// an auth service on the test's clock that hashes passwords at bcrypt's minimum cost. Every package's tests
// seed their database here instead of repeating the setup; the packages demo itself imports cannot use it
// from their internal tests.
package demotest

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/actor"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/store"
	"bangfu/internal/storetest"
)

// Seeder writes demo data into an empty database: demo.Seed or demo.Full.
type Seeder func(context.Context, *store.DB, *auth.Service) (bool, error)

// Users is the auth service of db on clk that tests seed and log in through: passwords are hashed at
// bcrypt's minimum cost.
func Users(db *store.DB, clk clock.Clock) *auth.Service {
	return &auth.Service{DB: db, Clock: clk, BcryptCost: bcrypt.MinCost}
}

// Open returns a fresh database (storetest.Open) that seed filled through Users(db, clk), and that service.
// The test fails unless seed wrote its data.
func Open(t testing.TB, clk clock.Clock, seed Seeder) (*store.DB, *auth.Service) {
	t.Helper()
	db := storetest.Open(t)
	svc := Users(db, clk)
	if created, err := seed(context.Background(), db, svc); err != nil || !created {
		t.Fatalf("demo data: %v %v", created, err)
	}
	return db, svc
}

// Seed returns a fresh database with the demo orgs and users (demo.Seed), written at clk's time.
func Seed(t testing.TB, clk clock.Clock) *store.DB {
	t.Helper()
	db, _ := Open(t, clk, demo.Seed)
	return db
}

// Full returns a fresh database with the whole demo (demo.Full), written at clk's time.
func Full(t testing.TB, clk clock.Clock) *store.DB {
	t.Helper()
	db, _ := Open(t, clk, demo.Full)
	return db
}

// Actor is the actor of the user username in db, for a test to act as.
func Actor(t testing.TB, db *store.DB, username string) actor.Actor {
	t.Helper()
	a, err := auth.ActorNamed(context.Background(), db.R, username, "test")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// OrgID is the id of the demo union coded code (BJ-XX-JH-01 …).
func OrgID(t testing.TB, db *store.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.R.Get(&id, "SELECT id FROM orgs WHERE code = ?", code); err != nil {
		t.Fatalf("org %s: %v", code, err)
	}
	return id
}
