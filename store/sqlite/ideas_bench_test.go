package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/store/sqlite"
)

// seedIdeas fills a store with n ideas by one author, tagged in rotation,
// and returns the store, the ideas and a voter.
func seedIdeas(b *testing.B, n int) (*sqlite.DB, []*ideas.Idea, *townhall.User) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	author, _, err := db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "a", Name: "a"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	voter, _, err := db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: "v", Name: "v"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	out := make([]*ideas.Idea, n)
	start := time.Now().Add(-time.Duration(n) * time.Minute)
	for k := range out {
		title := fmt.Sprintf("Idea number %d about reports", k)
		at := start.Add(time.Duration(k) * time.Minute)
		i := &ideas.Idea{ID: townhall.NewID(), Title: title, Tags: []string{fmt.Sprint("tag", k%10)}, Status: ideas.StatusOpen,
			AuthorID: author.ID, CreatedAt: at, UpdatedAt: at}
		if err := db.CreateIdea(ctx, i, ideas.TitleWords(title)); err != nil {
			b.Fatal(err)
		}
		out[k] = i
	}
	return db, out, voter
}

// BenchmarkIdeaVote measures one vote plus one unvote: each is a transaction
// updating the idea, its tag rows, the segment counter and the trend score.
func BenchmarkIdeaVote(b *testing.B) {
	db, items, voter := seedIdeas(b, 200)
	ctx := context.Background()
	b.ResetTimer()
	for k := 0; b.Loop(); k++ {
		id := items[k%len(items)].ID
		if _, err := db.Vote(ctx, id, voter.ID, time.Now()); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Unvote(ctx, id, voter.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdeaBoard measures the board's first pages over 2,000 ideas.
func BenchmarkIdeaBoard(b *testing.B) {
	db, _, voter := seedIdeas(b, 2000)
	ctx := context.Background()
	for _, q := range []ideas.Query{
		{Sort: ideas.SortTrending},
		{Sort: ideas.SortTop, Tag: "tag3"},
		{Sort: ideas.SortNew, Status: ideas.StatusOpen},
	} {
		q.Limit, q.ViewerID = 21, voter.ID
		b.Run(fmt.Sprintf("%s-tag=%s-status=%s", q.Sort, q.Tag, q.Status), func(b *testing.B) {
			for b.Loop() {
				items, err := db.Ideas(ctx, q)
				if err != nil || len(items) != 21 {
					b.Fatalf("%d items, %v", len(items), err)
				}
			}
		})
	}
	b.Run("similar", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Similar(ctx, []string{"reports"}, "numb", 5); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkIdeaModeration measures hiding and unhiding an idea (tag rows,
// tag counts and title words go and come back, plus a search change) and
// hiding and unhiding a comment (the idea's comment count follows).
func BenchmarkIdeaModeration(b *testing.B) {
	db, items, mod := seedIdeas(b, 200)
	ctx := context.Background()
	h := &ideas.Hidden{ByID: mod.ID, Reason: "spam", At: time.Now()}
	b.Run("idea", func(b *testing.B) {
		for k := 0; b.Loop(); k++ {
			id := items[k%len(items)].ID
			if _, err := db.SetIdeaHidden(ctx, id, h); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SetIdeaHidden(ctx, id, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	c := &ideas.Comment{ID: townhall.NewID(), IdeaID: items[0].ID, AuthorID: mod.ID, Body: "x", BodyHTML: "<p>x</p>", CreatedAt: time.Now()}
	if err := db.AddComment(ctx, c); err != nil {
		b.Fatal(err)
	}
	b.Run("comment", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.SetCommentHidden(ctx, c.ID, h); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SetCommentHidden(ctx, c.ID, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
