package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/seed"
)

// benchScale is the size of the generated community the HTTP benchmarks run against:
// small by default so CI's -benchtime=1x stays cheap, TOWNHALL_BENCH_SCALE
// threads' worth when set (100000 is the target dataset).
func benchScale() int {
	if v, err := strconv.Atoi(os.Getenv("TOWNHALL_BENCH_SCALE")); err == nil && v > 0 {
		return v
	}
	return 200
}

// benchSite is the community the page benchmarks read and what they read
// of it: a thread in the middle of the newest, the longest thread of the
// categories' first pages, an idea in the middle of the top board, a
// product, a category, the person with the most reputation (whose profile
// tabs are the longest), and a post to like.
type benchSite struct {
	env                    *apptest.Env
	thread, idea, product  string
	category, person, post string
	longThread             string // "" when no thread has a second page
	longPages              int
}

// openBenchSite starts a server on TOWNHALL_BENCH_DATA, or on a freshly
// generated community of benchScale threads, with the page cache off
// (apptest's default): the benchmarks measure renders.
func openBenchSite(b *testing.B) *benchSite {
	b.Helper()
	ctx := context.Background()
	var env *apptest.Env
	if dir := os.Getenv("TOWNHALL_BENCH_DATA"); dir != "" {
		// An already seeded data directory (townhall seed --scale N --data
		// DIR), so profiling at 100k does not reseed every run. The vote
		// benchmark toggles, leaving counts as they were.
		env = apptest.Start(b, apptest.WithConfig(func(c *app.Config) { c.DataDir = dir }))
	} else {
		env = apptest.Start(b)
		if _, err := seed.Scale(ctx, env.App, seed.ScaleOptions{Threads: benchScale(), Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	// The background work seeding leaves (indexing the change feed, the
	// insights' catch-up) must be done before timing: with -cpu 1 it would
	// otherwise be counted in every page's ns/op.
	if err := env.App.Indexer.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	env.WaitJobsFor(b, 10*time.Minute)
	board, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "top"})
	if err != nil || len(board.Items) == 0 {
		b.Fatalf("no ideas: %v", err)
	}
	products, err := env.App.Reviews.Products(ctx, nil, reviews.ProductFilter{})
	if err != nil || len(products.Items) == 0 {
		b.Fatalf("no products: %v", err)
	}
	latest, err := env.App.Forum.Latest(ctx, 20)
	if err != nil || len(latest) == 0 {
		b.Fatalf("no threads: %v", err)
	}
	thread := latest[len(latest)/2]
	cats, err := env.App.Forum.Categories(ctx)
	if err != nil || len(cats) == 0 {
		b.Fatalf("no categories: %v", err)
	}
	top, err := env.App.Loyalty.Leaderboard(ctx, nil, loyalty.LeaderboardQuery{Period: loyalty.PeriodAll})
	if err != nil || len(top.Items) == 0 {
		b.Fatalf("no leaderboard: %v", err)
	}
	tv, err := env.App.Forum.Thread(ctx, nil, thread.ID, 1)
	if err != nil || tv.First == nil {
		b.Fatalf("thread %s: %v", thread.ID, err)
	}
	s := &benchSite{env: env, thread: thread.ID, idea: board.Items[len(board.Items)/2].ID, product: products.Items[0].Slug,
		category: cats[0].Slug, person: top.Items[0].Handle, post: tv.First.ID}
	for _, cat := range cats {
		page, err := env.App.Forum.Threads(ctx, nil, cat.ID, "")
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range page.Threads.Items {
			if pages := (t.Replies + forum.PerPage - 1) / forum.PerPage; pages > max(1, s.longPages) {
				s.longThread, s.longPages = t.ID, pages
			}
		}
	}
	return s
}

// BenchmarkHTTP measures the hot pages and the vote API end to end: router,
// middleware, service, store and template, over loopback HTTP, with
// GOMAXPROCS parallel clients (-cpu sets how many).
func BenchmarkHTTP(b *testing.B) {
	site := openBenchSite(b)
	env, thread, idea, product, person := site.env, site.thread, site.idea, site.product, site.person
	voter := env.Client(b, "Bench Voter", townhall.RoleMember)
	likePath := "/api/v1/posts/" + site.post + "/like"

	pages := []struct{ name, path string }{
		{"page/thread", "/t/" + thread},
		{"page/category", "/c/" + site.category},
		{"api/thread", "/api/v1/threads/" + thread},
		{"page/ideas-top", "/ideas?sort=top"},
		{"page/ideas-new", "/ideas?sort=new"},
		{"page/ideas-trending", "/ideas?sort=trending"},
		{"page/idea", "/ideas/" + idea},
		{"page/product", "/products/" + product},
		{"page/home", "/"},
		{"api/ideas-top", "/api/v1/ideas?sort=top"},
		{"page/profile", "/u/" + person},
		{"page/profile-replies", "/u/" + person + "?tab=replies"},
		{"page/profile-reputation", "/u/" + person + "?tab=reputation"},
		{"api/profile", "/api/v1/users/" + person},
		{"page/leaderboard", "/leaderboard"},
		{"page/leaderboard-all", "/leaderboard?period=all"},
		{"api/leaderboard", "/api/v1/leaderboard?period=month"},
		{"page/badges", "/badges"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				c := &http.Client{}
				for pb.Next() {
					if status := get(c, env.URL+p.path); status != http.StatusOK {
						b.Errorf("GET %s: status %d", p.path, status)
						return
					}
				}
			})
		})
	}
	// One signed-in member toggling: a POST and a DELETE alternate so the
	// count stays put however many iterations run.
	b.Run("api/vote-toggle", func(b *testing.B) { toggle(b, voter.HTTP.Jar, env.URL+"/api/v1/ideas/"+idea+"/vote") })
	// The same for a like of someone else's post: as cheap as a vote?
	b.Run("api/like-toggle", func(b *testing.B) { toggle(b, voter.HTTP.Jar, env.URL+likePath) })
}

// BenchmarkHTTPReply posts a reply through the JSON API: validation,
// Markdown rendering, the post, counters and notifications in the store.
func BenchmarkHTTPReply(b *testing.B) {
	env := apptest.Start(b)
	ctx := context.Background()
	if _, err := seed.Scale(ctx, env.App, seed.ScaleOptions{Threads: 50, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	latest, err := env.App.Forum.Latest(ctx, 1)
	if err != nil || len(latest) == 0 {
		b.Fatalf("no threads: %v", err)
	}
	c := env.Client(b, "Bench Replier", townhall.RoleMember)
	path := "/api/v1/threads/" + latest[0].ID + "/posts"
	for b.Loop() {
		if res, body := c.Do("POST", path, map[string]string{"body": "Thanks, **this** helped."}); res.StatusCode != http.StatusCreated {
			b.Fatalf("reply: %d %s", res.StatusCode, body)
		}
	}
}

// toggle sends POST and DELETE to u in turn from GOMAXPROCS parallel
// clients sharing the jar's sign-in, failing on any answer but 200.
func toggle(b *testing.B, jar http.CookieJar, u string) {
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{Jar: jar}
		for pb.Next() {
			method := "POST"
			if n.Add(1)%2 == 0 {
				method = "DELETE"
			}
			req, _ := http.NewRequest(method, u, strings.NewReader(""))
			req.Header.Set("Content-Type", "application/json")
			res, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("%s %s: status %d", method, u, res.StatusCode)
				return
			}
		}
	})
}

func get(c *http.Client, u string) int {
	res, err := c.Get(u)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
