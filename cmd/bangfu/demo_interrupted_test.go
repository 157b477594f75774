package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/demotest"
	"bangfu/internal/store"
)

func TestServeDemo_RefusesADatabaseWhoseDemoWasCutShort(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bangfu.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// What a kill leaves half-way through the first `serve --demo`: the orgs and users, the demo begun.
	if _, err := demo.Seed(ctx, db, demotest.Users(db, clock.System{})); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *sqlx.Tx) error {
		return audit.Record(ctx, tx, actor.System("test"), time.Now(), audit.Entry{Action: "demo.begin", EntityType: "demo", EntityID: "1", OrgPath: "/"})
	}); err != nil {
		t.Fatal(err)
	}
	if cut, err := demo.Interrupted(ctx, db.R); err != nil || !cut {
		t.Fatalf("Interrupted = %v, %v; want true", cut, err)
	}
	db.Close()

	var out bytes.Buffer
	code, err := run(ctx, []string{"serve", "--demo", "--db", path, "--addr", "127.0.0.1:0"}, nil, &out)
	// main turns an error with code 0 into exit 1.
	if err == nil || !strings.Contains(err.Error(), "演示数据上次未写完") {
		t.Fatalf("serve --demo on a cut-short demo: code %d, error %v\n%s", code, err, &out)
	}
}
