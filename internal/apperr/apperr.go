// Package apperr is the one error vocabulary of bangfu (SPEC §9.2): a code, a Chinese message for the user,
// and optional per-field messages. The HTTP layer maps codes to status codes in exactly one place.
package apperr

import (
	"errors"
	"fmt"
)

// Code names a kind of failure; the values are the API's error codes.
type Code string

const (
	Validation      Code = "validation"      // 400: input fails a rule
	Unauthenticated Code = "unauthenticated" // 401: no valid session
	Forbidden       Code = "forbidden"       // 403: role, scope or segregation of duties
	NotFound        Code = "not_found"       // 404: no such record (or out of scope)
	Conflict        Code = "conflict"        // 409: transition, duplicate, cap, overspend, quota, idempotency
	TooLarge        Code = "too_large"       // 413
	RateLimited     Code = "rate_limited"    // 429
	Internal        Code = "internal"        // 500: a bug; never for bad input
)

// Error is an application error. Message is shown to the user and is in Chinese.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string // field name (as in JSON) → Chinese message
	Err     error             // underlying cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a formatted Chinese message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error for one field.
func Invalid(field, message string) *Error {
	return &Error{Code: Validation, Message: "输入有误：" + message, Fields: map[string]string{field: message}}
}

// Fields returns a validation error with several field messages.
func FieldErrors(fields map[string]string) *Error {
	return &Error{Code: Validation, Message: "输入有误，请检查标注的字段", Fields: fields}
}

// Forbiddenf, NotFoundf and Conflictf are shorthands for the common codes.
func Forbiddenf(format string, args ...any) *Error { return New(Forbidden, format, args...) }
func NotFoundf(format string, args ...any) *Error  { return New(NotFound, format, args...) }
func Conflictf(format string, args ...any) *Error  { return New(Conflict, format, args...) }

// Wrap marks an unexpected error as internal, keeping the cause for the log.
func Wrap(err error) *Error {
	return &Error{Code: Internal, Message: "服务器内部错误，请稍后重试", Err: err}
}

// From returns err as an *Error: itself if it is one, otherwise an internal error wrapping it.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(err)
}

// CodeOf returns the code of err, or "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return From(err).Code
}
