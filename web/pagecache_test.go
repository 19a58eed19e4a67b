package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
)

// TestAnonPageCache checks who gets a cached page and when it is cleared:
// anonymous visitors share one render per URL, a member never gets the
// anonymous page (members share theirs: overlay_test.go), and a moderator's
// action clears the cache at once.
func TestAnonPageCache(t *testing.T) {
	env := apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env.Client(t, "root", "") // the first person is the admin
	ann := env.Client(t, "Ann", townhall.RoleMember)
	mo := env.Client(t, "Mo", townhall.RoleModerator)
	anon := env.Anonymous(t)

	spam := propose(t, ann, "Cheap watches for sale")
	page := func(c *apptest.Client, path string) (*http.Response, string) {
		t.Helper()
		res, body := c.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return res, body
	}
	if res, body := page(anon, "/ideas"); !strings.Contains(body, "Cheap watches") || res.Header.Get("Age") != "" {
		t.Fatalf("first anonymous view: Age %q, idea shown %v", res.Header.Get("Age"), strings.Contains(body, "Cheap watches"))
	}

	// A member's new idea: the member sees it at once; anonymous visitors
	// get the page rendered before it, marked with an Age.
	propose(t, ann, "Dark mode for the dashboard")
	if _, body := page(ann, "/ideas"); !strings.Contains(body, "Dark mode") {
		t.Fatal("the signed-in author does not see their new idea")
	}
	res, body := page(anon, "/ideas")
	if strings.Contains(body, "Dark mode") || res.Header.Get("Age") == "" {
		t.Fatalf("anonymous view within the TTL: Age %q, new idea shown %v; want the cached page", res.Header.Get("Age"), strings.Contains(body, "Dark mode"))
	}
	if res.Header.Get("Content-Type") != "text/html; charset=utf-8" || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("cached page headers: %v", res.Header)
	}
	// Another URL is another page.
	if _, body := page(anon, "/ideas?sort=new"); !strings.Contains(body, "Dark mode") {
		t.Fatal("a different query string was served the cached page")
	}

	// Public API reads are shared the same way, as JSON.
	count := func(c *apptest.Client) (int, string) {
		t.Helper()
		res, body := c.Do("GET", "/api/v1/ideas", nil)
		var list struct{ Items []ideaResp }
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil {
			t.Fatalf("GET /api/v1/ideas: %d %s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("API Content-Type %q", ct)
		}
		return len(list.Items), res.Header.Get("Age")
	}
	if n, age := count(anon); n != 2 || age != "" {
		t.Fatalf("first anonymous API read: %d ideas, Age %q", n, age)
	}
	propose(t, ann, "Export to CSV")
	if n, age := count(anon); n != 2 || age == "" {
		t.Fatalf("anonymous API read within the TTL: %d ideas, Age %q; want the cached 2", n, age)
	}
	if n, _ := count(ann); n != 3 {
		t.Fatalf("signed-in API read: %d ideas, want 3", n)
	}

	// A moderator hides the spam: anonymous visitors stop seeing it at once.
	mo.JSON("PUT", "/api/v1/ideas/"+spam.ID+"/hidden", map[string]any{"hidden": true, "reason": "Spam"}, http.StatusOK, nil)
	res, body = page(anon, "/ideas")
	if strings.Contains(body, "Cheap watches") || !strings.Contains(body, "Dark mode") || res.Header.Get("Age") != "" {
		t.Fatalf("after hiding: spam shown %v, new idea shown %v, Age %q; want a fresh page",
			strings.Contains(body, "Cheap watches"), strings.Contains(body, "Dark mode"), res.Header.Get("Age"))
	}
	// A refused staff write clears nothing.
	page(anon, "/ideas")
	mo.WantError("PUT", "/api/v1/ideas/"+spam.ID+"/hidden", map[string]any{"hidden": true}, http.StatusBadRequest, townhall.EINVALID)
	if res, _ := page(anon, "/ideas"); res.Header.Get("Age") == "" {
		t.Fatal("a refused moderator request cleared the cache")
	}

	// Error pages are not kept: a missing idea stays 404 without an Age.
	for range 2 {
		res, _ := anon.Get("/ideas/" + townhall.NewID())
		if res.StatusCode != http.StatusNotFound || res.Header.Get("Age") != "" {
			t.Fatalf("missing idea: %d, Age %q", res.StatusCode, res.Header.Get("Age"))
		}
	}

	_, metrics := page(anon, "/metrics")
	for _, want := range []string{`townhall_page_cache_total{result="hit"}`, `townhall_page_cache_total{result="miss"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
