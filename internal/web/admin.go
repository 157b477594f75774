package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// adminRoutes registers the administration of SPEC §1.2 — orgs, users, policy versions — and the audit
// trail's reading (SPEC §7).
func (s *Server) adminRoutes(in *echo.Group) {
	in.GET("/orgs", everyOf(s.orgs.List))
	in.POST("/orgs", withBody(s, http.StatusCreated, s.orgs.Create))
	in.PATCH("/orgs/:id", withBodyOn(s, http.StatusOK, s.orgs.Rename))

	in.GET("/users", withQuery(s.auth.Users))
	in.POST("/users", withBody(s, http.StatusCreated, s.auth.CreateUser))
	in.GET("/users/:id", onID(s.auth.User))
	in.PATCH("/users/:id", withBodyOn(s, http.StatusOK, s.auth.UpdateUser))
	in.POST("/users/:id/password", withBodyOn(s, http.StatusNoContent, doneOn(s.auth.ResetPassword)))
	in.POST("/users/:id/unlock", withBodyOn(s, http.StatusOK, s.auth.Unlock))

	in.GET("/policies", everyOf(s.policies.List))
	in.GET("/policies/current", s.currentPolicy)
	in.GET("/policies/:id", onID(s.policies.Get))
	in.POST("/policies", withBody(s, http.StatusCreated, s.policies.Create))

	in.GET("/audit/events", withQuery(s.audit.List))
	in.GET("/audit/verify", withActor(s.audit.Verify))
}

func (s *Server) currentPolicy(c echo.Context) error {
	var q struct {
		OrgID int64  `query:"org_id"`
		Date  string `query:"date"`
	}
	if err := bindQuery(c, &q); err != nil {
		return err
	}
	p, err := s.policies.InForceFor(c.Request().Context(), actorOf(c), q.OrgID, q.Date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
