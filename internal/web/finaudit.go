package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/finaudit"
)

// finauditHandlers serve the finance audit (SPEC §7 checkpoints, §8.2): each handler binds, calls one service
// method and encodes. The services check roles and scope themselves; authorize (permissions.go) refuses a wrong
// role before binding.
type finauditHandlers struct {
	s           *Server
	checkpoints *audit.Checkpoints
	audit       *finaudit.Service
}

func (s *Server) finauditRoutes(g *echo.Group, cfg Config) {
	keyPath := cfg.KeyPath
	if keyPath == "" {
		keyPath = audit.DefaultKeyPath(s.db.Path)
	}
	h := &finauditHandlers{s: s, checkpoints: &audit.Checkpoints{DB: s.db, Clock: s.clock, KeyPath: keyPath},
		audit: &finaudit.Service{DB: s.db, Clock: s.clock}}
	g.GET("/audit/checkpoints", everyOf(h.checkpoints.List))
	g.POST("/audit/checkpoints", h.takeCheckpoint)
	g.GET("/audit/checkpoints/:id/qr.png", h.checkpointQR)
	g.POST("/audit/checkpoints/verify", h.verifyCheckpoints)

	g.GET("/reports/register", withQuery(h.audit.Register))        // 支出明细: a page of payments, the totals of the whole filter
	g.GET("/reports/fund-use", withQuery(h.audit.FundUse))         // 经费使用情况 for a period
	g.GET("/reports/reconciliation", withActor(h.audit.Reconcile)) // 对账: the ledger against the registers, in scope
	g.GET("/reports/anomalies", withQuery(h.audit.Anomalies))      // 异常线索; every run is audited by the service
}

func (h *finauditHandlers) takeCheckpoint(c echo.Context) error {
	cp, err := h.checkpoints.Take(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cp)
}

// checkpointQR draws the checkpoint's text as a QR code, to be printed beside it and scanned back for
// verification (SPEC §7: filed on paper).
func (h *finauditHandlers) checkpointQR(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("检查点不存在")
	}
	cp, err := h.checkpoints.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	png, err := qrPNG(cp.Text)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "image/png", png)
}

type verifyCheckpointsInput struct {
	Checkpoints []string `json:"checkpoints" validate:"required,min=1,max=100,dive,required,max=2000"`
}

func (h *finauditHandlers) verifyCheckpoints(c echo.Context) error {
	var in verifyCheckpointsInput
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	r, err := h.checkpoints.Verify(c.Request().Context(), actorOf(c), in.Checkpoints)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
