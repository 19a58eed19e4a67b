package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// SetForumPostHidden implements forum.Store. The flip is conditional on
// the current state, so only the call that changed it moves the count.
func (db *DB) SetForumPostHidden(ctx context.Context, postID string, hidden bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var before postDoc
	err := db.forumPosts().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: postID}, {Key: "hidden", Value: !hidden}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "hidden", Value: hidden}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		// Unknown post, or already in that state.
		return notFound(db.forumPosts().FindOne(ctx, id(postID)).Err(), forum.ErrPostNotFound)
	} else if err != nil {
		return err
	}
	if hidden {
		// A hidden reply cannot stay the accepted answer: the thread is no longer solved.
		var thread threadDoc
		err := db.forumThreads().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: before.ThreadID}, {Key: "accepted_post_id", Value: postID}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "accepted_post_id", Value: ""}, {Key: "accepted_author_id", Value: ""}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&thread)
		if err != nil && err != mongo.ErrNoDocuments {
			return err
		}
		if err == nil {
			// Its author's points for the answer go with it.
			if err := db.takeBackAnswer(ctx, &thread); err != nil {
				return err
			}
			if err := db.recordChange(ctx, townhall.KindThread, before.ThreadID); err != nil {
				return err
			}
		}
	}
	if before.Position > 0 {
		delta := 1
		if hidden {
			delta = -1
		}
		if _, err := db.forumThreads().UpdateOne(ctx, id(before.ThreadID), bson.D{{Key: "$inc", Value: bson.D{{Key: "replies", Value: delta}}}}); err != nil {
			return err
		}
	}
	return db.recordChange(ctx, townhall.KindPost, postID)
}

func (db *DB) setThreadFlag(ctx context.Context, threadID, field string, on, tree bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.forumThreads().UpdateOne(ctx, id(threadID), bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: on}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return forum.ErrThreadNotFound
	}
	if !tree {
		return nil
	}
	return db.recordThreadTree(ctx, threadID)
}

// SetThreadLocked implements forum.Store.
func (db *DB) SetThreadLocked(ctx context.Context, threadID string, locked bool) error {
	return db.setThreadFlag(ctx, threadID, "locked", locked, false)
}

// SetThreadPinned implements forum.Store.
func (db *DB) SetThreadPinned(ctx context.Context, threadID string, pinned bool) error {
	return db.setThreadFlag(ctx, threadID, "pinned", pinned, false)
}

// SetThreadHidden implements forum.Store; posts' visibility follows their thread.
func (db *DB) SetThreadHidden(ctx context.Context, threadID string, hidden bool) error {
	return db.setThreadFlag(ctx, threadID, "hidden", hidden, true)
}

// MoveThread implements forum.Store. The move is conditional on the
// category read, so of two concurrent moves each moves the count from the
// category it actually left.
func (db *DB) MoveThread(ctx context.Context, threadID, categoryID string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.forumCategories().FindOne(ctx, id(categoryID)).Err(); err != nil {
		if err := db.forumThreads().FindOne(ctx, id(threadID)).Err(); err != nil {
			return notFound(err, forum.ErrThreadNotFound)
		}
		return notFound(err, forum.ErrCategoryNotFound)
	}
	for {
		var t threadDoc
		if err := db.forumThreads().FindOne(ctx, id(threadID)).Decode(&t); err != nil {
			return notFound(err, forum.ErrThreadNotFound)
		}
		if t.CategoryID == categoryID {
			return nil
		}
		res, err := db.forumThreads().UpdateOne(ctx, bson.D{{Key: "_id", Value: threadID}, {Key: "category_id", Value: t.CategoryID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "category_id", Value: categoryID}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			continue
		}
		if _, err := db.forumCategories().UpdateOne(ctx, id(categoryID), bson.D{{Key: "$inc", Value: bson.D{{Key: "threads", Value: 1}}}}); err != nil {
			return err
		}
		if _, err := db.forumCategories().UpdateOne(ctx, id(t.CategoryID), bson.D{{Key: "$inc", Value: bson.D{{Key: "threads", Value: -1}}}}); err != nil {
			return err
		}
		return db.recordThreadTree(ctx, threadID)
	}
}
