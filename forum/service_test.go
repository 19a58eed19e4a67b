package forum_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/notify"
	"github.com/townhall/townhall/store/sqlite"
)

type fixture struct {
	svc                  *forum.Service
	db                   *sqlite.DB
	admin, ann, bob, mod *townhall.User
	questions, general   *forum.Category
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := auth.NewService(db)
	user := func(name string, role townhall.Role) *townhall.User {
		u, err := a.SignIn(ctx, auth.Identity{Provider: "dev", Subject: name, Name: name, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f := &fixture{db: db, svc: forum.NewService(db, notify.NewService(db), a)}
	f.svc.OnNotifyError = func(err error) { t.Errorf("notification failed: %v", err) }
	f.admin = user("Root", "")
	f.ann, f.bob, f.mod = user("Ann", townhall.RoleMember), user("Bob", townhall.RoleMember), user("Mo", townhall.RoleModerator)
	f.questions = &forum.Category{Name: "Questions", Questions: true}
	f.general = &forum.Category{Name: "General talk", Slug: "general"}
	for _, c := range []*forum.Category{f.questions, f.general} {
		if err := f.svc.SaveCategory(ctx, f.admin, c); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := townhall.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want %q", err, got, code)
	}
}

func (f *fixture) unread(t *testing.T, u *townhall.User) []*notify.Notification {
	t.Helper()
	list, err := f.db.Notifications(context.Background(), u.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestCategoryRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if f.questions.Slug != "questions" {
		t.Fatalf("slug from name = %q", f.questions.Slug)
	}
	wantCode(t, f.svc.SaveCategory(ctx, nil, &forum.Category{Name: "x"}), townhall.EUNAUTHORIZED)
	wantCode(t, f.svc.SaveCategory(ctx, f.mod, &forum.Category{Name: "Mods"}), townhall.EFORBIDDEN)
	for _, c := range []forum.Category{
		{Name: "x"},
		{Name: "Fine", Slug: "Bad Slug"},
		{Name: "Fine", Slug: "-dash"},
		{Name: "Fine", Position: 5000},
		{Name: "Fine", Description: strings.Repeat("d", 501)},
	} {
		wantCode(t, f.svc.SaveCategory(ctx, f.admin, &c), townhall.EINVALID)
	}
	wantCode(t, f.svc.SaveCategory(ctx, f.admin, &forum.Category{Name: "Other", Slug: "general"}), townhall.ECONFLICT)
	cats, _ := f.svc.Categories(ctx)
	if len(cats) != 2 {
		t.Fatalf("%d categories after refused saves, want 2", len(cats))
	}
}

func TestThreadValidationAndVisibility(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	_, err := f.svc.CreateThread(ctx, nil, forum.ThreadInput{Category: "general", Title: "Hello there", Body: "body"})
	wantCode(t, err, townhall.EUNAUTHORIZED)
	for _, tc := range []struct{ cat, title, body string }{
		{"general", "Hi", "body"},
		{"general", strings.Repeat("t", 141), "body"},
		{"general", "Fine title", "   "},
		{"general", "Fine title", strings.Repeat("b", forum.MaxBody+1)},
		{"general", "Fine title", "bad \x00 byte"},
		{"nope", "Fine title", "body"},
		{"", "Fine title", "body"},
	} {
		_, err := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: tc.cat, Title: tc.title, Body: tc.body})
		wantCode(t, err, townhall.EINVALID)
	}
	if page, _ := f.svc.Threads(ctx, f.ann, "general", ""); len(page.Threads.Items) != 0 {
		t.Fatal("refused threads were written")
	}
	th, err := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: f.general.ID, Title: "  Spaced   out  title ", Body: "Hello **world**"})
	if err != nil {
		t.Fatal(err)
	}
	if th.Title != "Spaced out title" {
		t.Fatalf("title = %q", th.Title)
	}
	if _, err := f.svc.Set(ctx, f.mod, th.ID, forum.Hide, true); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Thread(ctx, f.ann, th.ID, 1)
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Reply(ctx, f.bob, th.ID, "hi")
	wantCode(t, err, townhall.ENOTFOUND)
	if _, err := f.svc.Thread(ctx, f.mod, th.ID, 1); err != nil {
		t.Fatalf("moderators still see hidden threads: %v", err)
	}
	_, err = f.svc.Thread(ctx, f.ann, "garbage", 1)
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Threads(ctx, f.ann, "general", "not-a-cursor")
	wantCode(t, err, townhall.EINVALID)
}

