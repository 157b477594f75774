package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"bangfu/internal/campaign"
)

// campaignRoutes registers the campaigns of SPEC §5 (送清凉, 免费体检): the campaign and its lifecycle, cooling
// goods, purchases and deliveries, health-check quotas and enrolments. Who may do what is the campaign area's
// table (campaign.Rules); permissions.go repeats it for the early refusal.
func (s *Server) campaignRoutes(g *echo.Group) {
	svc := &campaign.Service{DB: s.db, Clock: s.clock}
	h := &campaignHandlers{svc: svc, s: s}
	g.GET("/campaigns", withQuery(svc.List))
	g.POST("/campaigns", withBody(s, http.StatusCreated, svc.Create))
	g.GET("/campaigns/:id", onID(svc.Get))
	g.GET("/campaigns/:id/report", onID(svc.Report))
	g.GET("/reports/campaigns", withQuery(svc.Coverage)) // what each campaign reached in the user's scope
	g.POST("/campaigns/:id/:action", withAction(s, svc.Act))
	g.GET("/campaigns/:id/goods", childList(svc.Goods))
	g.POST("/campaigns/:id/goods", withBodyOn(s, http.StatusCreated, svc.AddGood))
	g.GET("/campaigns/:id/purchases", childList(svc.Purchases))
	g.POST("/campaigns/:id/purchases", withBodyOn(s, http.StatusCreated, svc.Buy))
	g.GET("/campaigns/:id/deliveries", withQueryOn(svc.Deliveries))
	g.POST("/campaigns/:id/deliveries", withBodyOn(s, http.StatusCreated, svc.Deliver))
	g.GET("/campaigns/:id/quotas", childList(svc.Quotas))
	g.PUT("/campaigns/:id/quotas", withBodyOn(s, http.StatusOK, asList(svc.SetQuotas)))
	g.GET("/campaigns/:id/enrolments", withQueryOn(svc.Enrolments))
	g.POST("/campaigns/:id/enrolments", withBodyOn(s, http.StatusCreated, svc.Enrol))
	g.GET("/campaigns/:id/warmth", withQueryOn(svc.WarmthList))
	// 送温暖: builds the list and creates its applications; the answer is per item.
	g.POST("/campaigns/:id/warmth", withBodyOn(s, http.StatusOK, svc.ApplyWarmth))
	// 批量审批名单: the list's undecided applications through the bulk approval, while the campaign runs.
	g.POST("/campaigns/:id/warmth/approve", withBodyOn(s, http.StatusOK, svc.ApproveWarmth))
	g.POST("/campaigns/purchases/:id/reverse", withBodyOn(s, http.StatusOK, svc.ReversePurchase))
	g.GET("/campaigns/deliveries/:id", onID(svc.Delivery))
	g.POST("/campaigns/deliveries/:id/qr", h.slipQR)
	g.POST("/campaigns/deliveries/:id/:action", withAction(s, svc.ActOnDelivery))
	g.POST("/campaigns/enrolments/:id/:action", withAction(s, svc.ActOnEnrolment))
}

// receiverRoutes are the receiver's confirmation of a delivery from a phone (SPEC §5): no account, the
// one-time code is the credential, and a per-address rate limit keeps codes from being guessed.
func (s *Server) receiverRoutes(api *echo.Group) {
	h := &campaignHandlers{svc: &campaign.Service{DB: s.db, Clock: s.clock}, s: s}
	limit := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: 1, Burst: 30, ExpiresIn: 10 * time.Minute}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler:         func(c echo.Context, _ string, _ error) error { return errRateLimited },
		ErrorHandler:        func(c echo.Context, _ error) error { return errRateLimited },
	})
	api.POST("/delivery-confirmations/lookup", h.lookUpCode, limit)
	api.POST("/delivery-confirmations", h.confirmByCode, limit)
}

type campaignHandlers struct {
	s   *Server
	svc *campaign.Service
}

// slipQR draws, for the printed slip, the QR code of the receiver's phone page with the one-time code filled
// in. The code travels in the body (not the address, which logs and histories keep), and the answer is the
// image as a data URL.
func (h *campaignHandlers) slipQR(c echo.Context) error {
	id, in, err := idAndBody[campaign.CodeInput](h.s, c)
	if err != nil {
		return err
	}
	if _, err := h.svc.SlipCode(c.Request().Context(), actorOf(c), id, in); err != nil {
		return err
	}
	link := c.Scheme() + "://" + c.Request().Host + "/#/confirm?code=" + url.QueryEscape(campaign.FormatCode(in.Code))
	png, err := qrPNG(link)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"url": link, "png": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
}

func (h *campaignHandlers) lookUpCode(c echo.Context) error {
	var in campaign.CodeInput
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	r, err := h.svc.LookUpCode(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (h *campaignHandlers) confirmByCode(c echo.Context) error {
	var in campaign.CodeInput
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	r, err := h.svc.ConfirmByCode(c.Request().Context(), in, requestID(c), c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
