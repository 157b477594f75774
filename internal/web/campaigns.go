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
	h := &campaignHandlers{svc: &campaign.Service{DB: s.db, Clock: s.clock}, s: s}
	g.GET("/campaigns", h.list)
	g.POST("/campaigns", h.create)
	g.GET("/campaigns/:id", h.get)
	g.GET("/campaigns/:id/report", h.report)
	g.GET("/reports/campaigns", h.coverage)
	g.POST("/campaigns/:id/:action", h.act)
	g.GET("/campaigns/:id/goods", h.goods)
	g.POST("/campaigns/:id/goods", h.addGood)
	g.GET("/campaigns/:id/purchases", h.purchases)
	g.POST("/campaigns/:id/purchases", h.buy)
	g.GET("/campaigns/:id/deliveries", h.deliveries)
	g.POST("/campaigns/:id/deliveries", h.deliver)
	g.GET("/campaigns/:id/quotas", h.quotas)
	g.PUT("/campaigns/:id/quotas", h.setQuotas)
	g.GET("/campaigns/:id/enrolments", h.enrolments)
	g.POST("/campaigns/:id/enrolments", h.enrol)
	g.GET("/campaigns/:id/warmth", h.warmthList)
	g.POST("/campaigns/:id/warmth", h.applyWarmth)
	g.POST("/campaigns/purchases/:id/reverse", h.reversePurchase)
	g.GET("/campaigns/deliveries/:id", h.delivery)
	g.POST("/campaigns/deliveries/:id/qr", h.slipQR)
	g.POST("/campaigns/deliveries/:id/:action", h.actOnDelivery)
	g.POST("/campaigns/enrolments/:id/:action", h.actOnEnrolment)
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

func (h *campaignHandlers) list(c echo.Context) error {
	var f campaign.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (h *campaignHandlers) create(c echo.Context) error {
	var in campaign.New
	if err := h.s.bind(c, &in); err != nil {
		return err
	}
	out, err := h.svc.Create(c.Request().Context(), actorOf(c), in)
	if err != nil {
		return err
	}
	v, err := h.svc.Get(c.Request().Context(), actorOf(c), out.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

// withID reads :id and calls fn with it.
func withID(c echo.Context, fn func(id int64) (any, error), status int) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	out, err := fn(id)
	if err != nil {
		return err
	}
	return c.JSON(status, out)
}

func (h *campaignHandlers) get(c echo.Context) error {
	return withID(c, func(id int64) (any, error) { return h.svc.Get(c.Request().Context(), actorOf(c), id) }, http.StatusOK)
}

func (h *campaignHandlers) report(c echo.Context) error {
	return withID(c, func(id int64) (any, error) { return h.svc.Report(c.Request().Context(), actorOf(c), id) }, http.StatusOK)
}

// coverage is the report across campaigns: what each reached in the user's scope.
func (h *campaignHandlers) coverage(c echo.Context) error {
	var f campaign.Filter
	if err := bindQuery(c, &f); err != nil {
		return err
	}
	page, err := h.svc.Coverage(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, page)
}

func (h *campaignHandlers) act(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.ActionInput
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.Act(c.Request().Context(), actorOf(c), id, c.Param("action"), in)
	}, http.StatusOK)
}

func (h *campaignHandlers) goods(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		items, err := h.svc.Goods(c.Request().Context(), actorOf(c), id)
		return list[campaign.Good]{Items: items, Total: len(items)}, err
	}, http.StatusOK)
}

func (h *campaignHandlers) addGood(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.NewGood
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.AddGood(c.Request().Context(), actorOf(c), id, in)
	}, http.StatusCreated)
}

func (h *campaignHandlers) purchases(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		items, err := h.svc.Purchases(c.Request().Context(), actorOf(c), id)
		return list[campaign.Purchase]{Items: items, Total: len(items)}, err
	}, http.StatusOK)
}

func (h *campaignHandlers) buy(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.NewPurchase
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.Buy(c.Request().Context(), actorOf(c), id, in)
	}, http.StatusCreated)
}

func (h *campaignHandlers) reversePurchase(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.Reverse
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.ReversePurchase(c.Request().Context(), actorOf(c), id, in)
	}, http.StatusOK)
}

func (h *campaignHandlers) deliveries(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var f campaign.DeliveryFilter
		if err := bindQuery(c, &f); err != nil {
			return nil, err
		}
		return h.svc.Deliveries(c.Request().Context(), actorOf(c), id, f)
	}, http.StatusOK)
}

func (h *campaignHandlers) deliver(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.NewDelivery
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.Deliver(c.Request().Context(), actorOf(c), id, in)
	}, http.StatusCreated)
}

func (h *campaignHandlers) delivery(c echo.Context) error {
	return withID(c, func(id int64) (any, error) { return h.svc.Delivery(c.Request().Context(), actorOf(c), id) }, http.StatusOK)
}

func (h *campaignHandlers) actOnDelivery(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.DeliveryAction
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.ActOnDelivery(c.Request().Context(), actorOf(c), id, c.Param("action"), in)
	}, http.StatusOK)
}

func (h *campaignHandlers) quotas(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		items, err := h.svc.Quotas(c.Request().Context(), actorOf(c), id)
		return list[campaign.Quota]{Items: items, Total: len(items)}, err
	}, http.StatusOK)
}

func (h *campaignHandlers) setQuotas(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.QuotaInput
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		items, err := h.svc.SetQuotas(c.Request().Context(), actorOf(c), id, in)
		return list[campaign.Quota]{Items: items, Total: len(items)}, err
	}, http.StatusOK)
}

func (h *campaignHandlers) enrolments(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var f campaign.EnrolmentFilter
		if err := bindQuery(c, &f); err != nil {
			return nil, err
		}
		return h.svc.Enrolments(c.Request().Context(), actorOf(c), id, f)
	}, http.StatusOK)
}

func (h *campaignHandlers) enrol(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.NewEnrolment
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.Enrol(c.Request().Context(), actorOf(c), id, in)
	}, http.StatusCreated)
}

func (h *campaignHandlers) actOnEnrolment(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.EnrolmentAction
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.ActOnEnrolment(c.Request().Context(), actorOf(c), id, c.Param("action"), in)
	}, http.StatusOK)
}

func (h *campaignHandlers) warmthList(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var f campaign.WarmthFilter
		if err := bindQuery(c, &f); err != nil {
			return nil, err
		}
		return h.svc.WarmthList(c.Request().Context(), actorOf(c), id, f)
	}, http.StatusOK)
}

// applyWarmth builds a warmth campaign's list and creates its applications; the answer is per item.
func (h *campaignHandlers) applyWarmth(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.WarmthInput
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		return h.svc.ApplyWarmth(c.Request().Context(), actorOf(c), id, in)
	}, http.StatusOK)
}

// slipQR draws, for the printed slip, the QR code of the receiver's phone page with the one-time code filled
// in. The code travels in the body (not the address, which logs and histories keep), and the answer is the
// image as a data URL.
func (h *campaignHandlers) slipQR(c echo.Context) error {
	return withID(c, func(id int64) (any, error) {
		var in campaign.CodeInput
		if err := h.s.bind(c, &in); err != nil {
			return nil, err
		}
		if _, err := h.svc.SlipCode(c.Request().Context(), actorOf(c), id, in); err != nil {
			return nil, err
		}
		link := c.Scheme() + "://" + c.Request().Host + "/#/confirm?code=" + url.QueryEscape(campaign.FormatCode(in.Code))
		png, err := qrPNG(link)
		if err != nil {
			return nil, err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return map[string]string{"url": link, "png": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)}, nil
	}, http.StatusOK)
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
