package townhall

import (
	"errors"
	"fmt"
)

// Error codes. The web layer alone maps them to HTTP statuses.
const (
	EINVALID      = "invalid"            // the input breaks a rule (400)
	EUNAUTHORIZED = "unauthorized"       // not signed in (401)
	EFORBIDDEN    = "forbidden"          // signed in, not allowed (403)
	ENOTFOUND     = "not_found"          // no such thing, or not visible (404)
	EMETHOD       = "method_not_allowed" // the path does not answer this HTTP method (405)
	ECONFLICT     = "conflict"           // the current state forbids it (409)
	ETOOLARGE     = "too_large"          // the request body is too big (413)
	ERATELIMIT    = "rate_limited"       // too many writes (429)
	EINTERNAL     = "internal"           // our fault (500)
	EUNAVAILABLE  = "unavailable"        // a dependency is down (503)
)

// Error is the one error type services return. Message is safe to show users;
// Err, when set, is the cause behind it (a driver's error, say): it goes to
// the logs through Error and errors.Unwrap, never to users.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("townhall: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("townhall: %s: %s", e.Code, e.Message)
}

// Unwrap returns the cause, so errors.Is and errors.As see through to it.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code and message. The
// domain packages declare their errors as values (ideas.ErrMerged); this makes
// errors.Is(err, ideas.ErrMerged) hold whichever backend returned it, and
// with whatever cause attached.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == e.Message
}

// WithCause returns a copy of e that keeps err as its cause; e itself, often
// a domain package's declared value, is left as it was.
func (e *Error) WithCause(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for any other error,
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so details never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}

// SignedIn refuses an anonymous actor with the one message every service
// gives: "Please sign in to <what>."
func SignedIn(actor *User, what string) error {
	if actor == nil {
		return Errorf(EUNAUTHORIZED, "Please sign in to %s.", what)
	}
	return nil
}
