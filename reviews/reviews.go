// Package reviews is the product reviews domain: products the business
// sells, star-rated reviews by customers, helpful votes and public business
// responses. It owns the rules (who may write what, one review per customer
// per product, ratings 1 to 5) and the Store interface backends implement.
//
// A product carries its rating aggregates (count, sum and a 1–5 histogram)
// denormalized on its own row: every write that adds, changes or removes a
// rating updates them in the same atomic step, so pages never count reviews.
package reviews

import (
	"context"
	"html/template"
	"math"
	"time"
)

// Limits on what people may write.
const (
	MaxName     = 120
	MaxSlug     = 60
	MaxTitle    = 120
	MaxBody     = 20000 // the same as web.MaxMarkdown; a test keeps them equal
	MaxImageURL = 1000
	PageSize    = 20
)

// Product is something customers can review.
type Product struct {
	ID              string
	Slug            string // unique, lowercase letters, digits and dashes
	Name            string
	Description     string        // Markdown source
	DescriptionHTML template.HTML // rendered at write time
	ImageURL        string        // optional, https only
	Archived        bool          // hidden from the listing, closed to new reviews
	Rating          Rating
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Rating is a product's denormalized rating aggregate.
type Rating struct {
	Count     int
	Sum       int
	Histogram [5]int // Histogram[0] counts 1-star reviews, Histogram[4] 5-star ones
}

// Average is the mean rating rounded to one decimal; 0 without ratings.
func (r Rating) Average() float64 {
	if r.Count == 0 {
		return 0
	}
	return math.Round(float64(r.Sum)*10/float64(r.Count)) / 10
}

// Bar is one row of the rating histogram as pages show it.
type Bar struct {
	Stars   int
	Count   int
	Percent int // of all ratings, rounded
}

// Bars lists the histogram from 5 stars down to 1, as review sites show it.
func (r Rating) Bars() []Bar {
	bars := make([]Bar, 0, 5)
	for stars := 5; stars >= 1; stars-- {
		n := r.Histogram[stars-1]
		pct := 0
		if r.Count > 0 {
			pct = int(math.Round(float64(n) * 100 / float64(r.Count)))
		}
		bars = append(bars, Bar{Stars: stars, Count: n, Percent: pct})
	}
	return bars
}

// Review is one customer's rating and opinion of one product.
type Review struct {
	ID         string
	ProductID  string
	AuthorID   string
	AuthorName string // filled by reads
	Rating     int    // 1 to 5
	Title      string
	Body       string // Markdown source
	BodyHTML   template.HTML
	// Verified is whether the author was a verified customer when they
	// last wrote the review; captured then so a later change does not
	// silently rewrite history.
	Verified  bool
	Helpful   int  // denormalized count of helpful votes
	Voted     bool // the viewer marked it helpful (reads with a viewer only)
	Response  *Response
	CreatedAt time.Time
	UpdatedAt time.Time
	// Hidden is set while a moderator (or flags) hid the review: it leaves
	// the product's page, its rating and search, and staff see it with
	// this note. Held says it is a new member's review waiting for
	// approval (filled by the service).
	Hidden *Hidden
	Held   bool
}

// Hidden records who hid a review, when and why. ByID is empty when flags
// from the community hid it.
type Hidden struct {
	ByID   string
	ByName string // filled by reads
	Reason string
	At     time.Time
}

// Edited reports whether the review changed after it was first written.
func (r *Review) Edited() bool { return r.UpdatedAt.Sub(r.CreatedAt) > time.Second }

// Response is the business's one public answer under a review.
type Response struct {
	AuthorID   string
	AuthorName string // filled by reads
	Body       string
	BodyHTML   template.HTML
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Sort orders of a product's reviews.
const (
	SortHelpful = "helpful" // most helpful first (the default)
	SortNewest  = "newest"
	SortHighest = "highest"
	SortLowest  = "lowest"
)

// Sorts lists the review orders in the order pages offer them.
var Sorts = []string{SortHelpful, SortNewest, SortHighest, SortLowest}

// Cursor is the position after the last review of a page: the sort key of
// that review (helpful count or rating; unused for newest) and its id.
type Cursor struct {
	Key int
	ID  string
}

// ReviewQuery selects a page of one product's reviews.
type ReviewQuery struct {
	ProductID string
	Sort      string
	Stars     int     // 1–5 keeps only that rating; 0 keeps all
	After     *Cursor // nil for the first page
	Limit     int
	ViewerID  string // fills Review.Voted; "" for anonymous readers
}

// ProductQuery selects a page of products in name order.
type ProductQuery struct {
	IncludeArchived bool
	AfterName       string // name and id of the last product of the previous page
	AfterID         string
	Limit           int
}

// Store is what reviews need from a storage backend. Every method is atomic:
// aggregates and the search change feed move in the same step as the facts.
type Store interface {
	// CreateProduct inserts a product; a taken slug is ECONFLICT.
	CreateProduct(ctx context.Context, p *Product) error
	// UpdateProduct saves name, slug, description, image and archived flag
	// (not the aggregates); a taken slug is ECONFLICT, a missing product
	// ENOTFOUND. Its reviews' search documents are refreshed.
	UpdateProduct(ctx context.Context, p *Product) error
	Product(ctx context.Context, id string) (*Product, error)
	ProductBySlug(ctx context.Context, slug string) (*Product, error)
	// Products lists products by name (case-insensitive), then id.
	Products(ctx context.Context, q ProductQuery) ([]*Product, error)

	// CreateReview inserts a review and adds its rating to the product's
	// aggregates. A second review by the same author for the same product,
	// or a review of an archived product, is ECONFLICT; a missing product
	// ENOTFOUND. A review created with Hidden set (held for review) counts
	// in no aggregate until unhidden.
	CreateReview(ctx context.Context, r *Review) error
	// UpdateReview saves rating, title, body, verified mark and UpdatedAt,
	// moving the product's aggregates from the old rating to the new one
	// (a hidden review's rating is in none). An archived product is
	// ECONFLICT.
	UpdateReview(ctx context.Context, r *Review) error
	// DeleteReview removes a review, its votes and response, and takes its
	// rating out of the product's aggregates (if it was counted).
	DeleteReview(ctx context.Context, id string) error
	// SetReviewHidden hides (h set) or unhides (h nil) a review: a hidden
	// review leaves the product's listing and search, and its rating
	// leaves the aggregates in the same step. Hiding a hidden review
	// updates the note; changed reports whether visibility changed.
	SetReviewHidden(ctx context.Context, id string, h *Hidden) (changed bool, err error)
	// Review returns a review; viewerID fills Voted.
	Review(ctx context.Context, id, viewerID string) (*Review, error)
	// ReviewByAuthor returns the author's review of a product, ENOTFOUND if none.
	ReviewByAuthor(ctx context.Context, productID, authorID string) (*Review, error)
	// Reviews returns up to q.Limit visible reviews of a product in
	// q.Sort order after q.After; hidden ones never.
	Reviews(ctx context.Context, q ReviewQuery) ([]*Review, error)

	// AddHelpful records userID's helpful vote; added is false when the vote
	// already existed. It returns the review's helpful count after the call.
	AddHelpful(ctx context.Context, reviewID, userID string) (added bool, helpful int, err error)
	// HelpfulAmong says which of reviewIDs userID found helpful (true
	// entries only).
	HelpfulAmong(ctx context.Context, userID string, reviewIDs []string) (map[string]bool, error)
	// RemoveHelpful takes a vote back; removed is false when there was none.
	RemoveHelpful(ctx context.Context, reviewID, userID string) (removed bool, helpful int, err error)
	// SetResponse creates or replaces the business response of a review;
	// on replace the original author and CreatedAt are kept. A nil resp
	// removes the response (and is no error when there is none).
	SetResponse(ctx context.Context, reviewID string, resp *Response) error
}
