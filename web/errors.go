package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// statusOf maps a townhall error code to an HTTP status. This is the only
// place that does so.
func statusOf(code string) int {
	switch code {
	case townhall.EINVALID:
		return http.StatusBadRequest
	case townhall.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case townhall.EFORBIDDEN:
		return http.StatusForbidden
	case townhall.ENOTFOUND:
		return http.StatusNotFound
	case townhall.ECONFLICT:
		return http.StatusConflict
	case townhall.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case townhall.ERATELIMIT:
		return http.StatusTooManyRequests
	case townhall.EUNAVAILABLE:
		return http.StatusServiceUnavailable
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

// fail answers err as JSON under /api and as the error page elsewhere.
// Internal errors are logged with the request id; users see a generic text.
func (s *Server) fail(c *gin.Context, err error) {
	err = asTownhall(err)
	code := townhall.ErrorCode(err)
	if code == townhall.EINTERNAL {
		s.log.Error("internal error", "err", err, "request_id", c.GetString(ctxRequestID), "path", c.Request.URL.Path)
	}
	s.failStatus(c, statusOf(code), code, townhall.ErrorMessage(err))
}

func (s *Server) failStatus(c *gin.Context, status int, code, msg string) {
	if isAPI(c.Request.URL.Path) {
		writeJSONError(c.Writer, status, code, msg)
		c.Abort()
		return
	}
	if status == http.StatusUnauthorized && c.Request.Method == http.MethodGet {
		c.Redirect(http.StatusSeeOther, "/signin?next="+urlQueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	s.pages.renderError(c.Writer, s.view(c, ""), status, msg)
	c.Abort()
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
