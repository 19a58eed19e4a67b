package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
)

// Votes on behalf: the vote is an ordinary vote document (so it counts, and
// is unique, like any); beside it a proxy document keyed like the vote
// ("idea:user") says who recorded it and why. The vote is written first:
// a crash before the proxy document leaves an ordinary vote, and a proxy
// document whose vote is gone (the customer took it back meanwhile) is
// not listed.

type proxyVoteDoc struct {
	ID         string `bson:"_id"` // idea:user, like the vote
	IdeaID     string `bson:"idea_id"`
	UserID     string `bson:"user_id"`
	RecordedBy string `bson:"recorded_by"`
	Note       string `bson:"note"`
	CreatedAt  int64  `bson:"created_at"`
}

func (db *DB) ideaProxyVotes() *mongo.Collection { return db.db.Collection("idea_proxy_votes") }

// VoteOnBehalf implements ideas.ProxyVoteStore.
func (db *DB) VoteOnBehalf(ctx context.Context, v *ideas.ProxyVote) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	added, err := db.addVote(ctx, v.IdeaID, v.UserID, v.At)
	if err != nil || !added {
		return added, err
	}
	_, err = db.ideaProxyVotes().ReplaceOne(ctx, bson.D{{Key: "_id", Value: v.IdeaID + ":" + v.UserID}},
		proxyVoteDoc{v.IdeaID + ":" + v.UserID, v.IdeaID, v.UserID, v.RecordedBy, v.Note, ms(v.At)}, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		err = nil // a concurrent record of the same vote; one is enough
	}
	return true, err
}

// forgetProxyVote removes the record of a vote that was removed.
func (db *DB) forgetProxyVote(ctx context.Context, ideaID, userID string) error {
	_, err := db.ideaProxyVotes().DeleteOne(ctx, bson.D{{Key: "_id", Value: ideaID + ":" + userID}})
	return err
}

// moveProxyVotes moves a duplicate's records to the idea it is merged
// into, after its votes; a customer recorded on both keeps the target's.
// Re-running it moves what is left.
func (db *DB) moveProxyVotes(ctx context.Context, dupID, intoID string) error {
	cur, err := db.ideaProxyVotes().Find(ctx, bson.D{{Key: "idea_id", Value: dupID}})
	if err != nil {
		return err
	}
	var docs []proxyVoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	for _, d := range docs {
		moved := d
		moved.ID, moved.IdeaID = intoID+":"+d.UserID, intoID
		if err := db.insert(ctx, db.ideaProxyVotes(), moved); err != nil && !mongo.IsDuplicateKeyError(err) {
			return err
		}
		if _, err := db.ideaProxyVotes().DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}}); err != nil {
			return err
		}
	}
	return nil
}

// ProxyVotes implements ideas.ProxyVoteStore.
func (db *DB) ProxyVotes(ctx context.Context, ideaID string, limit int) ([]*ideas.ProxyVote, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideaProxyVotes().Find(ctx, bson.D{{Key: "idea_id", Value: ideaID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []proxyVoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	voteIDs, userIDs := make([]string, len(docs)), make([]string, 0, 2*len(docs))
	for i, d := range docs {
		voteIDs[i] = d.ID
		userIDs = append(userIDs, d.UserID, d.RecordedBy)
	}
	live, err := findIDs(ctx, db.ideaVotes(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: voteIDs}}}}, 1, len(voteIDs))
	if err != nil {
		return nil, err
	}
	voted := map[string]bool{}
	for _, id := range live {
		voted[id] = true
	}
	users, err := db.userCards(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*ideas.ProxyVote, 0, len(docs))
	for _, d := range docs {
		if !voted[d.ID] {
			continue
		}
		u := users[d.UserID]
		out = append(out, &ideas.ProxyVote{IdeaID: d.IdeaID, UserID: d.UserID, UserName: u.Name, UserHandle: u.Handle, UserEmail: u.Email,
			Pending: u.placeholder(), RecordedBy: d.RecordedBy, RecordedByName: users[d.RecordedBy].Name, Note: d.Note, At: fromMS(d.CreatedAt)})
	}
	return out, nil
}
