package web

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"

	"bangfu/internal/apperr"
)

var (
	errNoRoute     = apperr.NotFoundf("接口或页面不存在")
	errRateLimited = apperr.New(apperr.RateLimited, "请求过于频繁，请稍后再试")
)

// status is the one place where error codes become HTTP status codes.
func status(code apperr.Code) int {
	switch code {
	case apperr.Validation:
		return http.StatusBadRequest
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fromHTTPError turns echo's own errors (no route, body too large, …) into the app vocabulary.
func fromHTTPError(he *echo.HTTPError) *apperr.Error {
	switch he.Code {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return errNoRoute
	case http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "请求内容过大")
	case http.StatusTooManyRequests:
		return errRateLimited
	case http.StatusUnauthorized:
		return apperr.New(apperr.Unauthenticated, "未登录或会话已过期，请重新登录")
	case http.StatusForbidden:
		return apperr.Forbiddenf("无权执行此操作")
	case http.StatusBadRequest:
		return apperr.New(apperr.Validation, "请求格式错误")
	}
	return apperr.Wrap(he)
}

type errorBody struct {
	Error struct {
		Code    apperr.Code       `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var e *apperr.Error
	var he *echo.HTTPError
	if errors.As(err, &he) && !errors.As(err, &e) {
		e = fromHTTPError(he)
	} else {
		e = apperr.From(err)
	}
	if e.Code == apperr.Internal {
		s.log.Error("internal error", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Fields = e.Code, e.Message, e.Fields
	if c.Request().Method == http.MethodHead {
		c.NoContent(status(e.Code))
		return
	}
	c.JSON(status(e.Code), body)
}

// recoverPanics turns a panic into a logged internal error, never a stack trace to the client.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "panic", p, "stack", string(debug.Stack()))
				err = apperr.Wrap(fmt.Errorf("panic: %v", p))
			}
		}()
		return next(c)
	}
}
