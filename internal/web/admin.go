package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/auth"
)

// adminRoutes registers the administration of SPEC §1.2 — orgs, users, policy versions — and the audit
// trail's reading (SPEC §7).
func (s *Server) adminRoutes(in *echo.Group) {
	in.GET("/orgs", everyOf(s.orgs.List))
	in.POST("/orgs", withBody(s, http.StatusCreated, s.orgs.Create))
	in.PATCH("/orgs/:id", s.renameOrg)

	in.GET("/users", s.listUsers)
	in.POST("/users", s.createUser)
	in.GET("/users/:id", s.getUser)
	in.PATCH("/users/:id", withBodyOn(s, http.StatusOK, s.auth.UpdateUser))
	in.POST("/users/:id/password", s.resetPassword)
	in.POST("/users/:id/unlock", s.unlockUser)

	in.GET("/policies", everyOf(s.policies.List))
	in.GET("/policies/current", s.currentPolicy)
	in.GET("/policies/:id", onID(s.policies.Get))
	in.POST("/policies", withBody(s, http.StatusCreated, s.policies.Create))

	in.GET("/audit/events", withQuery(s.audit.List))
	in.GET("/audit/verify", withActor(s.audit.Verify))
}

func (s *Server) renameOrg(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name" validate:"required,max=100"`
	}
	if err := s.bind(c, &in); err != nil {
		return err
	}
	o, err := s.orgs.Rename(c.Request().Context(), actorOf(c), id, in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

func (s *Server) listUsers(c echo.Context) error {
	var f auth.UserFilter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	users, total, err := auth.ListUsers(c.Request().Context(), s.db.R, actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[auth.User]{Items: users, Total: total})
}

func (s *Server) getUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := auth.GetUser(c.Request().Context(), s.db.R, actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) createUser(c echo.Context) error {
	var in auth.NewUser
	if err := s.bind(c, &in); err != nil {
		return err
	}
	in.OneTime = true // the admin chose it; the user changes it at first log-in
	u, err := s.auth.CreateUser(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, u)
}

func (s *Server) resetPassword(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password" validate:"required"`
	}
	if err := s.bind(c, &in); err != nil {
		return err
	}
	if err := s.auth.ResetPassword(c.Request().Context(), actorOf(c), id, in.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
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
