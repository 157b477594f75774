package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
)

// finaudit serves the finance audit (SPEC §7 checkpoints, §8.2): each handler binds, calls one service method
// and encodes. The services check roles and scope themselves; the routes refuse a wrong role before binding.
type finaudit struct {
	s           *Server
	checkpoints *audit.Checkpoints
}

func (s *Server) finauditRoutes(g *echo.Group, cfg Config) {
	keyPath := cfg.KeyPath
	if keyPath == "" {
		keyPath = audit.DefaultKeyPath(s.db.Path)
	}
	h := &finaudit{s: s, checkpoints: &audit.Checkpoints{DB: s.db, Clock: s.clock, KeyPath: keyPath}}
	reader := only(actor.Finance, actor.Auditor, actor.Admin)
	g.GET("/audit/checkpoints", h.listCheckpoints, reader)
	g.POST("/audit/checkpoints", h.takeCheckpoint, only(actor.Finance, actor.Auditor))
	g.GET("/audit/checkpoints/:id/qr.png", h.checkpointQR, reader)
	g.POST("/audit/checkpoints/verify", h.verifyCheckpoints, reader)
}

func (h *finaudit) listCheckpoints(c echo.Context) error {
	cps, err := h.checkpoints.List(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[audit.Checkpoint]{Items: cps, Total: len(cps)})
}

func (h *finaudit) takeCheckpoint(c echo.Context) error {
	cp, err := h.checkpoints.Take(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, cp)
}

// checkpointQR draws the checkpoint's text as a QR code, to be printed beside it and scanned back for
// verification (SPEC §7: filed on paper).
func (h *finaudit) checkpointQR(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFoundf("检查点不存在")
	}
	cp, err := h.checkpoints.Get(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(cp.Text, qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=3600")
	return c.Blob(http.StatusOK, "image/png", png)
}

type verifyCheckpointsInput struct {
	Checkpoints []string `json:"checkpoints" validate:"required,min=1,max=100,dive,required,max=2000"`
}

func (h *finaudit) verifyCheckpoints(c echo.Context) error {
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
