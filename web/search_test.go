package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/search"
)

type searchItem struct {
	Kind, ID, Title, Snippet, URL string
}

type searchPage struct {
	Items []searchItem
	Total int
	Page  int
	Pages int
}

func TestSearchMalformedQueriesAre400(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	for _, tc := range []struct{ query, want string }{
		{`q="unclosed`, "quotation mark"},
		{"q=", "at least one word"},
		{"q=-alone", "at least one word"},
		{"q=" + strings.Repeat("x", 201), "too long"},
		{"q=the", "common words"},
		{"q=ok&kind=users", "Unknown kind"},
		{"q=ok&page=999", "first 1000"},
	} {
		msg := c.WantError("GET", "/api/v1/search?"+strings.ReplaceAll(tc.query, `"`, "%22"), nil, http.StatusBadRequest, townhall.EINVALID)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: message %q does not mention %q", tc.query, msg, tc.want)
		}
	}
	// Other engines' syntax is plain text here: never a 500.
	for _, q := range []string{"title:x", "a~2", "(a", "+a", "a*", "/a.*/", `\`, "a AND OR"} {
		res, body := c.Do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
		if res.StatusCode != 200 && res.StatusCode != 400 {
			t.Errorf("%q: %d %s", q, res.StatusCode, body)
		}
	}
	// The page shows the message, keeps what was typed, and answers 400.
	res, body := c.Get("/search?q=" + url.QueryEscape(`"dark mode`))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "quotation mark") || !strings.Contains(body, `value="&#34;dark mode"`) {
		t.Fatalf("page with a malformed query: %d\n%.3000s", res.StatusCode, body)
	}
}

func TestSearchPageWithoutQuery(t *testing.T) {
	env := apptest.Start(t)
	res, body := env.Anonymous(t).Get("/search?q=+++")
	if res.StatusCode != 200 || !strings.Contains(body, `<label for="search-q">`) || !strings.Contains(body, `aria-current="page">Search<`) {
		t.Fatalf("search page: %d\n%.2000s", res.StatusCode, body)
	}
	if strings.Contains(body, "No results") {
		t.Fatal("an empty search must not say there are no results")
	}
}

func TestSimilarOnEmptySite(t *testing.T) {
	env := apptest.Start(t)
	c := env.Anonymous(t)
	var out struct{ Items []searchItem }
	b := c.JSON("GET", "/api/v1/search/similar?q=dark+mode&kind=idea", nil, 200, &out)
	if out.Items == nil || len(out.Items) != 0 || !strings.Contains(string(b), `"items":[]`) {
		t.Fatalf("similar on an empty site: %s", b)
	}
	c.WantError("GET", "/api/v1/search/similar?q=x&kind=bogus", nil, 400, townhall.EINVALID)
}

