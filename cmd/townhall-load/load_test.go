package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/seed"
	"github.com/townhall/townhall/store/sqlite"
)

// scaleThreads is the generated community the tests drive: 50 threads a
// category (two listing pages of 30), 200 ideas (ten pages of 20), and
// long-tailed threads, some longer than one page.
const scaleThreads = 400

// seededSite starts a server on a generated community; cache sets its
// anonymous page cache's time to live (0 for none, as apptest has it), and
// config changes anything else.
func seededSite(t *testing.T, cache time.Duration, config ...func(*app.Config)) (*apptest.Env, seed.Counts) {
	t.Helper()
	env := apptest.Start(t, apptest.EmbeddedStore("the generated community is bulk-loaded in seconds; through the services on MongoDB it takes minutes a test (TestLoadOnDemoSite runs the harness on either store)"),
		apptest.WithConfig(func(c *app.Config) {
			c.AnonPageCache = cache
			for _, f := range config {
				f(c)
			}
		}))
	counts, err := seed.Scale(context.Background(), env.App, seed.ScaleOptions{Threads: scaleThreads, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return env, counts
}

// firstPages is every id on the first page of the site's thread and idea
// listings: what a crawl of first pages would have found.
func firstPages(t *testing.T, base string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	var cats struct {
		Categories []struct{ ID string } `json:"categories"`
	}
	getJSON(t, base+"/api/v1/categories", &cats)
	paths := []string{"/api/v1/ideas?sort=new", "/api/v1/ideas?sort=top", "/api/v1/ideas?sort=trending"}
	for _, c := range cats.Categories {
		paths = append(paths, "/api/v1/categories/"+c.ID+"/threads")
	}
	for _, p := range paths {
		var page struct {
			Items []struct{ ID string } `json:"items"`
		}
		getJSON(t, base+p, &page)
		for _, it := range page.Items {
			seen[it.ID] = true
		}
	}
	return seen
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// TestDiscoveryAndZipfPicks checks that discovery finds every thread and
// idea through the paged API, not only the first pages, and that the
// Zipf picks reach past the first listing pages and into deep pages of
// long threads that the server really has, with the most popular item
// read far more often than one further down.
func TestDiscoveryAndZipfPicks(t *testing.T) {
	env, counts := seededSite(t, 0)
	tg, err := discover(context.Background(), newClient(http.DefaultTransport), env.URL, 5000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.threads) != counts.Threads || len(tg.ideas) != counts.Ideas || len(tg.products) != counts.Products {
		t.Errorf("discovered %d threads, %d ideas, %d products; the seed made %d, %d, %d",
			len(tg.threads), len(tg.ideas), len(tg.products), counts.Threads, counts.Ideas, counts.Products)
	}
	if len(tg.deep) == 0 || len(tg.posts) == 0 || len(tg.comments) == 0 || len(tg.people) == 0 {
		t.Fatalf("discovered %d long threads, %d posts, %d comments, %d people; want some of each", len(tg.deep), len(tg.posts), len(tg.comments), len(tg.people))
	}
	if !strings.Contains(tg.summary(), "listing pages in") || len(tg.truncated) != 0 {
		t.Errorf("summary %q, truncated %v", tg.summary(), tg.truncated)
	}

	first := firstPages(t, env.URL)
	z := &picks{threads: newZipf(len(tg.threads), 1), deep: newZipf(len(tg.deep), 1), ideas: newZipf(len(tg.ideas), 1), products: newZipf(len(tg.products), 1)}
	w := &worker{rng: rand.New(rand.NewPCG(1, 2)), t: tg, z: z}
	hits := map[string]int{}
	beyond := map[string]bool{}
	deep := map[string]bool{}
	for range 5000 {
		th, idea := w.thread(), w.idea()
		hits[th.id]++
		for _, id := range []string{th.id, idea} {
			if !first[id] {
				beyond[id] = true
			}
		}
		deep[w.deepPage()] = true
	}
	if len(beyond) < 50 {
		t.Errorf("only %d distinct threads and ideas picked beyond the first listing pages", len(beyond))
	}
	if top, mid := hits[tg.threads[0].id], hits[tg.threads[50].id]; top < 10*max(mid, 1) {
		t.Errorf("the most popular thread was picked %d times, the 51st %d: not Zipf-like", top, mid)
	}
	// Every deep page picked exists: the page count from the listing is
	// the server's.
	c := &http.Client{}
	for path := range deep {
		if !strings.Contains(path, "?page=") || strings.HasSuffix(path, "?page=1") {
			t.Fatalf("deep page %s is not past the first", path)
		}
		if status := status(t, c, env.URL+path); status != http.StatusOK {
			t.Errorf("GET %s: status %d", path, status)
		}
	}
}

func status(t *testing.T, c *http.Client, u string) int {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestLoadAgainstSeededSite runs the whole mix briefly against a real
// server with its page cache on, and checks it measured every route,
// anonymous and signed-in apart, without a failed request, and reported
// the cache's hit rate from the server's /metrics.
func TestLoadAgainstSeededSite(t *testing.T) {
	env, _ := seededSite(t, time.Minute)
	u, _ := url.Parse(env.URL)
	var log bytes.Buffer
	const requests = 2000
	res, err := load(context.Background(), options{
		base: u, concurrency: 4, duration: time.Minute, users: 6,
		writes: 0.2, apiReads: 0.2, seed: 1, maxRequests: requests, discoverPages: 5000, zipf: 1,
	}, &log)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, log.String())
	}
	if res.total != requests {
		t.Errorf("measured %d requests, want %d", res.total, requests)
	}
	seen := map[string]int{}
	anonCached := 0 // anonymous GETs, each a hit or a miss of the cache
	for _, r := range res.routes {
		seen[r.name] = r.n
		if len(r.errors) > 0 {
			t.Errorf("%s: failed requests by status %v", r.name, r.errors)
		}
		if strings.HasSuffix(r.name, " (anon)") {
			anonCached += r.n
		}
	}
	for _, page := range []string{"page /t/:id", "page /t/:id?page=N", "page /c/:slug", "page /ideas", "page /ideas/:id", "page /products/:slug",
		"page /u/:handle", "page /leaderboard", "api GET /threads/:id", "api GET /ideas"} {
		for _, who := range []string{" (anon)", " (signed-in)"} {
			if seen[page+who] == 0 {
				t.Errorf("no %q requests measured; routes: %v", page+who, seen)
			}
		}
	}
	for _, write := range []string{"api POST reply", "api vote toggle", "api POST idea comment", "api like toggle", "api comment like toggle"} {
		if seen[write+" (signed-in)"] == 0 || seen[write+" (anon)"] != 0 {
			t.Errorf("%s: %d signed-in, %d anonymous requests; writes are all signed in", write, seen[write+" (signed-in)"], seen[write+" (anon)"])
		}
	}
	// The hit rate is the server's count over the run: some hits (the
	// popular pages repeat within the minute), no more lookups than
	// anonymous requests, and the counters as /metrics has them now.
	if res.cache == nil || res.cache.hits == 0 || res.cache.hits+res.cache.misses > float64(anonCached) {
		t.Fatalf("cache delta %+v for %d anonymous requests", res.cache, anonCached)
	}
	// Members' page views that went through the shared render are at most
	// the signed-in page reads (a recent writer's bypass it uncounted).
	signedPages := 0
	for _, r := range res.routes {
		if strings.HasPrefix(r.name, "page ") && strings.HasSuffix(r.name, " (signed-in)") {
			signedPages += r.n
		}
	}
	if m := res.cache.memberHits + res.cache.memberMisses; m == 0 || m > float64(signedPages) {
		t.Errorf("member cache counted %v views for %d signed-in page reads", m, signedPages)
	}
	now, err := readCache(context.Background(), http.DefaultClient, env.URL)
	if err != nil || now.hits < res.cache.hits || now.misses < res.cache.misses {
		t.Errorf("/metrics now %+v (%v), below the run's delta %+v", now, err, res.cache)
	}
	var out bytes.Buffer
	res.print(&out)
	report := out.String()
	for _, want := range []string{"discovery: 8 categories, 400 threads", "page renders:", "(anon ", "signed-in ", "p99 ms",
		"page cache: ", "% hit rate (", "member pages: ", "toggles that answered 200: "} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// TestLoadOnDemoSite runs the whole mix against the demo community on
// whichever store the tests use, without a failed request.
func TestLoadOnDemoSite(t *testing.T) {
	env := apptest.Start(t)
	if err := seed.Demo(context.Background(), env.App, nil); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(env.URL)
	var log bytes.Buffer
	res, err := load(context.Background(), options{base: u, concurrency: 4, duration: time.Minute, users: 4,
		writes: 0.2, apiReads: 0.2, seed: 1, maxRequests: 300, discoverPages: 5000, zipf: 1}, &log)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, log.String())
	}
	if res.total != 300 || len(res.routes) < 10 {
		t.Errorf("measured %d requests over %d routes", res.total, len(res.routes))
	}
	for _, r := range res.routes {
		if len(r.errors) > 0 {
			t.Errorf("%s: failed requests by status %v", r.name, r.errors)
		}
	}
}

// TestHitRateWithoutCache checks the report says so when the server's
// cache is off, rather than printing a rate of nothing.
func TestHitRateWithoutCache(t *testing.T) {
	env, _ := seededSite(t, 0)
	if out := runRoutes(t, env.URL, "^page /ideas", 40); !strings.Contains(out, "page cache: 0 hits, 0 misses") {
		t.Errorf("report without a cache:\n%s", out)
	}
}

// TestLikesAreToggledExactly runs only likes and checks that every like the
// harness believes in is on the server and no other, none of the user's
// own, and the store's like counters match its like rows.
func TestLikesAreToggledExactly(t *testing.T) {
	env, _ := seededSite(t, 0)
	u, _ := url.Parse(env.URL)
	only := regexp.MustCompile("like")
	var log bytes.Buffer
	res, err := load(context.Background(), options{base: u, concurrency: 3, duration: time.Minute, users: 6, writes: 0.05, apiReads: 0.15,
		seed: 2, maxRequests: 300, discoverPages: 5000, zipf: 1, only: only}, &log)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, log.String())
	}
	for _, r := range res.routes {
		if r.name != "ALL" && !strings.Contains(r.name, "like toggle (signed-in)") {
			t.Errorf("--routes like ran %q", r.name)
		}
		if len(r.errors) > 0 {
			t.Errorf("%s: failed requests by status %v", r.name, r.errors)
		}
	}
	toggles := res.toggles()
	if toggles["api like toggle"] == 0 || toggles["api comment like toggle"] == 0 || toggles["api like toggle"]+toggles["api comment like toggle"] != res.total {
		t.Errorf("toggles %v for %d requests", toggles, res.total)
	}
	ctx := context.Background()
	liked := wantLikesAsHarness(t, env.App, res)
	if liked == 0 {
		t.Error("no like left standing after the run")
	}
	if db, ok := env.App.DB.(*sqlite.DB); ok {
		problems, err := db.CheckCounters(ctx, 1e-9)
		if err != nil || len(problems) > 0 {
			t.Errorf("counters after the like run: %v %v", problems, err)
		}
	}
}

