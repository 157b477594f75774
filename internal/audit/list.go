package audit

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/clock"
	"bangfu/internal/store"
)

// Filter selects events for the audit log pages. Empty fields do not filter.
type Filter struct {
	Action     string `query:"action"`
	EntityType string `query:"entity_type"`
	EntityID   string `query:"entity_id"`
	Actor      string `query:"actor"`
	From       string `query:"from"` // calendar date, inclusive
	To         string `query:"to"`   // calendar date, inclusive
	Page       int    `query:"page"`
	PerPage    int    `query:"per_page"`
}

// List returns the events in a's scope that match f, newest first, and how many match in all. It checks no
// role: it is the query under Service.List (the trail, for its Readers) and under each area's history of one
// record, which that area serves only after checking that a may see the record.
func List(ctx context.Context, q sqlx.QueryerContext, a actor.Actor, f Filter) ([]Event, int, error) {
	scope, args := a.Scope("org_path")
	where := []string{scope}
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.EntityType != "" {
		add("entity_type = ?", f.EntityType)
	}
	if f.EntityID != "" {
		add("entity_id = ?", f.EntityID)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	// Dates are China calendar days; stored instants are UTC text, whose order is time order.
	if f.From != "" {
		d, err := time.ParseInLocation("2006-01-02", f.From, clock.China)
		if err != nil {
			return nil, 0, apperr.Invalid("from", "日期格式应为 2006-01-02")
		}
		add("at >= ?", store.FormatTime(d))
	}
	if f.To != "" {
		d, err := time.ParseInLocation("2006-01-02", f.To, clock.China)
		if err != nil {
			return nil, 0, apperr.Invalid("to", "日期格式应为 2006-01-02")
		}
		add("at < ?", store.FormatTime(d.AddDate(0, 0, 1)))
	}
	page, per := store.Paging(f.Page, f.PerPage)
	cond := strings.Join(where, " AND ")
	var total int
	if err := sqlx.GetContext(ctx, q, &total, "SELECT count(*) FROM audit_events WHERE "+cond, args...); err != nil {
		return nil, 0, err
	}
	events := []Event{}
	err := sqlx.SelectContext(ctx, q, &events, "SELECT * FROM audit_events WHERE "+cond+
		" ORDER BY seq DESC LIMIT ? OFFSET ?", append(args, per, (page-1)*per)...)
	for i := range events {
		events[i].RoleList = []string{}
		if events[i].Roles != "" {
			events[i].RoleList = strings.Split(events[i].Roles, ",")
		}
		if events[i].Changes.Valid {
			events[i].ChangesRaw = json.RawMessage(events[i].Changes.String)
		}
	}
	return events, total, err
}