func TestRepliesLocksAndNotifications(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	th, err := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "questions", Title: "How do I export?", Body: "Help me @bob and @nobody-here"})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.unread(t, f.bob); len(n) != 1 || n[0].Kind != "mention" {
		t.Fatalf("bob's notifications = %v, want one mention", n)
	}
	p, err := f.svc.Reply(ctx, f.bob, th.ID, "Try the menu")
	if err != nil {
		t.Fatal(err)
	}
	if n := f.unread(t, f.ann); len(n) != 1 || n[0].Kind != "reply" || n[0].URL != "/t/"+th.ID+"#post-"+p.ID {
		t.Fatalf("author notifications = %+v, want one reply linking the post", n)
	}
	if n := f.unread(t, f.bob); len(n) != 1 {
		t.Fatalf("the replier was notified of their own reply: %v", n)
	}
	// Bob follows, Ann unfollows: Ann's next reply notifies Bob only.
	if _, err := f.svc.Set(ctx, f.bob, th.ID, forum.Follow, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Set(ctx, f.ann, th.ID, forum.Follow, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reply(ctx, f.mod, th.ID, "Mod here"); err != nil {
		t.Fatal(err)
	}
	if len(f.unread(t, f.ann)) != 1 || len(f.unread(t, f.bob)) != 2 {
		t.Fatal("follow/unfollow not honoured")
	}
	_, err = f.svc.Set(ctx, f.ann, th.ID, forum.Lock, true)
	wantCode(t, err, townhall.EFORBIDDEN)
	if _, err := f.svc.Set(ctx, f.mod, th.ID, forum.Lock, true); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Reply(ctx, f.bob, th.ID, "late")
	wantCode(t, err, townhall.ECONFLICT)
	_, err = f.svc.EditPost(ctx, f.bob, p.ID, forum.PostInput{Body: "changed while locked"})
	wantCode(t, err, townhall.ECONFLICT)
	v, _ := f.svc.Thread(ctx, f.ann, th.ID, 1)
	if v.Thread.Replies != 2 || len(v.Posts) != 2 || v.CanReply {
		t.Fatalf("locked thread view: replies %d posts %d canReply %v", v.Thread.Replies, len(v.Posts), v.CanReply)
	}
}

func TestEditsAndRevisions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	th, _ := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "general", Title: "Title one", Body: "v1"})
	v, _ := f.svc.Thread(ctx, f.ann, th.ID, 1)
	first := v.First
	_, err := f.svc.EditPost(ctx, f.bob, first.ID, forum.PostInput{Body: "hijack"})
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.EditPost(ctx, f.ann, first.ID, forum.PostInput{Body: ""})
	wantCode(t, err, townhall.EINVALID)
	same, err := f.svc.EditPost(ctx, f.ann, first.ID, forum.PostInput{Body: "v1"})
	if err != nil || same.Edited() {
		t.Fatalf("an edit that changes nothing must not mark the post edited: %v", err)
	}
	p, err := f.svc.EditPost(ctx, f.ann, first.ID, forum.PostInput{Title: "Title two", Body: "v2 with @bob"})
	if err != nil || !p.Edited() || p.Source != "v2 with @bob" {
		t.Fatalf("edit = %+v, %v", p, err)
	}
	if n := f.unread(t, f.bob); len(n) != 1 || n[0].Kind != "mention" {
		t.Fatalf("a mention added by an edit notifies once: %v", n)
	}
	if _, err := f.svc.EditPost(ctx, f.mod, first.ID, forum.PostInput{Body: "v3 with @bob"}); err != nil {
		t.Fatalf("moderators edit any post: %v", err)
	}
	if n := f.unread(t, f.bob); len(n) != 1 {
		t.Fatalf("an edit keeping a mention re-notified: %v", n)
	}
	_, _, err = f.svc.Revisions(ctx, f.ann, first.ID)
	wantCode(t, err, townhall.EFORBIDDEN)
	_, revs, err := f.svc.Revisions(ctx, f.mod, first.ID)
	if err != nil || len(revs) != 2 || revs[0].Source != "v2 with @bob" || revs[1].Source != "v1" || revs[1].Title != "Title one" {
		t.Fatalf("revisions = %v, %v", revs, err)
	}
	if v, _ := f.svc.Thread(ctx, f.ann, th.ID, 1); v.Thread.Title != "Title two" {
		t.Fatalf("title = %q", v.Thread.Title)
	}
}

