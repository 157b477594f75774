//go:build ignore

// make-schema-v1 writes schema-v1.db: a database as the first release left it (only migration 1 of
// schema.sql applied), with an org, a user holding a role and a few audit events recorded through
// audit.Record so that their chain is real. TestOpen_MigratesASchemaV1Database opens a copy of it.
// The file is committed; regenerate it only if it is lost, never to make a failing test pass:
//
//	go run ./internal/store/testdata/make-schema-v1.go
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"

	"bangfu"
	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/store"
)

const out = "internal/store/testdata/schema-v1.db"

func main() {
	if err := write(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("wrote", out)
}

func write(ctx context.Context) error {
	if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
		return err
	}
	w, err := sqlx.Open("sqlite3", "file:"+out+"?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_txlock=immediate")
	if err != nil {
		return err
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	if err := store.MigrateTo(w, bangfu.Schema, 1); err != nil {
		return err
	}
	at := time.Date(2025, 6, 1, 8, 30, 0, 0, time.UTC)
	ts := store.FormatTime(at)
	tx, err := w.Beginx()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT INTO orgs (id, code, name, level, parent_id, path, created_at) VALUES (1, 'district', '区总工会', 1, NULL, '/1/', '` + ts + `')`,
		`INSERT INTO orgs (id, code, name, level, parent_id, path, created_at) VALUES (2, 'XX', '西兴街道总工会', 2, 1, '/1/2/', '` + ts + `')`,
		// A placeholder password hash: nothing logs in as this user.
		`INSERT INTO users (id, username, name, org_id, password_hash, created_at, updated_at) VALUES (1, 'wanglj', '王丽娟', 2,
		 '$2a$04$Yb8d5tW1b1o7m8dEJm5kN.8kGd0vVvB5a1gk0Qd0b7fE0B0kVx2lS', '` + ts + `', '` + ts + `')`,
		`INSERT INTO user_roles (user_id, role) VALUES (1, 'caseworker')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	sys := actor.System("make-schema-v1")
	entries := []audit.Entry{
		{Action: "org.create", EntityType: "org", EntityID: "1", OrgID: 1, OrgPath: "/1/",
			After: map[string]any{"code": "district", "name": "区总工会"}},
		{Action: "org.create", EntityType: "org", EntityID: "2", OrgID: 2, OrgPath: "/1/2/",
			After: map[string]any{"code": "XX", "name": "西兴街道总工会"}},
		{Action: "user.create", EntityType: "user", EntityID: "1", OrgID: 2, OrgPath: "/1/2/",
			After: map[string]any{"username": "wanglj", "name": "王丽娟", "roles": []string{"caseworker"}}},
		{Action: "user.update", EntityType: "user", EntityID: "1", OrgID: 2, OrgPath: "/1/2/", Reason: "改名",
			Before: map[string]any{"name": "王丽"}, After: map[string]any{"name": "王丽娟"}},
	}
	for i, e := range entries {
		if err := audit.Record(ctx, tx, sys, at.Add(time.Duration(i)*time.Minute), e); err != nil {
			return err
		}
	}
	return tx.Commit()
}
