package web

import (
	"context"
	"net/http"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/audit"
	"bangfu/internal/relief"
)

// applicationRoutes registers the relief applications (SPEC §4, §9.2) and the green-channel report. Each
// handler binds, calls one relief.Service method — which checks the role, the scope and the rules — and
// encodes its answer.
func (s *Server) applicationRoutes(g *echo.Group) {
	h := &applicationHandlers{s: s, svc: &relief.Service{DB: s.db, Clock: s.clock}}
	g.GET("/applications", h.list)
	g.POST("/applications", h.create)
	g.POST("/applications/bulk-approve", h.bulkApprove)
	g.POST("/applications/check", h.check)
	g.GET("/applications/:id", h.get)
	g.PUT("/applications/:id", h.update)
	g.GET("/applications/:id/checks", h.checks)
	g.GET("/applications/:id/decisions", childList(h.svc.Decisions))
	g.GET("/applications/:id/history", s.history(func(ctx context.Context, _ sqlx.QueryerContext, a actor.Actor, id int64, page, perPage int) ([]audit.Event, int, error) {
		return h.svc.History(ctx, a, id, page, perPage)
	}))
	g.POST("/applications/:id/reveal", h.reveal)
	g.POST("/applications/:id/:action", h.act)
	g.GET("/reports/green-channel", h.greenChannelReport)
}

type applicationHandlers struct {
	s   *Server
	svc *relief.Service
}

func (h *applicationHandlers) list(c echo.Context) error {
	var f relief.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (h *applicationHandlers) create(c echo.Context) error {
	var in relief.Input
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	v, err := h.svc.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// check is the dry run of an unsaved form: the amount the policy fixes, the documents the case needs and the
// submission's checks; nothing is written.
func (h *applicationHandlers) check(c echo.Context) error {
	var in relief.Input
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	p, err := h.svc.Check(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (h *applicationHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := h.svc.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *applicationHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in relief.Input
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	v, err := h.svc.Update(c.Request().Context(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *applicationHandlers) act(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in relief.ActionInput
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	v, err := h.svc.Act(c.Request().Context(), actorOf(c), id, c.Param("action"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *applicationHandlers) checks(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	snap, err := h.svc.Checks(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, snap)
}

func (h *applicationHandlers) bulkApprove(c echo.Context) error {
	var in struct {
		IDs    []int64 `json:"ids"`
		Reason string  `json:"reason"`
	}
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	r, err := h.svc.ApproveMany(c.Request().Context(), actorOf(c), in.IDs, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h *applicationHandlers) greenChannelReport(c echo.Context) error {
	var q struct {
		From string `query:"from"`
		To   string `query:"to"`
	}
	if err := bindQuery(c, &q); err != nil {
		return err
	}
	r, err := h.svc.GreenChannelReport(c.Request().Context(), actorOf(c), q.From, q.To)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h *applicationHandlers) reveal(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.svc.Reveal(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