func TestAcceptedAnswers(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	q, _ := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "questions", Title: "Why is the sky blue?", Body: "Asking"})
	a, _ := f.svc.Reply(ctx, f.bob, q.ID, "Rayleigh scattering")
	b, _ := f.svc.Reply(ctx, f.mod, q.ID, "Physics")
	_, err := f.svc.Accept(ctx, f.bob, a.ID, true)
	wantCode(t, err, townhall.EFORBIDDEN)
	v, _ := f.svc.Thread(ctx, f.ann, q.ID, 1)
	_, err = f.svc.Accept(ctx, f.ann, v.First.ID, true)
	wantCode(t, err, townhall.ECONFLICT)
	th, err := f.svc.Accept(ctx, f.ann, a.ID, true)
	if err != nil || th.AcceptedPostID != a.ID {
		t.Fatalf("accept = %+v, %v", th, err)
	}
	// Bob follows since his reply: he heard of Mo's reply (as a follower, not
	// the thread's author), then of the accept.
	if n := f.unread(t, f.bob); len(n) != 2 || n[0].Kind != "answer" || n[1].Kind != "followed_reply" {
		t.Fatalf("the answerer is told: %v", n)
	}
	if th, err = f.svc.Accept(ctx, f.mod, b.ID, true); err != nil || th.AcceptedPostID != b.ID {
		t.Fatalf("moderator changes the answer: %+v %v", th, err)
	}
	v, _ = f.svc.Thread(ctx, f.bob, q.ID, 1)
	if v.Accepted == nil || v.Accepted.ID != b.ID || !v.Thread.Solved() || v.CanAccept {
		t.Fatalf("view: accepted %v solved %v canAccept %v", v.Accepted, v.Thread.Solved(), v.CanAccept)
	}
	if !v.Posts[1].Staff() || v.Posts[0].Staff() {
		t.Fatal("the staff badge follows the role")
	}
	if th, _ = f.svc.Accept(ctx, f.ann, b.ID, false); th.Solved() {
		t.Fatal("unaccept left the thread solved")
	}
	g, _ := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "general", Title: "Just talk", Body: "chat"})
	r, _ := f.svc.Reply(ctx, f.bob, g.ID, "reply")
	_, err = f.svc.Accept(ctx, f.ann, r.ID, true)
	wantCode(t, err, townhall.ECONFLICT)
}

