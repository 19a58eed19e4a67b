package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Merge implements ideas.Store as steps that converge when re-run after an
// interruption: the duplicate is first marked merging_into (which stops new
// votes and comments on it), then each vote moves (inserted on the target
// under its unique _id, counted only if new, then deleted from the
// duplicate), comments move with a count of those actually moved, and
// finally the duplicate is marked merged, its tags uncounted, and ideas
// merged into it earlier re-pointed. A re-run for the same pair finds the
// merging mark and finishes the remaining steps.
func (db *DB) Merge(ctx context.Context, dupID, intoID string, at time.Time) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	dup, err := db.ideaDoc(ctx, dupID, ideas.ErrNotFound)
	if err != nil {
		return false, err
	}
	into, err := db.ideaDoc(ctx, intoID, ideas.ErrMergeTargetNotFound)
	if err != nil {
		return false, err
	}
	switch {
	case dup.MergedInto == intoID:
		return false, nil // already done: merging is idempotent
	case dup.MergedInto != "" || (dup.Merging != "" && dup.Merging != intoID):
		return false, ideas.ErrAlreadyMerged
	case into.MergedInto != "" || into.Merging != "":
		return false, ideas.ErrTargetMerged(into.Title)
	case dup.Hidden != nil || into.Hidden != nil:
		return false, ideas.ErrHiddenMerge
	}
	res, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: dupID}, {Key: "merged_into", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "$or", Value: bson.A{bson.D{{Key: "merging_into", Value: bson.D{{Key: "$exists", Value: false}}}}, bson.D{{Key: "merging_into", Value: intoID}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "merging_into", Value: intoID}}}})
	if err != nil {
		return false, err
	}
	if res.MatchedCount == 0 {
		return false, ideas.ErrAlreadyMerged
	}
	if err := db.moveVotes(ctx, dupID, intoID); err != nil {
		return false, err
	}
	if err := db.moveProxyVotes(ctx, dupID, intoID); err != nil {
		return false, err
	}
	if _, err := db.ideaComments().UpdateMany(ctx, bson.D{{Key: "idea_id", Value: dupID}, {Key: "merged_from", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "merged_from", Value: dupID}}}}); err != nil {
		return false, err
	}
	counted, err := db.ideaComments().CountDocuments(ctx, append(bson.D{{Key: "idea_id", Value: dupID}}, visibleComment...))
	if err != nil {
		return false, err
	}
	if _, err := db.ideaComments().UpdateMany(ctx, bson.D{{Key: "idea_id", Value: dupID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "idea_id", Value: intoID}}}}); err != nil {
		return false, err
	}
	if counted > 0 {
		if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: intoID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "comments", Value: counted}}}}); err != nil {
			return false, err
		}
	}
	var before ideaDoc
	err = db.ideas().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: dupID}, {Key: "merging_into", Value: intoID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "merged_into", Value: intoID}, {Key: "listed", Value: false}, {Key: "awaiting", Value: false},
			{Key: "votes", Value: 0}, {Key: "trend", Value: 0.0}, {Key: "comments", Value: 0}, {Key: "seg_votes", Value: bson.D{}},
			{Key: "words", Value: bson.A{}}, {Key: "updated_at", Value: ms(at)}}},
			{Key: "$unset", Value: bson.D{{Key: "merging_into", Value: ""}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err != nil && err != mongo.ErrNoDocuments {
		return false, err
	}
	if err == nil && before.Listed {
		if err := db.addTagCounts(ctx, before.Tags, -1); err != nil {
			return false, err
		}
	}
	chained, err := listIDs(ctx, db.ideas(), "", 100000, bson.E{Key: "merged_into", Value: dupID})
	if err != nil {
		return false, err
	}
	if len(chained) > 0 {
		if _, err := db.ideas().UpdateMany(ctx, bson.D{{Key: "merged_into", Value: dupID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "merged_into", Value: intoID}}}}); err != nil {
			return false, err
		}
	}
	for _, id := range append([]string{dupID, intoID}, chained...) {
		if err := db.recordChange(ctx, townhall.KindIdea, id); err != nil {
			return false, err
		}
	}
	return true, nil
}

// moveVotes moves the duplicate's votes to the target; a voter who voted for
// both keeps their one vote on the target.
func (db *DB) moveVotes(ctx context.Context, dupID, intoID string) error {
	cur, err := db.ideaVotes().Find(ctx, bson.D{{Key: "idea_id", Value: dupID}})
	if err != nil {
		return err
	}
	var votes []ideaVoteDoc
	if err := cur.All(ctx, &votes); err != nil {
		return err
	}
	for _, v := range votes {
		nv := v
		nv.ID, nv.IdeaID = intoID+":"+v.UserID, intoID
		err := db.insert(ctx, db.ideaVotes(), nv)
		switch {
		case err == nil:
			x := ideas.TrendExponent(fromMS(v.CreatedAt))
			if err := db.countVotes(ctx, intoID, v.SegmentID, 1, func(d *ideaDoc) (float64, error) { return ideas.TrendAdd(d.Trend, x), nil }); err != nil {
				return err
			}
		case !mongo.IsDuplicateKeyError(err):
			return err
		}
		if _, err := db.ideaVotes().DeleteOne(ctx, bson.D{{Key: "_id", Value: v.ID}}); err != nil {
			return err
		}
	}
	return nil
}

// MergedFrom implements ideas.Store.
func (db *DB) MergedFrom(ctx context.Context, ideaID string) ([]ideas.Ref, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideas().Find(ctx, bson.D{{Key: "merged_into", Value: ideaID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []ideaDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	var out []ideas.Ref
	for _, d := range docs {
		out = append(out, ideas.Ref{ID: d.ID, Title: d.Title, Votes: d.Votes})
	}
	return out, nil
}
