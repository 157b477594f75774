package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/relief"
)

// The shapes of a handler that binds, calls one service method with the request's actor and encodes what it
// answers (docs/architecture.md): a route is registered with the method it calls, e.g.
//
//	g.POST("/campaigns/:id/goods", withBodyOn(s, http.StatusCreated, svc.AddGood))
//
// so that a handler has no room for a rule, and each area's routes read as a table of its service.

// withQuery answers GET with the query parameters bound into F.
func withQuery[F, T any](call func(context.Context, actor.Actor, F) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var f F
		if err := bindQuery(c, &f); err != nil {
			return err
		}
		return answer[T](c, http.StatusOK)(call(c.Request().Context(), actorOf(c), f))
	}
}

// withActor answers what call returns for the request's actor alone (GET /reports/dashboard).
func withActor[T any](call func(context.Context, actor.Actor) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		return answer[T](c, http.StatusOK)(call(c.Request().Context(), actorOf(c)))
	}
}

// everyOf answers GET of a short list that has no filters (the orgs, the policy versions) in the list shape.
func everyOf[T any](call func(context.Context, actor.Actor) ([]T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		items, err := call(c.Request().Context(), actorOf(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, list[T]{Items: items, Total: len(items)})
	}
}

// onID answers …/:id: what call returns for the record id — a GET, or a POST without a body (reveal).
func onID[T any](call func(context.Context, actor.Actor, int64) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		return answer[T](c, http.StatusOK)(call(c.Request().Context(), actorOf(c), id))
	}
}

// withQueryOn answers GET …/:id/<children> with the query parameters bound into F.
func withQueryOn[F, T any](call func(context.Context, actor.Actor, int64, F) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var f F
		if err := bindQuery(c, &f); err != nil {
			return err
		}
		return answer[T](c, http.StatusOK)(call(c.Request().Context(), actorOf(c), id, f))
	}
}

// withBody answers a write: the JSON body bound and validated into I, then call, answered with status.
func withBody[I, T any](s *Server, status int, call func(context.Context, actor.Actor, I) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var in I
		if err := s.bind(c, &in); err != nil {
			return err
		}
		return answer[T](c, status)(call(c.Request().Context(), actorOf(c), in))
	}
}

// idAndBody reads the record :id and then binds the body into an I, as every write on one record begins.
func idAndBody[I any](s *Server, c echo.Context) (int64, I, error) {
	var in I
	id, err := pathID(c)
	if err != nil {
		return 0, in, err
	}
	err = s.bind(c, &in)
	return id, in, err
}

// withBodyOn answers a write on the record :id.
func withBodyOn[I, T any](s *Server, status int, call func(context.Context, actor.Actor, int64, I) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, in, err := idAndBody[I](s, c)
		if err != nil {
			return err
		}
		return answer[T](c, status)(call(c.Request().Context(), actorOf(c), id, in))
	}
}

// withAction answers POST …/:id/:action: a state-machine action, named by the last path segment, on the
// record :id (the area's table says whether the actor may take it).
func withAction[I, T any](s *Server, call func(context.Context, actor.Actor, int64, string, I) (T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, in, err := idAndBody[I](s, c)
		if err != nil {
			return err
		}
		return answer[T](c, http.StatusOK)(call(c.Request().Context(), actorOf(c), id, c.Param("action"), in))
	}
}

// asList turns a method answering a slice into one answering the list shape of SPEC §9.2.
func asList[I, T any](call func(context.Context, actor.Actor, int64, I) ([]T, error)) func(context.Context, actor.Actor, int64, I) (list[T], error) {
	return func(ctx context.Context, a actor.Actor, id int64, in I) (list[T], error) {
		items, err := call(ctx, a, id, in)
		return list[T]{Items: items, Total: len(items)}, err
	}
}

// answer encodes a service method's answer with status, or returns its error for the one error handler.
func answer[T any](c echo.Context, status int) func(T, error) error {
	return func(v T, err error) error {
		if err != nil {
			return err
		}
		if _, empty := any(v).(noContent); empty {
			return c.NoContent(http.StatusNoContent)
		}
		// An application's view, the answer to every approval and payment (SPEC §10), is sent as its
		// AppendJSON writes it (the bytes of its MarshalJSON), not checked and compacted again by encoding/json.
		// Named, not found by an interface: a type embedding one that appends (household.Detail) has its own
		// MarshalJSON and must keep it.
		if view, ok := any(v).(relief.View); ok {
			return c.JSONBlob(status, view.AppendJSON(make([]byte, 0, 4096)))
		}
		return c.JSON(status, v)
	}
}

// done turns a method that answers nothing into one whose answer is 204 No Content (see answer).
func done[I any](call func(context.Context, actor.Actor, I) error) func(context.Context, actor.Actor, I) (noContent, error) {
	return func(ctx context.Context, a actor.Actor, in I) (noContent, error) {
		return noContent{}, call(ctx, a, in)
	}
}

// doneOn is done for a method on the record :id.
func doneOn[I any](call func(context.Context, actor.Actor, int64, I) error) func(context.Context, actor.Actor, int64, I) (noContent, error) {
	return func(ctx context.Context, a actor.Actor, id int64, in I) (noContent, error) {
		return noContent{}, call(ctx, a, id, in)
	}
}

// noContent is the answer of a write that has nothing to say: 204 with no body.
type noContent struct{}

// everyOfQuery answers GET of a short list with the query parameters bound into F, in the list shape.
func everyOfQuery[F, T any](call func(context.Context, actor.Actor, F) ([]T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		var f F
		if err := bindQuery(c, &f); err != nil {
			return err
		}
		items, err := call(c.Request().Context(), actorOf(c), f)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, list[T]{Items: items, Total: len(items)})
	}
}
