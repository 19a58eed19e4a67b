package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
)

// countVotes applies a vote change to the idea's counters with a
// compare-and-set on the trend score it read, retrying if another vote
// changed it first; votes, trend and the segment counter move together.
func (db *DB) countVotes(ctx context.Context, ideaID, seg string, delta int, newTrend func(d *ideaDoc) (float64, error)) error {
	for {
		d, err := db.ideaDoc(ctx, ideaID, ideas.ErrNotFound)
		if err != nil {
			return err
		}
		trend, err := newTrend(d)
		if err != nil {
			return err
		}
		res, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ideaID}, {Key: "trend", Value: d.Trend}, {Key: "votes", Value: d.Votes}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "trend", Value: trend}}},
				{Key: "$inc", Value: bson.D{{Key: "votes", Value: delta}, {Key: "seg_votes." + segKey(seg), Value: delta}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
}

// Vote implements ideas.Store: the vote document decides (one per person
// by _id), and only a new one moves the counters.
func (db *DB) Vote(ctx context.Context, ideaID, userID string, at time.Time) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.addVote(ctx, ideaID, userID, at)
}

// addVote is Vote within the caller's operation deadline.
func (db *DB) addVote(ctx context.Context, ideaID, userID string, at time.Time) (bool, error) {
	if _, err := db.openIdea(ctx, ideaID); err != nil {
		return false, err
	}
	seg, err := db.userSegment(ctx, userID)
	if err != nil {
		return false, err
	}
	err = db.insert(ctx, db.ideaVotes(), ideaVoteDoc{ID: ideaID + ":" + userID, IdeaID: ideaID, UserID: userID, SegmentID: seg, CreatedAt: ms(at)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	x := ideas.TrendExponent(at)
	return true, db.countVotes(ctx, ideaID, seg, 1, func(d *ideaDoc) (float64, error) { return ideas.TrendAdd(d.Trend, x), nil })
}

// Unvote implements ideas.Store.
func (db *DB) Unvote(ctx context.Context, ideaID, userID string) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.openIdea(ctx, ideaID); err != nil {
		return false, err
	}
	var v ideaVoteDoc
	err := db.ideaVotes().FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: ideaID + ":" + userID}}).Decode(&v)
	if err == mongo.ErrNoDocuments {
		return false, nil
	} else if err != nil {
		return false, err
	}
	x := ideas.TrendExponent(fromMS(v.CreatedAt))
	err = db.countVotes(ctx, ideaID, v.SegmentID, -1, func(d *ideaDoc) (float64, error) {
		if t, ok := ideas.TrendRemove(d.Trend, x); ok {
			return t, nil
		}
		return db.recomputeTrend(ctx, ideaID)
	})
	if err != nil {
		return true, err
	}
	_, err = db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ideaID}, {Key: "seg_votes." + segKey(v.SegmentID), Value: bson.D{{Key: "$lte", Value: 0}}}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "seg_votes." + segKey(v.SegmentID), Value: ""}}}})
	if err != nil {
		return true, err
	}
	return true, db.forgetProxyVote(ctx, ideaID, userID)
}

// recomputeTrend rebuilds an idea's trend from its votes; unvotes use it
// only when the removed vote carried nearly all of the score.
func (db *DB) recomputeTrend(ctx context.Context, ideaID string) (float64, error) {
	cur, err := db.ideaVotes().Find(ctx, bson.D{{Key: "idea_id", Value: ideaID}})
	if err != nil {
		return 0, err
	}
	var votes []ideaVoteDoc
	if err := cur.All(ctx, &votes); err != nil {
		return 0, err
	}
	var trend float64
	for _, v := range votes {
		trend = ideas.TrendAdd(trend, ideas.TrendExponent(fromMS(v.CreatedAt)))
	}
	return trend, nil
}

// VotersAfter implements ideas.Store: a vote's _id is "idea:user", so an
// idea's voters in user order are a range of the _id index.
func (db *DB) VotersAfter(ctx context.Context, ideaID, after string, limit int) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return findField(ctx, db.ideaVotes(), bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: ideaID + ":" + after}, {Key: "$lt", Value: ideaID + ";"}}}},
		"user_id", options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

// VotedAmong implements ideas.Store: vote ids are idea:user, so it is one
// read of their primary keys.
func (db *DB) VotedAmong(ctx context.Context, userID string, ideaIDs []string) (map[string]bool, error) {
	return markedBy(ctx, db.ideaVotes(), userID, ideaIDs)
}