// waitSearch polls the search API until the query has want hits, failing
// after a few seconds: the indexer promises about one.
func waitSearch(t *testing.T, c *apptest.Client, query string, want int) searchPage {
	t.Helper()
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	for {
		var out searchPage
		c.JSON("GET", "/api/v1/search?q="+url.QueryEscape(query), nil, http.StatusOK, &out)
		if out.Total == want && len(out.Items) == min(want, search.DefaultPerPage) {
			t.Logf("search %q reached %d hits after %v", query, want, time.Since(start).Round(time.Millisecond))
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("search %q: %d hits after 5 s, want %d", query, out.Total, want)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestSearchFollowsReviews(t *testing.T) {
	env := apptest.Start(t)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	var product struct{ ID, Slug string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Sync"}, http.StatusCreated, &product)
	var review struct{ ID string }
	ann.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{
		"rating": 5, "title": "Works offline", "body": "The **zeppelin** sync works <b>offline</b>, even on planes.",
	}, http.StatusCreated, &review)

	// New content becomes searchable; the snippet is escaped and marked.
	got := waitSearch(t, ann, "zeppelin", 1)
	it := got.Items[0]
	if it.Kind != townhall.KindReview || it.ID != review.ID || it.Title != "Works offline" || !strings.HasPrefix(it.URL, "/products/") {
		t.Fatalf("hit %+v", it)
	}
	if !strings.Contains(it.Snippet, "<mark>zeppelin</mark>") || strings.Contains(it.Snippet, "<b>") || !strings.Contains(it.Snippet, "&lt;b&gt;") {
		t.Fatalf("snippet %q: want the match marked and the markup escaped", it.Snippet)
	}
	// The page shows it with the kind facet.
	res, page := env.Anonymous(t).Get("/search?q=zeppelin")
	if res.StatusCode != 200 || !strings.Contains(page, "Works offline") || !strings.Contains(page, `Reviews <span class="count">1</span>`) || !strings.Contains(page, "1 result for") {
		t.Fatalf("search page: %d\n%.4000s", res.StatusCode, page)
	}

	// Edits are followed: the old word goes, the new one comes.
	ann.JSON("PATCH", "/api/v1/reviews/"+review.ID, map[string]any{"body": "Now about a blimp instead."}, http.StatusOK, nil)
	waitSearch(t, ann, "blimp", 1)
	waitSearch(t, ann, "zeppelin", 0)

	// Deleted content disappears.
	res2, _ := ann.Do("DELETE", "/api/v1/reviews/"+review.ID, nil)
	if res2.StatusCode >= 300 {
		t.Fatalf("delete review: %d", res2.StatusCode)
	}
	waitSearch(t, ann, "blimp", 0)
	res, page = env.Anonymous(t).Get("/search?q=blimp")
	if res.StatusCode != 200 || !strings.Contains(page, "No results for") || !strings.Contains(page, "Check the spelling") {
		t.Fatalf("no-results page: %d\n%.3000s", res.StatusCode, page)
	}
}

func TestArchivedProductReviewsNeverShow(t *testing.T) {
	env := apptest.Start(t)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	var product struct{ ID string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Old Gadget"}, http.StatusCreated, &product)
	ann.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 2, "title": "Quirky gadget", "body": "Quirky but fine."}, http.StatusCreated, nil)
	waitSearch(t, ann, "quirky", 1)
	// Archiving hides the product's reviews at once, whether or not the
	// index has caught up: hits are re-checked against the store.
	pat.JSON("PATCH", "/api/v1/products/"+product.ID, map[string]any{"archived": true}, http.StatusOK, nil)
	var out searchPage
	ann.JSON("GET", "/api/v1/search?q=quirky", nil, http.StatusOK, &out)
	if len(out.Items) != 0 {
		t.Fatalf("archived product's review still found: %+v", out.Items)
	}
	_, page := env.Anonymous(t).Get("/search?q=quirky")
	if strings.Contains(page, "Quirky gadget") {
		t.Fatal("the search page shows an archived product's review")
	}
}

func TestSimilarTitlesOverHTTP(t *testing.T) {
	env := apptest.Start(t)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	var product struct{ ID string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Phone"}, http.StatusCreated, &product)
	ann.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4, "title": "Battery life is excellent", "body": "Two days."}, http.StatusCreated, nil)
	waitSearch(t, ann, "battery", 1)
	var out struct{ Items []searchItem }
	ann.JSON("GET", "/api/v1/search/similar?kind=review&q="+url.QueryEscape("excellent battery"), nil, 200, &out)
	if len(out.Items) != 1 || out.Items[0].Title != "Battery life is excellent" || out.Items[0].URL == "" {
		t.Fatalf("similar: %+v", out.Items)
	}
	// One shared word of two is not enough to call titles similar.
	ann.JSON("GET", "/api/v1/search/similar?kind=review&q="+url.QueryEscape("battery charger"), nil, 200, &out)
	if len(out.Items) != 0 {
		t.Fatalf("similar with one matching word: %+v", out.Items)
	}
}

func TestBrowserSearchFromHeader(t *testing.T) {
	env := apptest.Start(t)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	var phone, lamp struct{ ID string }
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Acme Phone"}, http.StatusCreated, &phone)
	pat.JSON("POST", "/api/v1/products", map[string]any{"name": "Desk Lamp"}, http.StatusCreated, &lamp)
	pat.JSON("POST", "/api/v1/products/"+phone.ID+"/reviews", map[string]any{"rating": 5, "title": "Sturdy and bright", "body": "The screen is bright."}, http.StatusCreated, nil)
	env.Client(t, "Ann", "").JSON("POST", "/api/v1/products/"+lamp.ID+"/reviews", map[string]any{"rating": 3, "title": "Bright enough", "body": "A sturdy lamp."}, http.StatusCreated, nil)
	waitSearch(t, pat, "sturdy bright", 2)

	ctx := apptest.Browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/"),
		chromedp.SendKeys(chromedp.ID("header-q"), "sturdy bright\n"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="results-summary"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="results-summary"]`)))
	if err != nil || summary != "2 results for “sturdy bright”" {
		t.Fatalf("summary %q, %v", summary, err)
	}
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".result mark").length`))
	if err != nil || marks < 4 {
		t.Fatalf("%d highlighted words, want the matches marked: %v", marks, err)
	}
	// The type filter keeps the words and narrows to one kind; the
	// no-results help offers the way back.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("search-kind"), "idea"),
		chromedp.Click(chromedp.CSS(`.search-form button[type="submit"]`)),
	)
	if err == nil {
		err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.no-results`)))
	}
	if err != nil {
		t.Fatalf("filter to ideas: %v", err)
	}
	q, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search.includes("kind=idea") ? document.getElementById("search-q").value : "not filtered"`))
	if err != nil || q != "sturdy bright" {
		t.Fatalf("the query was not kept: %q %v", q, err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.no-results a[href*="q=sturdy"]`)),
	)
	if err == nil {
		err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.result`)))
	}
	if err != nil {
		t.Fatalf("search everything again: %v", err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`location.search.includes("kind=") ? -1 : document.querySelectorAll(".result").length`))
	if err != nil || n != 2 {
		t.Fatalf("after removing the filter: %d results (-1: still filtered), %v", n, err)
	}
}

