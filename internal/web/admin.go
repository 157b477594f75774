package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/org"
	"bangfu/internal/policy"
)

func (s *Server) listOrgs(c echo.Context) error {
	orgs, err := s.orgs.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[org.Org]{Items: orgs, Total: len(orgs)})
}

func (s *Server) createOrg(c echo.Context) error {
	var in org.NewOrg
	if err := s.bind(c, &in); err != nil {
		return err
	}
	o, err := s.orgs.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, o)
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

func (s *Server) updateUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in auth.UserChange
	if err := s.bind(c, &in); err != nil {
		return err
	}
	u, err := s.auth.UpdateUser(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
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

func (s *Server) listPolicies(c echo.Context) error {
	ps, err := s.policies.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[policy.Policy]{Items: ps, Total: len(ps)})
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

func (s *Server) getPolicy(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := s.policies.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) createPolicy(c echo.Context) error {
	var in policy.NewVersion
	if err := s.bind(c, &in); err != nil {
		return err
	}
	p, err := s.policies.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) listAuditEvents(c echo.Context) error {
	var f audit.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := s.audit.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) verifyAudit(c echo.Context) error {
	r, err := s.audit.Verify(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
