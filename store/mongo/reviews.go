package mongo

import (
	"context"
	"fmt"
	"html/template"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
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
}

type responseDoc struct {
	AuthorID  string `bson:"author_id"`
	Body      string `bson:"body"`
	BodyHTML  string `bson:"body_html"`
	CreatedAt int64  `bson:"created_at"`
	UpdatedAt int64  `bson:"updated_at"`
}

func slugTaken(err error, slug string) error {
	if mongo.IsDuplicateKeyError(err) {
		return townhall.Errorf(townhall.ECONFLICT, "Another product already uses the slug %q.", slug)
	}
	return err
}

// CreateProduct implements reviews.Store.
func (db *DB) CreateProduct(ctx context.Context, p *reviews.Product) error {
	ctx, cancel := op(ctx)
	defer cancel()
	stars := map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
	_, err := db.products().InsertOne(ctx, productDoc{ID: p.ID, Slug: p.Slug, Name: p.Name, NameKey: strings.ToLower(p.Name),
		Description: p.Description, DescriptionHTML: string(p.DescriptionHTML), ImageURL: p.ImageURL, Archived: p.Archived,
		Rating: ratingDoc{Stars: stars}, CreatedAt: ms(p.CreatedAt), UpdatedAt: ms(p.UpdatedAt)})
	return slugTaken(err, p.Slug)
}

// UpdateProduct implements reviews.Store. Review documents carry the
// product's name, slug and visibility, so when one of those changed every
// review of the product gets a change-feed entry.
func (db *DB) UpdateProduct(ctx context.Context, p *reviews.Product) error {
	ctx, cancel := op(ctx)
	defer cancel()
	// Checked first for a clear answer; the unique index still decides races.
	err := db.products().FindOne(ctx, bson.D{{Key: "slug", Value: p.Slug}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: p.ID}}}}).Err()
	if err == nil {
		return slugTaken(mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000}}}, p.Slug)
	} else if err != mongo.ErrNoDocuments {
		return err
	}
	var old productDoc
	err = db.products().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: p.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "slug", Value: p.Slug}, {Key: "name", Value: p.Name}, {Key: "name_key", Value: strings.ToLower(p.Name)},
		{Key: "description", Value: p.Description}, {Key: "description_html", Value: string(p.DescriptionHTML)},
		{Key: "image_url", Value: p.ImageURL}, {Key: "archived", Value: p.Archived}, {Key: "updated_at", Value: ms(p.UpdatedAt)}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&old)
	if err != nil {
		return slugTaken(notFound(err, "Product"), p.Slug)
	}
	if old.Slug == p.Slug && old.Name == p.Name && old.Archived == p.Archived {
		return nil
	}
	after := ""
	for {
		ids, err := listIDs(ctx, db.reviews(), after, 500, bson.E{Key: "product_id", Value: p.ID})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := db.recordChange(ctx, townhall.KindReview, id); err != nil {
				return err
			}
		}
		if len(ids) < 500 {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

func (db *DB) findProduct(ctx context.Context, filter bson.D) (*reviews.Product, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d productDoc
	if err := db.products().FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, notFound(err, "Product")
	}
	return d.product(), nil
}

// Product implements reviews.Store.
func (db *DB) Product(ctx context.Context, id string) (*reviews.Product, error) {
	return db.findProduct(ctx, bson.D{{Key: "_id", Value: id}})
}

// ProductBySlug implements reviews.Store.
func (db *DB) ProductBySlug(ctx context.Context, slug string) (*reviews.Product, error) {
	return db.findProduct(ctx, bson.D{{Key: "slug", Value: slug}})
}

