package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/web"
)

// fakeLimiter stands in for a shared (database) limiter: it allows limit
// writes per key, or fails every call when err is set.
type fakeLimiter struct {
	mu    sync.Mutex
	limit int
	retry time.Duration
	err   error
	calls map[string]int
}

func (f *fakeLimiter) Allow(ctx context.Context, key string, perMinute int, now time.Time) (bool, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[key]++
	if f.err != nil {
		return false, 0, f.err
	}
	if f.calls[key] > f.limit {
		return false, f.retry, nil
	}
	return true, 0, nil
}

// startWithLimiter serves a web server with the given shared limiter over
// the services of a fresh app, and returns an Env aimed at it.
func startWithLimiter(t *testing.T, l web.RateLimiter, ipPerMinute int) *apptest.Env {
	t.Helper()
	env := apptest.Start(t)
	srv, err := web.New(web.Config{DevLogin: true, IPWritesPerMinute: ipPerMinute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		web.Services{Auth: env.App.Auth, Notify: env.App.Notify, Limiter: l})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return &apptest.Env{App: env.App, URL: ts.URL}
}

func TestSharedRateLimiterDecides(t *testing.T) {
	shared := &fakeLimiter{limit: 3, retry: 41500 * time.Millisecond, calls: map[string]int{}}
	env := startWithLimiter(t, shared, 1000) // far above what the local buckets would refuse
	c := env.Anonymous(t)
	for i := range 3 {
		if res, _ := c.Form("POST", "/auth/dev/login", url.Values{"name": {"Ann"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("write %d: status %d, want 303", i+1, res.StatusCode)
		}
	}
	res, _ := c.Do("POST", "/auth/logout", nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "42" {
		t.Fatalf("4th write: %d with Retry-After %q; want 429 with 42 (the shared limiter's 41.5 s, rounded up)", res.StatusCode, res.Header.Get("Retry-After"))
	}
	c.WantError("POST", "/api/v1/notifications/read", nil, http.StatusTooManyRequests, townhall.ERATELIMIT)
	if shared.calls["ip:127.0.0.1"] != 5 {
		t.Fatalf("shared limiter calls = %v; want 5 for ip:127.0.0.1", shared.calls)
	}
}

func TestSharedRateLimiterErrorFallsBackToTheNode(t *testing.T) {
	shared := &fakeLimiter{err: errors.New("connection refused"), calls: map[string]int{}}
	env := startWithLimiter(t, shared, 10) // local burst: 5
	c := env.Anonymous(t)
	var statuses []int
	for range 8 {
		res, _ := c.Form("POST", "/auth/dev/login", url.Values{"name": {"Ann"}})
		statuses = append(statuses, res.StatusCode)
	}
	for i, st := range statuses {
		want := http.StatusSeeOther
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if st != want {
			t.Fatalf("statuses %v: write %d got %d, want %d (never a 500; the node's own burst of 5, then 429)", statuses, i+1, st, want)
		}
	}
	if shared.calls["ip:127.0.0.1"] != 8 {
		t.Fatalf("shared limiter calls = %v; want every write to ask it first", shared.calls)
	}
	_, metrics := c.Get("/metrics")
	if !strings.Contains(metrics, "townhall_rate_limiter_errors_total 8") {
		t.Fatal("metrics do not count the 8 fallbacks in townhall_rate_limiter_errors_total")
	}
}

// TestSharedLimiterCountsEachKindApart: on MongoDB every node shares the
// budgets; content and reactions go to the shared limiter under keys of
// their own, each at the person's trust-level scale.
func TestSharedLimiterCountsEachKindApart(t *testing.T) {
	shared := &fakeLimiter{limit: 100, calls: map[string]int{}}
	env := apptest.Start(t)
	srv, err := web.New(web.Config{DevLogin: true, UserWritesPerMinute: 30, UserReactionsPerMinute: 120, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		web.Services{Auth: env.App.Auth, Notify: env.App.Notify, Ideas: env.App.Ideas, Moderation: env.App.Moderation, Limiter: shared})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	env = &apptest.Env{App: env.App, URL: ts.URL}
	env.Client(t, "Ada", "")
	ann := env.Client(t, "Ann", "")
	var idea struct{ ID string }
	ann.JSON("POST", "/api/v1/ideas", map[string]string{"title": "A good idea"}, http.StatusCreated, &idea)
	ann.JSON("DELETE", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	ann.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	if shared.calls["user:"+ann.User.ID] != 1 || shared.calls["react:user:"+ann.User.ID] != 2 {
		t.Fatalf("shared limiter calls = %v; want 1 content and 2 reactions for Ann", shared.calls)
	}
}
