package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"bangfu/internal/export"
	"bangfu/internal/household"
	"bangfu/internal/ledger"
	"bangfu/internal/referral"
	"bangfu/internal/relief"
	"bangfu/internal/report"
)

// exportRoutes registers the XLSX/CSV export of each list (SPEC §8.1): the list's own filters, plus
// format=xlsx|csv and unmasked=1 (finance and auditors; audited).
func (s *Server) exportRoutes(g *echo.Group) {
	g.GET("/households/export", func(c echo.Context) error {
		var f household.Filter
		return s.sendExport(c, &f, func(opt report.Options) (*report.File, error) {
			return s.reports.Households(c.Request().Context(), actorOf(c), f, opt)
		})
	})
	g.GET("/applications/export", func(c echo.Context) error {
		var f relief.Filter
		return s.sendExport(c, &f, func(opt report.Options) (*report.File, error) {
			return s.reports.Applications(c.Request().Context(), actorOf(c), f, opt)
		})
	})
	g.GET("/referrals/export", func(c echo.Context) error {
		var f referral.Filter
		return s.sendExport(c, &f, func(opt report.Options) (*report.File, error) {
			return s.reports.Referrals(c.Request().Context(), actorOf(c), f, opt)
		})
	})
	g.GET("/funds/:id/transfers/export", func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var f ledger.StatementFilter
		return s.sendExport(c, &f, func(opt report.Options) (*report.File, error) {
			return s.reports.Transfers(c.Request().Context(), actorOf(c), id, f, opt)
		})
	})
}

// sendExport binds the list filter into filter and the export options, runs the export and sends the file.
func (s *Server) sendExport(c echo.Context, filter any, run func(report.Options) (*report.File, error)) error {
	if err := bindQuery(c, filter); err != nil {
		return err
	}
	q := c.QueryParams()
	format, err := export.ParseFormat(q.Get("format"))
	if err != nil {
		return err
	}
	listFilter := url.Values{}
	for k, v := range q {
		if k != "format" && k != "unmasked" {
			listFilter[k] = v
		}
	}
	f, err := run(report.Options{Format: format, Unmasked: q.Get("unmasked") == "1", Filter: listFilter.Encode()})
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("X-Export-Rows", strconv.Itoa(f.Rows))
	c.Response().Header().Set(echo.HeaderContentType, format.ContentType())
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), f)
	return err
}
