package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/relief"
)

// applicationRoutes registers the relief applications (SPEC §4, §9.2) and the green-channel report. Each
// route is the relief.Service method it calls — which checks the role, the scope and the rules — through the
// shapes of handle.go.
func (s *Server) applicationRoutes(g *echo.Group) {
	svc := &relief.Service{DB: s.db, Clock: s.clock}
	g.GET("/applications", withQuery(svc.List))
	g.POST("/applications", withBody(s, http.StatusCreated, svc.Create))
	g.POST("/applications/bulk-approve", withBody(s, http.StatusOK, svc.ApproveMany))
	// The dry run of an unsaved form: the amount the policy fixes, the documents the case needs and the
	// submission's checks; nothing is written.
	g.POST("/applications/check", withBody(s, http.StatusOK, svc.Check))
	g.GET("/applications/:id", onID(svc.Get))
	g.PUT("/applications/:id", withBodyOn(s, http.StatusOK, svc.Update))
	g.GET("/applications/:id/checks", onID(svc.Checks))
	g.GET("/applications/:id/decisions", childList(svc.Decisions))
	g.GET("/applications/:id/history", withQueryOn(svc.History))
	g.POST("/applications/:id/reveal", onID(svc.Reveal))
	g.POST("/applications/:id/:action", withAction(s, svc.Act))
	g.GET("/reports/green-channel", withQuery(svc.GreenChannelReport))
}