func TestRoutesFilter(t *testing.T) {
	env, _ := seededSite(t, 0)
	out := runRoutes(t, env.URL, "vote", 50)
	if !strings.Contains(out, "api vote toggle (signed-in)") || strings.Contains(out, "page /ideas") {
		t.Errorf("--routes vote ran other routes:\n%s", out)
	}
	if !strings.Contains(out, "toggles that answered 200: api vote toggle 50 ") {
		t.Errorf("report does not count the 50 votes:\n%s", out)
	}
}

// TestRateLimitHint checks that a server whose rate limits refuse the
// harness's writes gets them counted as errors and the report says which
// flags lift the limits.
func TestRateLimitHint(t *testing.T) {
	env, _ := seededSite(t, 0, func(c *app.Config) { c.ReactionsPerMinute = 1 })
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"--url", env.URL, "--routes", "vote", "--concurrency", "1", "--users", "1",
		"--max-requests", "20", "--duration", "1m"}, &out, &errOut)
	if !strings.Contains(out.String(), "×429") || !strings.Contains(out.String(), "rate limited (429): start the server with --rate-user 0 --rate-ip 0 --rate-reactions 0") {
		t.Errorf("report after refused votes:\n%s", out.String())
	}
}

// runRoutes runs the command with two clients and two users for n requests
// of the routes matching routes, and returns its report.
func runRoutes(t *testing.T, base, routes string, n int) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--url", base, "--routes", routes, "--concurrency", "2", "--users", "2",
		"--max-requests", strconv.Itoa(n), "--duration", "1m"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	return out.String()
}

