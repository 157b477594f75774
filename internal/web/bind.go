package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"bangfu/internal/actor"
	"bangfu/internal/apperr"
	"bangfu/internal/validate"
)

// bind decodes the JSON body strictly (unknown fields, wrong types and trailing data are refused with
// Chinese messages) and validates v's struct tags.
func (s *Server) bind(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body) // bounded by the body-limit middleware
	if err != nil {
		return jsonError(nil, err)
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] != '{' {
		return apperr.New(apperr.Validation, "请求体应为 JSON 对象")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(reflect.TypeOf(v), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he
		}
		return apperr.New(apperr.Validation, "请求体只能包含一个 JSON 对象")
	}
	return s.valid.Struct(v)
}

// jsonError turns a decoding error into a Chinese validation error; into is the type decoded into, so that a
// type error names the field as the JSON has it (org_id), not by its Go path (Fields.org_id).
func jsonError(into reflect.Type, err error) error {
	var he *echo.HTTPError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &he): // the body limit
		return he
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Validation, "请求体为空，应为 JSON 对象")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Validation, "请求体不是有效的 JSON")
	case errors.As(err, &typ):
		field := jsonPath(into, typ.Field)
		if field == "" {
			return apperr.New(apperr.Validation, "请求体应为 JSON 对象")
		}
		return apperr.Invalid(field, "类型错误，应为"+typeName(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(field, "不认识的字段")
	}
	return apperr.New(apperr.Validation, "请求体格式错误")
}

// jsonPath rewrites encoding/json's path to a field, which names an embedded struct without a JSON name by
// its Go type name ("Fields.org_id"), into the field's name in the JSON object ("org_id"): the embedded
// struct's fields are flattened into the outer object.
func jsonPath(t reflect.Type, path string) string {
	var out []string
	for _, seg := range strings.Split(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out = append(out, seg)
			t = nil
			continue
		}
		f, embedded := findJSONField(t, seg)
		if !embedded {
			out = append(out, seg)
		}
		if f == nil {
			t = nil
		} else {
			t = f.Type
		}
	}
	return strings.Join(out, ".")
}

// findJSONField finds the field named seg in the JSON of struct t, looking through embedded structs;
// embedded reports that seg names an embedded struct without a JSON name (a Go name, not a JSON one).
func findJSONField(t reflect.Type, seg string) (f *reflect.StructField, embedded bool) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && name == "" {
			if sf.Name == seg {
				return &sf, true
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if name == seg {
			return &sf, false
		}
	}
	return nil, false
}

func typeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "整数"
	case strings.HasPrefix(kind, "float"):
		return "数字"
	case kind == "string":
		return "文本"
	case kind == "bool":
		return "是/否"
	case kind == "slice", kind == "array":
		return "列表"
	}
	return "对象"
}

// bindQuery reads query parameters into v (fields tagged `query`).
func bindQuery(c echo.Context, v any) error {
	if err := (&echo.DefaultBinder{}).BindQueryParams(c, v); err != nil {
		return apperr.New(apperr.Validation, "查询参数格式错误")
	}
	return nil
}

// pathID reads the :id path parameter; an id that is not a positive number names no record.
func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("记录不存在")
	}
	return id, nil
}

// list is the shape of every list answer (SPEC §9.2).
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// childList answers GET …/:id/<children>: what read returns for the record id, in the caller's scope, as a
// list. read is the area service's method (it checks the role and the scope).
func childList[T any](read func(context.Context, actor.Actor, int64) ([]T, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		items, err := read(c.Request().Context(), actorOf(c), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, list[T]{Items: items, Total: len(items)})
	}
}

// checkSearch applies the one search-term rule (validate.SearchTerm) to the q parameter of every request, so
// no list, present or future, passes an unbounded pattern to SQLite. It runs after authorize: who before what.
func checkSearch(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, q := range c.QueryParams()["q"] {
			if err := validate.SearchTerm(q); err != nil {
				return err
			}
		}
		return next(c)
	}
}
