package mongo

import (
	"context"

	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// voteKey is a helpful vote's _id: one document per (review, user) pair.
func voteKey(reviewID, userID string) string { return reviewID + ":" + userID }

// HelpfulAmong implements reviews.Store.
func (db *DB) HelpfulAmong(ctx context.Context, userID string, reviewIDs []string) (map[string]bool, error) {
	return markedBy(ctx, db.reviewVotes(), userID, reviewIDs)
}

// AddHelpful implements reviews.Store.
func (db *DB) AddHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var r reviewDoc
	if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&r); err != nil {
		return false, 0, notFound(err, reviews.ErrReviewNotFound)
	}
	now := db.now()
	err := db.insert(ctx, db.reviewVotes(), bson.D{{Key: "_id", Value: voteKey(reviewID, userID)},
		{Key: "review_id", Value: reviewID}, {Key: "user_id", Value: userID}, {Key: "created_at", Value: ms(now)}})
	if mongo.IsDuplicateKeyError(err) {
		return false, r.Helpful, nil
	} else if err != nil {
		return false, 0, err
	}
	n, err := db.bumpHelpful(ctx, reviewID, 1)
	if err != nil {
		return true, n, err
	}
	e := loyalty.Helpful(loyalty.HelpfulVoteKey(reviewID, userID, now), r.AuthorID, reviewID, r.ProductID, false)
	return true, n, db.credit(ctx, now, e)
}

// RemoveHelpful implements reviews.Store.
func (db *DB) RemoveHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var r reviewDoc
	if err := db.reviews().FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&r); err != nil {
		return false, 0, notFound(err, reviews.ErrReviewNotFound)
	}
	var v struct {
		CreatedAt int64 `bson:"created_at"`
	}
	err := db.reviewVotes().FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: voteKey(reviewID, userID)}}).Decode(&v)
	if err == mongo.ErrNoDocuments {
		return false, r.Helpful, nil
	} else if err != nil {
		return false, 0, err
	}
	n, err := db.bumpHelpful(ctx, reviewID, -1)
	if err != nil {
		return true, n, err
	}
	e := loyalty.Helpful(loyalty.HelpfulVoteKey(reviewID, userID, fromMS(v.CreatedAt)), r.AuthorID, reviewID, r.ProductID, true)
	return true, n, db.credit(ctx, db.now(), e)
}

func (db *DB) bumpHelpful(ctx context.Context, reviewID string, delta int) (int, error) {
	var r reviewDoc
	err := db.reviews().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: reviewID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "helpful", Value: delta}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&r)
	return r.Helpful, notFound(err, reviews.ErrReviewNotFound)
}
