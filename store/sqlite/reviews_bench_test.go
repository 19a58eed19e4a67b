package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/reviews"
	"github.com/townhall/townhall/store/sqlite"
)

// reviewedProduct opens a store with one product reviewed by n customers,
// votes spread so the helpful sort has real work to do.
func reviewedProduct(b *testing.B, n int) (*sqlite.DB, *reviews.Product, []*townhall.User) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Now()
	p := &reviews.Product{ID: townhall.NewID(), Slug: "bench", Name: "Bench", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateProduct(ctx, p); err != nil {
		b.Fatal(err)
	}
	users := make([]*townhall.User, n)
	for i := range users {
		name := fmt.Sprint("bench", i)
		if users[i], _, err = db.SignIn(ctx, auth.Identity{Provider: "dev", Subject: name, Name: name}, now); err != nil {
			b.Fatal(err)
		}
		r := &reviews.Review{ID: townhall.NewID(), ProductID: p.ID, AuthorID: users[i].ID, Rating: 1 + i%5,
			Title: "Review", Body: "Body text", BodyHTML: "<p>Body text</p>", CreatedAt: now, UpdatedAt: now}
		if err := db.CreateReview(ctx, r); err != nil {
			b.Fatal(err)
		}
		if i%7 == 0 && i > 0 {
			if _, _, err := db.AddHelpful(ctx, r.ID, users[i-1].ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	return db, p, users
}

// BenchmarkReviewsPage reads one page of 21 reviews in each sort, filtered
// and not, deep into a product with 3,000 reviews (after a cursor).
func BenchmarkReviewsPage(b *testing.B) {
	db, p, users := reviewedProduct(b, 3000)
	ctx := context.Background()
	for _, sortBy := range reviews.Sorts {
		for _, stars := range []int{0, 3} {
			b.Run(fmt.Sprintf("%s/stars=%d", sortBy, stars), func(b *testing.B) {
				q := reviews.ReviewQuery{ProductID: p.ID, Sort: sortBy, Stars: stars, Limit: 21, ViewerID: users[0].ID,
					After: &reviews.Cursor{Key: 3, ID: "8"}}
				for b.Loop() {
					page, err := db.Reviews(ctx, q)
					if err != nil || len(page) == 0 {
						b.Fatalf("%d reviews, %v", len(page), err)
					}
				}
			})
		}
	}
}

// BenchmarkReviewWrite is one edit moving a rating: the review row, two
// histogram buckets and the change feed in one transaction.
func BenchmarkReviewWrite(b *testing.B) {
	db, p, users := reviewedProduct(b, 50)
	ctx := context.Background()
	r, err := db.ReviewByAuthor(ctx, p.ID, users[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		r.Rating = 1 + i%5
		if err := db.UpdateReview(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
