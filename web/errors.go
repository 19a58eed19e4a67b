package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// handler is the shape of every route handler: it answers the request
// itself when it succeeds and returns the error that stopped it otherwise.
// It never writes an error answer of its own; h does that.
type handler func(c *gin.Context) error

// h adapts a handler to Gin and is the one place where errors become
// answers. Every route is registered through it:
//
//	api.GET("/ideas/:id", s.h(s.apiIdea))
//
//	func (s *Server) apiIdea(c *gin.Context) error {
//		i, err := s.svc.Ideas.Idea(c.Request.Context(), currentUser(c), c.Param("id"))
//		if err != nil {
//			return err
//		}
//		return sendJSON(c, http.StatusOK, toIdeaJSON(i))
//	}
//
// A returned error is answered once, by fail: its townhall code picks the
// status (statusOf); under /api/ the answer is the JSON body
// {"error":{"code":"...","message":"..."}}, elsewhere the error page, and a
// signed-out GET of a page is sent to sign-in instead. An error that is not
// a *townhall.Error is logged with the request id and shown as a generic
// message, so causes reach the log and never the user.
//
// A form handler whose input was refused returns rerender(page, v, err):
// the form page comes back with the message above it, the status of err's
// code, and what the person typed kept in it. Middleware that may refuse a
// request is a handler too: it calls c.Next() when it lets the request on.
func (s *Server) h(fn handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := fn(c)
		if err == nil {
			return
		}
		if c.Writer.Written() {
			// The answer has begun (a streamed export): too late to change it.
			s.log.Error("error after the answer began", "err", err, "request_id", c.GetString(ctxRequestID), "path", c.Request.URL.Path)
			return
		}
		s.fail(c, err)
	}
}

// formError asks fail to show a form page again instead of the error page.
type formError struct {
	err  error
	page string // the page template to render
	view *view  // the page's view; its Form defaults to what was posted
}

func (e *formError) Error() string { return e.err.Error() }
func (e *formError) Unwrap() error { return e.err }

// rerender is what a form handler returns when err refused the input: fail
// renders page with v, err's message above the form and, unless v.Form is
// already set, the posted values in it. Signed-out and not-found errors
// still get the usual answer, as no form can help with them. A nil err
// stays nil.
func rerender(page string, v *view, err error) error {
	if err == nil {
		return nil
	}
	return &formError{err: err, page: page, view: v}
}

// statuses maps townhall error codes to HTTP statuses. This is the only
// place that does so.
var statuses = map[string]int{
	townhall.EINVALID:      http.StatusBadRequest,
	townhall.EUNAUTHORIZED: http.StatusUnauthorized,
	townhall.EFORBIDDEN:    http.StatusForbidden,
	townhall.ENOTFOUND:     http.StatusNotFound,
	townhall.EMETHOD:       http.StatusMethodNotAllowed,
	townhall.ECONFLICT:     http.StatusConflict,
	townhall.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	townhall.ERATELIMIT:    http.StatusTooManyRequests,
	townhall.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// statusOf is the HTTP status for a townhall error code; EINTERNAL and
// unknown codes are 500.
func statusOf(code string) int {
	if status, ok := statuses[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// asTownhall turns transport errors (oversized bodies) into domain errors so
// one mapping serves all.
func asTownhall(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return townhall.Errorf(townhall.ETOOLARGE, "The request is too large (limit %d bytes).", mbe.Limit)
	}
	return err
}

func notFoundErr(what string) error {
	return townhall.Errorf(townhall.ENOTFOUND, "We couldn't find that %s.", what)
}

// fail answers err and stops the handler chain (see h). Internal errors
// are logged with the request id; users see a generic text.
func (s *Server) fail(c *gin.Context, err error) {
	defer c.Abort()
	var form *formError
	if errors.As(err, &form) {
		err = form.err
	}
	err = asTownhall(err)
	code := townhall.ErrorCode(err)
	if code == townhall.EINTERNAL && c.Request.Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away mid-request (a closed tab, a load run's
		// end): nothing is wrong on our side and nobody reads the answer.
		s.log.Debug("request canceled by the client", "request_id", c.GetString(ctxRequestID), "path", c.Request.URL.Path)
		c.Status(499)
		return
	}
	if code == townhall.EINTERNAL {
		s.log.Error("internal error", "err", err, "request_id", c.GetString(ctxRequestID), "path", c.Request.URL.Path)
	}
	switch {
	case form != nil && code != townhall.EUNAUTHORIZED && code != townhall.ENOTFOUND:
		v := form.view
		v.Error = townhall.ErrorMessage(err)
		if v.Form == nil {
			c.Request.ParseForm()
			v.Form = c.Request.PostForm
		}
		if rerr := s.html(c, statusOf(code), form.page, v); rerr != nil {
			s.fail(c, rerr)
		}
	case code == townhall.EUNAUTHORIZED && c.Request.Method == http.MethodGet && !isAPI(c.Request.URL.Path):
		c.Redirect(http.StatusSeeOther, "/signin?next="+urlQueryEscape(c.Request.URL.RequestURI()))
	default:
		s.writeError(c.Writer, c.Request, s.view(c, ""), err)
	}
}

// writeError writes err's answer: the JSON error body under /api/, the
// error page (with v's layout) elsewhere.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	code := townhall.ErrorCode(err)
	status, msg := statusOf(code), townhall.ErrorMessage(err)
	if isAPI(r.URL.Path) {
		writeJSONError(w, status, code, msg)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s.pages.renderError(w, v, status, msg)
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
