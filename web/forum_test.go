package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/app/apptest"
	"github.com/townhall/townhall/web"
)

type apiCategory struct {
	ID, Slug, Name string
	Questions      bool
	Threads        int
}

type apiPost struct {
	ID       string
	Position int
	Body     string
	BodyHTML string `json:"body_html"`
	Staff    bool
	Hidden   bool
	Edited   bool
}

type apiThread struct {
	ID, Title, Category string
	Replies             int
	Solved, Locked      bool
	Hidden, Pinned      bool
	AcceptedPostID      string `json:"accepted_post_id"`
	Page, Pages         int
	Question            *apiPost
	Accepted            *apiPost
	Posts               []apiPost
	LastPoster          struct{ Name string } `json:"last_poster"`
}

type forumEnv struct {
	env            *apptest.Env
	admin, ann     *apptest.Client
	bob, mod, anon *apptest.Client
	questions      apiCategory
}

func startForum(t *testing.T, opts ...apptest.Option) *forumEnv {
	t.Helper()
	env := apptest.Start(t, opts...)
	f := &forumEnv{env: env, admin: env.Client(t, "Ada", "")}
	f.ann = env.Client(t, "Ann", townhall.RoleMember)
	f.bob = env.Client(t, "Bob", townhall.RoleMember)
	f.mod = env.Client(t, "Mo", townhall.RoleModerator)
	f.anon = env.Anonymous(t)
	f.admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Questions", "questions": true, "position": 1}, http.StatusCreated, &f.questions)
	f.admin.JSON("POST", "/api/v1/categories", map[string]any{"name": "Tips & tricks", "slug": "tips", "position": 2}, http.StatusCreated, nil)
	return f
}

func (f *forumEnv) thread(t *testing.T, c *apptest.Client, category, title, body string) apiThread {
	t.Helper()
	var th apiThread
	c.JSON("POST", "/api/v1/threads", map[string]string{"category": category, "title": title, "body": body}, http.StatusCreated, &th)
	return th
}

func (f *forumEnv) reply(t *testing.T, c *apptest.Client, threadID, body string) apiPost {
	t.Helper()
	var p apiPost
	c.JSON("POST", "/api/v1/threads/"+threadID+"/posts", map[string]string{"body": body}, http.StatusCreated, &p)
	return p
}

func (f *forumEnv) get(t *testing.T, c *apptest.Client, threadID string) apiThread {
	t.Helper()
	var th apiThread
	c.JSON("GET", "/api/v1/threads/"+threadID, nil, http.StatusOK, &th)
	return th
}

