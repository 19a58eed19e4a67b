package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/reviews"
)

// TestWritesDropTheirPages: with an hour-long cache, a member's reply,
// like, vote, comment, review or helpful vote shows at once on the cached
// pages and API reads of its thread, idea or product, for anonymous
// visitors and members alike, while other pages stay cached and a refused
// write drops nothing.
func TestWritesDropTheirPages(t *testing.T) {
	f := startForum(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env, ctx := f.env, context.Background()
	cat := env.Client(t, "Cat", townhall.RoleMember)
	dan := env.Client(t, "Dan", townhall.RoleMember)

	// The content is set up through the services, so no HTTP write has
	// dropped anything yet.
	th, err := env.App.Forum.CreateThread(ctx, f.ann.User, forum.ThreadInput{Category: f.questions.Slug, Title: "Export stalls at 99%", Body: "It never finishes."})
	if err != nil {
		t.Fatal(err)
	}
	other, err := env.App.Forum.CreateThread(ctx, f.ann.User, forum.ThreadInput{Category: f.questions.Slug, Title: "Sync is slow", Body: "Minutes per file."})
	if err != nil {
		t.Fatal(err)
	}
	idea, err := env.App.Ideas.Propose(ctx, f.ann.User, ideas.Input{Title: "Dark mode for the dashboard", Body: "Easier on the eyes."})
	if err != nil {
		t.Fatal(err)
	}
	name, slug := "Reader One", "reader-one"
	product, err := env.App.Reviews.CreateProduct(ctx, f.admin.User, reviews.ProductInput{Name: &name, Slug: &slug})
	if err != nil {
		t.Fatal(err)
	}

	// cached GETs path as c and reports whether it came from the cache.
	cached := func(c *apptest.Client, path string) (bool, string) {
		t.Helper()
		res, body := c.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return res.Header.Get("Age") != "", body
	}
	hits := func() int { h, _ := memberCacheCounts(t, f.anon); return h }
	// warm fills the anonymous cache with path and checks it is kept.
	warm := func(paths ...string) {
		t.Helper()
		for _, p := range paths {
			cached(f.anon, p)
			if hit, _ := cached(f.anon, p); !hit {
				t.Fatalf("%s is not kept in the cache", p)
			}
		}
	}
	// fresh checks that an anonymous view of path is a new render holding want.
	fresh := func(path, want string) {
		t.Helper()
		hit, body := cached(f.anon, path)
		if hit || !strings.Contains(body, want) {
			t.Fatalf("after the write, anonymous GET %s: from cache %v, holds %q %v", path, hit, want, strings.Contains(body, want))
		}
	}
	stillCached := func(paths ...string) {
		t.Helper()
		for _, p := range paths {
			if hit, _ := cached(f.anon, p); !hit {
				t.Errorf("GET %s was dropped by a write to something else", p)
			}
		}
	}

	threadPath, threadAPI := "/t/"+th.ID, "/api/v1/threads/"+th.ID
	warm(threadPath, threadAPI, "/t/"+other.ID, "/forum")
	memberView(t, cat, threadPath)
	h := hits()
	memberView(t, dan, threadPath)
	if hits() != h+1 {
		t.Fatal("Dan did not get the members' shared thread page")
	}

	// A refused reply drops nothing.
	f.bob.WantError("POST", "/api/v1/threads/"+th.ID+"/posts", map[string]string{"body": ""}, http.StatusBadRequest, townhall.EINVALID)
	stillCached(threadPath, threadAPI)

	// A reply: the thread's page and API read, anonymous and members'.
	reply := f.reply(t, f.bob, th.ID, "Clear the cache and retry.")
	fresh(threadPath, "Clear the cache and retry.")
	fresh(threadAPI, "Clear the cache and retry.")
	h = hits()
	if body := memberView(t, dan, threadPath); !strings.Contains(body, "Clear the cache and retry.") || hits() != h {
		t.Fatalf("Dan's view after the reply: holds it %v, shared page hits %d→%d; want a new render",
			strings.Contains(body, "Clear the cache and retry."), h, hits())
	}
	stillCached("/t/"+other.ID, "/forum")

	// The same through the form a browser without JavaScript posts.
	warm(threadPath)
	if res, _ := f.ann.Form("POST", threadPath+"/reply", url.Values{"body": {"That worked, thanks."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply form: %d", res.StatusCode)
	}
	fresh(threadPath, "That worked, thanks.")

	// A like, through the API: the count on the thread changes at once.
	warm(threadAPI)
	cat.JSON("POST", "/api/v1/posts/"+reply.ID+"/like", nil, http.StatusOK, nil)
	fresh(threadAPI, `"likes":1`)
	stillCached("/t/" + other.ID)

	// A vote and a comment on the idea.
	ideaPath, ideaAPI := "/ideas/"+idea.ID, "/api/v1/ideas/"+idea.ID
	warm(ideaPath, ideaAPI, "/ideas")
	before := getIdea(t, f.anon, idea.ID).Votes
	dan.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	fresh(ideaAPI, `"votes":`+strconv.Itoa(before+1))
	fresh(ideaPath, "Dark mode")
	warm(ideaPath)
	comment(t, cat, idea.ID, "Yes, and a high-contrast theme.")
	fresh(ideaPath, "high-contrast theme")
	stillCached("/t/" + other.ID)

	// A review and a helpful vote on the product.
	productPath := "/products/" + slug
	warm(productPath, "/api/v1/products/"+product.ID+"/reviews", "/products")
	var review struct{ ID string }
	cat.JSON("POST", "/api/v1/products/"+product.ID+"/reviews", map[string]any{"rating": 4, "title": "Sharp screen", "body": "Light and sharp."}, http.StatusCreated, &review)
	fresh(productPath, "Sharp screen")
	fresh("/api/v1/products/"+product.ID+"/reviews", "Sharp screen")
	warm("/api/v1/reviews/" + review.ID)
	dan.JSON("POST", "/api/v1/reviews/"+review.ID+"/helpful", nil, http.StatusOK, nil)
	fresh("/api/v1/reviews/"+review.ID, `"helpful":1`)
	stillCached("/products", "/t/"+other.ID)
}

// TestWriterSharesOtherPages: a member whose write named what it changed
// (a vote) keeps getting the shared pages of other threads, while lists,
// which mention what they changed without being dropped, are rendered
// again for them with their write in them. A write that names nothing (a
// profile change) gets them their own renders of every page for the TTL.
func TestWriterSharesOtherPages(t *testing.T) {
	f := startForum(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env, ctx := f.env, context.Background()
	cat := env.Client(t, "Cat", townhall.RoleMember)
	dan := env.Client(t, "Dan", townhall.RoleMember)
	th, err := env.App.Forum.CreateThread(ctx, f.ann.User, forum.ThreadInput{Category: f.questions.Slug, Title: "Sync is slow", Body: "Minutes per file."})
	if err != nil {
		t.Fatal(err)
	}
	idea, err := env.App.Ideas.Propose(ctx, f.ann.User, ideas.Input{Title: "Dark mode for the dashboard", Body: "Easier on the eyes."})
	if err != nil {
		t.Fatal(err)
	}
	threadPath, board := "/t/"+th.ID, "/ideas?sort=top"
	counts := func() (int, int) { return memberCacheCounts(t, f.anon) }
	// shared views path as c and reports whether it was the shared render.
	shared := func(c *apptest.Client, path string) (bool, string) {
		t.Helper()
		h0, _ := counts()
		body := memberView(t, c, path)
		h, _ := counts()
		return h == h0+1, body
	}
	shared(dan, threadPath)
	shared(dan, board)
	before := getIdea(t, f.anon, idea.ID).Votes

	cat.JSON("POST", "/api/v1/ideas/"+idea.ID+"/vote", nil, http.StatusOK, nil)
	if hit, _ := shared(cat, threadPath); !hit {
		t.Fatal("after voting, Cat did not get the shared page of a thread her vote is not on")
	}
	hit, body := shared(cat, board)
	voted := regexp.MustCompile(`(?s)data-idea="` + idea.ID + `" data-voted="true".*?data-testid="vote-count">` + strconv.Itoa(before+1) + `<`)
	if hit || !voted.MatchString(body) {
		t.Fatalf("Cat's board right after her vote: shared render %v, shows her vote counted %v", hit, voted.MatchString(body))
	}
	if hit, body := shared(dan, board); !hit || !strings.Contains(body, `data-testid="vote-count">`+strconv.Itoa(before+1)+`<`) {
		t.Fatalf("Dan's board after Cat's render: shared %v", hit)
	}

	// A new display name shows on every page she wrote on, so every page
	// is hers for the TTL.
	if _, err := env.App.Forum.Reply(ctx, cat.User, th.ID, "Same here."); err != nil {
		t.Fatal(err)
	}
	shared(dan, threadPath)
	cat.JSON("PATCH", "/api/v1/me", map[string]any{"name": "Catherine"}, http.StatusOK, nil)
	cat.User.Name = "Catherine" // memberView checks the header names her
	if hit, body := shared(cat, threadPath); hit || !strings.Contains(body, "Same here.") {
		t.Fatalf("Cat's thread view after renaming herself: shared render %v", hit)
	}
}
