package demo_test

import (
	"testing"
	"time"

	"bangfu/internal/clock"
	"bangfu/internal/demotest"
)

// The demo campaigns: a dozen deliveries with some unconfirmed, and enrolments in every state.
func TestFull_WritesTheDemoCampaigns(t *testing.T) {
	db := demotest.Full(t, clock.NewManual(time.Date(2026, 7, 20, 9, 0, 0, 0, clock.China)))
	var n struct {
		Deliveries  int `db:"deliveries"`
		Unconfirmed int `db:"unconfirmed"`
	}
	db.R.Get(&n, "SELECT count(*) AS deliveries, coalesce(sum(status = 'unconfirmed'), 0) AS unconfirmed FROM campaign_deliveries")
	if n.Deliveries < 12 || n.Unconfirmed == 0 || n.Unconfirmed == n.Deliveries {
		t.Errorf("deliveries: %+v", n)
	}
	var states []string
	db.R.Select(&states, "SELECT DISTINCT status FROM campaign_enrolments ORDER BY status")
	if len(states) != 4 {
		t.Errorf("enrolment states: %v", states)
	}
	var total int
	db.R.Get(&total, "SELECT count(*) FROM campaign_enrolments")
	if total < 200 {
		t.Errorf("%d enrolments", total)
	}
	// The warmth campaign's list, decided in bulk: households and holiday-duty workers, approved.
	var w struct {
		Listed   int `db:"listed"`
		Workers  int `db:"workers"`
		Approved int `db:"approved"`
	}
	db.R.Get(&w, `SELECT count(*) AS listed, coalesce(sum(w.household_id IS NULL), 0) AS workers,
		coalesce(sum(a.status = 'approved'), 0) AS approved FROM campaign_warmth w JOIN applications a ON a.id = w.application_id`)
	if w.Listed < 10 || w.Workers != 2 || w.Approved == 0 {
		t.Errorf("warmth list: %+v", w)
	}
}
