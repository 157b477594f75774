package demo_test

import (
	"context"
	"testing"
	"time"

	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/demotest"
	"bangfu/internal/ledger"
)

func TestFull_WritesADemoLedgerThatChecksAndKeepsTheAuditChain(t *testing.T) {
	ctx := context.Background()
	db := demotest.Full(t, clock.NewManual(time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China)))
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
