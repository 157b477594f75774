package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/report"
)

// reportRoutes serve the dashboard and the year-end figures (SPEC §8.1): bind, call one report method, encode.
func (s *Server) reportRoutes(g *echo.Group) {
	g.GET("/reports/dashboard", withActor(s.reports.Dashboard))
	g.GET("/reports/annual", s.annual)
}

// annual answers the year-end figures as JSON, or with ?format=xlsx|csv as a file (audited as an export).
func (s *Server) annual(c echo.Context) error {
	var f report.AnnualFilter
	if c.QueryParam("format") != "" {
		return s.sendExport(c, &f, func(o report.Options) (*report.File, error) {
			return s.reports.AnnualFile(c.Request().Context(), actorOf(c), f, o)
		})
	}
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	r, err := s.reports.Annual(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
