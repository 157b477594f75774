package demo

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/storetest"
)

func TestFull_HouseholdsCoverEveryStatusAndCategory(t *testing.T) {
	db := storetest.Open(t)
	svc := &auth.Service{DB: db, Clock: clock.NewManual(time.Date(2026, 3, 10, 9, 0, 0, 0, clock.China)), BcryptCost: bcrypt.MinCost}
	if _, err := Full(context.Background(), db, svc); err != nil {
		t.Fatal(err)
	}
	var statuses, categories, docs int
	db.R.Get(&statuses, "SELECT count(DISTINCT status) FROM households")
	db.R.Get(&categories, "SELECT count(DISTINCT suggested_category) FROM households")
	db.R.Get(&docs, "SELECT count(*) FROM household_documents")
	var due int
	db.R.Get(&due, "SELECT count(*) FROM households WHERE status = 'filed' AND filed_at < '2025-03-10'")
	if statuses != 7 || categories != 4 || docs < 200 || due == 0 {
		t.Fatalf("statuses %d, categories %d, documents %d, review due %d", statuses, categories, docs, due)
	}
}
