// Package web is bangfu's HTTP layer (SPEC §9.2, §9.3): routes, middleware and handlers that decode a
// request, call one area function with the request's actor, and encode the answer. No rules live here.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"bangfu"
	"bangfu/internal/audit"
	"bangfu/internal/auth"
	"bangfu/internal/clock"
	"bangfu/internal/household"
	"bangfu/internal/importer"
	"bangfu/internal/ledger"
	"bangfu/internal/org"
	"bangfu/internal/policy"
	"bangfu/internal/referral"
	"bangfu/internal/report"
	"bangfu/internal/store"
	"bangfu/internal/validate"
)

// Config is what the server is built from.
type Config struct {
	DB         *store.DB
	Clock      clock.Clock
	Log        *slog.Logger
	BcryptCost int        // 0: bcrypt's default; tests lower it
	LoginRate  rate.Limit // log-in attempts per second per client address; 0: 2 per second
	LoginBurst int        // 0: 20
	KeyPath    string     // the checkpoint signing key (SPEC §7); "": beside the database
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto (transport.go); none: the peer is the client.
	TrustedProxies []*net.IPNet
	SecureCookie   bool // the session cookie is always Secure (behind a TLS proxy)
	// ImportLimit is the largest survey list an upload may carry (0: importer.MaxFileSize); ImportDir is where
	// uploads wait for their import ("": the system's temporary folder).
	ImportLimit int64
	ImportDir   string
}

// Server carries the dependencies every handler needs.
type Server struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	auth  *auth.Service
	valid *validate.Validator

	trustedProxies    []*net.IPNet
	forceSecureCookie bool

	// The areas' services: every handler binds, calls one of their methods and encodes.
	households *household.Service
	referrals  *referral.Service
	policies   *policy.Service
	orgs       *org.Service
	ledger     *ledger.Service
	audit      *audit.Service
	reports    *report.Service
	imports    *importer.Jobs

	importLimit int64
	records     map[string]recordRead // the reads that answer for a record's scope (scope.go)
}

// BodyLimit is the largest JSON request body accepted (SPEC §9.2: larger bodies get 413 too_large).
const BodyLimit = "1M"

// New builds the HTTP handler.
func New(cfg Config) *echo.Echo {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.LoginRate == 0 {
		cfg.LoginRate = 2
	}
	if cfg.LoginBurst == 0 {
		cfg.LoginBurst = 20
	}
	s := &Server{
		db:    cfg.DB,
		clock: cfg.Clock,
		log:   cfg.Log,
		auth:  &auth.Service{DB: cfg.DB, Clock: cfg.Clock, BcryptCost: cfg.BcryptCost},
		valid: validate.New(cfg.Clock.Now),

		trustedProxies:    cfg.TrustedProxies,
		forceSecureCookie: cfg.SecureCookie,

		households: &household.Service{DB: cfg.DB, Clock: cfg.Clock},
		referrals:  &referral.Service{DB: cfg.DB, Clock: cfg.Clock},
		policies:   &policy.Service{DB: cfg.DB, Clock: cfg.Clock},
		orgs:       &org.Service{DB: cfg.DB, Clock: cfg.Clock},
		ledger:     &ledger.Service{DB: cfg.DB, Clock: cfg.Clock},
		audit:      &audit.Service{DB: cfg.DB, Clock: cfg.Clock},
		reports:    &report.Service{DB: cfg.DB, Clock: cfg.Clock, ActionNames: exportActionNames()},
		imports: &importer.Jobs{Service: &importer.Service{DB: cfg.DB, Clock: cfg.Clock}, Dir: cfg.ImportDir,
			Log: cfg.Log},
		importLimit: cfg.ImportLimit,
	}
	if s.importLimit <= 0 {
		s.importLimit = importer.MaxFileSize
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies) // no proxy is trusted unless one is configured in front
	e.Use(s.recoverPanics)
	e.Use(s.hsts)
	e.Use(detachWrites)
	e.Use(middleware.RequestID())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy: "same-origin", ContentSecurityPolicy: "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'",
	}))

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]any{"ok": true}) })
	e.GET("/api/v1/openapi.json", serveOpenAPI) // the API reference, readable without a session

	// Document and survey-list uploads carry their own, larger limits (households.go, imports.go); every other
	// body stays under BodyLimit.
	bodyLimit := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: BodyLimit,
		Skipper: func(c echo.Context) bool {
			return (c.Path() == uploadRoute || c.Path() == importRoute) && c.Request().Method == http.MethodPost
		}})
	api := e.Group("/api/v1", bodyLimit, s.serverTime, s.loadSession, s.checkCSRF)
	loginLimiter := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: cfg.LoginRate, Burst: cfg.LoginBurst, ExpiresIn: 10 * time.Minute}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		DenyHandler:         func(c echo.Context, _ string, _ error) error { return errRateLimited },
		ErrorHandler:        func(c echo.Context, _ error) error { return errRateLimited },
	})
	api.POST("/session", s.login, loginLimiter)
	s.receiverRoutes(api) // the receiver's phone page confirms a delivery without an account (SPEC §5)

	account := api.Group("", s.requireLogin, s.authorize, checkSearch)
	account.DELETE("/session", s.logout)
	account.GET("/me", s.me)
	account.GET("/vocabulary", s.getVocabulary)
	account.POST("/me/password", withBody(s, http.StatusNoContent, done(s.auth.ChangeOwnPassword)))

	// authorize checks the route's roles (permissions.go) before any handler reads the body.
	// scopeBeforeBody answers a refused body on a record the user may not see as the record's 404 (scope.go).
	s.records = s.recordReads()
	in := api.Group("", s.requireLogin, requireFreshPassword, s.authorize, s.scopeBeforeBody, checkSearch)

	s.adminRoutes(in)
	s.fundRoutes(in)

	s.householdRoutes(in)
	s.applicationRoutes(in)
	s.finauditRoutes(in, cfg)
	s.exportRoutes(in)
	s.printRoutes(in)
	s.campaignRoutes(in)
	s.importRoutes(in)
	s.reportRoutes(in)

	api.Any("/*", func(c echo.Context) error { return errNoRoute })
	s.serveUI(e)
	return e
}

// serverTime tells the UI the server's clock (X-Server-Time), so that deadlines count down from the time the
// rules use rather than from the browser's.
func (s *Server) serverTime(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("X-Server-Time", s.clock.Now().UTC().Format(time.RFC3339Nano))
		return next(c)
	}
}

// detachWrites lets a state-changing request finish its write even if the client goes away: a write is done
// whole or not at all, and an interrupted statement would abort the transaction it shares with other
// requests' writes (store.Write commits them as a group).
func detachWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			r := c.Request()
			c.SetRequest(r.WithContext(context.WithoutCancel(r.Context())))
		}
		return next(c)
	}
}

// serveUI serves the embedded static/ folder at the site root; "/" is index.html.
func (s *Server) serveUI(e *echo.Echo) {
	files := http.FileServer(http.FS(bangfu.Static()))
	e.GET("/*", func(c echo.Context) error {
		p := c.Request().URL.Path
		if strings.HasPrefix(p, "/api/") {
			return errNoRoute
		}
		if p != "/" {
			if _, err := fs.Stat(bangfu.Static(), strings.TrimPrefix(p, "/")); err != nil {
				return errNoRoute
			}
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	})
}
