package mongo

import (
	"context"
	"fmt"
	"html/template"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

// Reviews model: a product document embeds its rating aggregate (count,
// sum, stars.1 … stars.5), moved with one $inc per rating change. Reviews
// are their own collection (unbounded per product, paged in four orders)
// under a unique (product_id, author_id) index, so the database refuses a
// second review by the same author. A business response is embedded in its
// review: there is at most one and it is always shown with it. Helpful
// votes are documents keyed by "review:user", so a vote exists at most once
// and the review's helpful counter moves only when an insert or delete
// actually happened.

func init() {
	registerIndexes(func(db *DB) []index {
		products, revs, votes := db.db.Collection("products"), db.db.Collection("reviews"), db.db.Collection("review_votes")
		return []index{
			{products, "slug", bson.D{{Key: "slug", Value: 1}}, true, false},
			{products, "listing", bson.D{{Key: "archived", Value: 1}, {Key: "name_key", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{products, "names", bson.D{{Key: "name_key", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{revs, "one_per_author", bson.D{{Key: "product_id", Value: 1}, {Key: "author_id", Value: 1}}, true, false},
			{revs, "newest", bson.D{{Key: "product_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			// Highest walks this one backwards (rating desc, id desc); lowest
			// needs rating asc with id desc, which only the second gives.
			{revs, "rating", bson.D{{Key: "product_id", Value: 1}, {Key: "rating", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{revs, "lowest", bson.D{{Key: "product_id", Value: 1}, {Key: "rating", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{revs, "helpful", bson.D{{Key: "product_id", Value: 1}, {Key: "helpful", Value: -1}, {Key: "_id", Value: -1}}, false, false},
			{revs, "stars_helpful", bson.D{{Key: "product_id", Value: 1}, {Key: "rating", Value: 1}, {Key: "helpful", Value: -1}, {Key: "_id", Value: -1}}, false, false},
			{revs, "author", bson.D{{Key: "author_id", Value: 1}}, false, false},
			{votes, "review", bson.D{{Key: "review_id", Value: 1}}, false, false},
		}
	})
	registerDocSource(townhall.KindReview, docSource{load: loadReviewDoc, list: func(ctx context.Context, db *DB, after string, limit int) ([]string, error) {
		return listIDs(ctx, db.reviews(), after, limit)
	}})
}

var _ reviews.Store = (*DB)(nil)

func (db *DB) products() *mongo.Collection    { return db.db.Collection("products") }
func (db *DB) reviews() *mongo.Collection     { return db.db.Collection("reviews") }
func (db *DB) reviewVotes() *mongo.Collection { return db.db.Collection("review_votes") }

type productDoc struct {
	ID              string    `bson:"_id"`
	Slug            string    `bson:"slug"`
	Name            string    `bson:"name"`
	NameKey         string    `bson:"name_key"` // lowercased: the listing's case-insensitive order
	Description     string    `bson:"description"`
	DescriptionHTML string    `bson:"description_html"`
	ImageURL        string    `bson:"image_url"`
	Archived        bool      `bson:"archived"`
	Rating          ratingDoc `bson:"rating"`
	CreatedAt       int64     `bson:"created_at"`
	UpdatedAt       int64     `bson:"updated_at"`
}

type ratingDoc struct {
	Count int            `bson:"count"`
	Sum   int            `bson:"sum"`
	Stars map[string]int `bson:"stars"` // "1" … "5"
}

func (d *productDoc) product() *reviews.Product {
	p := &reviews.Product{ID: d.ID, Slug: d.Slug, Name: d.Name, Description: d.Description,
		DescriptionHTML: template.HTML(d.DescriptionHTML), // sanitized by markdown.Render when written
		ImageURL:        d.ImageURL, Archived: d.Archived, CreatedAt: fromMS(d.CreatedAt), UpdatedAt: fromMS(d.UpdatedAt)}
	p.Rating.Count, p.Rating.Sum = d.Rating.Count, d.Rating.Sum
	for i := range 5 {
		p.Rating.Histogram[i] = d.Rating.Stars[fmt.Sprint(i+1)]
	}
	return p
}

type reviewDoc struct {
	ID        string       `bson:"_id"`
	ProductID string       `bson:"product_id"`
	AuthorID  string       `bson:"author_id"`
	Rating    int          `bson:"rating"`
	Title     string       `bson:"title"`
	Body      string       `bson:"body"`
	BodyHTML  string       `bson:"body_html"`
	Verified  bool         `bson:"verified"`
	Helpful   int          `bson:"helpful"`
	Response  *responseDoc `bson:"response,omitempty"`
	CreatedAt int64        `bson:"created_at"`
	UpdatedAt int64        `bson:"updated_at"`
	// Hidden is set while the review is hidden; its rating is then in no
	// aggregate.
	Hidden *hiddenDoc `bson:"hidden,omitempty"`
}

type responseDoc struct {
	AuthorID  string `bson:"author_id"`
	Body      string `bson:"body"`
	BodyHTML  string `bson:"body_html"`
	CreatedAt int64  `bson:"created_at"`
	UpdatedAt int64  `bson:"updated_at"`
}

// openForReviews fails unless the product exists and is not archived.
func (db *DB) openForReviews(ctx context.Context, productID string) error {
	p, err := db.findProduct(ctx, bson.D{{Key: "_id", Value: productID}})
	if err != nil {
		return err
	}
	if p.Archived {
		return reviews.ErrArchived(p.Name)
	}
	return nil
}

// CreateReview implements reviews.Store: the insert under the unique
// (product, author) index decides, then the aggregate moves, then the feed.
func (db *DB) CreateReview(ctx context.Context, r *reviews.Review) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.openForReviews(ctx, r.ProductID); err != nil {
		return err
	}
	d := reviewDoc{ID: r.ID, ProductID: r.ProductID, AuthorID: r.AuthorID, Rating: r.Rating,
		Title: r.Title, Body: r.Body, BodyHTML: string(r.BodyHTML), Verified: r.Verified, CreatedAt: ms(r.CreatedAt), UpdatedAt: ms(r.UpdatedAt)}
	if h := r.Hidden; h != nil {
		d.Hidden = &hiddenDoc{ByID: h.ByID, Reason: h.Reason, At: ms(h.At)}
	}
	err := db.insert(ctx, db.reviews(), d)
	if mongo.IsDuplicateKeyError(err) {
		return reviews.ErrAlreadyReviewed.WithCause(err)
	} else if err != nil {
		return err
	}
	if r.Hidden == nil {
		if err := db.bumpRating(ctx, r.ProductID, r.Rating, 1); err != nil {
			return err
		}
	}
	return db.recordChange(ctx, townhall.KindReview, r.ID)
}

// UpdateReview implements reviews.Store. The update is conditional on the
// rating (and visibility) it read, so of two concurrent edits each moves
// the aggregate from the rating it actually replaced, and only while the
// review counts; a lost race re-reads and tries again.
func (db *DB) UpdateReview(ctx context.Context, r *reviews.Review) error {
	ctx, cancel := op(ctx)
	defer cancel()
	for {
		var old reviewDoc
		if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&old); err != nil {
			return notFound(err, reviews.ErrReviewNotFound)
		}
		if err := db.openForReviews(ctx, old.ProductID); err != nil {
			return err
		}
		hidden := old.Hidden != nil
		res, err := db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "rating", Value: old.Rating},
			{Key: "hidden", Value: bson.D{{Key: "$exists", Value: hidden}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "rating", Value: r.Rating}, {Key: "title", Value: r.Title},
				{Key: "body", Value: r.Body}, {Key: "body_html", Value: string(r.BodyHTML)},
				{Key: "verified", Value: r.Verified}, {Key: "updated_at", Value: ms(r.UpdatedAt)}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			continue
		}
		if !hidden {
			if err := db.moveRating(ctx, old.ProductID, old.Rating, r.Rating); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, townhall.KindReview, r.ID)
	}
}

// DeleteReview implements reviews.Store. Only the caller whose delete
// removed the document takes its rating out, so concurrent deletes count
// once; votes go after (a re-run removes any an interruption left).
func (db *DB) DeleteReview(ctx context.Context, id string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var old reviewDoc
	if err := db.reviews().FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&old); err != nil {
		return notFound(err, reviews.ErrReviewNotFound)
	}
	if old.Hidden == nil {
		if err := db.bumpRating(ctx, old.ProductID, old.Rating, -1); err != nil {
			return err
		}
	}
	// Its helpful votes go with it, and their points.
	votes, err := db.reviewVotes().CountDocuments(ctx, bson.D{{Key: "review_id", Value: id}})
	if err != nil {
		return err
	}
	if err := db.credit(ctx, db.now(), loyalty.ReviewDeleted(id, old.AuthorID, old.ProductID, int(votes))); err != nil {
		return err
	}
	if _, err := db.reviewVotes().DeleteMany(ctx, bson.D{{Key: "review_id", Value: id}}); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindReview, id)
}

// toReviews converts stored reviews, filling author names and the viewer's
// votes with one query each for the whole page.
func (db *DB) toReviews(ctx context.Context, docs []reviewDoc, viewerID string) ([]*reviews.Review, error) {
	var userIDs, voteIDs []string
	for _, d := range docs {
		userIDs = append(userIDs, d.AuthorID)
		if d.Response != nil {
			userIDs = append(userIDs, d.Response.AuthorID)
		}
		if d.Hidden != nil && d.Hidden.ByID != "" {
			userIDs = append(userIDs, d.Hidden.ByID)
		}
		if viewerID != "" {
			voteIDs = append(voteIDs, voteKey(d.ID, viewerID))
		}
	}
	names, err := db.userNames(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	voted := map[string]bool{}
	if len(voteIDs) > 0 {
		ids, err := listIDs(ctx, db.reviewVotes(), "", len(voteIDs), bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: voteIDs}}})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			voted[id] = true
		}
	}
	out := make([]*reviews.Review, 0, len(docs))
	for _, d := range docs {
		r := &reviews.Review{ID: d.ID, ProductID: d.ProductID, AuthorID: d.AuthorID, AuthorName: names[d.AuthorID],
			Rating: d.Rating, Title: d.Title, Body: d.Body, BodyHTML: template.HTML(d.BodyHTML), // sanitized when written
			Verified: d.Verified, Helpful: d.Helpful, Voted: voted[voteKey(d.ID, viewerID)],
			CreatedAt: fromMS(d.CreatedAt), UpdatedAt: fromMS(d.UpdatedAt)}
		if x := d.Response; x != nil {
			r.Response = &reviews.Response{AuthorID: x.AuthorID, AuthorName: names[x.AuthorID], Body: x.Body,
				BodyHTML: template.HTML(x.BodyHTML), CreatedAt: fromMS(x.CreatedAt), UpdatedAt: fromMS(x.UpdatedAt)}
		}
		if h := d.Hidden; h != nil {
			r.Hidden = &reviews.Hidden{ByID: h.ByID, ByName: names[h.ByID], Reason: h.Reason, At: fromMS(h.At)}
		}
		out = append(out, r)
	}
	return out, nil
}

func (db *DB) findReview(ctx context.Context, filter bson.D, viewerID string) (*reviews.Review, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d reviewDoc
	if err := db.reviews().FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, notFound(err, reviews.ErrReviewNotFound)
	}
	list, err := db.toReviews(ctx, []reviewDoc{d}, viewerID)
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// Review implements reviews.Store.
func (db *DB) Review(ctx context.Context, id, viewerID string) (*reviews.Review, error) {
	return db.findReview(ctx, bson.D{{Key: "_id", Value: id}}, viewerID)
}

// ReviewByAuthor implements reviews.Store.
func (db *DB) ReviewByAuthor(ctx context.Context, productID, authorID string) (*reviews.Review, error) {
	return db.findReview(ctx, bson.D{{Key: "product_id", Value: productID}, {Key: "author_id", Value: authorID}}, authorID)
}

// reviewsFilter builds a page query: every sort is keyset-paginated on an
// index that starts with the product.
func reviewsFilter(q reviews.ReviewQuery) (bson.D, bson.D) {
	filter := bson.D{{Key: "product_id", Value: q.ProductID}, {Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}}
	if q.Stars != 0 {
		filter = append(filter, bson.E{Key: "rating", Value: q.Stars})
	}
	// after returns "key beyond k, or key k and id below the cursor's";
	// the first term bounds the index range, the $or skips ties already shown.
	after := func(field, cmp string) bson.D {
		return bson.D{
			{Key: field, Value: bson.D{{Key: cmp + "e", Value: q.After.Key}}},
			{Key: "$or", Value: bson.A{
				bson.D{{Key: field, Value: bson.D{{Key: cmp, Value: q.After.Key}}}},
				bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.After.ID}}}},
			}},
		}
	}
	switch q.Sort {
	case reviews.SortNewest:
		if q.After != nil {
			filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.After.ID}}})
		}
		return filter, bson.D{{Key: "_id", Value: -1}}
	case reviews.SortHighest, reviews.SortLowest:
		cmp, dir := "$lt", -1
		if q.Sort == reviews.SortLowest {
			cmp, dir = "$gt", 1
		}
		if q.After != nil {
			filter = append(filter, after("rating", cmp)...)
		}
		return filter, bson.D{{Key: "rating", Value: dir}, {Key: "_id", Value: -1}}
	default: // most helpful
		if q.After != nil {
			filter = append(filter, after("helpful", "$lt")...)
		}
		return filter, bson.D{{Key: "helpful", Value: -1}, {Key: "_id", Value: -1}}
	}
}

