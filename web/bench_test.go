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

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
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

// BenchmarkHTTP measures the hot pages and the vote API end to end: router,
// middleware, service, store and template, over loopback HTTP, with
// GOMAXPROCS parallel clients (-cpu sets how many).
func BenchmarkHTTP(b *testing.B) {
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
	board, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "top"})
	if err != nil || len(board.Items) == 0 {
		b.Fatalf("no ideas: %v", err)
	}
	products, err := env.App.Reviews.Products(ctx, nil, reviews.ProductFilter{})
	if err != nil || len(products.Items) == 0 {
		b.Fatalf("no products: %v", err)
	}
	idea, product := board.Items[len(board.Items)/2].ID, products.Items[0].Slug
	latest, err := env.App.Forum.Latest(ctx, 20)
	if err != nil || len(latest) == 0 {
		b.Fatalf("no threads: %v", err)
	}
	thread := latest[len(latest)/2]
	cats, err := env.App.Forum.Categories(ctx)
	if err != nil || len(cats) == 0 {
		b.Fatalf("no categories: %v", err)
	}
	voter := env.Client(b, "Bench Voter", townhall.RoleMember)
	// A profile: the person with the most reputation, whose tabs are the
	// longest; and a post to like that is not the voter's.
	top, err := env.App.Loyalty.Leaderboard(ctx, nil, loyalty.LeaderboardQuery{Period: loyalty.PeriodAll})
	if err != nil || len(top.Items) == 0 {
		b.Fatalf("no leaderboard: %v", err)
	}
	person := top.Items[0].Handle
	tv, err := env.App.Forum.Thread(ctx, nil, thread.ID, 1)
	if err != nil || tv.First == nil {
		b.Fatalf("thread %s: %v", thread.ID, err)
	}
	likePath := "/api/v1/posts/" + tv.First.ID + "/like"

	pages := []struct{ name, path string }{
		{"page/thread", "/t/" + thread.ID},
		{"page/category", "/c/" + cats[0].Slug},
		{"api/thread", "/api/v1/threads/" + thread.ID},
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
	b.Run("api/vote-toggle", func(b *testing.B) {
		// One signed-in voter toggling: a vote and an unvote alternate so
		// the count stays put however many iterations run.
		jar := voter.HTTP.Jar
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			c := &http.Client{Jar: jar}
			for pb.Next() {
				method := "POST"
				if n.Add(1)%2 == 0 {
					method = "DELETE"
				}
				req, _ := http.NewRequest(method, env.URL+"/api/v1/ideas/"+idea+"/vote", strings.NewReader(""))
				req.Header.Set("Content-Type", "application/json")
				res, err := c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Errorf("%s vote: status %d", method, res.StatusCode)
					return
				}
			}
		})
	})
	b.Run("api/like-toggle", func(b *testing.B) {
		// The same member toggling a like on someone else's post: a like
		// and an unlike alternate so the count stays put.
		jar := voter.HTTP.Jar
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			c := &http.Client{Jar: jar}
			for pb.Next() {
				method := "POST"
				if n.Add(1)%2 == 0 {
					method = "DELETE"
				}
				req, _ := http.NewRequest(method, env.URL+likePath, strings.NewReader(""))
				req.Header.Set("Content-Type", "application/json")
				res, err := c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Errorf("%s like: status %d", method, res.StatusCode)
					return
				}
			}
		})
	})
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

func get(c *http.Client, u string) int {
	res, err := c.Get(u)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
