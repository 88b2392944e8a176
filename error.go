package plpbot

import (
	"errors"
	"fmt"
)

// Code classifies an application error, in the style of benbjohnson/wtf.
type Code string

// Application error codes. Adapters map them to a friendly reply; only
// errors without a code are internal and logged as errors.
const (
	EINVALID   Code = "invalid"   // the input is wrong
	ENOTFOUND  Code = "not_found" // the thing named does not exist (for this person)
	EFORBIDDEN Code = "forbidden" // the person may not do this
	ECONFLICT  Code = "conflict"  // the thing already exists or changed meanwhile
)

// Error is an error a person can act on: Message is short, friendly and
// specific; Field names the input at fault, if one is.
type Error struct {
	Code    Code
	Message string
	Field   string
}

// Error implements error.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// fieldErrorf returns an EINVALID *Error about one field.
func fieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...), Field: field}
}

// ErrorCode returns the code of the *Error in err's chain, or "" for an
// internal error (and for nil).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