// Reviews implements reviews.Store.
func (db *DB) Reviews(ctx context.Context, q reviews.ReviewQuery) ([]*reviews.Review, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter, sort := reviewsFilter(q)
	cur, err := db.reviews().Find(ctx, filter, options.Find().SetSort(sort).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, err
	}
	var docs []reviewDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toReviews(ctx, docs, q.ViewerID)
}

// SetResponse implements reviews.Store. The latest writer becomes the
// response's author; CreatedAt stays that of the first response (set only
// where none is).
func (db *DB) SetResponse(ctx context.Context, reviewID string, resp *reviews.Response) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if resp == nil {
		res, err := db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: reviewID}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "response", Value: ""}}}})
		if err == nil && res.MatchedCount == 0 {
			err = reviews.ErrReviewNotFound
		}
		return err
	}
	res, err := db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: reviewID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "response.author_id", Value: resp.AuthorID}, {Key: "response.body", Value: resp.Body},
		{Key: "response.body_html", Value: string(resp.BodyHTML)}, {Key: "response.updated_at", Value: ms(resp.UpdatedAt)}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return reviews.ErrReviewNotFound
	}
	_, err = db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: reviewID}, {Key: "response.created_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "response.created_at", Value: ms(resp.CreatedAt)}}}})
	return err
}

