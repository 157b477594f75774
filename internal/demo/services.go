package demo

import (
	"time"

	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/referral"
	"bangfu/internal/store"
)

// The demo tells each story in the past, so it calls the areas' services with their clock stopped at the
// moment of each step: the same methods, role and scope checks as the API.

func householdsAt(db *store.DB, t time.Time) *household.Service {
	return &household.Service{DB: db, Clock: clock.NewManual(t)}
}

func referralsAt(db *store.DB, t time.Time) *referral.Service {
	return &referral.Service{DB: db, Clock: clock.NewManual(t)}
}
