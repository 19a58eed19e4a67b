package mongo

import (
	"context"
	"fmt"
	"maps"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// RepairCounters recomputes, from their fact documents, the counters that
// multi-step writes keep beside the facts: an idea's votes, per-segment
// demand and trend score (from idea_votes) and its comment count (visible
// comments), a review's helpful count (from
// review_votes), a product's rating count, sum and histogram (from its
// visible reviews), moderation's case and record counters (from flags and
// cases), a person's unread notifications, and loyalty's likes, reputation,
// rollups and badges (see repairLoyalty). A write is the fact first and its counter after (see the
// package doc), so a node that dies between the two steps leaves a counter
// one short; re-running the write cannot tell. RepairCounters finds every
// such difference and, with fix, writes the recomputed value. It returns
// one line per difference. Ideas in the middle of a merge are left to the
// merge's own re-run.
func (db *DB) RepairCounters(ctx context.Context, fix bool) ([]string, error) {
	var out []string
	for _, step := range []func(context.Context, bool) ([]string, error){db.repairIdeas, db.repairHelpful, db.repairRatings, db.repairModeration, db.repairUnread, db.repairLoyalty} {
		lines, err := step(ctx, fix)
		if err != nil {
			return out, err
		}
		out = append(out, lines...)
	}
	return out, nil
}

// countBy counts the documents of a collection that match filter, per
// value of field ("$name").
func countBy(ctx context.Context, coll *mongo.Collection, filter bson.D, field string) (map[string]int, error) {
	return sumBy(ctx, coll, filter, field, 1)
}

func (db *DB) repairIdeas(ctx context.Context, fix bool) ([]string, error) {
	// One pass over the votes: count per idea and segment.
	cur, err := db.ideaVotes().Aggregate(ctx, bson.A{
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: bson.D{{Key: "idea", Value: "$idea_id"}, {Key: "seg", Value: "$segment_id"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID struct {
			Idea string `bson:"idea"`
			Seg  string `bson:"seg"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	want := map[string]map[string]int{} // idea → segment key → votes
	for _, r := range rows {
		if want[r.ID.Idea] == nil {
			want[r.ID.Idea] = map[string]int{}
		}
		want[r.ID.Idea][segKey(r.ID.Seg)] += r.N
	}

	comments, err := countBy(ctx, db.ideaComments(), visibleComment, "$idea_id")
	if err != nil {
		return nil, err
	}

	ideasCur, err := db.ideas().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	defer ideasCur.Close(ctx)
	var out []string
	for ideasCur.Next(ctx) {
		var d ideaDoc
		if err := ideasCur.Decode(&d); err != nil {
			return out, err
		}
		if d.Merging != "" {
			continue
		}
		segs, total := want[d.ID], 0
		for _, n := range segs {
			total += n
		}
		have := map[string]int{}
		for k, n := range d.SegVotes {
			if n != 0 {
				have[k] = n
			}
		}
		if n := comments[d.ID]; d.Comments != n {
			out = append(out, fmt.Sprintf("idea %s: %d comments counted, %d visible comments", d.ID, d.Comments, n))
			if fix {
				if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "comments", Value: n}}}}); err != nil {
					return out, err
				}
			}
		}
		if d.Votes == total && maps.Equal(have, nonNil(segs)) {
			continue
		}
		out = append(out, fmt.Sprintf("idea %s: %d votes counted, %d vote documents", d.ID, d.Votes, total))
		if !fix {
			continue
		}
		trend, err := db.recomputeTrend(ctx, d.ID)
		if err != nil {
			return out, err
		}
		seg := bson.D{}
		for k, n := range segs {
			seg = append(seg, bson.E{Key: k, Value: n})
		}
		if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "votes", Value: total}, {Key: "seg_votes", Value: seg}, {Key: "trend", Value: trend}}}}); err != nil {
			return out, err
		}
	}
	return out, ideasCur.Err()
}

func nonNil(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

func (db *DB) repairHelpful(ctx context.Context, fix bool) ([]string, error) {
	counts, err := countBy(ctx, db.reviewVotes(), bson.D{}, "$review_id")
	if err != nil {
		return nil, err
	}
	cur, err := db.reviews().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []string
	for cur.Next(ctx) {
		var r reviewDoc
		if err := cur.Decode(&r); err != nil {
			return out, err
		}
		if n := counts[r.ID]; r.Helpful != n {
			out = append(out, fmt.Sprintf("review %s: %d helpful counted, %d votes", r.ID, r.Helpful, n))
			if fix {
				if _, err := db.reviews().UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "helpful", Value: n}}}}); err != nil {
					return out, err
				}
			}
		}
	}
	return out, cur.Err()
}

func (db *DB) repairRatings(ctx context.Context, fix bool) ([]string, error) {
	// Each product's reviews per star rating, then count and sum from those.
	cur, err := db.reviews().Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}}}}, // hidden ones count nowhere
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: bson.D{{Key: "product", Value: "$product_id"}, {Key: "stars", Value: "$rating"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID struct {
			Product string `bson:"product"`
			Stars   int    `bson:"stars"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	want := map[string]ratingDoc{}
	for _, r := range rows {
		w := want[r.ID.Product]
		if w.Stars == nil {
			w.Stars = map[string]int{}
		}
		w.Count += r.N
		w.Sum += r.N * r.ID.Stars
		w.Stars[strconv.Itoa(r.ID.Stars)] += r.N
		want[r.ID.Product] = w
	}
	pcur, err := db.products().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	defer pcur.Close(ctx)
	var out []string
	for pcur.Next(ctx) {
		var p productDoc
		if err := pcur.Decode(&p); err != nil {
			return out, err
		}
		w := want[p.ID]
		same := p.Rating.Count == w.Count && p.Rating.Sum == w.Sum
		for s := 1; s <= 5; s++ {
			k := strconv.Itoa(s)
			same = same && p.Rating.Stars[k] == w.Stars[k]
		}
		if same {
			continue
		}
		out = append(out, fmt.Sprintf("product %s: rating %d/%d counted, %d reviews summing %d", p.ID, p.Rating.Count, p.Rating.Sum, w.Count, w.Sum))
		if !fix {
			continue
		}
		stars := bson.D{}
		for s := 1; s <= 5; s++ {
			stars = append(stars, bson.E{Key: strconv.Itoa(s), Value: w.Stars[strconv.Itoa(s)]})
		}
		if _, err := db.products().UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "rating", Value: bson.D{{Key: "count", Value: w.Count}, {Key: "sum", Value: w.Sum}, {Key: "stars", Value: stars}}}}}}); err != nil {
			return out, err
		}
	}
	return out, pcur.Err()
}