// loadReviewDoc is the search document of a review: hidden once deleted or
// when its product is archived (reviews.Review builds the document).
func loadReviewDoc(ctx context.Context, db *DB, id string) (*townhall.SearchDoc, error) {
	gone := townhall.GoneDoc(townhall.KindReview, id)
	var r reviewDoc
	err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r)
	if err == mongo.ErrNoDocuments {
		return gone, nil
	} else if err != nil {
		return nil, err
	}
	var p productDoc
	err = db.products().FindOne(ctx, bson.D{{Key: "_id", Value: r.ProductID}}).Decode(&p)
	if err == mongo.ErrNoDocuments {
		return gone, nil
	} else if err != nil {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{r.AuthorID})
	if err != nil {
		return nil, err
	}
	review := reviews.Review{ID: id, ProductID: r.ProductID, AuthorID: r.AuthorID, AuthorName: names[r.AuthorID], Title: r.Title,
		Body: r.Body, CreatedAt: fromMS(r.CreatedAt)}
	if r.Hidden != nil {
		review.Hidden = &reviews.Hidden{} // only whether it is hidden matters to search
	}
	return review.SearchDoc(&reviews.Product{ID: r.ProductID, Slug: p.Slug, Name: p.Name, Archived: p.Archived}), nil
}

// SetReviewHidden implements reviews.Store. The flip is conditional on the
// visibility and rating read, so only the call that changed visibility
// moves the aggregate, by the rating the review has; a lost race re-reads.
func (db *DB) SetReviewHidden(ctx context.Context, id string, h *reviews.Hidden) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	for {
		var d reviewDoc
		if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return false, notFound(err, reviews.ErrReviewNotFound)
		}
		was := d.Hidden != nil
		var update bson.D
		if h != nil {
			update = bson.D{{Key: "$set", Value: bson.D{{Key: "hidden", Value: hiddenDoc{ByID: h.ByID, Reason: h.Reason, At: ms(h.At)}}}}}
		} else if was {
			update = bson.D{{Key: "$unset", Value: bson.D{{Key: "hidden", Value: ""}}}}
		} else {
			return false, nil
		}
		res, err := db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "rating", Value: d.Rating},
			{Key: "hidden", Value: bson.D{{Key: "$exists", Value: was}}}}, update)
		if err != nil {
			return false, err
		}
		if res.MatchedCount == 0 {
			continue
		}
		if was == (h != nil) {
			return false, nil // a new note only
		}
		delta := 1
		if h != nil {
			delta = -1
		}
		if err := db.bumpRating(ctx, d.ProductID, d.Rating, delta); err != nil {
			return true, err
		}
		return true, db.recordChange(ctx, townhall.KindReview, id)
	}
}