func TestSearchFollowsIdeas(t *testing.T) {
	env := apptest.Start(t)
	ann := env.Client(t, "Ann", townhall.RoleMember)
	pat := env.Client(t, "Pat", townhall.RoleProduct)
	var dup, keep struct{ ID string }
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Dark mode for the dashboard", "body": "Night owls need a darker theme.", "tags": []string{"ui"}}, http.StatusCreated, &keep)
	ann.JSON("POST", "/api/v1/ideas", map[string]any{"title": "Dashboard dark theme", "body": "Please add a darker theme."}, http.StatusCreated, &dup)
	got := waitSearch(t, ann, "darker theme", 2)
	for _, it := range got.Items {
		if it.Kind != townhall.KindIdea || it.URL != "/ideas/"+it.ID {
			t.Fatalf("idea hit %+v", it)
		}
	}
	// Filters by tag and status come from the idea.
	var tagged searchPage
	ann.JSON("GET", "/api/v1/search?q=darker&tag=ui", nil, http.StatusOK, &tagged)
	if tagged.Total != 1 || tagged.Items[0].ID != keep.ID {
		t.Fatalf("tag filter: %+v", tagged)
	}
	// The page's counts are exact up to FacetSample hits, and marked as
	// estimates beyond it.
	_, page := env.Anonymous(t).Get("/search?q=darker")
	if !strings.Contains(page, `Ideas <span class="count">2</span>`) || strings.Contains(page, "facets-estimated") {
		t.Fatalf("exact facets: %.4000s", page)
	}
	env.App.Search.FacetSample = 1
	_, page = env.Anonymous(t).Get("/search?q=darker&status=open")
	if !strings.Contains(page, `Ideas <span class="count">≈2</span>`) || !strings.Contains(page, `data-testid="facets-estimated"`) {
		t.Fatalf("sampled facets: %.4000s", page)
	}
	env.App.Search.FacetSample = 0
	// Similar titles while typing a new idea.
	var sim struct {
		Items []struct{ ID, Title, Status, URL string }
	}
	ann.JSON("GET", "/api/v1/search/similar?kind=idea&q="+url.QueryEscape("dark dashboard"), nil, http.StatusOK, &sim)
	if len(sim.Items) != 2 || sim.Items[0].Status == "" {
		t.Fatalf("similar ideas: %+v", sim.Items)
	}
	// A merged idea leaves search; the one it went into stays.
	pat.JSON("POST", "/api/v1/ideas/"+dup.ID+"/merge", map[string]any{"into": keep.ID}, http.StatusOK, nil)
	got = waitSearch(t, ann, "darker theme", 1)
	if got.Items[0].ID != keep.ID {
		t.Fatalf("after merge: %+v", got.Items)
	}
	ann.JSON("GET", "/api/v1/search/similar?kind=idea&q="+url.QueryEscape("dark dashboard"), nil, http.StatusOK, &sim)
	if len(sim.Items) != 1 || sim.Items[0].ID != keep.ID {
		t.Fatalf("similar after merge: %+v", sim.Items)
	}
	// A hidden idea leaves search for everyone, staff included; unhiding
	// brings it back.
	mod := env.Client(t, "Mo", townhall.RoleModerator)
	mod.JSON("PUT", "/api/v1/ideas/"+keep.ID+"/hidden", map[string]any{"hidden": true, "reason": "spam test"}, http.StatusOK, nil)
	waitSearch(t, mod, "darker theme", 0)
	mod.JSON("PUT", "/api/v1/ideas/"+keep.ID+"/hidden", map[string]any{"hidden": false}, http.StatusOK, nil)
	waitSearch(t, ann, "darker theme", 1)
	// A status change is searchable as a filter.
	pat.JSON("PUT", "/api/v1/ideas/"+keep.ID+"/status", map[string]any{"status": "planned"}, http.StatusOK, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		var planned searchPage
		ann.JSON("GET", "/api/v1/search?q=darker&status=planned", nil, http.StatusOK, &planned)
		if planned.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the status change never reached the index")
		}
		time.Sleep(25 * time.Millisecond)
	}
}
