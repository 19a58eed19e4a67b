package mongo

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/reviews"
)

func slugTaken(err error, slug string) error {
	if mongo.IsDuplicateKeyError(err) {
		return reviews.ErrSlugTaken(slug).WithCause(err)
	}
	return err
}

// CreateProduct implements reviews.Store.
func (db *DB) CreateProduct(ctx context.Context, p *reviews.Product) error {
	ctx, cancel := op(ctx)
	defer cancel()
	stars := map[string]int{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
	err := db.insert(ctx, db.products(), productDoc{ID: p.ID, Slug: p.Slug, Name: p.Name, NameKey: strings.ToLower(p.Name),
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
		return slugTaken(notFound(err, reviews.ErrProductNotFound), p.Slug)
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
		return nil, notFound(err, reviews.ErrProductNotFound)
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
