package storetest

import (
	"context"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

func mustProduct(t *testing.T, s reviews.Store, name, slug string) *reviews.Product {
	t.Helper()
	p := &reviews.Product{ID: townhall.NewID(), Slug: slug, Name: name, Description: "About " + name,
		DescriptionHTML: template.HTML("<p>About " + template.HTMLEscapeString(name) + "</p>"), CreatedAt: Now(), UpdatedAt: Now()}
	if err := s.CreateProduct(context.Background(), p); err != nil {
		t.Fatalf("create product %s: %v", name, err)
	}
	return p
}

func newReview(productID, authorID string, rating int) *reviews.Review {
	return &reviews.Review{ID: townhall.NewID(), ProductID: productID, AuthorID: authorID, Rating: rating,
		Title: fmt.Sprintf("%d stars", rating), Body: "body", BodyHTML: "<p>body</p>", CreatedAt: Now(), UpdatedAt: Now()}
}

func mustReview(t *testing.T, s reviews.Store, productID, authorID string, rating int) *reviews.Review {
	t.Helper()
	r := newReview(productID, authorID, rating)
	if err := s.CreateReview(context.Background(), r); err != nil {
		t.Fatalf("create review: %v", err)
	}
	return r
}

// wantRating fails unless the product's stored aggregate is exactly want.
func wantRating(t *testing.T, s reviews.Store, productID string, want reviews.Rating) {
	t.Helper()
	p, err := s.Product(context.Background(), productID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rating != want {
		t.Fatalf("rating = %+v, want %+v", p.Rating, want)
	}
}

func ratingOf(ratings ...int) reviews.Rating {
	var r reviews.Rating
	for _, n := range ratings {
		r.Count++
		r.Sum += n
		r.Histogram[n-1]++
	}
	return r
}

// reviewCases are the reviews rules of the contract, each run on a fresh backend.
var reviewCases = []Case{
	{"ProductsHaveUniqueSlugs", reviewsProductsHaveUniqueSlugs},
	{"AggregatesStayExact", reviewsAggregatesStayExact},
	{"SortFilterAndPages", reviewsSortFilterAndPages},
	{"HelpfulVotesOnePerUser", reviewsHelpfulVotesOnePerUser},
	{"HelpfulAmongIsTheViewersVotes", reviewsHelpfulAmong},
	{"BusinessResponses", reviewsBusinessResponses},
	{"SearchFeedAndDocuments", reviewsSearchFeedAndDocuments},
	{"ConcurrentWritesKeepAggregates", reviewsConcurrentWritesKeepAggregates},
}

// reviewsProductsHaveUniqueSlugs: products: slugs unique, lookups, listing by name.
func reviewsProductsHaveUniqueSlugs(t *testing.T, open Opener) {
	ctx := context.Background()
	s := As[reviews.Store](t, open(t))
	a := mustProduct(t, s, "zeta Router", "zeta-router")
	b := mustProduct(t, s, "Alpha Hub", "alpha-hub")
	c := mustProduct(t, s, "beta Switch", "beta-switch")
	dup := &reviews.Product{ID: townhall.NewID(), Slug: "alpha-hub", Name: "Other", CreatedAt: Now(), UpdatedAt: Now()}
	WantErr(t, s.CreateProduct(ctx, dup), reviews.ErrSlugTaken("alpha-hub"))
	_, err := s.Product(ctx, dup.ID)
	WantErr(t, err, reviews.ErrProductNotFound)
	got, err := s.ProductBySlug(ctx, "beta-switch")
	if err != nil || got.ID != c.ID || got.Name != "beta Switch" || got.DescriptionHTML != c.DescriptionHTML || !got.CreatedAt.Equal(Now()) {
		t.Fatalf("by slug = %+v, %v", got, err)
	}
	_, err = s.ProductBySlug(ctx, "nope")
	WantErr(t, err, reviews.ErrProductNotFound)

	// Archive c and rename a; a taken slug is refused and changes nothing.
	c.Archived = true
	if err := s.UpdateProduct(ctx, c); err != nil {
		t.Fatal(err)
	}
	a2 := *a
	a2.Slug, a2.Name = "alpha-hub", "Renamed"
	WantErr(t, s.UpdateProduct(ctx, &a2), reviews.ErrSlugTaken("alpha-hub"))
	if got, _ := s.Product(ctx, a.ID); got.Name != "zeta Router" || got.Slug != "zeta-router" {
		t.Fatalf("failed update wrote %+v", got)
	}
	a.Slug, a.ImageURL = "zeta-router-2", "https://img.example/z.png"
	if err := s.UpdateProduct(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ProductBySlug(ctx, "zeta-router-2"); got == nil || got.ImageURL != a.ImageURL {
		t.Fatalf("after slug change: %+v", got)
	}
	ghost := *a
	ghost.ID = townhall.NewID()
	ghost.Slug = "ghost"
	WantErr(t, s.UpdateProduct(ctx, &ghost), reviews.ErrProductNotFound)

	names := func(q reviews.ProductQuery) []string {
		t.Helper()
		q.Limit = max(q.Limit, 1)
		list, err := s.Products(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range list {
			out = append(out, p.Name)
		}
		return out
	}
	if got := names(reviews.ProductQuery{Limit: 10}); !slices.Equal(got, []string{"Alpha Hub", "zeta Router"}) {
		t.Fatalf("listing = %v; want case-insensitive name order without the archived product", got)
	}
	if got := names(reviews.ProductQuery{Limit: 10, IncludeArchived: true}); !slices.Equal(got, []string{"Alpha Hub", "beta Switch", "zeta Router"}) {
		t.Fatalf("listing with archived = %v", got)
	}
	if got := names(reviews.ProductQuery{Limit: 10, IncludeArchived: true, AfterName: b.Name, AfterID: b.ID}); !slices.Equal(got, []string{"beta Switch", "zeta Router"}) {
		t.Fatalf("page after Alpha = %v", got)
	}
}

// reviewsAggregatesStayExact: reviews keep the aggregates exact.
func reviewsAggregatesStayExact(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	p := mustProduct(t, s, "Widget", "widget")
	u1, u2, u3 := MustSignIn(t, b, "r1", ""), MustSignIn(t, b, "r2", ""), MustSignIn(t, b, "r3", "")
	r1 := mustReview(t, s, p.ID, u1.ID, 5)
	mustReview(t, s, p.ID, u2.ID, 4)
	r3 := mustReview(t, s, p.ID, u3.ID, 1)
	wantRating(t, s, p.ID, ratingOf(5, 4, 1))

	WantErr(t, s.CreateReview(ctx, newReview(p.ID, u1.ID, 2)), reviews.ErrAlreadyReviewed)
	WantErr(t, s.CreateReview(ctx, newReview(townhall.NewID(), u1.ID, 2)), reviews.ErrProductNotFound)
	wantRating(t, s, p.ID, ratingOf(5, 4, 1))

	r3.Rating, r3.Title, r3.Verified = 3, "Better after the update", true
	r3.UpdatedAt = Now().Add(time.Hour)
	if err := s.UpdateReview(ctx, r3); err != nil {
		t.Fatal(err)
	}
	wantRating(t, s, p.ID, ratingOf(5, 4, 3))
	got, err := s.Review(ctx, r3.ID, "")
	if err != nil || got.Rating != 3 || got.Title != "Better after the update" || !got.Verified || got.AuthorName != "r3" || !got.Edited() {
		t.Fatalf("edited review = %+v, %v", got, err)
	}
	mine, err := s.ReviewByAuthor(ctx, p.ID, u3.ID)
	if err != nil || mine.ID != r3.ID {
		t.Fatalf("by author = %+v, %v", mine, err)
	}
	_, err = s.ReviewByAuthor(ctx, p.ID, MustSignIn(t, b, "nobody", "").ID)
	WantErr(t, err, reviews.ErrReviewNotFound)

	if err := s.DeleteReview(ctx, r1.ID); err != nil {
		t.Fatal(err)
	}
	wantRating(t, s, p.ID, ratingOf(4, 3))
	WantErr(t, s.DeleteReview(ctx, r1.ID), reviews.ErrReviewNotFound)
	_, err = s.Review(ctx, r1.ID, "")
	WantErr(t, err, reviews.ErrReviewNotFound)
	// After deleting, the author may review again.
	mustReview(t, s, p.ID, u1.ID, 2)
	wantRating(t, s, p.ID, ratingOf(4, 3, 2))

	// An archived product takes no new reviews and no edits.
	p.Archived = true
	if err := s.UpdateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	WantErr(t, s.CreateReview(ctx, newReview(p.ID, MustSignIn(t, b, "late", "").ID, 5)), reviews.ErrArchived("Widget"))
	r3.Rating = 5
	WantErr(t, s.UpdateReview(ctx, r3), reviews.ErrArchived("Widget"))
	wantRating(t, s, p.ID, ratingOf(4, 3, 2))
	if got, _ := s.Review(ctx, r3.ID, ""); got.Rating != 3 {
		t.Fatalf("refused edit wrote rating %d", got.Rating)
	}
}

// reviewsSortFilterAndPages: sorting, star filter and cursor pages.
func reviewsSortFilterAndPages(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	p := mustProduct(t, s, "Sorted", "sorted")
	other := mustProduct(t, s, "Other", "other")
	ratings := []int{3, 5, 1, 5, 2, 4, 3, 5}
	helpful := []int{0, 2, 5, 0, 1, 2, 0, 3}
	voters := make([]*townhall.User, 5)
	for i := range voters {
		voters[i] = MustSignIn(t, b, fmt.Sprint("voter", i), "")
	}
	var all []*reviews.Review
	for i, rating := range ratings {
		u := MustSignIn(t, b, fmt.Sprint("author", i), "")
		r := mustReview(t, s, p.ID, u.ID, rating)
		r.Helpful = helpful[i]
		for _, v := range voters[:helpful[i]] {
			if _, _, err := s.AddHelpful(ctx, r.ID, v.ID); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, r)
		mustReview(t, s, other.ID, u.ID, 1) // must never show up
	}
	ids := func(list []*reviews.Review) []string {
		var out []string
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	expect := func(sortBy string, stars int) []string {
		want := slices.Clone(all)
		want = slices.DeleteFunc(want, func(r *reviews.Review) bool { return stars != 0 && r.Rating != stars })
		slices.SortStableFunc(want, func(a, b *reviews.Review) int {
			var c int
			switch sortBy {
			case reviews.SortHelpful:
				c = b.Helpful - a.Helpful
			case reviews.SortHighest:
				c = b.Rating - a.Rating
			case reviews.SortLowest:
				c = a.Rating - b.Rating
			}
			if c == 0 {
				c = strings.Compare(b.ID, a.ID)
			}
			return c
		})
		return ids(want)
	}
	for _, sortBy := range reviews.Sorts {
		for _, stars := range []int{0, 5, 3, 4} {
			t.Run(fmt.Sprintf("%s/%d", sortBy, stars), func(t *testing.T) {
				var got []string
				var after *reviews.Cursor
				for range 20 {
					page, err := s.Reviews(ctx, reviews.ReviewQuery{ProductID: p.ID, Sort: sortBy, Stars: stars, After: after, Limit: 2, ViewerID: voters[0].ID})
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page {
						if r.Voted != (r.Helpful > 0) {
							t.Fatalf("review with %d helpful votes: Voted = %v for the first voter", r.Helpful, r.Voted)
						}
					}
					got = append(got, ids(page)...)
					if len(page) < 2 {
						break
					}
					last := page[len(page)-1]
					key := last.Helpful
					if sortBy == reviews.SortHighest || sortBy == reviews.SortLowest {
						key = last.Rating
					}
					after = &reviews.Cursor{Key: key, ID: last.ID}
				}
				if want := expect(sortBy, stars); !slices.Equal(got, want) {
					t.Fatalf("pages = %v\nwant    %v", got, want)
				}
			})
		}
	}
}

// reviewsHelpfulVotesOnePerUser: helpful votes: one per user, undo, cascade.
func reviewsHelpfulVotesOnePerUser(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	p := mustProduct(t, s, "Voted", "voted")
	author, v1, v2 := MustSignIn(t, b, "author", ""), MustSignIn(t, b, "v1", ""), MustSignIn(t, b, "v2", "")
	r := mustReview(t, s, p.ID, author.ID, 4)
	steps := []struct {
		name    string
		add     bool
		user    string
		changed bool
		helpful int
	}{
		{"first vote", true, v1.ID, true, 1},
		{"same user again", true, v1.ID, false, 1},
		{"second user", true, v2.ID, true, 2},
		{"undo", false, v1.ID, true, 1},
		{"undo again", false, v1.ID, false, 1},
	}
	for _, st := range steps {
		var changed bool
		var n int
		var err error
		if st.add {
			changed, n, err = s.AddHelpful(ctx, r.ID, st.user)
		} else {
			changed, n, err = s.RemoveHelpful(ctx, r.ID, st.user)
		}
		if err != nil || changed != st.changed || n != st.helpful {
			t.Fatalf("%s: changed=%v helpful=%d err=%v; want %v %d", st.name, changed, n, err, st.changed, st.helpful)
		}
	}
	got, _ := s.Review(ctx, r.ID, v2.ID)
	if got.Helpful != 1 || !got.Voted {
		t.Fatalf("review = helpful %d voted %v; want 1, true", got.Helpful, got.Voted)
	}
	if got, _ := s.Review(ctx, r.ID, v1.ID); got.Voted {
		t.Fatal("undone vote still shows as voted")
	}
	_, _, err := s.AddHelpful(ctx, townhall.NewID(), v1.ID)
	WantErr(t, err, reviews.ErrReviewNotFound)
	if err := s.DeleteReview(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	// Votes went with the review: the same user can vote on a new one.
	r2 := mustReview(t, s, p.ID, author.ID, 4)
	if changed, n, err := s.AddHelpful(ctx, r2.ID, v2.ID); err != nil || !changed || n != 1 {
		t.Fatalf("vote on new review: %v %d %v", changed, n, err)
	}
}

// reviewsBusinessResponses: business responses.
func reviewsBusinessResponses(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	p := mustProduct(t, s, "Answered", "answered")
	author, staff, staff2 := MustSignIn(t, b, "cust", ""), MustSignIn(t, b, "staff", townhall.RoleProduct), MustSignIn(t, b, "staff2", townhall.RoleProduct)
	r := mustReview(t, s, p.ID, author.ID, 2)
	if got, _ := s.Review(ctx, r.ID, ""); got.Response != nil {
		t.Fatal("new review has a response")
	}
	first := &reviews.Response{AuthorID: staff.ID, Body: "Sorry!", BodyHTML: "<p>Sorry!</p>", CreatedAt: Now(), UpdatedAt: Now()}
	if err := s.SetResponse(ctx, r.ID, first); err != nil {
		t.Fatal(err)
	}
	later := Now().Add(time.Hour)
	if err := s.SetResponse(ctx, r.ID, &reviews.Response{AuthorID: staff2.ID, Body: "Fixed in 2.1", BodyHTML: "<p>Fixed in 2.1</p>", CreatedAt: later, UpdatedAt: later}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Review(ctx, r.ID, "")
	if got.Response == nil || got.Response.Body != "Fixed in 2.1" || got.Response.AuthorName != "staff2" ||
		!got.Response.CreatedAt.Equal(Now()) || !got.Response.UpdatedAt.Equal(later) || got.Response.BodyHTML != "<p>Fixed in 2.1</p>" {
		t.Fatalf("response = %+v", got.Response)
	}
	WantErr(t, s.SetResponse(ctx, townhall.NewID(), first), reviews.ErrReviewNotFound)

	// Removing: gone, twice is harmless, and a new response starts afresh.
	for range 2 {
		if err := s.SetResponse(ctx, r.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Review(ctx, r.ID, ""); got.Response != nil {
			t.Fatalf("removed response still there: %+v", got.Response)
		}
	}
	WantErr(t, s.SetResponse(ctx, townhall.NewID(), nil), reviews.ErrReviewNotFound)
	if err := s.SetResponse(ctx, r.ID, &reviews.Response{AuthorID: staff.ID, Body: "Again", BodyHTML: "<p>Again</p>", CreatedAt: later, UpdatedAt: later}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Review(ctx, r.ID, ""); got.Response == nil || !got.Response.CreatedAt.Equal(later) || got.Response.AuthorName != "staff" {
		t.Fatalf("response after removal = %+v", got.Response)
	}
}

// reviewsSearchFeedAndDocuments: search feed and documents.
func reviewsSearchFeedAndDocuments(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	p := mustProduct(t, s, "Searchable", "searchable")
	u := MustSignIn(t, b, "Writer", "")
	last := func() int64 {
		t.Helper()
		ch, err := b.Changes(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) == 0 {
			return 0
		}
		return ch[len(ch)-1].Seq
	}
	wantChange := func(since int64, id string) {
		t.Helper()
		ch, err := b.Changes(ctx, since, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range ch {
			if c.Kind == townhall.KindReview && c.ID == id {
				return
			}
		}
		t.Fatalf("no review change for %s after seq %d: %+v", id, since, ch)
	}
	doc := func(id string) *townhall.SearchDoc {
		t.Helper()
		d, err := b.SearchDocument(ctx, townhall.KindReview, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	seq := last()
	r := newReview(p.ID, u.ID, 4)
	r.Title = ""
	r.Body = "Solid **build**"
	if err := s.CreateReview(ctx, r); err != nil {
		t.Fatal(err)
	}
	wantChange(seq, r.ID)
	d := doc(r.ID)
	if !d.Visible || d.Title != "Searchable" || d.Body != "Solid **build**" || d.Category != "searchable" ||
		d.Author != "Writer" || d.AuthorID != u.ID || d.URL != "/products/searchable#review-"+r.ID || !d.Created.Equal(Now()) {
		t.Fatalf("doc = %+v", d)
	}
	seq = last()
	r.Title = "Great"
	if err := s.UpdateReview(ctx, r); err != nil {
		t.Fatal(err)
	}
	wantChange(seq, r.ID)
	if d := doc(r.ID); d.Title != "Great" {
		t.Fatalf("title after edit = %q", d.Title)
	}
	seq = last()
	p.Slug, p.Archived = "searchable-2", true
	if err := s.UpdateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	wantChange(seq, r.ID)
	if d := doc(r.ID); d.Visible || d.Category != "searchable-2" {
		t.Fatalf("doc of archived product = %+v; want invisible, new slug", d)
	}
	p.Archived = false
	if err := s.UpdateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	seq = last()
	if err := s.DeleteReview(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	wantChange(seq, r.ID)
	if d := doc(r.ID); d.Visible {
		t.Fatalf("deleted review still visible: %+v", d)
	}
	// A failed write records nothing.
	u2 := MustSignIn(t, b, "w2", "")
	mustReview(t, s, p.ID, u2.ID, 3)
	seq = last()
	WantErr(t, s.CreateReview(ctx, newReview(p.ID, u2.ID, 1)), reviews.ErrAlreadyReviewed)
	if got := last(); got != seq {
		t.Fatalf("refused review recorded changes: seq %d → %d", seq, got)
	}
}

// reviewsConcurrentWritesKeepAggregates: concurrent reviews, edits, deletes and votes keep aggregates exact.
func reviewsConcurrentWritesKeepAggregates(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	p := mustProduct(t, s, "Busy", "busy")
	const n = 24
	users := make([]*townhall.User, n)
	for i := range users {
		users[i] = MustSignIn(t, b, fmt.Sprint("busy", i), "")
	}
	// Everyone reviews; two thirds then edit; every third deletes; and
	// everyone votes on the first user's review, twice.
	first := mustReview(t, s, p.ID, users[0].ID, 3)
	var wg sync.WaitGroup
	errs := make(chan error, 8*n)
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newReview(p.ID, users[i].ID, 1+i%5)
			if err := s.CreateReview(ctx, r); err != nil {
				errs <- err
				return
			}
			// A duplicate attempt racing the others must be refused.
			if err := s.CreateReview(ctx, newReview(p.ID, users[i].ID, 5)); townhall.ErrorCode(err) != townhall.ECONFLICT {
				errs <- fmt.Errorf("duplicate review: %v", err)
			}
			for range 2 {
				if _, _, err := s.AddHelpful(ctx, first.ID, users[i].ID); err != nil {
					errs <- err
				}
			}
			switch i % 3 {
			case 0:
				if err := s.DeleteReview(ctx, r.ID); err != nil {
					errs <- err
				}
			default:
				r.Rating = 1 + (i*7)%5
				if err := s.UpdateReview(ctx, r); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := []int{3}
	for i := 1; i < n; i++ {
		if i%3 != 0 {
			want = append(want, 1+(i*7)%5)
		}
	}
	wantRating(t, s, p.ID, ratingOf(want...))
	// The aggregate also matches the reviews that exist.
	list, err := s.Reviews(ctx, reviews.ReviewQuery{ProductID: p.ID, Sort: reviews.SortNewest, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var have []int
	for _, r := range list {
		have = append(have, r.Rating)
	}
	wantRating(t, s, p.ID, ratingOf(have...))
	if got, _ := s.Review(ctx, first.ID, ""); got.Helpful != n-1 {
		t.Fatalf("helpful = %d, want %d", got.Helpful, n-1)
	}
}

// reviewsHelpfulAmong: the helpful buttons of a shared product page ask
// which of its reviews the viewer found helpful, in one call for more
// reviews than one SQLite IN chunk holds.
func reviewsHelpfulAmong(t *testing.T, open Opener) {
	ctx := context.Background()
	b := open(t)
	s := As[reviews.Store](t, b)
	voter, other := MustSignIn(t, b, "voter", ""), MustSignIn(t, b, "other", "")
	var all []string
	want := map[string]bool{}
	var authors []*townhall.User
	for a := range 70 {
		authors = append(authors, MustSignIn(t, b, fmt.Sprint("author", a), ""))
	}
	for k := range 3 {
		p := mustProduct(t, s, fmt.Sprint("Product ", k), fmt.Sprint("product-", k))
		for a, author := range authors {
			r := mustReview(t, s, p.ID, author.ID, 1+a%5)
			all = append(all, r.ID)
			if len(all)%4 == 0 {
				if _, _, err := s.AddHelpful(ctx, r.ID, voter.ID); err != nil {
					t.Fatal(err)
				}
				want[r.ID] = true
			}
		}
	}
	if _, _, err := s.AddHelpful(ctx, all[0], other.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RemoveHelpful(ctx, all[3], voter.ID); err != nil {
		t.Fatal(err)
	}
	delete(want, all[3])
	got, err := s.HelpfulAmong(ctx, voter.ID, all)
	if err != nil || len(got) != len(want) {
		t.Fatalf("HelpfulAmong = %d reviews, %v; want %d", len(got), err, len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("HelpfulAmong misses the vote on %s", id)
		}
	}
	if some, err := s.HelpfulAmong(ctx, other.ID, all[:5]); err != nil || len(some) != 1 || !some[all[0]] {
		t.Fatalf("HelpfulAmong(other, five reviews) = %v, %v; want only %s", some, err, all[0])
	}
	if none, err := s.HelpfulAmong(ctx, voter.ID, nil); err != nil || len(none) != 0 {
		t.Fatalf("HelpfulAmong(no reviews) = %v, %v", none, err)
	}
}
