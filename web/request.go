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

// requireUser returns the signed-in user, or the 401 that h answers as
// JSON or with a redirect to sign-in. Services check again; this only gives
// a nicer answer before any work is done.
func requireUser(c *gin.Context) (*townhall.User, error) {
	if u := currentUser(c); u != nil {
		return u, nil
	}
	return nil, townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in first.")
}

// sendJSON answers v as JSON with the given status; handlers end with it.
func sendJSON(c *gin.Context, status int, v any) error {
	c.JSON(status, v)
	return nil
}

// redirectBack sends a form POST on with 303 See Other (Post/Redirect/Get).
func redirectBack(c *gin.Context, to string) error {
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

// localPath returns p if it is a same-site path, else "/", so ?next= cannot
// send people to another site after sign-in.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

func itoa(n int) string { return fmt.Sprint(n) }
