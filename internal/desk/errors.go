package desk

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status in one table.
const (
	ECONFLICT  = "conflict"
	EFORBIDDEN = "forbidden"
	EINTERNAL  = "internal"
	EINVALID   = "invalid"
	ELIMITED   = "rate_limited"
	ENOTFOUND  = "not_found"
	ETOOLARGE  = "too_large"
	EUNAUTH    = "unauthorized"
	// EUNAVAILABLE: a backend is down, too slow or turned off; the client
	// may retry later (HTTP 503 with Retry-After).
	EUNAVAILABLE = "unavailable"
	// EKEYREUSED: an idempotency key came back with a different request
	// (HTTP 422), which a retry never does.
	EKEYREUSED = "idempotency_key_reused"
)

// Error is an application error with a code, a message fit for the user and,
// for validation errors, per-field messages.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an application error and
// a generic one for anything else, so internals never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Lỗi hệ thống, vui lòng thử lại sau."
}
