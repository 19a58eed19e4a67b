package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// follow subscribes userID to threadID; the unique (thread_id, user_id)
// index makes a repeat, even a concurrent one, a no-op.
func (db *DB) follow(ctx context.Context, threadID, userID string) error {
	_, err := db.forumFollows().UpdateOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "user_id", Value: userID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "created_at", Value: ms(db.now())}}}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return err
}

// FollowThread implements forum.Store.
func (db *DB) FollowThread(ctx context.Context, threadID, userID string, on bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if on {
		return db.follow(ctx, threadID, userID)
	}
	_, err := db.forumFollows().DeleteOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "user_id", Value: userID}})
	return err
}

// FollowingThread implements forum.Store.
func (db *DB) FollowingThread(ctx context.Context, threadID, userID string) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.forumFollows().FindOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "user_id", Value: userID}}).Err()
	if err == mongo.ErrNoDocuments {
		return false, nil
	}
	return err == nil, err
}

// ThreadFollowers implements forum.Store.
func (db *DB) ThreadFollowers(ctx context.Context, threadID string) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.forumFollows().Find(ctx, bson.D{{Key: "thread_id", Value: threadID}},
		options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		UserID string `bson:"user_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.UserID)
	}
	return out, nil
}
