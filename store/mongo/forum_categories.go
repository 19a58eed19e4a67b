package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/forum"
)

// ForumCategories implements forum.Store.
func (db *DB) ForumCategories(ctx context.Context) ([]*forum.Category, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.forumCategories().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "position", Value: 1}, {Key: "name", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []categoryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*forum.Category, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].category())
	}
	return out, nil
}

// ForumCategory implements forum.Store: an id wins over a slug.
func (db *DB) ForumCategory(ctx context.Context, ref string) (*forum.Category, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d categoryDoc
	err := db.forumCategories().FindOne(ctx, id(ref)).Decode(&d)
	if err == mongo.ErrNoDocuments {
		err = db.forumCategories().FindOne(ctx, bson.D{{Key: "slug", Value: ref}}).Decode(&d)
	}
	if err != nil {
		return nil, notFound(err, forum.ErrCategoryNotFound)
	}
	return d.category(), nil
}

// SaveForumCategory implements forum.Store. Thread and post documents
// carry the category slug, so a slug change re-records the category's
// threads and their posts.
func (db *DB) SaveForumCategory(ctx context.Context, c *forum.Category) error {
	ctx, cancel := op(ctx)
	defer cancel()
	// Checked first for a clear answer; the unique index still decides races.
	err := db.forumCategories().FindOne(ctx, bson.D{{Key: "slug", Value: c.Slug}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: c.ID}}}}).Err()
	if err == nil {
		return forum.ErrSlugTaken(c.Slug)
	} else if err != mongo.ErrNoDocuments {
		return err
	}
	var old categoryDoc
	err = db.forumCategories().FindOneAndUpdate(ctx, id(c.ID), bson.D{
		{Key: "$set", Value: bson.D{{Key: "slug", Value: c.Slug}, {Key: "name", Value: c.Name}, {Key: "description", Value: c.Description},
			{Key: "position", Value: c.Position}, {Key: "questions", Value: c.Questions}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "threads", Value: 0}, {Key: "created_at", Value: ms(c.CreatedAt)}}},
	}, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&old)
	if mongo.IsDuplicateKeyError(err) {
		return forum.ErrSlugTaken(c.Slug).WithCause(err)
	} else if err == mongo.ErrNoDocuments { // inserted
		return nil
	} else if err != nil {
		return err
	}
	if old.Slug == c.Slug {
		return nil
	}
	cur, err := db.forumThreads().Find(ctx, bson.D{{Key: "category_id", Value: c.ID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	var threads []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &threads); err != nil {
		return err
	}
	for _, t := range threads {
		if err := db.recordThreadTree(ctx, t.ID); err != nil {
			return err
		}
	}
	return nil
}