func TestRefusesRemoteTargets(t *testing.T) {
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"--url", "http://example.com"}, &bytes.Buffer{}, &errOut); code != 2 {
		t.Errorf("exit code %d for a remote URL, want 2", code)
	}
	if !strings.Contains(errOut.String(), "must point at this machine") {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestParseCache(t *testing.T) {
	text := "# HELP townhall_page_cache_total Anonymous page views\n# TYPE townhall_page_cache_total counter\n" +
		"townhall_page_cache_total{result=\"hit\"} 1234\ntownhall_page_cache_total{result=\"miss\"} 56\n" +
		"townhall_page_cache_total{result=\"member_hit\"} 700\ntownhall_page_cache_total{result=\"member_miss\"} 30\n" +
		"townhall_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 9\n"
	for _, tc := range []struct {
		name, text string
		want       cacheCounts
	}{
		{"anonymous and member", text, cacheCounts{1234, 56, 700, 30}},
		{"nothing counted yet", "go_goroutines 12\n", cacheCounts{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseCache(tc.text); got != tc.want {
				t.Errorf("parseCache = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestLoadSpreadsOverNodes runs the mix against two app nodes of one site:
// on MongoDB two apps on one database, as in production; on the embedded
// store, which serves one node, a second listener of the same app. The
// clients share the nodes out, sessions made through the first work on
// the second, and every like the harness believes in is on the server.
func TestLoadSpreadsOverNodes(t *testing.T) {
	var a, b *apptest.Env
	if apptest.MongoDBURI() != "" {
		uri := apptest.FreshMongoDB(t)
		a = apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.MongoDBURI = uri }))
		b = apptest.Start(t, apptest.WithConfig(func(c *app.Config) { c.MongoDBURI = uri }))
	} else {
		a = apptest.Start(t)
		srv := httptest.NewServer(a.App.Handler())
		t.Cleanup(srv.Close)
		b = &apptest.Env{App: a.App, URL: srv.URL}
	}
	if err := seed.Demo(context.Background(), a.App, nil); err != nil {
		t.Fatal(err)
	}
	ua, _ := url.Parse(a.URL)
	ub, _ := url.Parse(b.URL)
	var log bytes.Buffer
	const requests = 400
	res, err := load(context.Background(), options{base: ua, nodes: []*url.URL{ub}, concurrency: 4, duration: time.Minute, users: 4,
		writes: 0.3, apiReads: 0.2, seed: 3, maxRequests: requests, discoverPages: 5000, zipf: 1}, &log)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, log.String())
	}
	for _, r := range res.routes {
		if len(r.errors) > 0 {
			t.Errorf("%s: failed requests by status %v", r.name, r.errors)
		}
	}
	if len(res.nodes) != 2 || res.nodes[0].url != a.URL || res.nodes[1].url != b.URL ||
		res.nodes[0].n == 0 || res.nodes[1].n == 0 || res.nodes[0].n+res.nodes[1].n != res.total {
		t.Errorf("requests by node %+v, %d in all", res.nodes, res.total)
	}
	var out bytes.Buffer
	res.print(&out)
	if !strings.Contains(out.String(), "by node: "+a.URL+" ") || !strings.Contains(out.String(), ", "+b.URL+" ") {
		t.Errorf("report lacks the nodes:\n%s", out.String())
	}
	toggles := res.toggles()
	if toggles["api like toggle"] == 0 {
		t.Fatalf("no like toggled: %v", toggles)
	}
	wantLikesAsHarness(t, a.App, res)
}

// TestURLList: --url takes the nodes comma-separated, each checked.
func TestURLList(t *testing.T) {
	for _, list := range []string{"http://127.0.0.1:1,http://example.com", "http://127.0.0.1:1,ftp://127.0.0.1:2"} {
		var errOut bytes.Buffer
		if code := run(context.Background(), []string{"--url", list}, &bytes.Buffer{}, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("--url %s: exit %d, stderr %q", list, code, errOut.String())
		}
	}
}

// wantLikesAsHarness checks that the server likes exactly what the harness
// believes each of its users likes, none of it their own, and returns how
// many likes stand.
func wantLikesAsHarness(t *testing.T, a *app.App, res *result) int {
	t.Helper()
	var ids []string
	authors := map[string]string{}
	for _, l := range append(slices.Clone(res.target.posts), res.target.comments...) {
		ids = append(ids, l.id)
		authors[l.id] = l.author
	}
	ctx := context.Background()
	liked := 0
	for _, usr := range res.users {
		actor, err := a.Auth.User(ctx, usr.id)
		if err != nil {
			t.Fatal(err)
		}
		server, err := a.Loyalty.Liked(ctx, actor, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if server[id] != usr.on[id] {
				t.Errorf("%s: the server says liked=%v, the harness %v", id, server[id], usr.on[id])
			}
			if usr.on[id] {
				liked++
				if authors[id] == usr.id {
					t.Errorf("%s liked their own %s", usr.id, id)
				}
			}
		}
	}
	return liked
}
