package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// CreateThread implements forum.Store. The first post goes in before its
// thread (a post without a thread is never shown), then the thread, then
// the category's count, the author's follow and the feed.
func (db *DB) CreateThread(ctx context.Context, t *forum.Thread, first *forum.Post) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.forumCategories().FindOne(ctx, id(t.CategoryID)).Err(); err != nil {
		return notFound(err, forum.ErrCategoryNotFound)
	}
	first.ThreadID, first.Position = t.ID, 0
	if err := db.insert(ctx, db.forumPosts(), newPostDoc(first)); err != nil {
		return err
	}
	if err := db.insert(ctx, db.forumThreads(), threadDoc{ID: t.ID, CategoryID: t.CategoryID, Title: t.Title, AuthorID: t.AuthorID,
		Posts: 1, LastPostID: first.ID, LastPosterID: t.AuthorID, LastActivity: ms(t.LastActivity), Hidden: t.Hidden, CreatedAt: ms(t.CreatedAt)}); err != nil {
		return err
	}
	if _, err := db.forumCategories().UpdateOne(ctx, id(t.CategoryID), bson.D{{Key: "$inc", Value: bson.D{{Key: "threads", Value: 1}}}}); err != nil {
		return err
	}
	if err := db.follow(ctx, t.ID, t.AuthorID); err != nil {
		return err
	}
	if err := db.recordChange(ctx, townhall.KindThread, t.ID); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindPost, first.ID)
}

// toThreads converts stored threads, filling category slugs and user names
// with one query each for the whole page.
func (db *DB) toThreads(ctx context.Context, docs []threadDoc) ([]*forum.Thread, error) {
	var userIDs, catIDs []string
	for _, d := range docs {
		userIDs = append(userIDs, d.AuthorID, d.LastPosterID)
		catIDs = append(catIDs, d.CategoryID)
	}
	names, err := db.userNames(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	slugs := map[string]string{}
	if len(catIDs) > 0 {
		cur, err := db.forumCategories().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: catIDs}}}},
			options.Find().SetProjection(bson.D{{Key: "slug", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var cats []categoryDoc
		if err := cur.All(ctx, &cats); err != nil {
			return nil, err
		}
		for _, c := range cats {
			slugs[c.ID] = c.Slug
		}
	}
	out := make([]*forum.Thread, 0, len(docs))
	for _, d := range docs {
		out = append(out, &forum.Thread{ID: d.ID, CategoryID: d.CategoryID, CategorySlug: slugs[d.CategoryID], Title: d.Title,
			AuthorID: d.AuthorID, AuthorName: names[d.AuthorID], Posts: d.Posts, Replies: d.Replies, LastPostID: d.LastPostID,
			LastPosterID: d.LastPosterID, LastPosterName: names[d.LastPosterID], LastActivity: fromMS(d.LastActivity),
			Pinned: d.Pinned, Locked: d.Locked, Hidden: d.Hidden, AcceptedPostID: d.AcceptedID, CreatedAt: fromMS(d.CreatedAt)})
	}
	return out, nil
}

func (db *DB) findThreads(ctx context.Context, filter, sort bson.D, limit int) ([]*forum.Thread, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	o := options.Find()
	if sort != nil {
		o.SetSort(sort)
	}
	if limit > 0 {
		o.SetLimit(int64(limit))
	}
	cur, err := db.forumThreads().Find(ctx, filter, o)
	if err != nil {
		return nil, err
	}
	var docs []threadDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toThreads(ctx, docs)
}

// Thread implements forum.Store.
func (db *DB) Thread(ctx context.Context, threadID string) (*forum.Thread, error) {
	list, err := db.findThreads(ctx, id(threadID), nil, 1)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, forum.ErrThreadNotFound
	}
	return list[0], nil
}

// threadSort is the category page's order, the "listing" index's.
var threadSort = bson.D{{Key: "pinned", Value: -1}, {Key: "last_activity", Value: -1}, {Key: "_id", Value: -1}}

// threadsFilter builds the category page query: (pinned, last_activity,
// _id) below the cursor's, all descending. The first term bounds the index
// range; the $or skips what earlier pages showed.
func threadsFilter(categoryID string, after *forum.ThreadCursor, withHidden bool) bson.D {
	f := bson.D{{Key: "category_id", Value: categoryID}}
	if !withHidden {
		f = append(f, bson.E{Key: "hidden", Value: false})
	}
	if after != nil {
		at := ms(after.Activity)
		f = append(f, bson.E{Key: "pinned", Value: bson.D{{Key: "$lte", Value: after.Pinned}}}, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "pinned", Value: bson.D{{Key: "$lt", Value: after.Pinned}}}},
			bson.D{{Key: "last_activity", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "last_activity", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
		}})
	}
	return f
}

// Threads implements forum.Store; it walks the "listing" index in order.
func (db *DB) Threads(ctx context.Context, categoryID string, after *forum.ThreadCursor, limit int, withHidden bool) ([]*forum.Thread, error) {
	return db.findThreads(ctx, threadsFilter(categoryID, after, withHidden), threadSort, limit)
}

var (
	latestFilter = bson.D{{Key: "hidden", Value: false}}
	latestSort   = bson.D{{Key: "last_activity", Value: -1}, {Key: "_id", Value: -1}}
)

// LatestThreads implements forum.Store; it walks the "latest" index.
func (db *DB) LatestThreads(ctx context.Context, limit int) ([]*forum.Thread, error) {
	return db.findThreads(ctx, latestFilter, latestSort, limit)
}
