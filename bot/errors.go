package bot

import (
	"errors"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
)

// Code classifies an error a person can act on: the domain's codes
// (plpbot.Code), under the names the adapters and handlers use.
type Code = plpbot.Code

// Error codes, in the style of benbjohnson/wtf.
const (
	EInvalid   = plpbot.EINVALID   // the input is wrong; Usage says what is right
	ENotFound  = plpbot.ENOTFOUND  // the thing named does not exist (for this person)
	EForbidden = plpbot.EFORBIDDEN // the person may not do this
	EConflict  = plpbot.ECONFLICT  // the thing already exists or changed meanwhile
)

// UserError is an error meant for the person who asked. Message is short,
// friendly and specific; Usage, if set, shows the right way to type the
// command; Field names the form field at fault (for modals).
type UserError struct {
	Code    Code
	Message string
	Usage   string
	Field   string
	// Hint is the one next step that helps (an exact command), if any.
	Hint string
}

// Error implements error.
func (e *UserError) Error() string { return string(e.Code) + ": " + StripMarkup(e.Message) }

// Errorf returns a *UserError with code and a formatted message.
func Errorf(code Code, format string, args ...any) *UserError {
	return &UserError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsUserError returns the *UserError in err's chain, if any, or one made
// from the domain's *plpbot.Error (a rule's refusal, such as a schedule
// that can't be read), which is for the person's eyes too.
func AsUserError(err error) (*UserError, bool) {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue, true
	}
	var de *plpbot.Error
	if errors.As(err, &de) {
		return &UserError{Code: de.Code, Message: de.Message, Field: de.Field}, true
	}
	return nil, false
}

// ErrorMessage renders err as a private reply. A *UserError shows its message,
// usage and hint; any other error shows a generic apology (the cause belongs in
// the logs, not in front of a student).
func ErrorMessage(err error) Message {
	ue, ok := AsUserError(err)
	if !ok {
		return Message{
			Visibility: Private,
			Blocks: []Block{
				Text{Text: "Sorry — something went wrong on my side and nothing was changed. Please try again in a minute."},
				Context{Text: "If it keeps happening, tell your teacher or school IT."},
			},
		}
	}
	m := Message{Visibility: Private, Blocks: []Block{Text{Text: ue.Message}}}
	if ue.Usage != "" {
		m.Blocks = append(m.Blocks, Text{Text: "Usage: " + ue.Usage})
	}
	if ue.Hint != "" {
		m.Blocks = append(m.Blocks, Context{Text: ue.Hint})
	}
	return m
}

// UndeliverableError reports that a platform refused a message for good
// (DMs blocked, user gone): do not retry.
type UndeliverableError struct {
	Reason string // such as "cannot_dm", "user_not_found", "account_inactive"
	Err    error
}

// Error implements error.
func (e *UndeliverableError) Error() string {
	if e.Err != nil {
		return "undeliverable (" + e.Reason + "): " + e.Err.Error()
	}
	return "undeliverable (" + e.Reason + ")"
}

// Unwrap returns the platform's error.
func (e *UndeliverableError) Unwrap() error { return e.Err }

// RetryAfterError reports a rate limit: try again after After.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.After)
}

// Unwrap returns the platform's error.
func (e *RetryAfterError) Unwrap() error { return e.Err }
