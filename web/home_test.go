package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
)

func TestHomeShowsLiveContent(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Admin", "")
	_, empty := env.Anonymous(t).Get("/")
	if !strings.Contains(empty, "Propose the first one") || !strings.Contains(empty, "No products to review yet") || !strings.Contains(empty, "No discussions yet") {
		t.Fatal("empty front page lacks its helpful empty states")
	}
	var idea struct{ ID string }
	admin.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Offline mode for the mobile app", "body": "x"}, http.StatusCreated, &idea)
	shipped := struct{ ID string }{}
	admin.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Bulk export of invoices", "body": "y"}, http.StatusCreated, &shipped)
	admin.JSON("PUT", "/api/v1/ideas/"+shipped.ID+"/status", map[string]string{"status": "done"}, http.StatusOK, nil)
	admin.JSON("POST", "/api/v1/products", map[string]string{"name": "Acme Sync", "description": "d"}, http.StatusCreated, nil)
	admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Help", "slug": "help"}, http.StatusCreated, nil)
	var thread struct{ ID string }
	admin.JSON("POST", "/api/v1/threads", map[string]string{"category": "help", "title": "How do I reset my password?", "body": "b"}, http.StatusCreated, &thread)
	member := env.Client(t, "Mia", townhall.RoleMember)
	member.JSON("POST", "/api/v1/products/acme-sync/reviews", map[string]any{"rating": 4, "title": "Good"}, http.StatusCreated, nil)

	res, page := env.Anonymous(t).Get("/")
	if res.StatusCode != 200 {
		t.Fatalf("home: %d", res.StatusCode)
	}
	for _, want := range []string{
		`href="/ideas/` + idea.ID + `">Offline mode for the mobile app</a>`,
		`href="/ideas/` + shipped.ID + `">Bulk export of invoices</a>`,
		`href="/products/acme-sync">Acme Sync</a>`,
		`4.0 · 1 review`,
		`href="/t/` + thread.ID + `">How do I reset my password?</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("front page lacks %q", want)
		}
	}
}
