package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/ledger"
	"bangfu/internal/relief"
)

// applicationRoutes registers the relief applications (SPEC §4, §9.2) and the green-channel report.
func (s *Server) applicationRoutes(g *echo.Group) {
	g.GET("/applications", s.listApplications)
	g.POST("/applications", s.createApplication)
	g.POST("/applications/bulk-approve", s.bulkApprove)
	g.GET("/applications/:id", s.getApplication)
	g.PUT("/applications/:id", s.updateApplication)
	g.GET("/applications/:id/checks", s.applicationChecks)
	g.GET("/applications/:id/decisions", s.applicationDecisions)
	g.GET("/applications/:id/history", s.history(relief.History))
	g.POST("/applications/:id/reveal", s.revealApplication)
	g.POST("/applications/:id/:action", s.applicationAction)
	g.GET("/reports/green-channel", s.greenChannelReport, only(actor.Caseworker, actor.Supervisor, actor.Finance, actor.Auditor))
}

// applicationView is an application with the actions the current user may take and its money.
type applicationView struct {
	relief.Application
	Actions   []string          `json:"actions"`
	Transfers []ledger.Transfer `json:"transfers"`
}

func (v applicationView) MarshalJSON() ([]byte, error) {
	return marshalWith(v.Application, map[string]any{"actions": v.Actions, "transfers": v.Transfers})
}

func (s *Server) applicationView(c echo.Context, app relief.Application) (applicationView, error) {
	ctx := c.Request().Context()
	ts, err := ledger.TransfersByRef(ctx, s.db.R, "application", strconv.FormatInt(app.ID, 10))
	if err != nil {
		return applicationView{}, err
	}
	if app.RecoveryID.Valid { // the reversing transfer names the one it reverses, not the application
		t, err := ledger.GetTransfer(ctx, s.db.R, app.RecoveryID.Int64)
		if err != nil {
			return applicationView{}, err
		}
		ts = append(ts, t)
	}
	return applicationView{Application: app, Actions: relief.Actions(actorOf(c), &app), Transfers: ts}, nil
}

func (s *Server) respondApplication(c echo.Context, status int, app relief.Application) error {
	// The view reads the household's documents as of now; a write's answer is read again after the commit.
	detail, err := relief.Detail(c.Request().Context(), s.db.R, actorOf(c), app.ID, s.clock.Now())
	if err != nil {
		return err
	}
	v, err := s.applicationView(c, detail)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

func (s *Server) listApplications(c echo.Context) error {
	var f relief.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := relief.List(c.Request().Context(), s.db.R, actorOf(c), s.clock.Now(), f)
	if err != nil {
		return err
	}
	items := make([]applicationView, len(page.Items))
	for i, app := range page.Items {
		items[i] = applicationView{Application: app, Actions: relief.Actions(actorOf(c), &app), Transfers: []ledger.Transfer{}}
	}
	return c.JSON(http.StatusOK, list[applicationView]{Items: items, Total: page.Total})
}

func (s *Server) createApplication(c echo.Context) error {
	var in relief.Input
	if err := s.bind(c, &in); err != nil {
		return err
	}
	app, err := relief.Create(c.Request().Context(), s.db, actorOf(c), s.clock.Now(), in)
	if err != nil {
		return err
	}
	return s.respondApplication(c, http.StatusCreated, app)
}

func (s *Server) getApplication(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	app, err := relief.Detail(c.Request().Context(), s.db.R, actorOf(c), id, s.clock.Now())
	if err != nil {
		return err
	}
	v, err := s.applicationView(c, app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) updateApplication(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in relief.Input
	if err := s.bind(c, &in); err != nil {
		return err
	}
	app, err := relief.Update(c.Request().Context(), s.db, actorOf(c), s.clock.Now(), id, in)
	if err != nil {
		return err
	}
	return s.respondApplication(c, http.StatusOK, app)
}

func (s *Server) applicationAction(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in relief.ActionInput
	if err := s.bind(c, &in); err != nil {
		return err
	}
	app, err := relief.Act(c.Request().Context(), s.db, actorOf(c), s.clock.Now(), id, c.Param("action"), in)
	if err != nil {
		return err
	}
	return s.respondApplication(c, http.StatusOK, app)
}

func (s *Server) applicationChecks(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	snap, err := relief.Checks(c.Request().Context(), s.db.R, actorOf(c), s.clock.Now(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, snap)
}

func (s *Server) applicationDecisions(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ds, err := relief.Decisions(c.Request().Context(), s.db.R, actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[relief.Decision]{Items: ds, Total: len(ds)})
}

func (s *Server) bulkApprove(c echo.Context) error {
	var in struct {
		IDs    []int64 `json:"ids" validate:"required,min=1,max=200"`
		Reason string  `json:"reason" validate:"max=500"`
	}
	if err := s.bind(c, &in); err != nil {
		return err
	}
	results, err := relief.ApproveMany(c.Request().Context(), s.db, actorOf(c), s.clock.Now(), in.IDs, in.Reason)
	if err != nil {
		return err
	}
	ok := 0
	for _, r := range results {
		if r.OK {
			ok++
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": results, "total": len(results), "approved": ok})
}

func (s *Server) greenChannelReport(c echo.Context) error {
	var q struct {
		From string `query:"from"`
		To   string `query:"to"`
	}
	if err := bindQuery(c, &q); err != nil {
		return err
	}
	r, err := relief.GreenChannelReport(c.Request().Context(), s.db.R, actorOf(c), s.clock.Now(), q.From, q.To)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *Server) revealApplication(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := relief.Reveal(c.Request().Context(), s.db, actorOf(c), s.clock.Now(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
