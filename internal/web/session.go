package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/auth"
)

const (
	sessionCookie = "bangfu_session"
	csrfHeader    = "X-CSRF-Token"
	ctxActor      = "actor"
	ctxCSRF       = "csrf"
	ctxToken      = "session_token"
)

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// loadSession puts the actor of a valid session cookie into the context; without one the request goes on
// anonymous, and requireLogin decides.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		a, csrf, err := s.auth.Authenticate(c.Request().Context(), ck.Value, requestID(c), c.RealIP())
		if err != nil {
			if apperr.CodeOf(err) == apperr.Unauthenticated {
				return next(c)
			}
			return err
		}
		c.Set(ctxActor, a)
		c.Set(ctxCSRF, csrf)
		c.Set(ctxToken, ck.Value)
		return next(c)
	}
}

// checkCSRF refuses a state-changing request made with the session cookie unless it carries the session's
// CSRF token in X-CSRF-Token (SPEC §1.3).
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// A log-in carries its own credentials and replaces whatever session the browser still has: a page
		// reloaded onto the log-in form has no token for that old session and must still be able to log in.
		if c.Request().Method == http.MethodPost && c.Path() == "/api/v1/session" {
			return next(c)
		}
		want, ok := c.Get(ctxCSRF).(string)
		if ok && !auth.CSRFMatches(c.Request().Header.Get(csrfHeader), want) {
			return apperr.Forbiddenf("缺少或无效的 CSRF 令牌，请刷新页面后重试")
		}
		return next(c)
	}
}

func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(ctxActor).(actor.Actor); !ok {
			return apperr.New(apperr.Unauthenticated, "未登录或会话已过期，请重新登录")
		}
		return next(c)
	}
}

// requireFreshPassword refuses everything but the password change, /me and log-out to a user who logged
// in with a one-time password (SPEC §1.3).
func requireFreshPassword(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if actorOf(c).MustChangePassword {
			return apperr.Forbiddenf("请先修改初始密码，再进行其他操作")
		}
		return next(c)
	}
}

// actorOf returns the logged-in actor; routes behind requireLogin always have one.
func actorOf(c echo.Context) actor.Actor {
	a, _ := c.Get(ctxActor).(actor.Actor)
	return a
}

type meResponse struct {
	auth.User
	CSRFToken string `json:"csrf_token"`
	// Routes are the API routes this user may call (AllowedRoutes): the UI lists a page only when its
	// routes are among them.
	Routes []string `json:"routes"`
	// Capabilities are the choices inside a route the user's roles allow (Capabilities): the UI offers
	// such a choice, the unmasked export for one, only when it is listed.
	Capabilities []string `json:"capabilities"`
}

func newMe(u auth.User, csrf string) meResponse {
	return meResponse{User: u, CSRFToken: csrf, Routes: AllowedRoutes(u.Roles), Capabilities: Capabilities(u.Roles)}
}

type loginRequest struct {
	Username string `json:"username" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=200"`
}

func (s *Server) login(c echo.Context) error {
	var in loginRequest
	if err := s.bind(c, &in); err != nil {
		return err
	}
	sess, err := s.auth.Login(c.Request().Context(), in.Username, in.Password, c.RealIP(), requestID(c))
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookie(c), MaxAge: int(auth.AbsoluteTimeout.Seconds()),
	})
	return c.JSON(http.StatusOK, newMe(sess.User, sess.CSRF))
}

func (s *Server) logout(c echo.Context) error {
	token, _ := c.Get(ctxToken).(string)
	if err := s.auth.Logout(c.Request().Context(), actorOf(c), token); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookie(c), MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	u, err := s.auth.Me(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	csrf, _ := c.Get(ctxCSRF).(string)
	return c.JSON(http.StatusOK, newMe(u, csrf))
}
