package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/store/sqlite"
)

// busyForum opens a store with one category of threads, the first of which
// has replies replies.
func busyForum(b *testing.B, threads, replies int) (*sqlite.DB, *forum.Category, *forum.Thread, *townhall.User) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Now()
	u, _, err := db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "bench", Name: "Bench"}, now)
	if err != nil {
		b.Fatal(err)
	}
	cat := &forum.Category{ID: townhall.NewID(), Slug: "bench", Name: "Bench", CreatedAt: now}
	if err := db.SaveForumCategory(ctx, cat); err != nil {
		b.Fatal(err)
	}
	var first *forum.Thread
	for i := range threads {
		at := now.Add(time.Duration(i) * time.Second)
		t := &forum.Thread{ID: townhall.NewID(), CategoryID: cat.ID, Title: fmt.Sprint("Thread ", i), AuthorID: u.ID, LastActivity: at, CreatedAt: at}
		p := &forum.Post{ID: townhall.NewID(), AuthorID: u.ID, Source: "Body", HTML: "<p>Body</p>", CreatedAt: at}
		if err := db.CreateThread(ctx, t, p); err != nil {
			b.Fatal(err)
		}
		if first == nil {
			first = t
		}
	}
	for range replies {
		p := &forum.Post{ID: townhall.NewID(), ThreadID: first.ID, AuthorID: u.ID, Source: "Reply", HTML: "<p>Reply</p>", CreatedAt: now}
		if err := db.AddReply(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	return db, cat, first, u
}

// BenchmarkForumPages reads a category page deep in 3,000 threads (after a
// cursor), the last page of a thread with 2,000 replies, and adds a reply.
func BenchmarkForumPages(b *testing.B) {
	db, cat, th, u := busyForum(b, 3000, 2000)
	ctx := context.Background()
	b.Run("category-page", func(b *testing.B) {
		after := &forum.ThreadCursor{Activity: time.Now().Add(time.Hour), ID: "~"}
		for b.Loop() {
			if got, err := db.Threads(ctx, cat.ID, after, 31, false); err != nil || len(got) != 31 {
				b.Fatal(len(got), err)
			}
		}
	})
	b.Run("thread-last-page", func(b *testing.B) {
		for b.Loop() {
			if got, err := db.ForumPosts(ctx, th.ID, 1981, 2000); err != nil || len(got) != 20 {
				b.Fatal(len(got), err)
			}
		}
	})
	b.Run("reply", func(b *testing.B) {
		for b.Loop() {
			p := &forum.Post{ID: townhall.NewID(), ThreadID: th.ID, AuthorID: u.ID, Source: "More", HTML: "<p>More</p>", CreatedAt: time.Now()}
			if err := db.AddReply(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
