package mongo

import (
	"context"
	"regexp"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
)

func (db *DB) findIdeas(ctx context.Context, filter, sort bson.D, limit int, viewerID string, withWeight bool) ([]*ideas.Idea, error) {
	return db.findIdeasOf(ctx, filter, sort, limit, viewerID, withWeight, false)
}

// cardProjection leaves out what an idea's card does not show
// (ideas.Query.Cards): the texts, the title's search words and the
// segment counters.
var cardProjection = bson.D{{Key: "body", Value: 0}, {Key: "body_html", Value: 0}, {Key: "response", Value: 0},
	{Key: "words", Value: 0}, {Key: "seg_votes", Value: 0}}

func (db *DB) findIdeasOf(ctx context.Context, filter, sort bson.D, limit int, viewerID string, withWeight, cards bool) ([]*ideas.Idea, error) {
	o := options.Find().SetSort(sort)
	if cards {
		o.SetProjection(cardProjection)
	}
	if limit > 0 {
		o.SetLimit(int64(limit))
	}
	cur, err := db.ideas().Find(ctx, filter, o)
	if err != nil {
		return nil, err
	}
	var docs []ideaDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toIdeas(ctx, docs, viewerID, withWeight)
}

// Ideas implements ideas.Store. Each shape walks one index in order: the
// board (listed, [status], [key], _id) or with a tag (tags, listed, ...);
// "my ideas" (author_id, _id); "voted" the voter index of idea_votes.
func (db *DB) Ideas(ctx context.Context, q ideas.Query) ([]*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	notHidden := bson.E{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}
	switch {
	case q.Hidden:
		filter := bson.D{{Key: "hidden", Value: bson.D{{Key: "$exists", Value: true}}}}
		if q.After != nil {
			filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.After.ID}}})
		}
		return db.findIdeasOf(ctx, filter, bson.D{{Key: "_id", Value: -1}}, q.Limit, q.ViewerID, false, q.Cards)
	case q.VoterID != "":
		filter := bson.D{{Key: "user_id", Value: q.VoterID}}
		if q.After != nil {
			filter = append(filter, bson.E{Key: "idea_id", Value: bson.D{{Key: "$lt", Value: q.After.ID}}})
		}
		cur, err := db.ideaVotes().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "idea_id", Value: -1}}).SetLimit(int64(q.Limit)))
		if err != nil {
			return nil, err
		}
		var votes []ideaVoteDoc
		if err := cur.All(ctx, &votes); err != nil {
			return nil, err
		}
		ids := make([]string, len(votes))
		for i, v := range votes {
			ids[i] = v.IdeaID
		}
		return db.findIdeasOf(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, notHidden}, bson.D{{Key: "_id", Value: -1}}, 0, q.ViewerID, false, q.Cards)
	case q.AuthorID != "":
		filter := bson.D{{Key: "author_id", Value: q.AuthorID}, notHidden}
		if q.After != nil {
			filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.After.ID}}})
		}
		return db.findIdeasOf(ctx, filter, bson.D{{Key: "_id", Value: -1}}, q.Limit, q.ViewerID, false, q.Cards)
	}
	filter := bson.D{}
	if q.Tag != "" {
		filter = append(filter, bson.E{Key: "tags", Value: q.Tag})
	}
	filter = append(filter, bson.E{Key: "listed", Value: true})
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(q.Status)})
	}
	key := ""
	switch q.Sort {
	case ideas.SortTop:
		key = "votes"
	case ideas.SortTrending:
		key = "trend"
	}
	sort := bson.D{{Key: "_id", Value: -1}}
	if key != "" {
		sort = bson.D{{Key: key, Value: -1}, {Key: "_id", Value: -1}}
	}
	if q.After != nil {
		filter = append(filter, keysetBefore(key, q.After)...)
	}
	return db.findIdeasOf(ctx, filter, sort, q.Limit, q.ViewerID, false, q.Cards)
}

// keysetBefore is "(key, _id) < (after.Key, after.ID)" with the first term
// bounding the index range.
func keysetBefore(key string, after *ideas.Cursor) bson.D {
	if key == "" {
		return bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}}
	}
	var k any = after.Key
	if key == "votes" {
		k = int(after.Key)
	}
	return bson.D{{Key: key, Value: bson.D{{Key: "$lte", Value: k}}}, {Key: "$or", Value: bson.A{
		bson.D{{Key: key, Value: bson.D{{Key: "$lt", Value: k}}}},
		bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
	}}}
}

// similarPerWord caps how many ideas one word may contribute, so a word in
// thousands of titles costs a bounded index range, not a scan.
const similarPerWord = 200

// Similar implements ideas.Store.
func (db *DB) Similar(ctx context.Context, words []string, prefix string, limit int) ([]*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	counts := map[string]int{}
	var conds []bson.D
	for _, w := range words {
		conds = append(conds, bson.D{{Key: "words", Value: w}})
	}
	if prefix != "" {
		// An anchored regex tests each array element on its own (a $gte/$lt
		// pair could be met by two different words) and still uses the index.
		conds = append(conds, bson.D{{Key: "words", Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(prefix)}}})
	}
	for _, c := range conds {
		ids, err := findIDs(ctx, db.ideas(), c, -1, similarPerWord) // newest first
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			counts[id]++
		}
	}
	if len(counts) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	list, err := db.findIdeas(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "listed", Value: true}}, bson.D{{Key: "_id", Value: -1}}, 0, "", false)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if counts[a.ID] != counts[b.ID] {
			return counts[a.ID] > counts[b.ID]
		}
		if a.Votes != b.Votes {
			return a.Votes > b.Votes
		}
		return a.ID > b.ID
	})
	if len(list) > limit {
		list = list[:limit]
	}
	return list, nil
}

// PopularTags implements ideas.Store.
func (db *DB) PopularTags(ctx context.Context, limit int) ([]ideas.TagCount, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideaTags().Find(ctx, bson.D{{Key: "ideas", Value: bson.D{{Key: "$gt", Value: 0}}}},
		options.Find().SetSort(bson.D{{Key: "ideas", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		Tag   string `bson:"_id"`
		Ideas int    `bson:"ideas"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]ideas.TagCount, 0, len(docs))
	for _, d := range docs {
		out = append(out, ideas.TagCount{Tag: d.Tag, Ideas: d.Ideas})
	}
	return out, nil
}
