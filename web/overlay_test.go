package web_test

import (
	"context"
	"net/http"
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
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

// memberCacheCounts reads the member page cache's counters from /metrics.
func memberCacheCounts(t *testing.T, c *apptest.Client) (hits, misses int) {
	t.Helper()
	_, body := c.Get("/metrics")
	read := func(result string) int {
		m := regexp.MustCompile(`townhall_page_cache_total\{result="` + result + `"\} (\d+)`).FindStringSubmatch(body)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return read("member_hit"), read("member_miss")
}

// memberView is a member's page view: a 200 without hole marks, with their
// own name in the header.
func memberView(t *testing.T, c *apptest.Client, p string) string {
	t.Helper()
	res, body := c.Get(p)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s GET %s: %d", c.User.Name, p, res.StatusCode)
	}
	if strings.Contains(body, "<!--th") {
		t.Fatalf("%s's page carries hole marks", c.User.Name)
	}
	if !strings.Contains(body, `data-testid="current-user">`+c.User.Name+`<`) {
		t.Fatalf("%s's page names someone else in the header", c.User.Name)
	}
	return body
}

// TestMemberPagesShareOneRender checks that members share one render of a
// page and each still sees their own: their name, their likes, follows and
// votes, the controls for what they wrote, and, for a question's author, the
// accept buttons. Staff never get the shared page, and a member who just
// wrote gets a render that holds their write.
func TestMemberPagesShareOneRender(t *testing.T) {
	f := startForum(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env, ctx := f.env, context.Background()
	cat := env.Client(t, "Cat", townhall.RoleMember)
	dan := env.Client(t, "Dan", townhall.RoleMember)

	// Everyone's state is set through the services: a write over HTTP
	// would rightly give its writer their own renders for the next hour.
	th, err := env.App.Forum.CreateThread(ctx, f.ann.User, forum.ThreadInput{Category: f.questions.Slug, Title: "Export stalls at 99%", Body: "It never finishes."})
	if err != nil {
		t.Fatal(err)
	}
	tv, err := env.App.Forum.Thread(ctx, f.ann.User, th.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	first := tv.First.ID
	reply, err := env.App.Forum.Reply(ctx, f.bob.User, th.ID, "Clear the cache and retry.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Loyalty.Like(ctx, cat.User, loyalty.KindPost, reply.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Forum.Set(ctx, cat.User, th.ID, forum.Follow, true); err != nil {
		t.Fatal(err)
	}
	idea, err := env.App.Ideas.Propose(ctx, f.ann.User, ideas.Input{Title: "Dark mode for the dashboard", Body: "Easier on the eyes."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Ideas.Vote(ctx, dan.User, idea.ID); err != nil {
		t.Fatal(err)
	}

	path := "/t/" + th.ID
	view := func(c *apptest.Client, p string) string { t.Helper(); return memberView(t, c, p) }
	likeOf := regexp.MustCompile(`(?s)<article id="post-` + reply.ID + `".*?</article>`)
	replyBlock := func(body string) string { return likeOf.FindString(body) }
	counts := func() (int, int) { return memberCacheCounts(t, f.anon) }

	h0, m0 := counts()
	catPage := view(cat, path)
	if h, m := counts(); h != h0 || m != m0+1 {
		t.Fatalf("first member view: hits %d→%d, misses %d→%d; want one miss", h0, h, m0, m)
	}
	cr := replyBlock(catPage)
	if !strings.Contains(cr, `aria-pressed="true"`) || !strings.Contains(cr, `data-kind="post"`) || strings.Contains(cr, "/edit") || !strings.Contains(cr, "flag-box") && !strings.Contains(cr, "/flags/new") {
		t.Fatalf("Cat's view of the reply she likes:\n%s", cr)
	}
	if !strings.Contains(catPage, `aria-pressed="true">`) || strings.Contains(catPage, "Accept answer") {
		t.Fatalf("Cat follows the thread and may not accept answers:\n%.3000s", catPage)
	}

	danPage := view(dan, path)
	if h, _ := counts(); h != h0+1 {
		t.Fatalf("second member view: hits %d→%d; want the shared page", h0, h)
	}
	if dr := replyBlock(danPage); !strings.Contains(dr, `aria-pressed="false"`) || strings.Contains(dr, `aria-pressed="true"`) {
		t.Fatalf("Dan does not like the reply, but sees:\n%s", dr)
	}
	if strings.Contains(danPage, "Cat") || strings.Contains(danPage, "Following") {
		t.Fatal("Dan's page shows Cat's name or her follow")
	}

	// The question's author: accept buttons, and her own post's edit link;
	// her view marks the reply's notification seen, as a render would.
	annPage := view(f.ann, path)
	if !strings.Contains(annPage, `data-testid="accept"`) || !strings.Contains(annPage, "/p/"+first+"/edit") || strings.Contains(annPage, "/p/"+reply.ID+"/edit") {
		t.Fatalf("Ann's view of her question:\n%s", annPage)
	}
	list, err := env.App.Notify.List(ctx, f.ann.User, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	unread, replies := 0, 0
	for _, n := range list.Items {
		if n.Kind == "reply" {
			replies++
			if !n.Read {
				t.Fatalf("viewing the shared page did not mark the reply's notification seen: %+v", *n)
			}
		} else if !n.Read {
			unread++ // her badges: about other pages, so still unread
		}
	}
	if replies != 1 || unread == 0 {
		t.Fatalf("Ann's notifications: %d replies, %d others unread; want one reply and her badges", replies, unread)
	}
	// The header is drawn for her after the page marked it seen.
	if want := strconv.Itoa(unread) + " unread"; !strings.Contains(annPage, want) {
		t.Fatalf("Ann's header should say %q", want)
	}
	bobPage := view(f.bob, path)
	if br := replyBlock(bobPage); !strings.Contains(br, "Likes of what you wrote") || !strings.Contains(br, "/p/"+reply.ID+"/edit") || strings.Contains(br, "flag") {
		t.Fatalf("Bob's view of his own reply:\n%s", br)
	}
	if h, _ := counts(); h != h0+3 {
		t.Fatalf("hits %d→%d after three more member views; want 3", h0, h)
	}

	// The board: one render, each member's own vote.
	danBoard := view(dan, "/ideas?sort=top")
	catBoard := view(cat, "/ideas?sort=top")
	voteOf := regexp.MustCompile(`(?s)<form class="vote-form"[^>]*data-idea="` + idea.ID + `" data-voted="(\w+)"`)
	if m := voteOf.FindStringSubmatch(danBoard); m == nil || m[1] != "true" {
		t.Fatalf("Dan voted for the idea; his board: %v", m)
	}
	if m := voteOf.FindStringSubmatch(catBoard); m == nil || m[1] != "false" {
		t.Fatalf("Cat did not vote; her board: %v", m)
	}

	// Staff get their own render, with their controls.
	h1, m1 := counts()
	if modPage := view(f.mod, path); !strings.Contains(modPage, "forum-modbar") {
		t.Fatal("the moderator's view lacks the moderation bar")
	}
	if h, m := counts(); h != h1 || m != m1 {
		t.Fatalf("a moderator's view went through the member cache: hits %d→%d, misses %d→%d", h1, h, m1, m)
	}
	// Anonymous readers never get a member's page.
	if _, body := f.anon.Get(path); !strings.Contains(body, "Sign in</a> to reply") || strings.Contains(body, "current-user") {
		t.Fatal("the anonymous view is not the anonymous page")
	}

	// Cat takes her like back: that drops the thread's pages, so her next
	// view is a new render, with the count down, and it becomes the shared
	// page: Dan's next view is a hit with her change in it.
	cat.JSON("DELETE", "/api/v1/posts/"+reply.ID+"/like", nil, http.StatusOK, nil)
	h2, m2 := counts()
	if cr := replyBlock(view(cat, path)); !strings.Contains(cr, `aria-pressed="false"`) || !strings.Contains(cr, `data-testid="like-count">0<`) {
		t.Fatalf("Cat's view right after unliking:\n%s", cr)
	}
	if h, m := counts(); h != h2 || m != m2+1 {
		t.Fatalf("a member who just wrote got the page rendered before her write: hits %d→%d, misses %d→%d", h2, h, m2, m)
	}
	if dr := replyBlock(view(dan, path)); !strings.Contains(dr, `data-testid="like-count">0<`) || !strings.Contains(dr, `aria-pressed="false"`) {
		t.Fatalf("Dan's view after Cat's new render:\n%s", dr)
	}
	if h, _ := counts(); h != h2+1 {
		t.Fatal("Dan's view after Cat's new render was not the shared page")
	}
	// Cat's view again: the shared page is now newer than her write.
	view(cat, path)
	if h, _ := counts(); h != h2+2 {
		t.Fatal("Cat's second view after her write was not the shared page")
	}
}

// TestMemberIdeaPageShared: the idea page is one render for members too,
// and each sees their own vote, their likes of its comments, the edit link
// of what they wrote and the flag buttons of what others wrote.
func TestMemberIdeaPageShared(t *testing.T) {
	f := startForum(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env, ctx := f.env, context.Background()
	cat := env.Client(t, "Cat", townhall.RoleMember)
	dan := env.Client(t, "Dan", townhall.RoleMember)
	idea, err := env.App.Ideas.Propose(ctx, f.ann.User, ideas.Input{Title: "Offline mode for the app", Body: "Trains have no signal."})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := env.App.Ideas.Comment(ctx, f.bob.User, idea.ID, "I would pay for this.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Loyalty.Like(ctx, cat.User, loyalty.KindComment, cm.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Ideas.Vote(ctx, dan.User, idea.ID); err != nil {
		t.Fatal(err)
	}
	path := "/ideas/" + idea.ID
	counts := func() (int, int) { return memberCacheCounts(t, f.anon) }
	voted := regexp.MustCompile(`<form class="vote-form"[^>]*data-idea="` + idea.ID + `" data-voted="(\w+)"`)
	commentOf := regexp.MustCompile(`(?s)<li id="comment-` + cm.ID + `".*?</li>`)
	type want struct {
		voted, likes, editIdea, editComment, flagIdea, flagComment bool
	}
	check := func(c *apptest.Client, w want) {
		t.Helper()
		body := memberView(t, c, path)
		cb := commentOf.FindString(body)
		got := want{
			voted:       voted.FindStringSubmatch(body) != nil && voted.FindStringSubmatch(body)[1] == "true",
			likes:       strings.Contains(cb, `aria-pressed="true"`),
			editIdea:    strings.Contains(body, `href="/ideas/`+idea.ID+`/edit"`),
			editComment: strings.Contains(cb, "/comments/"+cm.ID+"/edit"),
			flagIdea:    strings.Contains(body, `data-testid="flag-idea-`+idea.ID+`"`),
			flagComment: strings.Contains(cb, `data-testid="flag-comment-`+cm.ID+`"`),
		}
		if got != w {
			t.Errorf("%s's idea page: got %+v, want %+v", c.User.Name, got, w)
		}
	}
	h0, m0 := counts()
	check(cat, want{likes: true, flagIdea: true, flagComment: true})
	check(dan, want{voted: true, flagIdea: true, flagComment: true})
	check(f.ann, want{voted: true, editIdea: true, flagComment: true}) // her idea carries her vote
	check(f.bob, want{flagIdea: true, editComment: true})
	if h, m := counts(); h != h0+3 || m != m0+1 {
		t.Fatalf("four member views: hits %d→%d, misses %d→%d; want one render and three hits", h0, h, m0, m)
	}
	// A moderator renders the page for herself, with the hide controls.
	if body := memberView(t, f.mod, path); !strings.Contains(body, "Hide comment") {
		t.Fatal("the moderator's idea page lacks the comment's hide control")
	}
	if h, m := counts(); h != h0+3 || m != m0+1 {
		t.Fatalf("a moderator's view went through the member cache: hits %d→%d, misses %d→%d", h0, h, m0, m)
	}
}

// TestMemberProductPageShared: the product page is one render for members,
// and each sees their own helpful votes, the controls of their own review,
// and "edit your review" or "write a review" as fits them.
func TestMemberProductPageShared(t *testing.T) {
	f := startForum(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env, ctx := f.env, context.Background()
	cat := env.Client(t, "Cat", townhall.RoleMember)
	dan := env.Client(t, "Dan", townhall.RoleMember)
	name, slug := "Reader One", "reader-one"
	p, err := env.App.Reviews.CreateProduct(ctx, f.admin.User, reviews.ProductInput{Name: &name, Slug: &slug})
	if err != nil {
		t.Fatal(err)
	}
	write := func(u *townhall.User, rating int, body string) *reviews.Review {
		t.Helper()
		r, err := env.App.Reviews.CreateReview(ctx, u, p.ID, reviews.ReviewInput{Rating: &rating, Body: &body})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	annR, bobR := write(f.ann.User, 4, "Light and sharp."), write(f.bob.User, 2, "The battery fades.")
	if _, err := env.App.Reviews.MarkHelpful(ctx, cat.User, annR.ID); err != nil {
		t.Fatal(err)
	}
	path := "/products/" + slug
	footOf := func(id string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)<li id="review-` + id + `".*?</footer>`)
	}
	annFoot, bobFoot := footOf(annR.ID), footOf(bobR.ID)
	type want struct {
		helpfulAnn, ownAnn, ownBob, flagAnn, editMine, writeNew bool
	}
	check := func(c *apptest.Client, w want) {
		t.Helper()
		body := memberView(t, c, path)
		a, b := annFoot.FindString(body), bobFoot.FindString(body)
		got := want{
			helpfulAnn: strings.Contains(a, `aria-pressed="true"`),
			ownAnn:     strings.Contains(a, "/reviews/"+annR.ID+"/edit"),
			ownBob:     strings.Contains(b, "/reviews/"+bobR.ID+"/edit"),
			flagAnn:    strings.Contains(a, `data-testid="flag-review-`+annR.ID+`"`),
			editMine:   strings.Contains(body, `data-testid="edit-review"`),
			writeNew:   strings.Contains(body, `data-testid="write-review"`),
		}
		if got != w {
			t.Errorf("%s's product page: got %+v, want %+v", c.User.Name, got, w)
		}
	}
	h0, m0 := memberCacheCounts(t, f.anon)
	check(cat, want{helpfulAnn: true, flagAnn: true, writeNew: true})
	check(dan, want{flagAnn: true, writeNew: true})
	check(f.ann, want{ownAnn: true, editMine: true})
	check(f.bob, want{ownBob: true, flagAnn: true, editMine: true})
	if h, m := memberCacheCounts(t, f.anon); h != h0+3 || m != m0+1 {
		t.Fatalf("four member views: hits %d→%d, misses %d→%d; want one render and three hits", h0, h, m0, m)
	}
	// Ann's "edit your review" leads to her review's edit page.
	res, _ := f.ann.Get(path + "/review")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/reviews/"+annR.ID+"/edit" {
		t.Fatalf("Ann's edit link: %d to %q", res.StatusCode, loc)
	}
}

// TestMemberSearchPageShared: members share a search's results page, as
// anonymous visitors do; only the account menu is each member's.
func TestMemberSearchPageShared(t *testing.T) {
	f := startForum(t, apptest.WithConfig(func(c *app.Config) { c.AnonPageCache = time.Hour }))
	env, ctx := f.env, context.Background()
	cat := env.Client(t, "Cat", townhall.RoleMember)
	dan := env.Client(t, "Dan", townhall.RoleMember)
	if _, err := env.App.Forum.CreateThread(ctx, f.ann.User, forum.ThreadInput{Category: f.questions.Slug, Title: "Quokka sightings", Body: "A quokkaword thread."}); err != nil {
		t.Fatal(err)
	}
	waitSearch(t, f.mod, "quokkaword", 1)
	path := "/search?q=quokkaword"
	h0, m0 := memberCacheCounts(t, f.anon)
	for _, c := range []*apptest.Client{cat, dan, f.bob} {
		if body := memberView(t, c, path); !strings.Contains(body, "Quokka sightings") {
			t.Fatalf("%s's search page lacks the thread", c.User.Name)
		}
	}
	if h, m := memberCacheCounts(t, f.anon); h != h0+2 || m != m0+1 {
		t.Fatalf("three member searches: hits %d→%d, misses %d→%d; want one render and two hits", h0, h, m0, m)
	}
	// A member who just wrote still shares it.
	f.thread(t, cat, f.questions.Slug, "Another quokkaword", "Seen at dawn.")
	h1, _ := memberCacheCounts(t, f.anon)
	memberView(t, cat, path)
	if h, _ := memberCacheCounts(t, f.anon); h != h1+1 {
		t.Fatalf("Cat's search right after her new thread: hits %d→%d; want the shared page", h1, h)
	}
}
