package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/demo"
	"bangfu/internal/ledger"
	"bangfu/internal/store"
)

func TestFull_WritesADemoLedgerThatChecksAndKeepsTheAuditChain(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &auth.Service{DB: db, Clock: clock.NewManual(time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China)), BcryptCost: bcrypt.MinCost}
	if created, err := demo.Full(ctx, db, svc); err != nil || !created {
		t.Fatalf("demo.Full: %v %v", created, err)
	}
	r, err := ledger.Check(ctx, db.R)
	if err != nil || !r.OK() || r.Transfers < 20 {
		t.Fatalf("ledger check: %+v %v", r, err)
	}
	line, err := ledger.FindBudgetLine(ctx, db.R, 1, 2026, "living")
	if err != nil || line.Balance().Available <= 0 {
		t.Fatalf("living line: %+v %v", line, err)
	}
	if v, err := audit.Verify(ctx, db.R); err != nil || !v.OK {
		t.Fatalf("audit verify: %+v %v", v, err)
	}
}
