package seed_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/seed"
)

func TestDemoLoadsALivingSite(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, env.App, nil); err != nil {
		t.Fatal(err)
	}
	board, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "top"})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[ideas.Status]bool{}
	for _, i := range board.Items {
		statuses[i.Status] = true
	}
	if len(board.Items) != 8 || len(statuses) != 6 {
		t.Errorf("board has %d ideas in %d statuses, want 8 ideas in all 6", len(board.Items), len(statuses))
	}
	if top := board.Items[0]; top.Title != "Dark mode for the dashboard" || top.Votes != 7 {
		t.Errorf("top idea = %q with %d votes, want dark mode with 7", top.Title, top.Votes)
	}
	products, err := env.App.Reviews.Products(ctx, nil, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(products.Items) != 3 {
		t.Fatalf("%d products, want 3", len(products.Items))
	}
	cats, err := env.App.Forum.Categories(ctx)
	if err != nil || len(cats) != 3 {
		t.Fatalf("categories = %d, %v; want 3", len(cats), err)
	}
	if res, body := env.Anonymous(t).Get("/forum"); res.StatusCode != 200 || !strings.Contains(body, "Questions") {
		t.Errorf("GET /forum: %d, demo categories missing", res.StatusCode)
	}
	segs, err := env.App.Auth.Segments(ctx)
	if err != nil || len(segs) != 3 {
		t.Errorf("segments = %d, %v; want Free, Pro and Enterprise", len(segs), err)
	}
	// A member's page shows it: the board renders with the demo content.
	res, body := env.Anonymous(t).Get("/ideas")
	if res.StatusCode != 200 || !strings.Contains(body, "Single sign-on with Okta") || !strings.Contains(body, "Dark mode") {
		t.Errorf("GET /ideas: %d, demo ideas missing", res.StatusCode)
	}
}

func TestScaleIsDeterministicAndCountsAreExact(t *testing.T) {
	ctx := context.Background()
	var first seed.Counts
	for run := range 2 {
		env := apptest.Start(t)
		c, err := seed.Scale(ctx, env.App, seed.ScaleOptions{Threads: 200, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first = c
		} else if c != first {
			t.Errorf("same seed, different community:\n%v\n%v", first, c)
		}
		if c.Threads != 200 || c.Ideas != 100 || c.Products != 2 || c.Users != 52 || c.Posts < 400 {
			t.Errorf("counts = %v, want 200 threads with replies, 100 ideas, 2 products, 52 users", c)
		}
		// Every vote the generator counted is on the board's counters.
		total := 0
		var after string
		for {
			page, err := env.App.Ideas.List(ctx, nil, ideas.ListParams{Sort: "new", After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range page.Items {
				total += i.Votes
			}
			if after = page.Next; after == "" {
				break
			}
		}
		if total != c.Votes {
			t.Errorf("board counts %d votes, generator cast %d", total, c.Votes)
		}
	}
}

// BenchmarkScale seeds 200 threads' worth of community, or
// TOWNHALL_BENCH_SCALE when set.
func BenchmarkScale(b *testing.B) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("TOWNHALL_BENCH_SCALE")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		env := apptest.Start(b)
		if _, err := seed.Scale(context.Background(), env.App, seed.ScaleOptions{Threads: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
