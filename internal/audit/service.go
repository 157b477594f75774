package audit

import (
	"context"
	"strconv"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Service is the audit trail's entry point for the audit pages, the API and the command line: it checks who
// may read the trail and walk the chain before it reads.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// Readers may list the trail (SPEC §1.2: auditors read everything in scope; admins see what was done to
// users, orgs and policies within theirs). Everyone else reads only the history of a record they may see,
// through that record's area.
var Readers = []actor.Role{actor.Auditor, actor.Admin}

// Verifiers may walk the hash chain: the readers and finance, who reconcile the books against it.
var Verifiers = []actor.Role{actor.Auditor, actor.Admin, actor.Finance}

// EventPage is one page of events.
type EventPage struct {
	Items []Event `json:"items"`
	Total int     `json:"total"`
}

// Paging picks a page of one record's history (GET …/{id}/history?page=&per_page=).
type Paging struct {
	Page    int `query:"page"`
	PerPage int `query:"per_page"`
}

// History is a page of the events about one record (its entity type and id), newest first. Like List it
// checks no role: each area serves it only after checking that a may see the record.
func History(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, entityType string, id int64, p Paging) (EventPage, error) {
	items, total, err := List(ctx, q, a, Filter{EntityType: entityType, EntityID: strconv.FormatInt(id, 10), Page: p.Page, PerPage: p.PerPage})
	return EventPage{Items: items, Total: total}, err
}

// List returns the events in a's scope that match f, newest first. Readers only.
func (s *Service) List(ctx context.Context, a actor.Actor, f Filter) (EventPage, error) {
	if err := a.Require(Readers...); err != nil {
		return EventPage{}, err
	}
	items, total, err := List(ctx, s.DB.R, a, f)
	return EventPage{Items: items, Total: total}, err
}

// Verify walks the whole chain. Verifiers only.
func (s *Service) Verify(ctx context.Context, a actor.Actor) (Result, error) {
	if err := a.Require(Verifiers...); err != nil {
		return Result{}, err
	}
	return Verify(ctx, s.DB.R)
}