func TestForumAPIFlow(t *testing.T) {
	f := startForum(t)
	var cats struct{ Categories []apiCategory }
	f.anon.JSON("GET", "/api/v1/categories", nil, http.StatusOK, &cats)
	if len(cats.Categories) != 2 || cats.Categories[0].Slug != "questions" || !cats.Categories[0].Questions || cats.Categories[1].Slug != "tips" {
		t.Fatalf("categories = %+v", cats.Categories)
	}
	// The category may be given by slug or by id.
	q := f.thread(t, f.ann, f.questions.ID, "How do I export invoices?", "I need **CSV**.")
	if q.ID == "" || q.Category != "questions" || q.Title != "How do I export invoices?" {
		t.Fatalf("created thread = %+v", q)
	}
	f.thread(t, f.bob, "tips", "Keyboard shortcuts", "Press ?")
	a := f.reply(t, f.bob, q.ID, "Settings → Export.")
	staff := f.reply(t, f.mod, q.ID, "Also via the API.")
	if !staff.Staff || a.Staff || a.Position != 1 || staff.Position != 2 {
		t.Fatalf("replies = %+v %+v", a, staff)
	}
	got := f.get(t, f.anon, q.ID)
	if got.Question == nil || !strings.Contains(got.Question.BodyHTML, "<strong>CSV</strong>") || len(got.Posts) != 2 ||
		got.Replies != 2 || got.LastPoster.Name != "Mo" || got.Page != 1 || got.Pages != 1 {
		t.Fatalf("thread = %+v", got)
	}
	var accepted apiThread
	f.ann.JSON("POST", "/api/v1/posts/"+a.ID+"/accept", nil, http.StatusOK, &accepted)
	if !accepted.Solved || accepted.AcceptedPostID != a.ID {
		t.Fatalf("after accept = %+v", accepted)
	}
	if got = f.get(t, f.anon, q.ID); got.Accepted == nil || got.Accepted.ID != a.ID || !got.Solved {
		t.Fatalf("accepted answer not in the thread: %+v", got)
	}
	var edited apiPost
	f.bob.JSON("PATCH", "/api/v1/posts/"+a.ID, map[string]string{"body": "Settings → Export → CSV."}, http.StatusOK, &edited)
	if !edited.Edited || edited.Body != "Settings → Export → CSV." {
		t.Fatalf("edited = %+v", edited)
	}
	var revs struct{ Revisions []struct{ Body string } }
	f.mod.JSON("GET", "/api/v1/posts/"+a.ID+"/revisions", nil, http.StatusOK, &revs)
	if len(revs.Revisions) != 1 || revs.Revisions[0].Body != "Settings → Export." {
		t.Fatalf("revisions = %+v", revs)
	}
	var list struct {
		Items []apiThread
		Next  string
	}
	f.anon.JSON("GET", "/api/v1/categories/questions/threads", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || !list.Items[0].Solved || list.Items[0].Replies != 2 {
		t.Fatalf("category listing = %+v", list)
	}
	// Notifications: Ann (the author, auto-following) heard of both replies;
	// Bob, following since his reply (not the author: "followed_reply"),
	// heard of Mo's later reply and the accept. Badges earned on the way
	// (First Post, Helpful) are told apart.
	var notes struct{ Items []struct{ Kind, URL string } }
	f.ann.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
	forum, badges := splitBadgeNotes(notes.Items)
	if len(forum) != 2 || forum[0].Kind != "reply" || !slices.Equal(badges, []string{"/badges/first-post"}) {
		t.Fatalf("ann's notifications = %+v", notes.Items)
	}
	f.bob.JSON("GET", "/api/v1/notifications", nil, http.StatusOK, &notes)
	forum, badges = splitBadgeNotes(notes.Items)
	if len(forum) != 2 || forum[0].Kind != "answer" || forum[1].Kind != "followed_reply" ||
		!strings.HasSuffix(forum[1].URL, "#post-"+staff.ID) || !slices.Equal(badges, []string{"/badges/helpful", "/badges/first-post"}) {
		t.Fatalf("bob's notifications = %+v; want the accept, then Mo's reply, and his two badges", notes.Items)
	}
}

func TestForumAPIErrors(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.ann, "questions", "A question here", "body")
	p := f.reply(t, f.bob, th.ID, "an answer")
	long := strings.Repeat("é", 20001)
	threads := "/api/v1/threads"
	posts := threads + "/" + th.ID + "/posts"
	wantAPIErrors(t, []apiErrorCase{
		{"anonymous thread", f.anon, "POST", threads, map[string]string{"category": "questions", "title": "Hello there", "body": "x"}, 401, townhall.EUNAUTHORIZED},
		{"empty body", f.ann, "POST", threads, map[string]string{"category": "questions", "title": "Hello there", "body": " "}, 400, townhall.EINVALID},
		{"oversized body", f.ann, "POST", threads, map[string]string{"category": "questions", "title": "Hello there", "body": long}, 400, townhall.EINVALID},
		{"short title", f.ann, "POST", threads, map[string]string{"category": "questions", "title": "Hi", "body": "x"}, 400, townhall.EINVALID},
		{"long title", f.ann, "POST", threads, map[string]string{"category": "questions", "title": strings.Repeat("t", 141), "body": "x"}, 400, townhall.EINVALID},
		{"unknown category", f.ann, "POST", threads, map[string]string{"category": "nope", "title": "Hello there", "body": "x"}, 400, townhall.EINVALID},
		{"not json", f.ann, "POST", threads, "{", 400, townhall.EINVALID},
		{"wrong type", f.ann, "POST", threads, `{"title": 5}`, 400, townhall.EINVALID},
		{"garbage thread id", f.ann, "GET", threads + "/garbage", nil, 404, townhall.ENOTFOUND},
		{"unknown thread id", f.ann, "GET", threads + "/" + townhall.NewID(), nil, 404, townhall.ENOTFOUND},
		{"bad page", f.ann, "GET", threads + "/" + th.ID + "?page=x", nil, 400, townhall.EINVALID},
		{"page past the end", f.ann, "GET", threads + "/" + th.ID + "?page=9", nil, 404, townhall.ENOTFOUND},
		{"empty reply", f.bob, "POST", posts, map[string]string{"body": ""}, 400, townhall.EINVALID},
		{"oversized reply", f.bob, "POST", posts, map[string]string{"body": long}, 400, townhall.EINVALID},
		{"anonymous reply", f.anon, "POST", posts, map[string]string{"body": "x"}, 401, townhall.EUNAUTHORIZED},
		{"reply to garbage", f.bob, "POST", threads + "/x/posts", map[string]string{"body": "x"}, 404, townhall.ENOTFOUND},
		{"edit someone else's post", f.ann, "PATCH", "/api/v1/posts/" + p.ID, map[string]string{"body": "mine now"}, 403, townhall.EFORBIDDEN},
		{"edit to empty", f.bob, "PATCH", "/api/v1/posts/" + p.ID, map[string]string{"body": ""}, 400, townhall.EINVALID},
		{"accept as a bystander", f.bob, "POST", "/api/v1/posts/" + p.ID + "/accept", nil, 403, townhall.EFORBIDDEN},
		{"accept garbage", f.ann, "POST", "/api/v1/posts/zzz/accept", nil, 404, townhall.ENOTFOUND},
		{"member locks", f.ann, "POST", threads + "/" + th.ID + "/lock", nil, 403, townhall.EFORBIDDEN},
		{"member hides", f.ann, "POST", "/api/v1/posts/" + p.ID + "/hide", nil, 403, townhall.EFORBIDDEN},
		{"member moves", f.ann, "POST", threads + "/" + th.ID + "/move", map[string]string{"category": "tips"}, 403, townhall.EFORBIDDEN},
		{"member creates category", f.ann, "POST", "/api/v1/categories", map[string]string{"name": "Mine"}, 403, townhall.EFORBIDDEN},
		{"duplicate slug", f.admin, "POST", "/api/v1/categories", map[string]string{"name": "Tips again", "slug": "tips"}, 409, townhall.ECONFLICT},
		{"revisions as member", f.bob, "GET", "/api/v1/posts/" + p.ID + "/revisions", nil, 403, townhall.EFORBIDDEN},
	})
	// Nothing half-written: still one thread with one reply, the post unchanged.
	got := f.get(t, f.ann, th.ID)
	var list struct{ Items []apiThread }
	f.ann.JSON("GET", "/api/v1/categories/questions/threads", nil, http.StatusOK, &list)
	if len(list.Items) != 1 || got.Replies != 1 || got.Posts[0].Body != "an answer" || got.Posts[0].Edited || got.Solved || got.Locked {
		t.Fatalf("state after refused writes: %+v, %d threads", got, len(list.Items))
	}

	// Locked threads refuse replies with 409, and the refusal writes nothing.
	f.mod.JSON("POST", threads+"/"+th.ID+"/lock", nil, http.StatusOK, nil)
	f.bob.WantError("POST", posts, map[string]string{"body": "too late"}, http.StatusConflict, townhall.ECONFLICT)
	if got := f.get(t, f.ann, th.ID); !got.Locked || got.Replies != 1 || len(got.Posts) != 1 {
		t.Fatalf("locked thread changed: %+v", got)
	}
	res, body := f.bob.Form("POST", "/t/"+th.ID+"/reply", url.Values{"body": {"form reply while locked"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "locked") {
		t.Fatalf("form reply to a locked thread: %d", res.StatusCode)
	}
	f.mod.JSON("DELETE", threads+"/"+th.ID+"/lock", nil, http.StatusOK, nil)
	f.reply(t, f.bob, th.ID, "unlocked again")

	// Hidden posts and threads are invisible (404) to members, visible to moderators.
	f.mod.JSON("POST", "/api/v1/posts/"+p.ID+"/hide", nil, http.StatusOK, nil)
	f.bob.WantError("GET", "/api/v1/posts/"+p.ID, nil, 404, townhall.ENOTFOUND)
	if got := f.get(t, f.ann, th.ID); len(got.Posts) != 1 || got.Replies != 1 {
		t.Fatalf("members still see the hidden reply: %+v", got.Posts)
	}
	if got := f.get(t, f.mod, th.ID); len(got.Posts) != 2 || !got.Posts[0].Hidden {
		t.Fatalf("moderators should see the hidden reply marked: %+v", got.Posts)
	}
	if res, _ := f.ann.Get("/p/" + p.ID); res.StatusCode != 404 {
		t.Fatalf("permalink to a hidden post: %d, want 404", res.StatusCode)
	}
	f.mod.JSON("POST", threads+"/"+th.ID+"/hide", nil, http.StatusOK, nil)
	f.ann.WantError("GET", threads+"/"+th.ID, nil, 404, townhall.ENOTFOUND)
	f.bob.WantError("POST", posts, map[string]string{"body": "hello?"}, 404, townhall.ENOTFOUND)
	if res, _ := f.ann.Get("/t/" + th.ID); res.StatusCode != 404 {
		t.Fatalf("hidden thread page for a member: %d", res.StatusCode)
	}
	if res, _ := f.mod.Get("/t/" + th.ID); res.StatusCode != 200 {
		t.Fatalf("hidden thread page for a moderator: %d", res.StatusCode)
	}
}

func TestForumPagesAndForms(t *testing.T) {
	f := startForum(t)
	// Each step builds on the thread and replies the ones before it made.
	var res *http.Response
	var body, id string
	var last, twentyFirst apiPost

	step(t, "ManageCategoriesForAdminsOnly", func(t *testing.T) {
		// Admin category management page; members are refused.
		if res, _ := f.ann.Get("/forum/categories/manage"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("manage page for a member: %d", res.StatusCode)
		}
		res, body = f.admin.Form("POST", "/forum/categories", url.Values{"name": {"x"}, "slug": {"ok"}})
		if res.StatusCode != 400 || !strings.Contains(body, "Name must be at least 2 characters") {
			t.Fatalf("bad category form: %d", res.StatusCode)
		}
		res, _ = f.admin.Form("POST", "/forum/categories", url.Values{"name": {"Announcements"}, "position": {"0"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create category form: %d", res.StatusCode)
		}
		_, body = f.anon.Get("/forum")
		if !strings.Contains(body, `href="/c/announcements"`) || !strings.Contains(body, "Q&amp;A") {
			t.Fatal("forum index does not list the categories")
		}
	})

	step(t, "NewThreadFormKeepsInputOnError", func(t *testing.T) {
		// New thread through the form, keeping input on error.
		res, body = f.ann.Form("POST", "/forum/new", url.Values{"category": {"questions"}, "title": {"Typed title"}, "body": {""}})
		if res.StatusCode != 400 || !strings.Contains(body, `value="Typed title"`) {
			t.Fatalf("invalid new thread form: %d, title kept = %v", res.StatusCode, strings.Contains(body, "Typed title"))
		}
		res, _ = f.ann.Form("POST", "/forum/new", url.Values{"category": {"questions"}, "title": {"Form question"}, "body": {"Details"}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/t/") {
			t.Fatalf("new thread form: %d to %q", res.StatusCode, loc)
		}
		id = strings.TrimPrefix(loc, "/t/")
	})

	step(t, "PagesOfTwentyAndPermalinksLandOnTheirPage", func(t *testing.T) {
		// 45 replies: three pages of 20, permalinks land on the right page.
		for i := range 45 {
			p := f.reply(t, f.bob, id, fmt.Sprintf("Reply number %d", i+1))
			if i == 20 {
				twentyFirst = p
			}
			last = p
		}
		res, _ = f.anon.Get("/p/" + twentyFirst.ID)
		if want := "/t/" + id + "?page=2#post-" + twentyFirst.ID; res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
			t.Fatalf("permalink: %d to %q, want %q", res.StatusCode, res.Header.Get("Location"), want)
		}
		_, page3 := f.anon.Get("/t/" + id + "?page=3")
		if !strings.Contains(page3, `id="post-`+last.ID+`"`) || strings.Contains(page3, "Reply number 40<") || !strings.Contains(page3, "Reply number 41") {
			t.Fatal("page 3 does not hold replies 41 to 45")
		}
		if !strings.Contains(page3, "Form question") || !strings.Contains(page3, `aria-current="page"`) {
			t.Fatal("page 3 lacks the question or the current page mark")
		}
		if !strings.Contains(page3, `rel="prev" href="/t/`+id+`?page=2"`) || strings.Contains(page3, `rel="next"`) {
			t.Fatal("the last page should link back to page 2 and have no next page")
		}
		_, page1 := f.anon.Get("/t/" + id)
		if !strings.Contains(page1, `rel="next" href="/t/`+id+`?page=2"`) || strings.Contains(page1, `rel="prev"`) {
			t.Fatal("the first page should link on to page 2 and have no previous page")
		}
	})

	step(t, "ReplyFormAndEmptyReply", func(t *testing.T) {
		// Reply by form: 303 to the new post; an empty reply re-renders with 400.
		res, _ = f.bob.Form("POST", "/t/"+id+"/reply", url.Values{"body": {"Form reply"}})
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "?page=3#post-") {
			t.Fatalf("reply form: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		res, body = f.bob.Form("POST", "/t/"+id+"/reply", url.Values{"body": {"   "}})
		if res.StatusCode != 400 || !strings.Contains(body, "Body is required") {
			t.Fatalf("empty reply form: %d", res.StatusCode)
		}
	})

	step(t, "QuoteReplyWithoutJavaScript", func(t *testing.T) {
		// Quote-reply without JavaScript.
		_, body = f.ann.Get("/t/" + id + "?quote=" + twentyFirst.ID)
		if !strings.Contains(html.UnescapeString(body), "> @bob [wrote](/p/"+twentyFirst.ID+"):\n> Reply number 21") {
			t.Fatal("?quote= did not pre-fill the reply box")
		}
	})

	step(t, "EditFormMarksEditedAndKeepsHistory", func(t *testing.T) {
		// Edit by form: edited mark on the page; moderators see the history.
		res, _ = f.bob.Form("POST", "/p/"+last.ID+"/edit", url.Values{"body": {"Reply number 45, corrected"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit form: %d", res.StatusCode)
		}
		_, page3 := f.anon.Get("/t/" + id + "?page=3")
		if !strings.Contains(page3, "corrected") || !strings.Contains(page3, "· edited") {
			t.Fatal("edited reply not shown with its mark")
		}
		if res, _ := f.ann.Get("/p/" + last.ID + "/edit"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("someone else's edit page: %d", res.StatusCode)
		}
		_, hist := f.mod.Get("/p/" + last.ID + "/history")
		if !strings.Contains(hist, "Reply number 45") {
			t.Fatal("history page lacks the previous version")
		}
	})

	step(t, "ModeratorSwitchesAndPinnedFirst", func(t *testing.T) {
		// Moderator switches through forms; pinned threads list first.
		other := f.thread(t, f.bob, "questions", "Newer thread", "x")
		res, list := f.anon.Get("/c/questions")
		if res.StatusCode != 200 || !strings.Contains(list, other.ID) || strings.Index(list, other.ID) > strings.Index(list, id) {
			t.Fatal("the newest activity should list first")
		}
		res, _ = f.mod.Form("POST", "/t/"+id+"/pin", url.Values{"on": {"true"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("pin form: %d", res.StatusCode)
		}
		_, list = f.anon.Get("/c/questions")
		if strings.Index(list, other.ID) < strings.Index(list, id) || !strings.Contains(list, "Pinned") {
			t.Fatal("pinned thread is not first")
		}
		res, _ = f.mod.Form("POST", "/t/"+id+"/move", url.Values{"category": {"tips"}})
		if res.StatusCode != http.StatusSeeOther || f.get(t, f.anon, id).Category != "tips" {
			t.Fatalf("move form: %d", res.StatusCode)
		}
		res, _ = f.ann.Form("POST", "/t/"+id+"/follow", url.Values{"on": {"false"}})
		_, page := f.ann.Get("/t/" + id)
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(page, `aria-pressed="false"`) {
			t.Fatal("unfollow form did not stick")
		}
	})

	step(t, "UnknownCategoryAndSignedOutNewThread", func(t *testing.T) {
		if res, _ := f.anon.Get("/c/nope"); res.StatusCode != 404 {
			t.Fatalf("unknown category page: %d", res.StatusCode)
		}
		if res, _ := f.anon.Get("/forum/new"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new thread page signed out: %d, want redirect to sign-in", res.StatusCode)
		}
	})
}

func TestForumHostileMarkdown(t *testing.T) {
	f := startForum(t)
	th := f.thread(t, f.ann, "tips", "Hostile input test", "Safe start")
	inputs := []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[x](  javascript:alert(1))",
		"[x](java&#x73;cript:alert(1))",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<svg onload=alert(1)>",
		"<details open ontoggle=alert(1)>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"<div style=\"background:url(javascript:alert(1))\">x</div>",
		"![x](javascript:alert(1))",
		"```\n</code><script>alert(1)</script>\n```",
		"<body onload=alert(1)>",
		"<a href=\"#\" onclick=\"alert(1)\">x</a>",
		"<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
		"[x](data:text/html;base64,PHNjcmlwdD4=)",
		"<form action=https://evil.example><button>go</button></form>",
		"| a | b |\n|---|---|\n| <script>x</script> | <img src=x onerror=y> |",
		"@ann <scr<script>ipt>alert(1)</script>",
	}
	for _, in := range inputs {
		f.reply(t, f.bob, th.ID, in)
	}
	_, page := f.anon.Get("/t/" + th.ID)
	// Everything between the thread title and the reply box is user content.
	start := strings.Index(page, `class="forum-title"`)
	end := strings.Index(page, `id="reply"`)
	if start < 0 || end < start {
		t.Fatal("thread page layout not found")
	}
	content := page[start:end]
	// The page's own icons are inline SVG; what was written may hold none.
	for _, svg := range web.IconsMarkup() {
		content = strings.ReplaceAll(content, svg, "")
	}
	content = strings.ToLower(content)
	for _, bad := range []string{"<script", "javascript:", "<iframe", "<svg", "<form", "<math", "style=", "data:text"} {
		if strings.Contains(content, bad) {
			t.Errorf("thread page contains %q", bad)
		}
	}
	for _, attr := range []string{" onerror=", " onload=", " ontoggle=", " onclick="} {
		if strings.Contains(content, attr) {
			t.Errorf("thread page contains event handler %q", attr)
		}
	}
	if !strings.Contains(content, "<table>") || !strings.Contains(content, "<code>") {
		t.Error("tables and code blocks must survive sanitising")
	}
	if got := strings.Count(content, `class="card forum-post`); got != len(inputs)+1 {
		t.Errorf("%d posts rendered, want %d", got, len(inputs)+1)
	}
}

func TestForumBrowserReplyAndAccept(t *testing.T) {
	f := startForum(t)
	q := f.thread(t, f.ann, "questions", "How do I reset my password?", "I forgot it.")
	ctx := apptest.Browser(t)

	// Bob opens the thread and replies through the form.
	f.env.BrowserSignIn(t, ctx, "Bob")
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.env.URL+"/t/"+q.ID),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
		chromedp.SendKeys(chromedp.ID("reply-body"), "Use the *Forgot password* link."),
		chromedp.Click(chromedp.CSS(`#reply button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.forum-post:not(.forum-first) .prose em`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Quote fills the reply box in place (static/forum.js), without a reload.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`article.forum-first a[data-quote]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("reply-body").value.includes("I forgot it.") && !location.search.includes("quote=")`)); err != nil {
		t.Fatal(err)
	}
	quote, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("reply-body").value`))
	if err != nil || !strings.HasPrefix(quote, "> @ann [wrote](/p/") || !strings.Contains(quote, "\n> I forgot it.") {
		t.Fatalf("quoted reply box = %q, %v", quote, err)
	}
	// Ann, the asker, accepts it.
	f.env.BrowserSignOut(t, ctx)
	f.env.BrowserSignIn(t, ctx, "Ann")
	err = chromedp.Do(ctx,
		chromedp.Navigate(f.env.URL+"/t/"+q.ID),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="accept"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="accept"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="solved"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	solved, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="solved"]`)))
	if err != nil {
		t.Fatal(err)
	}
	answer, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="accepted-answer"] .prose`)))
	if err != nil {
		t.Fatal(err)
	}
	// The accepted answer sits right under the question, before the replies.
	underQuestion, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.querySelector('article.forum-first').nextElementSibling === document.querySelector('[data-testid="accepted-answer"]')`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(solved, "Solved") || !strings.Contains(answer, "Forgot password") || !underQuestion {
		t.Fatalf("solved mark %q, accepted answer %q, under the question %v", solved, answer, underQuestion)
	}
}

// splitBadgeNotes separates badge notifications (their URLs, newest first)
// from the others.
func splitBadgeNotes(items []struct{ Kind, URL string }) (others []struct{ Kind, URL string }, badges []string) {
	for _, n := range items {
		if n.Kind == "badge" {
			badges = append(badges, n.URL)
		} else {
			others = append(others, n)
		}
	}
	return others, badges
}
