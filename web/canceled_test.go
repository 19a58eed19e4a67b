package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/web"
)

// TestClientGoneIsNotAnInternalError: a request whose client hung up
// mid-way (its context canceled) is not logged as an internal error; a
// load run's end or a closed tab used to fill the log with them.
func TestClientGoneIsNotAnInternalError(t *testing.T) {
	env := apptest.Start(t)
	var log bytes.Buffer
	srv, err := web.New(web.Config{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))},
		web.Services{Auth: env.App.Auth, Notify: env.App.Notify, Ideas: env.App.Ideas, Forum: env.App.Forum})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/ideas", nil))
	if strings.Contains(log.String(), "internal error") || rec.Code == http.StatusInternalServerError {
		t.Fatalf("a canceled request: %d, log:\n%s", rec.Code, log.String())
	}
	// A live request still works and is still logged as it was.
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/ideas", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("a live request: %d %s", rec.Code, rec.Body)
	}
}