// Products implements reviews.Store.
func (db *DB) Products(ctx context.Context, q reviews.ProductQuery) ([]*reviews.Product, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{}
	if !q.IncludeArchived {
		filter = append(filter, bson.E{Key: "archived", Value: false})
	}
	if q.AfterID != "" {
		key := strings.ToLower(q.AfterName)
		filter = append(filter, bson.E{Key: "name_key", Value: bson.D{{Key: "$gte", Value: key}}}, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "name_key", Value: bson.D{{Key: "$gt", Value: key}}}},
			bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: q.AfterID}}}},
		}})
	}
	cur, err := db.products().Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "name_key", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, err
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*reviews.Product, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].product())
	}
	return out, nil
}

// bumpRating adds (delta 1) or removes (delta -1) one rating from a
// product's aggregate in one single-document update.
func (db *DB) bumpRating(ctx context.Context, productID string, rating, delta int) error {
	if rating < 1 || rating > 5 {
		return fmt.Errorf("rating %d out of range", rating)
	}
	_, err := db.products().UpdateOne(ctx, bson.D{{Key: "_id", Value: productID}}, bson.D{{Key: "$inc", Value: bson.D{
		{Key: "rating.count", Value: delta}, {Key: "rating.sum", Value: delta * rating},
		{Key: fmt.Sprintf("rating.stars.%d", rating), Value: delta}}}})
	return err
}

// moveRating moves one rating from old to new stars: count unchanged.
func (db *DB) moveRating(ctx context.Context, productID string, old, new int) error {
	if old == new {
		return nil
	}
	_, err := db.products().UpdateOne(ctx, bson.D{{Key: "_id", Value: productID}}, bson.D{{Key: "$inc", Value: bson.D{
		{Key: "rating.sum", Value: new - old},
		{Key: fmt.Sprintf("rating.stars.%d", old), Value: -1}, {Key: fmt.Sprintf("rating.stars.%d", new), Value: 1}}}})
	return err
}

// openForReviews fails unless the product exists and is not archived.
func (db *DB) openForReviews(ctx context.Context, productID string) error {
	p, err := db.findProduct(ctx, bson.D{{Key: "_id", Value: productID}})
	if err != nil {
		return err
	}
	if p.Archived {
		return townhall.Errorf(townhall.ECONFLICT, "%s is archived and no longer takes reviews.", p.Name)
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
	_, err := db.reviews().InsertOne(ctx, reviewDoc{ID: r.ID, ProductID: r.ProductID, AuthorID: r.AuthorID, Rating: r.Rating,
		Title: r.Title, Body: r.Body, BodyHTML: string(r.BodyHTML), Verified: r.Verified, CreatedAt: ms(r.CreatedAt), UpdatedAt: ms(r.UpdatedAt)})
	if mongo.IsDuplicateKeyError(err) {
		return townhall.Errorf(townhall.ECONFLICT, "You have already reviewed this product. Edit your review instead.")
	} else if err != nil {
		return err
	}
	if err := db.bumpRating(ctx, r.ProductID, r.Rating, 1); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindReview, r.ID)
}

// UpdateReview implements reviews.Store. The update is conditional on the
// rating it read, so of two concurrent edits each moves the aggregate from
// the rating it actually replaced; a lost race re-reads and tries again.
func (db *DB) UpdateReview(ctx context.Context, r *reviews.Review) error {
	ctx, cancel := op(ctx)
	defer cancel()
	for {
		var old reviewDoc
		if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&old); err != nil {
			return notFound(err, "Review")
		}
		if err := db.openForReviews(ctx, old.ProductID); err != nil {
			return err
		}
		res, err := db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "rating", Value: old.Rating}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "rating", Value: r.Rating}, {Key: "title", Value: r.Title},
				{Key: "body", Value: r.Body}, {Key: "body_html", Value: string(r.BodyHTML)},
				{Key: "verified", Value: r.Verified}, {Key: "updated_at", Value: ms(r.UpdatedAt)}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			continue
		}
		if err := db.moveRating(ctx, old.ProductID, old.Rating, r.Rating); err != nil {
			return err
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
		return notFound(err, "Review")
	}
	if err := db.bumpRating(ctx, old.ProductID, old.Rating, -1); err != nil {
		return err
	}
	if _, err := db.reviewVotes().DeleteMany(ctx, bson.D{{Key: "review_id", Value: id}}); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindReview, id)
}

