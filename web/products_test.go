package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/web"
)

type ratingOut struct {
	Average   float64
	Count     int
	Histogram map[string]int
}

type productOut struct {
	ID, Slug, Name, Description string
	DescriptionHTML             string `json:"description_html"`
	ImageURL                    string `json:"image_url"`
	Archived                    bool
	URL                         string
	Rating                      ratingOut
}

func getProduct(t *testing.T, c *apptest.Client, ref string) productOut {
	t.Helper()
	var p productOut
	c.JSON("GET", "/api/v1/products/"+ref, nil, http.StatusOK, &p)
	return p
}

func wantRatingOut(t *testing.T, c *apptest.Client, ref string, avg float64, count int, hist [5]int) {
	t.Helper()
	r := getProduct(t, c, ref).Rating
	for i, n := range hist {
		if r.Histogram[fmt.Sprint(i+1)] != n {
			t.Fatalf("histogram = %v, want %v (1..5)", r.Histogram, hist)
		}
	}
	if r.Average != avg || r.Count != count || len(r.Histogram) != 5 {
		t.Fatalf("rating = %+v, want average %.1f count %d", r, avg, count)
	}
}

func TestProductsAPI(t *testing.T) {
	env := apptest.Start(t)
	env.Client(t, "Admin", "")
	prod := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	anon := env.Anonymous(t)

	body := map[string]any{"name": "Acme Router X2", "description": "**Fast** router"}
	anon.WantError("POST", "/api/v1/products", body, http.StatusUnauthorized, townhall.EUNAUTHORIZED)
	ann.WantError("POST", "/api/v1/products", body, http.StatusForbidden, townhall.EFORBIDDEN)
	var p productOut
	prod.JSON("POST", "/api/v1/products", body, http.StatusCreated, &p)
	if !townhall.ValidID(p.ID) || p.Slug != "acme-router-x2" || !strings.Contains(p.DescriptionHTML, "<strong>Fast</strong>") || p.URL != "/products/acme-router-x2" {
		t.Fatalf("created %+v", p)
	}
	var twin productOut
	prod.JSON("POST", "/api/v1/products", body, http.StatusCreated, &twin)
	if twin.Slug != "acme-router-x2-2" {
		t.Fatalf("second product with the same name got slug %q, want a numbered one", twin.Slug)
	}
	for _, bad := range []map[string]any{
		{"description": "no name"},
		{"name": "  "},
		{"name": "Cam", "image_url": "http://img.example/cam.png"},
		{"name": "Cam", "image_url": "javascript:alert(1)"},
		{"name": "Cam", "slug": "Bad Slug"},
		{"name": "Cam", "slug": "new"},
		{"name": 5},
		{"name": "Cam", "description": strings.Repeat("x", web.MaxMarkdown+1)},
	} {
		prod.WantError("POST", "/api/v1/products", bad, http.StatusBadRequest, townhall.EINVALID)
	}
	prod.WantError("POST", "/api/v1/products", map[string]any{"name": "Cam", "slug": "acme-router-x2"}, http.StatusConflict, townhall.ECONFLICT)
	var list struct{ Items []productOut }
	anon.JSON("GET", "/api/v1/products", nil, http.StatusOK, &list)
	if len(list.Items) != 2 {
		t.Fatalf("listing after refused creates has %d products, want 2", len(list.Items))
	}

	bySlug := getProduct(t, anon, "acme-router-x2")
	if bySlug.ID != p.ID || bySlug.Rating.Count != 0 || bySlug.Rating.Average != 0 || len(bySlug.Rating.Histogram) != 5 {
		t.Fatalf("by slug = %+v", bySlug)
	}
	anon.WantError("GET", "/api/v1/products/"+townhall.NewID(), nil, http.StatusNotFound, townhall.ENOTFOUND)
	anon.WantError("GET", "/api/v1/products/..%2f..%2fetc", nil, http.StatusNotFound, townhall.ENOTFOUND)

	// PATCH: product team only; partial; slug conflicts refused whole.
	ann.WantError("PATCH", "/api/v1/products/"+p.ID, map[string]any{"name": "Mine"}, http.StatusForbidden, townhall.EFORBIDDEN)
	prod.WantError("PATCH", "/api/v1/products/"+p.ID, map[string]any{"name": "Renamed", "slug": "acme-router-x2-2"}, http.StatusConflict, townhall.ECONFLICT)
	if got := getProduct(t, anon, p.ID); got.Name != "Acme Router X2" {
		t.Fatalf("refused PATCH renamed the product to %q", got.Name)
	}
	var patched productOut
	prod.JSON("PATCH", "/api/v1/products/"+p.ID, map[string]any{"image_url": "https://img.example/x2.png", "slug": "x2"}, http.StatusOK, &patched)
	if patched.Slug != "x2" || patched.ImageURL != "https://img.example/x2.png" || patched.Name != "Acme Router X2" || patched.Description != "**Fast** router" {
		t.Fatalf("patched = %+v", patched)
	}
	prod.JSON("PATCH", "/api/v1/products/x2", map[string]any{"archived": true}, http.StatusOK, &patched)
	anon.JSON("GET", "/api/v1/products", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != twin.ID {
		t.Fatalf("listing shows archived products: %+v", list.Items)
	}
	prod.JSON("GET", "/api/v1/products?archived=1", nil, http.StatusOK, &list)
	if len(list.Items) != 2 {
		t.Fatalf("product team's archived listing has %d products, want 2", len(list.Items))
	}
	if got := getProduct(t, anon, "x2"); !got.Archived {
		t.Fatal("archived product is not reachable or not marked")
	}
}

// jsonLD extracts the page's JSON-LD block.
func jsonLD(t *testing.T, page string) (raw string, doc map[string]any) {
	t.Helper()
	const open = `<script type="application/ld+json">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatal("no JSON-LD block")
	}
	rest := page[i+len(open):]
	raw = rest[:strings.Index(rest, "</script>")]
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("JSON-LD %q: %v", raw, err)
	}
	return raw, doc
}

func TestProductJSONLD(t *testing.T) {
	env := apptest.Start(t)
	admin := env.Client(t, "Admin", "")
	evil := `Evil </script><script>alert(1)</script> & "quotes"`
	var p productOut
	admin.JSON("POST", "/api/v1/products", map[string]any{"name": evil, "slug": "evil", "description": "Nice </SCRIPT> thing", "image_url": "https://img.example/e.png"}, http.StatusCreated, &p)
	_, page := env.Anonymous(t).Get("/products/evil")
	raw, doc := jsonLD(t, page)
	if strings.ContainsAny(raw, "<>") {
		t.Fatalf("JSON-LD contains raw angle brackets: %s", raw)
	}
	if doc["@type"] != "Product" || doc["name"] != evil || doc["image"] != "https://img.example/e.png" || doc["url"] != env.URL+"/products/evil" {
		t.Fatalf("JSON-LD = %v", doc)
	}
	if _, ok := doc["aggregateRating"]; ok {
		t.Fatal("aggregateRating emitted without ratings")
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Fatal("product name injected a script")
	}
	env.Client(t, "R1", "").JSON("POST", "/api/v1/products/evil/reviews", map[string]any{"rating": 4}, http.StatusCreated, nil)
	env.Client(t, "R2", "").JSON("POST", "/api/v1/products/evil/reviews", map[string]any{"rating": 5}, http.StatusCreated, nil)
	_, page = env.Anonymous(t).Get("/products/evil")
	_, doc = jsonLD(t, page)
	agg, _ := doc["aggregateRating"].(map[string]any)
	if agg["@type"] != "AggregateRating" || agg["ratingValue"] != 4.5 || agg["reviewCount"] != 2.0 || agg["bestRating"] != 5.0 {
		t.Fatalf("aggregateRating = %v", agg)
	}
}
