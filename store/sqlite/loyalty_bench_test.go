package sqlite_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/store/sqlite"
)

// BenchmarkLike measures one like plus one unlike, as BenchmarkIdeaVote
// does a vote: each is a transaction with the like row, the post's count,
// the author's likes of the day, the ledger entry, the author's
// reputation and nine leaderboard rollups. The target is at least
// 1,000 likes a second: with a like and an unlike per iteration, 2 ms an
// iteration.
func BenchmarkLike(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	sign := func(name string) *townhall.User {
		u, _, err := db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: name, Name: name}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	author, liker := sign("author"), sign("liker")
	cat := &forum.Category{ID: townhall.NewID(), Slug: "help", Name: "Help", CreatedAt: time.Now()}
	if err := db.SaveForumCategory(ctx, cat); err != nil {
		b.Fatal(err)
	}
	var posts []string
	for k := range 200 {
		now := time.Now()
		t := &forum.Thread{ID: townhall.NewID(), CategoryID: cat.ID, Title: fmt.Sprint("Thread ", k), AuthorID: author.ID, LastActivity: now, CreatedAt: now}
		p := &forum.Post{ID: townhall.NewID(), AuthorID: author.ID, Source: "text", HTML: "<p>text</p>", CreatedAt: now}
		t.LastPostID = p.ID
		if err := db.CreateThread(ctx, t, p); err != nil {
			b.Fatal(err)
		}
		posts = append(posts, p.ID)
	}
	var n atomic.Int64
	b.ResetTimer()
	for b.Loop() {
		id := posts[int(n.Add(1))%len(posts)]
		if _, err := db.Like(ctx, &loyalty.Like{ID: townhall.NewID(), Kind: loyalty.KindPost, TargetID: id, UserID: liker.ID, At: time.Now()}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Unlike(ctx, loyalty.KindPost, id, liker.ID); err != nil {
			b.Fatal(err)
		}
	}
}
