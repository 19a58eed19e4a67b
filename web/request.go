package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// decodeJSON reads a JSON object body into v with errors a client can act on.
func decodeJSON(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return townhall.Errorf(townhall.EINVALID, "Send the request body as application/json.")
		}
	}
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return asTownhall(err)
		case errors.Is(err, io.EOF):
			return townhall.Errorf(townhall.EINVALID, "The request body is empty; send a JSON object.")
		case errors.As(err, &syn):
			return townhall.Errorf(townhall.EINVALID, "The request body is not valid JSON (at byte %d).", syn.Offset)
		case errors.As(err, &typ):
			if typ.Field != "" {
				return townhall.Errorf(townhall.EINVALID, "Field %q must be a %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
			}
			return townhall.Errorf(townhall.EINVALID, "The request body must be a JSON object.")
		}
		return townhall.Errorf(townhall.EINVALID, "The request body is not valid JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return townhall.Errorf(townhall.EINVALID, "The request body must hold one JSON object.")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "whole number"
	case "float64", "float32":
		return "number"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	case "bool":
		return "true or false"
	}
	return goKind
}

// requireUser answers 401 (JSON) or redirects to sign-in (pages) when nobody
// is signed in. Services check again; this only gives a nicer answer early.
func (s *Server) requireUser(c *gin.Context) (*townhall.User, bool) {
	u := currentUser(c)
	if u == nil {
		s.fail(c, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in first."))
		return nil, false
	}
	return u, true
}

// redirectBack sends a form POST back with 303 See Other (Post/Redirect/Get).
func redirectBack(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }

// localPath returns p if it is a same-site path, else "/", so ?next= cannot
// send people to another site after sign-in.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

// formError re-renders a form page with the error and what the user typed.
func (s *Server) formError(c *gin.Context, page string, v *view, err error) {
	err = asTownhall(err)
	code := townhall.ErrorCode(err)
	if code == townhall.EINTERNAL {
		s.log.Error("internal error", "err", err, "request_id", c.GetString(ctxRequestID))
	}
	if code == townhall.EUNAUTHORIZED || code == townhall.ENOTFOUND {
		s.fail(c, err)
		return
	}
	v.Error = townhall.ErrorMessage(err)
	if v.Form == nil {
		c.Request.ParseForm()
		v.Form = c.Request.PostForm
	}
	s.html(c, statusOf(code), page, v)
}

func itoa(n int) string { return fmt.Sprint(n) }
