// Package apptest starts a complete Townhall on a loopback port for tests:
// the real embedded store in a temp dir (or, when TOWNHALL_TEST_MONGODB_URI
// is set, a fresh database on that MongoDB server), the real web server,
// and clients signed in through the dev login. Browser tests get a headless
// Chromium.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
)

// Env is a running Townhall.
type Env struct {
	App *app.App
	URL string // http://127.0.0.1:PORT
}

// Option adjusts the configuration before the app opens.
type Option func(*startOptions)

type startOptions struct {
	cfg      *app.Config
	embedded string // why the test needs the embedded store; "" when it runs on either
}

// WithConfig lets a test change any setting.
func WithConfig(f func(*app.Config)) Option { return func(o *startOptions) { f(o.cfg) } }

// EmbeddedStore keeps the app on the embedded store even when MongoDB tests
// are on, for a test that is about the embedded store itself (its file, its
// bulk loader); reason says why, so every exception is explained where it
// is made.
func EmbeddedStore(reason string) Option {
	return func(o *startOptions) { o.embedded = reason }
}

// Start opens a Townhall with dev login on, rate limits off, and a fresh
// data directory, serving on a free loopback port until the test ends.
// When TOWNHALL_TEST_MONGODB_URI names a MongoDB server, the app runs on a
// fresh database there instead of the embedded store (see FreshMongoDB),
// unless an option sets MongoDBURI itself or asks for EmbeddedStore.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Defaults()
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + ln.Addr().String()
	cfg.DataDir = t.TempDir()
	cfg.DevLogin = true
	cfg.UserWritesPerMinute, cfg.IPWritesPerMinute, cfg.ReactionsPerMinute = 0, 0, 0
	// Tests check what a page shows right after a write; the page cache's
	// own tests turn it on.
	cfg.AnonPageCache = 0
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	o := startOptions{cfg: &cfg}
	for _, opt := range opts {
		opt(&o)
	}
	if cfg.MongoDBURI == "" && o.embedded == "" && MongoDBURI() != "" {
		cfg.MongoDBURI = FreshMongoDB(t)
	}
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		ln.Close()
		t.Fatalf("open app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &Env{App: a, URL: cfg.BaseURL}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Client is an HTTP client with its own cookie jar, aimed at one Env.
type Client struct {
	HTTP *http.Client
	Base string
	User *townhall.User // nil for anonymous clients
	// Header is sent with every request (an API token's Authorization).
	Header http.Header
	t      testing.TB
}

// Anonymous returns a client that is not signed in.
func (e *Env) Anonymous(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{
		HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // tests look at redirects themselves
		}},
		Base: e.URL,
		t:    t,
	}
}

// Client signs in through the dev login as name (created with role on first
// use; the first user of an Env is always admin) and returns its client.
func (e *Env) Client(t testing.TB, name string, role townhall.Role) *Client {
	t.Helper()
	return e.ClientWithEmail(t, name, role, "")
}

// ClientWithEmail is Client for someone whose sign-in gives an email
// address, so mail can reach them.
func (e *Env) ClientWithEmail(t testing.TB, name string, role townhall.Role, addr string) *Client {
	t.Helper()
	c := e.Anonymous(t)
	res, body := c.Form("POST", "/auth/dev/login", url.Values{"name": {name}, "role": {string(role)}, "email": {addr}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dev login as %s: status %d: %s", name, res.StatusCode, body)
	}
	var me townhall.User
	c.JSON("GET", "/api/v1/me", nil, http.StatusOK, &me)
	c.User = &me
	return c
}

// Bearer returns a client without cookies that sends token as its
// "Authorization: Bearer" header, as a script would.
func (e *Env) Bearer(t testing.TB, token string) *Client {
	c := e.Anonymous(t)
	c.Header = http.Header{"Authorization": {"Bearer " + token}}
	return c
}

// Do sends a request with an optional JSON body and returns the response
// with its body read.
func (c *Client) Do(method, path string, body any) (*http.Response, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			r = strings.NewReader(b)
		case []byte:
			r = bytes.NewReader(b)
		default:
			j, err := json.Marshal(b)
			if err != nil {
				c.t.Fatal(err)
			}
			r = bytes.NewReader(j)
		}
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return c.send(req)
}

func (c *Client) send(req *http.Request) (*http.Response, []byte) {
	c.t.Helper()
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return res, b
}

// JSON sends a JSON request, fails the test unless the status is want, and
// decodes the response into out (when out is not nil).
func (c *Client) JSON(method, path string, body any, want int, out any) []byte {
	c.t.Helper()
	res, b := c.Do(method, path, body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return b
}

// WantError sends a JSON request and fails the test unless the answer is
// the JSON error body with the given status and code.
func (c *Client) WantError(method, path string, body any, status int, code string) string {
	c.t.Helper()
	res, b := c.Do(method, path, body)
	var e struct {
		Error struct{ Code, Message string }
	}
	if res.StatusCode != status || json.Unmarshal(b, &e) != nil || e.Error.Code != code || e.Error.Message == "" {
		c.t.Fatalf("%s %s: got %d %s; want %d with error code %q and a message", method, path, res.StatusCode, b, status, code)
	}
	return e.Error.Message
}

// Form posts (or sends with another method) an HTML form.
func (c *Client) Form(method, path string, vals url.Values) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.Base+path, strings.NewReader(vals.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, b := c.send(req)
	return res, string(b)
}

// Get fetches a page and returns the response and its body as text.
func (c *Client) Get(path string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.Base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	res, b := c.send(req)
	return res, string(b)
}
