package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/markdown"
)

// forumFixture is a store with one user and one questions category.
type forumFixture struct {
	s    forum.Store
	b    Backend
	user *townhall.User
	cat  *forum.Category
	at   time.Time
}

func newForumFixture(t *testing.T, open Opener) *forumFixture {
	t.Helper()
	b := open(t)
	f := &forumFixture{s: As[forum.Store](t, b), b: b, user: MustSignIn(t, b, "Fran", ""), at: Now()}
	f.cat = f.category(t, "help", true)
	return f
}

func (f *forumFixture) category(t *testing.T, slug string, questions bool) *forum.Category {
	t.Helper()
	c := &forum.Category{ID: townhall.NewID(), Slug: slug, Name: "Cat " + slug, Questions: questions, CreatedAt: Now()}
	if err := f.s.SaveForumCategory(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *forumFixture) tick() time.Time { f.at = f.at.Add(time.Second); return f.at }

func (f *forumFixture) thread(t *testing.T, cat *forum.Category, title string) (*forum.Thread, *forum.Post) {
	t.Helper()
	now := f.tick()
	th := &forum.Thread{ID: townhall.NewID(), CategoryID: cat.ID, Title: title, AuthorID: f.user.ID, LastActivity: now, CreatedAt: now}
	p := &forum.Post{ID: townhall.NewID(), AuthorID: f.user.ID, Source: "first of " + title, HTML: markdown.Render("first of " + title), CreatedAt: now}
	if err := f.s.CreateThread(context.Background(), th, p); err != nil {
		t.Fatal(err)
	}
	return th, p
}

func (f *forumFixture) reply(t *testing.T, threadID string, author *townhall.User, body string) *forum.Post {
	t.Helper()
	p := &forum.Post{ID: townhall.NewID(), ThreadID: threadID, AuthorID: author.ID, Source: body, HTML: markdown.Render(body), CreatedAt: f.tick()}
	if err := f.s.AddReply(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *forumFixture) get(t *testing.T, id string) *forum.Thread {
	t.Helper()
	th, err := f.s.Thread(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func (f *forumFixture) doc(t *testing.T, kind, id string) *townhall.SearchDoc {
	t.Helper()
	d, err := f.b.SearchDocument(context.Background(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// changed reports whether the feed has an entry for kind/id after seq.
func (f *forumFixture) changed(t *testing.T, after int64, kind, id string) bool {
	t.Helper()
	ch, err := f.b.Changes(context.Background(), after, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(ch, func(c townhall.Change) bool { return c.Kind == kind && c.ID == id })
}

func (f *forumFixture) lastSeq(t *testing.T) int64 {
	t.Helper()
	ch, err := f.b.Changes(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) == 0 {
		return 0
	}
	return ch[len(ch)-1].Seq
}

// forumCases are the forum rules of the contract, each run on a fresh backend.
var forumCases = []Case{
	{"LatestThreadsSpanCategories", forumLatestThreadsSpanCategories},
	{"RepliersFollowTheThread", forumRepliersFollowTheThread},
	{"CategoriesHaveUniqueSlugs", forumCategoriesHaveUniqueSlugs},
	{"RepliesKeepPositionsAndCounters", forumRepliesKeepPositionsAndCounters},
	{"FailedWriteLeavesNothing", forumFailedWriteLeavesNothing},
	{"ListingPinsFirstAndPages", forumListingPinsFirstAndPages},
	{"EditsKeepRevisionsHideAndMoveRecount", forumEditsKeepRevisionsHideAndMoveRecount},
	{"AcceptedAnswers", forumAcceptedAnswers},
	{"Follows", forumFollows},
	{"ConcurrentRepliesCountExactly", forumConcurrentRepliesCountExactly},
}

// forumLatestThreadsSpanCategories: latest threads span categories, follow activity, skip hidden.
func forumLatestThreadsSpanCategories(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	other := f.category(t, "tips", false)
	a, _ := f.thread(t, f.cat, "Alpha question")
	b, _ := f.thread(t, other, "Beta tip")
	c, _ := f.thread(t, other, "Gamma tip")
	f.reply(t, a.ID, f.user, "bumps alpha to the top")
	if err := f.s.SetThreadHidden(ctx, c.ID, true); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.LatestThreads(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, th := range got {
		ids = append(ids, th.ID)
	}
	if len(ids) != 2 || ids[0] != a.ID || ids[1] != b.ID {
		t.Fatalf("latest = %v; want alpha (bumped by a reply) then beta, hidden gamma left out", ids)
	}
	if one, _ := f.s.LatestThreads(ctx, 1); len(one) != 1 {
		t.Fatalf("limit 1 gave %d threads", len(one))
	}
}

// forumRepliersFollowTheThread: repliers follow the thread.
func forumRepliersFollowTheThread(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	th, _ := f.thread(t, f.cat, "Who follows?")
	helper := MustSignIn(t, f.b, "Helper", "")
	if on, _ := f.s.FollowingThread(ctx, th.ID, helper.ID); on {
		t.Fatal("follows before replying")
	}
	f.reply(t, th.ID, helper, "try turning it off and on")
	f.reply(t, th.ID, helper, "and again")
	followers, err := f.s.ThreadFollowers(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(followers) != 2 {
		t.Fatalf("followers = %v; want the author and the replier once each", followers)
	}
	if on, _ := f.s.FollowingThread(ctx, th.ID, helper.ID); !on {
		t.Fatal("replier does not follow the thread")
	}
}

// forumCategoriesHaveUniqueSlugs: categories: order, lookup by id or slug, unique slugs.
func forumCategoriesHaveUniqueSlugs(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	b := &forum.Category{ID: townhall.NewID(), Slug: "tips", Name: "Tips", Position: -1, CreatedAt: Now()}
	if err := f.s.SaveForumCategory(ctx, b); err != nil {
		t.Fatal(err)
	}
	WantErr(t, f.s.SaveForumCategory(ctx, &forum.Category{ID: townhall.NewID(), Slug: "tips", Name: "Dup", CreatedAt: Now()}), forum.ErrSlugTaken("tips"))
	cats, err := f.s.ForumCategories(ctx)
	if err != nil || len(cats) != 2 || cats[0].Slug != "tips" || cats[1].Slug != "help" || !cats[1].Questions {
		t.Fatalf("categories = %v, %v; want tips (order -1) then help", cats, err)
	}
	for _, ref := range []string{b.ID, "tips"} {
		if c, err := f.s.ForumCategory(ctx, ref); err != nil || c.ID != b.ID {
			t.Fatalf("ForumCategory(%q) = %v, %v", ref, c, err)
		}
	}
	_, err = f.s.ForumCategory(ctx, "nope")
	WantErr(t, err, forum.ErrCategoryNotFound)
	th, first := f.thread(t, b, "In tips")
	seq := f.lastSeq(t)
	b.Name, b.Description = "Tips & tricks", "Share them"
	if err := f.s.SaveForumCategory(ctx, b); err != nil {
		t.Fatal(err)
	}
	if f.lastSeq(t) != seq {
		t.Fatal("renaming without a slug change re-recorded the category's threads")
	}
	b.Slug = "tricks"
	if err := f.s.SaveForumCategory(ctx, b); err != nil {
		t.Fatal(err)
	}
	if !f.changed(t, seq, townhall.KindThread, th.ID) || !f.changed(t, seq, townhall.KindPost, first.ID) ||
		f.doc(t, townhall.KindThread, th.ID).Category != "tricks" {
		t.Fatal("a slug change must refresh the category's thread and post docs")
	}
	if c, _ := f.s.ForumCategory(ctx, b.ID); c.Name != "Tips & tricks" || c.Description != "Share them" {
		t.Fatalf("update lost: %+v", c)
	}
}

// forumRepliesKeepPositionsAndCounters: threads and replies keep positions, counters and the feed.
func forumRepliesKeepPositionsAndCounters(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	other := MustSignIn(t, f.b, "Otto", townhall.RoleModerator)
	seq := f.lastSeq(t)
	th, first := f.thread(t, f.cat, "How do I export?")
	if !f.changed(t, seq, townhall.KindThread, th.ID) || !f.changed(t, seq, townhall.KindPost, first.ID) {
		t.Fatal("creating a thread recorded no change for the thread and its first post")
	}
	r1 := f.reply(t, th.ID, other, "Use the menu")
	r2 := f.reply(t, th.ID, f.user, "Thanks")
	got := f.get(t, th.ID)
	if got.Posts != 3 || got.Replies != 2 || got.LastPostID != r2.ID || got.LastPosterName != "Fran" ||
		got.CategorySlug != "help" || !got.LastActivity.Equal(r2.CreatedAt) || got.AuthorName != "Fran" {
		t.Fatalf("thread = %+v", got)
	}
	if c, _ := f.s.ForumCategory(ctx, f.cat.ID); c.Threads != 1 {
		t.Fatalf("category threads = %d, want 1", c.Threads)
	}
	posts, err := f.s.ForumPosts(ctx, th.ID, 0, 100)
	if err != nil || len(posts) != 3 || posts[0].ID != first.ID || posts[1].ID != r1.ID || posts[2].Position != 2 {
		t.Fatalf("posts = %v, %v", posts, err)
	}
	if posts[1].AuthorRole != townhall.RoleModerator || posts[1].AuthorHandle != "otto" || posts[1].HTML == "" {
		t.Fatalf("reply author fields = %+v", posts[1])
	}
	page, _ := f.s.ForumPosts(ctx, th.ID, 2, 2)
	if len(page) != 1 || page[0].ID != r2.ID {
		t.Fatalf("position range = %v", page)
	}
	doc := f.doc(t, townhall.KindThread, th.ID)
	if !doc.Visible || doc.Title != "How do I export?" || doc.Body != "first of How do I export?" || doc.Category != "help" ||
		doc.URL != "/t/"+th.ID || doc.Author != "Fran" || doc.Status != "" {
		t.Fatalf("thread doc = %+v", doc)
	}
	pd := f.doc(t, townhall.KindPost, r1.ID)
	if !pd.Visible || pd.ParentID != th.ID || pd.Body != "Use the menu" || pd.Author != "Otto" || pd.URL != "/t/"+th.ID+"#post-"+r1.ID {
		t.Fatalf("post doc = %+v", pd)
	}
	if f.doc(t, townhall.KindPost, first.ID).Visible {
		t.Fatal("the first post is indexed through its thread, not twice")
	}
	if d := f.doc(t, townhall.KindThread, townhall.NewID()); d.Visible {
		t.Fatal("a missing thread must be an invisible doc")
	}
	if ok, _ := f.s.FollowingThread(ctx, th.ID, f.user.ID); !ok {
		t.Fatal("the author does not follow their thread")
	}
}

// forumFailedWriteLeavesNothing: a failed write leaves nothing behind.
func forumFailedWriteLeavesNothing(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	now := Now()
	th := &forum.Thread{ID: townhall.NewID(), CategoryID: townhall.NewID(), Title: "orphan", AuthorID: f.user.ID, LastActivity: now, CreatedAt: now}
	p := &forum.Post{ID: townhall.NewID(), AuthorID: f.user.ID, Source: "x", HTML: "x", CreatedAt: now}
	WantErr(t, f.s.CreateThread(ctx, th, p), forum.ErrCategoryNotFound)
	_, err := f.s.Thread(ctx, th.ID)
	WantErr(t, err, forum.ErrThreadNotFound)
	_, err = f.s.ForumPost(ctx, p.ID)
	WantErr(t, err, forum.ErrPostNotFound)

	real, _ := f.thread(t, f.cat, "locked one")
	if err := f.s.SetThreadLocked(ctx, real.ID, true); err != nil {
		t.Fatal(err)
	}
	seq := f.lastSeq(t)
	r := &forum.Post{ID: townhall.NewID(), ThreadID: real.ID, AuthorID: f.user.ID, Source: "x", HTML: "x", CreatedAt: now}
	WantErr(t, f.s.AddReply(ctx, r), forum.ErrLocked)
	_, err = f.s.ForumPost(ctx, r.ID)
	WantErr(t, err, forum.ErrPostNotFound)
	if got := f.get(t, real.ID); got.Posts != 1 || got.Replies != 0 || got.LastPostID == r.ID {
		t.Fatalf("locked thread changed: %+v", got)
	}
	if f.lastSeq(t) != seq {
		t.Fatal("a refused reply recorded a change")
	}
	r.ThreadID = townhall.NewID()
	WantErr(t, f.s.AddReply(ctx, r), forum.ErrThreadNotFound)
}

// forumListingPinsFirstAndPages: listing: pinned first, then last activity, keyset pages, hidden for moderators only.
func forumListingPinsFirstAndPages(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	var ids []string
	for i := range 5 {
		th, _ := f.thread(t, f.cat, fmt.Sprintf("thread %d", i))
		ids = append(ids, th.ID)
	}
	f.reply(t, ids[0], f.user, "bump") // thread 0 becomes the most active
	if err := f.s.SetThreadPinned(ctx, ids[2], true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetThreadHidden(ctx, ids[3], true); err != nil {
		t.Fatal(err)
	}
	want := []string{ids[2], ids[0], ids[4], ids[1]}
	var got []string
	var cur *forum.ThreadCursor
	for range 10 {
		page, err := f.s.Threads(ctx, f.cat.ID, cur, 2, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, th := range page {
			got = append(got, th.ID)
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		cur = &forum.ThreadCursor{Pinned: last.Pinned, Activity: last.LastActivity, ID: last.ID}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	all, _ := f.s.Threads(ctx, f.cat.ID, nil, 10, true)
	if len(all) != 5 {
		t.Fatalf("moderator listing has %d threads, want 5 with the hidden one", len(all))
	}
}

// forumEditsKeepRevisionsHideAndMoveRecount: edits keep revisions; hiding and moving update counters and docs.
func forumEditsKeepRevisionsHideAndMoveRecount(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	th, first := f.thread(t, f.cat, "Original title")
	r := f.reply(t, th.ID, f.user, "reply v1")
	seq := f.lastSeq(t)
	at := f.tick()
	err := f.s.EditForumPost(ctx, forum.Edit{PostID: first.ID, Title: "New title", Source: "first v2", HTML: markdown.Render("first v2"),
		EditorID: f.user.ID, At: at, RevisionID: townhall.NewID()})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.ForumPost(ctx, first.ID)
	if p.Source != "first v2" || !p.EditedAt.Equal(at) || f.get(t, th.ID).Title != "New title" {
		t.Fatalf("after edit: %+v", p)
	}
	revs, err := f.s.ForumRevisions(ctx, first.ID)
	if err != nil || len(revs) != 1 || revs[0].Source != "first of Original title" || revs[0].Title != "Original title" || revs[0].EditorName != "Fran" {
		t.Fatalf("revisions = %v, %v", revs, err)
	}
	if !f.changed(t, seq, townhall.KindThread, th.ID) || f.doc(t, townhall.KindThread, th.ID).Body != "first v2" {
		t.Fatal("editing the first post did not refresh the thread doc")
	}
	WantErr(t, f.s.EditForumPost(ctx, forum.Edit{PostID: townhall.NewID(), Source: "x", RevisionID: townhall.NewID(), EditorID: f.user.ID, At: at}), forum.ErrPostNotFound)

	seq = f.lastSeq(t)
	if err := f.s.SetForumPostHidden(ctx, r.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetForumPostHidden(ctx, r.ID, true); err != nil { // idempotent: no double decrement
		t.Fatal(err)
	}
	if got := f.get(t, th.ID); got.Replies != 0 || got.Posts != 2 {
		t.Fatalf("after hiding: replies %d posts %d, want 0 and 2", got.Replies, got.Posts)
	}
	if !f.changed(t, seq, townhall.KindPost, r.ID) || f.doc(t, townhall.KindPost, r.ID).Visible {
		t.Fatal("a hidden post must leave the index")
	}
	if err := f.s.SetForumPostHidden(ctx, r.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, th.ID); got.Replies != 1 || !f.doc(t, townhall.KindPost, r.ID).Visible {
		t.Fatalf("after unhiding: replies %d", got.Replies)
	}

	if err := f.s.SetThreadHidden(ctx, th.ID, true); err != nil {
		t.Fatal(err)
	}
	if f.doc(t, townhall.KindThread, th.ID).Visible || f.doc(t, townhall.KindPost, r.ID).Visible {
		t.Fatal("a hidden thread's docs must be invisible")
	}
	if err := f.s.SetThreadHidden(ctx, th.ID, false); err != nil {
		t.Fatal(err)
	}

	tips := f.category(t, "tips", false)
	seq = f.lastSeq(t)
	if err := f.s.MoveThread(ctx, th.ID, tips.ID); err != nil {
		t.Fatal(err)
	}
	a, _ := f.s.ForumCategory(ctx, f.cat.ID)
	b, _ := f.s.ForumCategory(ctx, tips.ID)
	if a.Threads != 0 || b.Threads != 1 || f.get(t, th.ID).CategorySlug != "tips" {
		t.Fatalf("after move: counts %d/%d", a.Threads, b.Threads)
	}
	if !f.changed(t, seq, townhall.KindPost, r.ID) || f.doc(t, townhall.KindPost, r.ID).Category != "tips" {
		t.Fatal("moving did not refresh the posts' category")
	}
	WantErr(t, f.s.MoveThread(ctx, th.ID, townhall.NewID()), forum.ErrCategoryNotFound)
	if got := f.get(t, th.ID); got.CategoryID != tips.ID {
		t.Fatal("a failed move changed the thread")
	}
}

// forumAcceptedAnswers: accepted answers.
func forumAcceptedAnswers(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	th, first := f.thread(t, f.cat, "Question")
	other, _ := f.thread(t, f.cat, "Other")
	a := f.reply(t, th.ID, f.user, "answer a")
	b := f.reply(t, th.ID, f.user, "answer b")
	foreign := f.reply(t, other.ID, f.user, "elsewhere")
	WantErr(t, f.s.AcceptAnswer(ctx, th.ID, first.ID), forum.ErrQuestionAnswer)
	WantErr(t, f.s.AcceptAnswer(ctx, th.ID, foreign.ID), forum.ErrPostNotFound)
	if f.get(t, th.ID).Solved() {
		t.Fatal("a refused accept marked the thread solved")
	}
	seq := f.lastSeq(t)
	if err := f.s.AcceptAnswer(ctx, th.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, th.ID); got.AcceptedPostID != a.ID || f.doc(t, townhall.KindThread, th.ID).Status != "solved" ||
		!f.changed(t, seq, townhall.KindThread, th.ID) || !f.changed(t, seq, townhall.KindPost, a.ID) {
		t.Fatalf("after accept: %+v", got)
	}
	seq = f.lastSeq(t)
	if err := f.s.AcceptAnswer(ctx, th.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if f.get(t, th.ID).AcceptedPostID != b.ID || !f.changed(t, seq, townhall.KindPost, a.ID) {
		t.Fatal("changing the accepted answer failed or did not refresh the old one")
	}
	if err := f.s.SetForumPostHidden(ctx, b.ID, true); err != nil {
		t.Fatal(err)
	}
	if f.get(t, th.ID).Solved() || f.doc(t, townhall.KindThread, th.ID).Status != "" {
		t.Fatal("hiding the accepted answer must un-solve the thread")
	}
	if err := f.s.AcceptAnswer(ctx, th.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AcceptAnswer(ctx, th.ID, ""); err != nil {
		t.Fatal(err)
	}
	if f.get(t, th.ID).Solved() || f.doc(t, townhall.KindThread, th.ID).Status != "" {
		t.Fatal("clearing the answer left the thread solved")
	}
}

// forumFollows: follows.
func forumFollows(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	th, _ := f.thread(t, f.cat, "Followed")
	bob := MustSignIn(t, f.b, "Bob", "")
	for range 2 { // idempotent
		if err := f.s.FollowThread(ctx, th.ID, bob.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := f.s.ThreadFollowers(ctx, th.ID)
	slices.Sort(ids)
	want := []string{f.user.ID, bob.ID}
	slices.Sort(want)
	if err != nil || !slices.Equal(ids, want) {
		t.Fatalf("followers = %v, %v", ids, err)
	}
	if err := f.s.FollowThread(ctx, th.ID, f.user.ID, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.s.FollowingThread(ctx, th.ID, f.user.ID); ok {
		t.Fatal("unfollow did not stick")
	}
}

// forumConcurrentRepliesCountExactly: concurrent replies keep counters and positions exact.
func forumConcurrentRepliesCountExactly(t *testing.T, open Opener) {
	ctx := context.Background()
	f := newForumFixture(t, open)
	th, _ := f.thread(t, f.cat, "Busy")
	const n = 24
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &forum.Post{ID: townhall.NewID(), ThreadID: th.ID, AuthorID: f.user.ID, Source: fmt.Sprint("r", i), HTML: "r", CreatedAt: Now()}
			if err := f.s.AddReply(ctx, p); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := f.get(t, th.ID)
	posts, _ := f.s.ForumPosts(ctx, th.ID, 1, 1000)
	if got.Replies != n || got.Posts != n+1 || len(posts) != n {
		t.Fatalf("replies %d posts %d listed %d; want %d, %d, %d", got.Replies, got.Posts, len(posts), n, n+1, n)
	}
	for i, p := range posts {
		if p.Position != i+1 {
			t.Fatalf("position %d at index %d: positions must be 1..%d without gaps", p.Position, i, n)
		}
	}
}
