package finaudit_test

import (
	"context"
	"strconv"
	"testing"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/ledger"
	"bangfu/internal/store"
)

func TestReconcile_TheDemoReconcilesToZeroDifferences(t *testing.T) {
	db := demoDB(t)
	r, err := service(db).Reconcile(context.Background(), user(t, db, "finance1"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || len(r.Differences) != 0 {
		t.Fatalf("differences in the clean demo: %+v", r.Differences)
	}
	if r.Transfers < 100 || r.Applications < 100 || r.LedgerPaidFen != r.RegisterPaidFen || r.RegisterPaidFen == 0 {
		t.Errorf("checked %d transfers and %d applications, paid %d in the ledger and %d in the register", r.Transfers, r.Applications, r.LedgerPaidFen, r.RegisterPaidFen)
	}
}

func TestReconcile_IsForFinanceAndAuditors(t *testing.T) {
	db := demoDB(t)
	for _, u := range []string{"caseworker1", "supervisor1", "admin"} {
		if _, err := service(db).Reconcile(context.Background(), user(t, db, u)); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v, want forbidden", u, err)
		}
	}
	if _, err := service(db).Reconcile(context.Background(), user(t, db, "auditor1")); err != nil {
		t.Errorf("auditor: %v", err)
	}
}

// Each damage is listed on its own, with the records and the two amounts.
func TestReconcile_ListsEachDifferenceOneByOne(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, db *testDB) (appID, transferID int64)
		rules  []string
	}{
		{"an application's amount changed after payment", func(t *testing.T, db *testDB) (int64, int64) {
			id := db.paid(t, "received", 0)
			sql(t, db.DB, "UPDATE applications SET amount_fen = amount_fen + 100 WHERE id = "+itoa(id))
			return id, db.transferOf(t, id)
		}, []string{"amount_mismatch"}},
		{"a paid application put back to approved", func(t *testing.T, db *testDB) (int64, int64) {
			id := db.paid(t, "disbursed", 0)
			sql(t, db.DB, "UPDATE applications SET status = 'approved' WHERE id = "+itoa(id))
			return id, db.transferOf(t, id)
		}, []string{"not_paid"}},
		{"a payment written into the ledger behind its back", func(t *testing.T, db *testDB) (int64, int64) {
			tid := db.paidTransfer(t)
			sql(t, db.DB, `INSERT INTO fund_transfers (kind, debit_account_id, credit_account_id, amount, unit, pending, content_hash,
				ref_type, ref_id, actor, created_at) SELECT kind, debit_account_id, credit_account_id, 5000, unit, 0, '', 'application', '99999',
				'x', created_at FROM fund_transfers WHERE id = `+itoa(tid))
			return 0, one[int64](t, db.DB, "SELECT max(id) FROM fund_transfers")
		}, []string{"no_ledger_record", "no_source"}},
		{"a payment reversed from the funds page, not recovered on the application", func(t *testing.T, db *testDB) (int64, int64) {
			id := db.paid(t, "received", 0)
			rt, err := (&ledger.Service{DB: db.DB, Clock: clock.NewManual(now)}).Reverse(context.Background(), user(t, db.DB, "finance1"), db.transferOf(t, id),
				ledger.ReverseInput{Reason: "重复发放，冲回"})
			if err != nil {
				t.Fatal(err)
			}
			return id, rt.ID
		}, []string{"reversal_unrecorded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &testDB{demoDB(t)}
			appID, tid := tt.damage(t, db)
			r, err := service(db.DB).Reconcile(context.Background(), actor.System("test"))
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || len(r.Differences) != len(tt.rules) {
				t.Fatalf("differences %+v, want %v", r.Differences, tt.rules)
			}
			for i, d := range r.Differences {
				if d.Rule != tt.rules[i] || d.TransferID != tid || d.ApplicationID != appID || d.Message == "" {
					t.Errorf("difference %+v, want %s naming application %d and transfer %d", d, tt.rules[i], appID, tid)
				}
			}
		})
	}
}

// A finance user of one sub-district reconciles that subtree: a difference elsewhere is not theirs.
func TestReconcile_StaysInScope(t *testing.T) {
	db := &testDB{demoDB(t)}
	id := db.paid(t, "received", 0)
	sql(t, db.DB, "UPDATE applications SET amount_fen = amount_fen + 1 WHERE id = "+itoa(id))
	path := one[string](t, db.DB, "SELECT org_path FROM applications WHERE id = ?", id)
	other := "/1/3/"
	if path[:5] == other {
		other = "/1/2/"
	}
	fin := actor.Actor{UserID: 99, Username: "finance9", Roles: []actor.Role{actor.Finance}, OrgPath: other}
	r, err := service(db.DB).Reconcile(context.Background(), fin)
	if err != nil || !r.OK {
		t.Errorf("out of scope: %+v %v", r, err)
	}
	fin.OrgPath = path[:5]
	if r, _ := service(db.DB).Reconcile(context.Background(), fin); r.OK || r.Differences[0].ApplicationID != id {
		t.Errorf("in scope: %+v", r)
	}
}

type testDB struct{ *store.DB }

// paid returns an application of the demo with status whose payment went out, skipping the first n.
func (db *testDB) paid(t *testing.T, status string, n int) int64 {
	return one[int64](t, db.DB, "SELECT id FROM applications WHERE status = ? AND recovery_transfer_id IS NULL ORDER BY id LIMIT 1 OFFSET ?", status, n)
}

func (db *testDB) transferOf(t *testing.T, id int64) int64 {
	return one[int64](t, db.DB, "SELECT transfer_id FROM applications WHERE id = ?", id)
}

func (db *testDB) paidTransfer(t *testing.T) int64 {
	return db.transferOf(t, db.paid(t, "received", 0))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
