package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/campaign"
	"bangfu/internal/relief"
)

// Who before what, for the routes on one record (…/:id…): authorize has refused a role that may not act
// before the body is read; this answers for the record's scope. A request on record :id whose body or query
// is refused — it does not bind, it is too large, or the service finds a field wrong — is answered as the
// record's own read answers the actor: a record out of the actor's scope, or none at all, is 404 whatever was
// sent, so a refused body tells an outsider no more than a valid one would (the service answers that 404
// when the body is valid). The read is asked only on that path: a request whose body is accepted goes on to
// the service, which checks the scope again inside its transaction.
func (s *Server) scopeBeforeBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || !refusedInput(err) {
			return err
		}
		read := s.recordRead(c.Path())
		if read == nil {
			return err
		}
		id, idErr := pathID(c)
		if idErr != nil {
			return idErr
		}
		if readErr := read(c.Request().Context(), actorOf(c), id); apperr.CodeOf(readErr) == apperr.NotFound {
			return readErr
		}
		return err
	}
}

// refusedInput reports whether err refuses what the request sent rather than who sent it.
func refusedInput(err error) bool {
	var he *echo.HTTPError
	if errors.As(err, &he) && !errors.As(err, new(*apperr.Error)) {
		return he.Code == http.StatusRequestEntityTooLarge || he.Code == http.StatusBadRequest
	}
	code := apperr.CodeOf(err)
	return code == apperr.Validation || code == apperr.TooLarge
}

// recordRead is the read that says whether the actor sees the record of a route ("/api/v1/households/:id/…"),
// nil for a route on no record.
func (s *Server) recordRead(path string) recordRead {
	for prefix, read := range s.records {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return read
		}
	}
	return nil
}

// recordRead answers nil when a sees record id, and the area's not_found when it does not.
type recordRead func(ctx context.Context, a actor.Actor, id int64) error

func readOf[T any](get func(context.Context, actor.Actor, int64) (T, error)) recordRead {
	return func(ctx context.Context, a actor.Actor, id int64) error {
		_, err := get(ctx, a, id)
		return err
	}
}

// recordReads is the one table of the records that routes act on, each with its area's read.
// TestScopeBeforeBody_ARefusedBodyOnNoRecordIs404 fails on a write route on a record without one.
func (s *Server) recordReads() map[string]recordRead {
	applications := &relief.Service{DB: s.db, Clock: s.clock}
	campaigns := &campaign.Service{DB: s.db, Clock: s.clock}
	return map[string]recordRead{
		"/api/v1/households/:id":           readOf(s.households.Get),
		"/api/v1/applications/:id":         readOf(applications.Get),
		"/api/v1/referrals/:id":            readOf(s.referrals.Get),
		"/api/v1/funds/:id":                readOf(s.ledger.Account),
		"/api/v1/funds/transfers/:id":      readOf(s.ledger.Transfer),
		"/api/v1/campaigns/:id":            readOf(campaigns.Get),
		"/api/v1/campaigns/deliveries/:id": readOf(campaigns.Delivery),
		"/api/v1/campaigns/purchases/:id":  readOf(campaigns.Purchase),
		"/api/v1/campaigns/enrolments/:id": readOf(campaigns.Enrolment),
		"/api/v1/orgs/:id":                 readOf(s.orgs.Get),
		"/api/v1/users/:id":                readOf(s.auth.User),
		"/api/v1/imports/:id":              nil, // no body: run takes none, and a job is its uploader's alone
		"/api/v1/audit/checkpoints/:id":    nil, // read only (qr.png)
	}
}
