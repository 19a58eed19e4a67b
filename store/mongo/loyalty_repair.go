package mongo

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// repairLoyalty recomputes what loyalty keeps beside its facts, in an
// order where each fix feeds the next: like counts and likes per author
// and day (from likes), a thread's accepted author, each person's
// reputation from their ledger, then the ledger against what the facts
// earn (a difference gets an "adjusted" entry, which keeps every point
// explained), the leaderboard rollups from the ledger, and the badges'
// holder counts, VIP marks and highlights.
func (db *DB) repairLoyalty(ctx context.Context, fix bool) ([]string, error) {
	var out []string
	for _, step := range []func(context.Context, bool) ([]string, error){
		db.repairLikeCounts, db.repairLikeDays, db.repairAcceptedAuthors, db.repairReputation, db.repairEarned,
		db.repairRollups, db.repairBadges,
	} {
		lines, err := step(ctx, fix)
		out = append(out, lines...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// sumBy sums value (a field "$name", or 1 to count) over the documents of
// coll matching filter, per value of key ("$name").
func sumBy(ctx context.Context, coll *mongo.Collection, filter bson.D, key string, value any) (map[string]int, error) {
	cur, err := coll.Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: filter}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: key}, {Key: "n", Value: bson.D{{Key: "$sum", Value: value}}}}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

func (db *DB) repairLikeCounts(ctx context.Context, fix bool) ([]string, error) {
	var out []string
	for _, kind := range []string{loyalty.KindPost, loyalty.KindComment} {
		want, err := countBy(ctx, db.likes(), bson.D{{Key: "kind", Value: kind}}, "$target_id")
		if err != nil {
			return out, err
		}
		coll := db.likeCounter(kind)
		// Every counted item, and every item with likes.
		have := map[string]int{}
		cur, err := coll.Find(ctx, bson.D{{Key: "likes", Value: bson.D{{Key: "$ne", Value: 0}, {Key: "$exists", Value: true}}}},
			options.Find().SetProjection(bson.D{{Key: "likes", Value: 1}}))
		if err != nil {
			return out, err
		}
		var docs []struct {
			ID    string `bson:"_id"`
			Likes int    `bson:"likes"`
		}
		if err := cur.All(ctx, &docs); err != nil {
			return out, err
		}
		for _, d := range docs {
			have[d.ID] = d.Likes
		}
		for target := range want {
			if _, ok := have[target]; !ok {
				have[target] = 0
			}
		}
		for _, target := range sortedKeys(have) {
			if have[target] == want[target] {
				continue
			}
			out = append(out, fmt.Sprintf("%s %s: %d likes counted, %d likes", kind, target, have[target], want[target]))
			if fix {
				if _, err := coll.UpdateOne(ctx, id(target), bson.D{{Key: "$set", Value: bson.D{{Key: "likes", Value: want[target]}}}}); err != nil {
					return out, err
				}
			}
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// likesPerDay counts the likes each author received per day, keyed
// author:day as like_days is.
func (db *DB) likesPerDay(ctx context.Context) (map[string]int, error) {
	cur, err := db.likes().Aggregate(ctx, bson.A{
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: bson.D{{Key: "a", Value: "$author_id"}, {Key: "d", Value: "$day"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID struct {
			A string `bson:"a"`
			D string `bson:"d"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.ID.A+":"+r.ID.D] = r.N
	}
	return out, nil
}

func (db *DB) repairLikeDays(ctx context.Context, fix bool) ([]string, error) {
	want, err := db.likesPerDay(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := db.likeDays().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID     string `bson:"_id"`
		UserID string `bson:"user_id"`
		Day    string `bson:"day"`
		Likes  int    `bson:"likes"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	have := map[string]int{}
	for _, d := range docs {
		have[d.ID] = d.Likes
	}
	for k := range want {
		if _, ok := have[k]; !ok {
			have[k] = 0
		}
	}
	var out []string
	for _, k := range sortedKeys(have) {
		if have[k] == want[k] {
			continue
		}
		out = append(out, fmt.Sprintf("likes of %s: %d counted, %d likes", k, have[k], want[k]))
		if !fix {
			continue
		}
		var err error
		if want[k] == 0 {
			_, err = db.likeDays().DeleteOne(ctx, id(k))
		} else {
			author, day := k[:len(k)-11], k[len(k)-10:]
			_, err = db.likeDays().UpdateOne(ctx, id(k), bson.D{{Key: "$set", Value: bson.D{{Key: "likes", Value: want[k]},
				{Key: "user_id", Value: author}, {Key: "day", Value: day}}}}, options.UpdateOne().SetUpsert(true))
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// repairAcceptedAuthors sets the accepted author of threads accepted
// before it was kept, or left behind by an interrupted write.
func (db *DB) repairAcceptedAuthors(ctx context.Context, fix bool) ([]string, error) {
	cur, err := db.forumThreads().Find(ctx, bson.D{{Key: "accepted_post_id", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "accepted_post_id", Value: 1}, {Key: "accepted_author_id", Value: 1}, {Key: "accepts", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var ts []threadDoc
	if err := cur.All(ctx, &ts); err != nil {
		return nil, err
	}
	var postIDs []string
	for _, t := range ts {
		postIDs = append(postIDs, t.AcceptedID)
	}
	posts, err := db.postsByID(ctx, idIn(postIDs))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range ts {
		author := posts[t.AcceptedID].AuthorID
		if t.AcceptedAuthorID == author && t.Accepts > 0 {
			continue
		}
		out = append(out, fmt.Sprintf("thread %s: accepted answer by %q recorded as by %q", t.ID, author, t.AcceptedAuthorID))
		if fix {
			if _, err := db.forumThreads().UpdateOne(ctx, id(t.ID), bson.D{{Key: "$set", Value: bson.D{{Key: "accepted_author_id", Value: author},
				{Key: "accepts", Value: max(t.Accepts, 1)}}}}); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// ledgerSums is each person's ledger total.
func (db *DB) ledgerSums(ctx context.Context) (map[string]int, error) {
	return sumBy(ctx, db.reputationEvents(), bson.D{}, "$user_id", "$points")
}

// repairReputation makes each person's total their ledger's sum: an entry
// written without its $inc (a node that stopped between them).
func (db *DB) repairReputation(ctx context.Context, fix bool) ([]string, error) {
	sums, err := db.ledgerSums(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := db.users.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "reputation", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var users []userDoc
	if err := cur.All(ctx, &users); err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		if u.Reputation == sums[u.ID] {
			continue
		}
		out = append(out, fmt.Sprintf("user %s: reputation %d counted, ledger sums to %d", u.ID, u.Reputation, sums[u.ID]))
		if fix {
			if _, err := db.users.UpdateOne(ctx, id(u.ID), bson.D{{Key: "$set", Value: bson.D{{Key: "reputation", Value: sums[u.ID]}}}}); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// earned is what each person's facts earn them, by the loyalty rules.
func (db *DB) earned(ctx context.Context) (map[string]int, error) {
	want := map[string]int{}
	cur, err := db.forumThreads().Find(ctx, bson.D{{Key: "accepted_post_id", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "author_id", Value: 1}, {Key: "accepted_author_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var ts []threadDoc
	if err := cur.All(ctx, &ts); err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.AcceptedAuthorID != t.AuthorID {
			want[t.AcceptedAuthorID] += loyalty.PointsAccepted
		}
	}
	days, err := db.likesPerDay(ctx)
	if err != nil {
		return nil, err
	}
	for k, n := range days {
		want[k[:len(k)-11]] += loyalty.LikeDayPoints(n)
	}
	votes, err := countBy(ctx, db.reviewVotes(), bson.D{}, "$review_id")
	if err != nil {
		return nil, err
	}
	if len(votes) > 0 {
		rc, err := db.reviews().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: sortedKeys(votes)}}}},
			options.Find().SetProjection(bson.D{{Key: "author_id", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var rs []reviewDoc
		if err := rc.All(ctx, &rs); err != nil {
			return nil, err
		}
		for _, r := range rs {
			want[r.AuthorID] += votes[r.ID] * loyalty.PointsHelpful
		}
	}
	ic, err := db.ideas().Find(ctx, bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{
		string(ideas.StatusPlanned), string(ideas.StatusInProgress), string(ideas.StatusDone)}}}}},
		options.Find().SetProjection(bson.D{{Key: "author_id", Value: 1}, {Key: "status", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var is []ideaDoc
	if err := ic.All(ctx, &is); err != nil {
		return nil, err
	}
	for _, i := range is {
		want[i.AuthorID] += loyalty.StatusPoints(ideas.Status(i.Status))
	}
	return want, nil
}

// repairEarned compares each person's ledger with what their facts earn;
// a difference (a fact whose entry was never written) is corrected with
// an adjusted entry, so the ledger still explains every point.
func (db *DB) repairEarned(ctx context.Context, fix bool) ([]string, error) {
	want, err := db.earned(ctx)
	if err != nil {
		return nil, err
	}
	have, err := db.ledgerSums(ctx)
	if err != nil {
		return nil, err
	}
	for u := range want {
		if _, ok := have[u]; !ok {
			have[u] = 0
		}
	}
	var out []string
	for _, u := range sortedKeys(have) {
		if have[u] == want[u] {
			continue
		}
		out = append(out, fmt.Sprintf("user %s: ledger sums to %d, the facts earn %d", u, have[u], want[u]))
		if fix {
			if err := db.credit(ctx, db.now(), loyalty.Adjusted(townhall.NewID(), u, want[u]-have[u])); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// repairRollups regroups the whole ledger into rollups with
// loyalty.Entry.Rollups and sets the counters that differ.
func (db *DB) repairRollups(ctx context.Context, fix bool) ([]string, error) {
	want := map[string]loyalty.Rollup{}
	cur, err := db.reputationEvents().Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}, {Key: "points", Value: 1},
		{Key: "category_id", Value: 1}, {Key: "segment_id", Value: 1}, {Key: "day", Value: 1}}))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d eventDoc
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		for _, r := range d.entry().Rollups() {
			k := rollupKey(r)
			w := want[k]
			w.Period, w.Scope, w.UserID = r.Period, r.Scope, r.UserID
			w.Points += r.Points
			want[k] = w
		}
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	rc, err := db.reputationRollups().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []rollupDoc
	if err := rc.All(ctx, &docs); err != nil {
		return nil, err
	}
	have := map[string]int{}
	for _, d := range docs {
		have[d.ID] = d.Points
	}
	for k := range want {
		if _, ok := have[k]; !ok {
			have[k] = 0
		}
	}
	var out []string
	for _, k := range sortedKeys(have) {
		w := want[k]
		if have[k] == w.Points {
			continue
		}
		out = append(out, fmt.Sprintf("leaderboard %s: %d counted, the ledger says %d", k, have[k], w.Points))
		if fix {
			if _, err := db.reputationRollups().ReplaceOne(ctx, id(k), rollupDoc{k, w.Period, w.Scope, w.UserID, w.Points},
				options.Replace().SetUpsert(true)); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// repairBadges recounts holders and sets VIP marks and highlights from the
// badges held.
func (db *DB) repairBadges(ctx context.Context, fix bool) ([]string, error) {
	cur, err := db.userBadges().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var awards []awardDoc
	if err := cur.All(ctx, &awards); err != nil {
		return nil, err
	}
	counts, held := map[string]int{}, map[string][]string{}
	for _, a := range awards {
		counts[a.Badge]++
		held[a.UserID] = append(held[a.UserID], a.Badge)
	}
	stored, err := db.BadgeCounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, b := range loyalty.Badges {
		if stored[b.Slug] == counts[b.Slug] {
			continue
		}
		out = append(out, fmt.Sprintf("badge %s: %d holders counted, %d hold it", b.Slug, stored[b.Slug], counts[b.Slug]))
		if fix {
			if _, err := db.badgeCounts().UpdateOne(ctx, id(b.Slug), bson.D{{Key: "$set", Value: bson.D{{Key: "holders", Value: counts[b.Slug]}}}},
				options.UpdateOne().SetUpsert(true)); err != nil {
				return out, err
			}
		}
	}
	uc, err := db.users.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "badge", Value: 1}, {Key: "badge_chosen", Value: 1}, {Key: "champion", Value: 1}}))
	if err != nil {
		return out, err
	}
	var users []userDoc
	if err := uc.All(ctx, &users); err != nil {
		return out, err
	}
	for _, u := range users {
		mine := held[u.ID]
		champion := slices.Contains(mine, loyalty.Champion)
		badge, chosen := u.Badge, u.BadgeChosen
		if !chosen || !slices.Contains(mine, badge) {
			badge, chosen = loyalty.Highest(mine), false
		}
		if u.Champion == champion && u.Badge == badge {
			continue
		}
		out = append(out, fmt.Sprintf("user %s: badge %q and VIP mark %v, their badges say %q and %v", u.ID, u.Badge, u.Champion, badge, champion))
		if fix {
			if _, err := db.users.UpdateOne(ctx, id(u.ID), bson.D{{Key: "$set", Value: bson.D{{Key: "badge", Value: badge},
				{Key: "badge_chosen", Value: chosen}, {Key: "champion", Value: champion}}}}); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}
