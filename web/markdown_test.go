package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestPreview(t *testing.T) {
	env := apptest.Start(t)
	c := env.Client(t, "writer", "")
	var out struct{ HTML string }
	c.JSON("POST", "/api/v1/preview", map[string]string{"body": "**hi** <script>alert(1)</script>"}, http.StatusOK, &out)
	if !strings.Contains(out.HTML, "<strong>hi</strong>") || strings.Contains(out.HTML, "<script") {
		t.Fatalf("preview html = %q", out.HTML)
	}
	c.WantError("POST", "/api/v1/preview", `{"body": 5}`, http.StatusBadRequest, townhall.EINVALID)
	c.WantError("POST", "/api/v1/preview", `{"body": "`+strings.Repeat("x", 20001)+`"}`, http.StatusBadRequest, townhall.EINVALID)
	c.WantError("POST", "/api/v1/preview", `not json`, http.StatusBadRequest, townhall.EINVALID)
	env.Anonymous(t).WantError("POST", "/api/v1/preview", `{"body":"x"}`, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
}