// userNames maps user ids to display names in one query.
func (db *DB) userNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := map[string]string{}
	if len(ids) == 0 {
		return names, nil
	}
	cur, err := db.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID   string `bson:"_id"`
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	for _, d := range docs {
		names[d.ID] = d.Name
	}
	return names, nil
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
		out = append(out, r)
	}
	return out, nil
}

func (db *DB) findReview(ctx context.Context, filter bson.D, viewerID string) (*reviews.Review, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d reviewDoc
	if err := db.reviews().FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, notFound(err, "Review")
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
	filter := bson.D{{Key: "product_id", Value: q.ProductID}}
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

// voteKey is a helpful vote's _id: one document per (review, user) pair.
func voteKey(reviewID, userID string) string { return reviewID + ":" + userID }

// AddHelpful implements reviews.Store.
func (db *DB) AddHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var r reviewDoc
	if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&r); err != nil {
		return false, 0, notFound(err, "Review")
	}
	_, err := db.reviewVotes().InsertOne(ctx, bson.D{{Key: "_id", Value: voteKey(reviewID, userID)},
		{Key: "review_id", Value: reviewID}, {Key: "user_id", Value: userID}, {Key: "created_at", Value: ms(db.now())}})
	if mongo.IsDuplicateKeyError(err) {
		return false, r.Helpful, nil
	} else if err != nil {
		return false, 0, err
	}
	n, err := db.bumpHelpful(ctx, reviewID, 1)
	return err == nil, n, err
}

// RemoveHelpful implements reviews.Store.
func (db *DB) RemoveHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var r reviewDoc
	if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&r); err != nil {
		return false, 0, notFound(err, "Review")
	}
	res, err := db.reviewVotes().DeleteOne(ctx, bson.D{{Key: "_id", Value: voteKey(reviewID, userID)}})
	if err != nil {
		return false, 0, err
	}
	if res.DeletedCount == 0 {
		return false, r.Helpful, nil
	}
	n, err := db.bumpHelpful(ctx, reviewID, -1)
	return err == nil, n, err
}

func (db *DB) bumpHelpful(ctx context.Context, reviewID string, delta int) (int, error) {
	var r reviewDoc
	err := db.reviews().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: reviewID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "helpful", Value: delta}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&r)
	return r.Helpful, notFound(err, "Review")
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
			err = townhall.Errorf(townhall.ENOTFOUND, "Review not found.")
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
		return townhall.Errorf(townhall.ENOTFOUND, "Review not found.")
	}
	_, err = db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: reviewID}, {Key: "response.created_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "response.created_at", Value: ms(resp.CreatedAt)}}}})
	return err
}

// loadReviewDoc is the search document of a review: hidden once deleted or
// when its product is archived.
func loadReviewDoc(ctx context.Context, db *DB, id string) (*townhall.SearchDoc, error) {
	d := &townhall.SearchDoc{Kind: townhall.KindReview, ID: id}
	var r reviewDoc
	err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&r)
	if err == mongo.ErrNoDocuments {
		return d, nil
	} else if err != nil {
		return nil, err
	}
	var p productDoc
	err = db.products().FindOne(ctx, bson.D{{Key: "_id", Value: r.ProductID}}).Decode(&p)
	if err == mongo.ErrNoDocuments {
		return d, nil
	} else if err != nil {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{r.AuthorID})
	if err != nil {
		return nil, err
	}
	d.Title, d.Body, d.AuthorID, d.Author, d.ParentID, d.Category = r.Title, r.Body, r.AuthorID, names[r.AuthorID], r.ProductID, p.Slug
	if d.Title == "" {
		d.Title = p.Name
	}
	d.URL = "/products/" + d.Category + "#review-" + id
	d.Created = fromMS(r.CreatedAt)
	d.Visible = !p.Archived
	return d, nil
}
