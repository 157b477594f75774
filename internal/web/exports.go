package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/export"
	"bangfu/internal/ledger"
	"bangfu/internal/report"
)

// exportRoutes registers the XLSX/CSV export of each list (SPEC §8.1): the list's own filters, plus
// format=xlsx|csv and unmasked=1 (finance and auditors; audited).
func (s *Server) exportRoutes(g *echo.Group) {
	r := s.reports
	g.GET("/households/export", listExport(s, r.Households))
	g.GET("/applications/export", listExport(s, r.Applications))
	g.GET("/referrals/export", listExport(s, r.Referrals))
	g.GET("/audit/events/export", listExport(s, r.AuditTrail))
	g.GET("/funds/export", listExport(s, r.Accounts))
	g.GET("/users/export", listExport(s, r.Users))
	g.GET("/policies/export", listExport(s, r.Policies))
	g.GET("/holidays/export", listExport(s, r.Holidays))
	g.GET("/campaigns/export", listExport(s, r.Campaigns))
	g.GET("/allocations/export", listExport(s, func(ctx context.Context, a actor.Actor, f ledger.AccountFilter, opt report.Options) (*report.File, error) {
		f.Kind = string(ledger.Allocation) // the allocations page is the accounts list of that kind
		return r.Accounts(ctx, a, f, opt)
	}))
	g.GET("/funds/:id/transfers/export", recordListExport(s, r.Transfers))
	g.GET("/reports/register/export", listExport(s, r.Register))
	g.GET("/reports/dashboard/export", listExport(s, r.DashboardExport))
	g.GET("/reports/anomalies/export", listExport(s, r.Anomalies))
	g.GET("/reports/fund-use/export", listExport(s, r.FundUse))
	g.GET("/reports/reconciliation/export", listExport(s, r.Reconciliation))
	g.GET("/reports/green-channel/export", listExport(s, r.GreenChannel))
	g.GET("/reports/campaigns/export", listExport(s, r.Coverage))
	g.GET("/campaigns/:id/deliveries/export", recordListExport(s, r.Deliveries))
	g.GET("/campaigns/:id/enrolments/export", recordListExport(s, r.Enrolments))
	g.GET("/campaigns/:id/warmth/export", recordListExport(s, r.Warmth))
}

// listExport is the handler of an export whose list filter is F.
func listExport[F any](s *Server, run func(context.Context, actor.Actor, F, report.Options) (*report.File, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var f F
		return s.sendExport(c, &f, func(opt report.Options) (*report.File, error) {
			return run(c.Request().Context(), actorOf(c), f, opt)
		})
	}
}

// recordListExport is the handler of an export of a list that belongs to the record the path's :id names
// (an account's statement, a campaign's deliveries).
func recordListExport[F any](s *Server, run func(context.Context, actor.Actor, int64, F, report.Options) (*report.File, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var f F
		return s.sendExport(c, &f, func(opt report.Options) (*report.File, error) {
			return run(c.Request().Context(), actorOf(c), id, f, opt)
		})
	}
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
