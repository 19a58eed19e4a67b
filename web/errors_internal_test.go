package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/townhall/townhall"
)

// syncBuffer is a log destination the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestHandlerAdapter pins what h promises feature handlers: each kind of
// returned error gets its one answer, and internal causes reach the log
// with the request id, never the user.
func TestHandlerAdapter(t *testing.T) {
	var logs syncBuffer
	s, err := New(Config{DevLogin: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, Services{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cause := errors.New("disk on fire")
	forbidden := townhall.Errorf(townhall.EFORBIDDEN, "Only moderators can do that.")
	invalid := townhall.Errorf(townhall.EINVALID, "Name is too long.")
	signinForm := func(c *gin.Context, err error) error {
		v := s.view(c, "Sign in")
		v.Data = s.signinData("/")
		return rerender("signin", v, err)
	}
	for path, fn := range map[string]handler{
		"/api/v1/adapter/internal":  func(*gin.Context) error { return cause },
		"/api/v1/adapter/forbidden": func(*gin.Context) error { return forbidden },
		"/adapter/conflict":         func(*gin.Context) error { return townhall.Errorf(townhall.ECONFLICT, "The thread is locked.") },
		"/adapter/signed-out":       func(*gin.Context) error { return townhall.Errorf(townhall.EUNAUTHORIZED, "Please sign in.") },
		"/adapter/form":             func(c *gin.Context) error { return signinForm(c, invalid) },
		"/adapter/form-not-found":   func(c *gin.Context) error { return signinForm(c, notFoundErr("idea")) },
		"/adapter/ok":               func(c *gin.Context) error { return sendJSON(c, http.StatusOK, gin.H{"ok": true}) },
		"/adapter/streamed": func(c *gin.Context) error {
			c.String(http.StatusOK, "partial")
			return cause
		},
	} {
		s.engine.Any(path, s.h(fn))
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		status             int
		jsonCode           string   // the JSON error body's code, for /api/ paths
		body               []string // parts of the answer that must be there
		notBody            []string // and must not
		location           string
	}{
		{name: "internal error is JSON 500 with a generic message", method: "GET", path: "/api/v1/adapter/internal",
			status: 500, jsonCode: townhall.EINTERNAL, body: []string{"Something went wrong"}, notBody: []string{"disk on fire"}},
		{name: "domain error is JSON with its code and words", method: "GET", path: "/api/v1/adapter/forbidden",
			status: 403, jsonCode: townhall.EFORBIDDEN, body: []string{"Only moderators can do that."}},
		{name: "page error is the HTML error page", method: "GET", path: "/adapter/conflict",
			status: 409, body: []string{"<html", "The thread is locked."}},
		{name: "signed-out page GET goes to sign-in", method: "GET", path: "/adapter/signed-out?x=1",
			status: 303, location: "/signin?next=" + url.QueryEscape("/adapter/signed-out?x=1")},
		{name: "refused form comes back with the message and what was typed", method: "POST", path: "/adapter/form",
			form: url.Values{"name": {"Eve"}}, status: 400, body: []string{"Name is too long.", `value="Eve"`}},
		{name: "refused form for a missing thing is the 404 page", method: "POST", path: "/adapter/form-not-found",
			form: url.Values{"name": {"Eve"}}, status: 404, body: []string{"We couldn&#39;t find that idea."}, notBody: []string{`value="Eve"`}},
		{name: "success is the handler's own answer", method: "GET", path: "/adapter/ok", status: 200, body: []string{`{"ok":true}`}},
		{name: "an error after the answer began leaves the answer alone", method: "GET", path: "/adapter/streamed",
			status: 200, body: []string{"partial"}, notBody: []string{"Something went wrong"}},
		{name: "unknown path is a JSON 404 under /api/", method: "GET", path: "/api/v1/adapter/nothing", status: 404, jsonCode: townhall.ENOTFOUND},
		{name: "wrong method is a 405 with its code", method: "PUT", path: "/api/v1/me", status: 405, jsonCode: townhall.EMETHOD},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.form != nil {
				body = strings.NewReader(tc.form.Encode())
			}
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, body)
			if tc.form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, b)
			}
			if tc.jsonCode != "" {
				var e struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != tc.jsonCode || e.Error.Message == "" {
					t.Fatalf("body %s, want the JSON error body with code %q", b, tc.jsonCode)
				}
			}
			for _, want := range tc.body {
				if !strings.Contains(string(b), want) {
					t.Errorf("answer lacks %q: %.500s", want, b)
				}
			}
			for _, bad := range tc.notBody {
				if strings.Contains(string(b), bad) {
					t.Errorf("answer shows %q: %.500s", bad, b)
				}
			}
			if got := res.Header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
		})
	}
	// Both internal errors were logged with their cause and request id.
	if n := strings.Count(logs.String(), "disk on fire"); n != 2 {
		t.Errorf("the cause was logged %d times, want 2:\n%s", n, logs.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, "disk on fire") && !strings.Contains(line, "request_id=") {
			t.Errorf("logged without the request id: %s", line)
		}
	}
}