func TestHiddenPostsAndPaging(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	th, _ := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "general", Title: "Long thread", Body: "start"})
	var posts []*forum.Post
	for i := range 45 {
		p, err := f.svc.Reply(ctx, f.bob, th.ID, fmt.Sprint("reply ", i+1))
		if err != nil {
			t.Fatal(err)
		}
		posts = append(posts, p)
	}
	for _, tc := range []struct {
		post *forum.Post
		want string
	}{
		{posts[0], "?page=1#"}, {posts[19], "?page=1#"}, {posts[20], "?page=2#"}, {posts[44], "?page=3#"},
	} {
		loc, err := f.svc.Location(ctx, f.ann, tc.post.ID)
		if err != nil || !strings.Contains(loc, tc.want) {
			t.Errorf("location of position %d = %q, want %s", tc.post.Position, loc, tc.want)
		}
	}
	v, err := f.svc.Thread(ctx, f.ann, th.ID, 3)
	if err != nil || v.Pages != 3 || len(v.Posts) != 5 || v.Posts[0].Position != 41 {
		t.Fatalf("page 3: %v pages=%d posts=%d", err, v.Pages, len(v.Posts))
	}
	_, err = f.svc.Thread(ctx, f.ann, th.ID, 4)
	wantCode(t, err, townhall.ENOTFOUND)

	_, err = f.svc.HidePost(ctx, f.ann, posts[0].ID, true)
	wantCode(t, err, townhall.EFORBIDDEN)
	if _, err := f.svc.HidePost(ctx, f.mod, posts[0].ID, true); err != nil {
		t.Fatal(err)
	}
	v, _ = f.svc.Thread(ctx, f.ann, th.ID, 1)
	if len(v.Posts) != 19 || v.Thread.Replies != 44 {
		t.Fatalf("member page 1 has %d posts (replies %d), want 19 and 44", len(v.Posts), v.Thread.Replies)
	}
	_, _, err = f.svc.Post(ctx, f.ann, posts[0].ID)
	wantCode(t, err, townhall.ENOTFOUND)
	_, err = f.svc.Location(ctx, f.bob, posts[0].ID)
	wantCode(t, err, townhall.ENOTFOUND)
	if v, _ = f.svc.Thread(ctx, f.mod, th.ID, 1); len(v.Posts) != 20 {
		t.Fatalf("moderators see hidden posts: %d", len(v.Posts))
	}
	q, err := f.svc.Quote(ctx, f.ann, posts[1].ID)
	if err != nil || q != "> @bob [wrote](/p/"+posts[1].ID+"):\n> reply 2\n\n" {
		t.Fatalf("quote = %q, %v", q, err)
	}
}

func TestMoveThread(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	th, _ := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "general", Title: "Misplaced question", Body: "?"})
	_, err := f.svc.Move(ctx, f.ann, th.ID, "questions")
	wantCode(t, err, townhall.EFORBIDDEN)
	_, err = f.svc.Move(ctx, f.mod, th.ID, "nowhere")
	wantCode(t, err, townhall.EINVALID)
	moved, err := f.svc.Move(ctx, f.mod, th.ID, "questions")
	if err != nil || moved.CategorySlug != "questions" {
		t.Fatalf("move = %+v, %v", moved, err)
	}
	cats, _ := f.svc.Categories(ctx)
	for _, c := range cats {
		if want := map[string]int{"questions": 1, "general": 0}[c.Slug]; c.Threads != want {
			t.Errorf("%s has %d threads, want %d", c.Slug, c.Threads, want)
		}
	}
}

func TestMentions(t *testing.T) {
	for in, want := range map[string]string{
		"hi @ann and @Bob!":              "ann bob",
		"mail me at joe@example.com":     "",
		"`@code` and\n```\n@fenced\n```": "",
		"> @quoted wrote\n@real":         "real",
		"@ann @ann":                      "ann",
		"path/@notme and (@paren)":       "paren",
	} {
		if got := strings.Join(forum.Mentions(in), " "); got != want {
			t.Errorf("Mentions(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCategoryPagesByCursor(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for i := range forum.ThreadsPage + 3 {
		if _, err := f.svc.CreateThread(ctx, f.ann, forum.ThreadInput{Category: "general", Title: fmt.Sprintf("Thread number %d", i), Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	after, pages := "", 0
	for {
		page, err := f.svc.Threads(ctx, f.ann, "general", after)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, th := range page.Threads.Items {
			if seen[th.ID] {
				t.Fatalf("thread %s listed twice", th.ID)
			}
			seen[th.ID] = true
		}
		if after = page.Threads.Next; after == "" {
			break
		}
	}
	if pages != 2 || len(seen) != forum.ThreadsPage+3 {
		t.Fatalf("%d pages, %d threads; want 2 and %d", pages, len(seen), forum.ThreadsPage+3)
	}
}
