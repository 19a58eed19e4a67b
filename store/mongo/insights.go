package mongo

import (
	"context"
	"slices"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/insights"
)

// The insights read each fact by its creation time through an index of
// its own, then fetch what the facts refer to (threads' replies, ideas,
// products, authors' segments) by _id with $in, so a day's scan is a few
// bounded queries. Rollup rows live in insight_rows under their key.
func init() {
	registerIndexes(func(db *DB) []index {
		created := bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}
		newest := bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}
		return []index{
			{db.forumThreads(), "created", created, false, false},
			{db.forumPosts(), "created", created, false, false},
			{db.ideas(), "created", created, false, false},
			{db.ideaStatus(), "at", bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.ideaVotes(), "created", created, false, false},
			{db.reviews(), "created", created, false, false},
			{db.reviews(), "low", append(bson.D{{Key: "rating", Value: 1}}, newest...), false, false},
			{db.reviews(), "product_low", append(bson.D{{Key: "product_id", Value: 1}, {Key: "rating", Value: 1}}, newest...), false, false},
			{db.users, "created", created, false, false},
			{db.users, "seen", bson.D{{Key: "last_seen_at", Value: 1}}, false, false},
		}
	})
}

var _ insights.Store = (*DB)(nil)

func (db *DB) insightRows() *mongo.Collection { return db.db.Collection("insight_rows") }

// inRange filters field to [from, to).
func inRange(field string, from, to time.Time) bson.E {
	return bson.E{Key: field, Value: bson.D{{Key: "$gte", Value: ms(from)}, {Key: "$lt", Value: ms(to)}}}
}

// findDocs runs a query and decodes every document into T.
func findDocs[T any](ctx context.Context, c *mongo.Collection, filter any, opts ...options.Lister[options.FindOptions]) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts...)
	if err != nil {
		return nil, err
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func byCreated() options.Lister[options.FindOptions] {
	return options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}})
}

// segmentsOf maps user ids to their current segments ("" for none).
func (db *DB) segmentsOf(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	docs, err := findDocs[struct {
		ID        string `bson:"_id"`
		SegmentID string `bson:"segment_id"`
	}](ctx, db.users, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: distinct(ids)}}}},
		options.Find().SetProjection(bson.D{{Key: "segment_id", Value: 1}}))
	for _, d := range docs {
		out[d.ID] = d.SegmentID
	}
	return out, err
}

func distinct(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return slices.Compact(s)
}

// InsightThreads implements insights.Store: the day's threads by time,
// then their visible replies in one query for the first reply and the
// accepted answer.
func (db *DB) InsightThreads(ctx context.Context, from, to time.Time) ([]insights.Thread, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	threads, err := findDocs[threadDoc](ctx, db.forumThreads(), bson.D{inRange("created_at", from, to), {Key: "hidden", Value: false}}, byCreated())
	if err != nil || len(threads) == 0 {
		return nil, err
	}
	cats, err := findDocs[categoryDoc](ctx, db.forumCategories(), bson.D{})
	if err != nil {
		return nil, err
	}
	questions := map[string]bool{}
	for _, c := range cats {
		questions[c.ID] = c.Questions
	}
	ids, authors := make([]string, len(threads)), make([]string, len(threads))
	for i, t := range threads {
		ids[i], authors[i] = t.ID, t.AuthorID
	}
	segs, err := db.segmentsOf(ctx, authors)
	if err != nil {
		return nil, err
	}
	replies, err := findDocs[postDoc](ctx, db.forumPosts(), bson.D{{Key: "thread_id", Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}}, {Key: "hidden", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "thread_id", Value: 1}, {Key: "position", Value: 1}, {Key: "author_id", Value: 1}, {Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, err
	}
	byThread := map[string][]postDoc{}
	for _, p := range replies {
		byThread[p.ThreadID] = append(byThread[p.ThreadID], p)
	}
	out := make([]insights.Thread, len(threads))
	for i, t := range threads {
		x := insights.Thread{ID: t.ID, AuthorID: t.AuthorID, SegmentID: segs[t.AuthorID], Question: questions[t.CategoryID], CreatedAt: fromMS(t.CreatedAt)}
		ps := byThread[t.ID]
		sort.Slice(ps, func(a, b int) bool { return ps[a].Position < ps[b].Position })
		for _, p := range ps {
			if p.AuthorID != t.AuthorID {
				x.FirstReplyAt = fromMS(p.CreatedAt)
				break
			}
		}
		for _, p := range ps {
			if p.ID == t.AcceptedID {
				x.SolvedAt = fromMS(p.CreatedAt)
			}
		}
		out[i] = x
	}
	return out, nil
}

// InsightReplies implements insights.Store.
func (db *DB) InsightReplies(ctx context.Context, from, to time.Time) ([]insights.Reply, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	posts, err := findDocs[postDoc](ctx, db.forumPosts(), bson.D{inRange("created_at", from, to),
		{Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}}, {Key: "hidden", Value: false}}, byCreated(),
	)
	if err != nil || len(posts) == 0 {
		return nil, err
	}
	tids, authors := make([]string, len(posts)), make([]string, len(posts))
	for i, p := range posts {
		tids[i], authors[i] = p.ThreadID, p.AuthorID
	}
	threads, err := findDocs[threadDoc](ctx, db.forumThreads(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: distinct(tids)}}}, {Key: "hidden", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "accepted_post_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	accepted := map[string]string{}
	for _, t := range threads {
		accepted[t.ID] = t.AcceptedID
	}
	segs, err := db.segmentsOf(ctx, authors)
	if err != nil {
		return nil, err
	}
	var out []insights.Reply
	for _, p := range posts {
		acc, ok := accepted[p.ThreadID]
		if !ok {
			continue // in a hidden thread
		}
		out = append(out, insights.Reply{ID: p.ID, ThreadID: p.ThreadID, AuthorID: p.AuthorID, SegmentID: segs[p.AuthorID],
			Accepted: acc == p.ID, CreatedAt: fromMS(p.CreatedAt)})
	}
	return out, nil
}

// statusesOf returns the status changes of ideas, oldest first by idea.
func (db *DB) statusesOf(ctx context.Context, ids []string) (map[string][]statusChangeDoc, error) {
	docs, err := findDocs[statusChangeDoc](ctx, db.ideaStatus(), bson.D{{Key: "idea_id", Value: bson.D{{Key: "$in", Value: distinct(ids)}}}},
		options.Find().SetProjection(bson.D{{Key: "idea_id", Value: 1}, {Key: "from", Value: 1}, {Key: "to", Value: 1}, {Key: "at", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := map[string][]statusChangeDoc{}
	for _, d := range docs {
		out[d.IdeaID] = append(out[d.IdeaID], d)
	}
	for _, l := range out {
		sort.Slice(l, func(a, b int) bool { return l[a].At < l[b].At || l[a].At == l[b].At && l[a].ID < l[b].ID })
	}
	return out, nil
}

// InsightIdeas implements insights.Store.
func (db *DB) InsightIdeas(ctx context.Context, from, to time.Time) ([]insights.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[ideaDoc](ctx, db.ideas(), bson.D{inRange("created_at", from, to), {Key: "listed", Value: true}}, byCreated(),
		options.Find().SetProjection(bson.D{{Key: "author_id", Value: 1}, {Key: "status", Value: 1}, {Key: "created_at", Value: 1}, {Key: "responded_at", Value: 1}}))
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	ids, authors := make([]string, len(docs)), make([]string, len(docs))
	for i, d := range docs {
		ids[i], authors[i] = d.ID, d.AuthorID
	}
	segs, err := db.segmentsOf(ctx, authors)
	if err != nil {
		return nil, err
	}
	changes, err := db.statusesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]insights.Idea, len(docs))
	for i, d := range docs {
		x := insights.Idea{ID: d.ID, AuthorID: d.AuthorID, SegmentID: segs[d.AuthorID], Status: ideas.Status(d.Status), CreatedAt: fromMS(d.CreatedAt)}
		if d.RespondedAt != 0 {
			x.RespondedAt = fromMS(d.RespondedAt)
		}
		for _, c := range changes[d.ID] {
			x.Entered = append(x.Entered, ideas.Status(c.To))
		}
		out[i] = x
	}
	return out, nil
}

// InsightStatusChanges implements insights.Store.
func (db *DB) InsightStatusChanges(ctx context.Context, from, to time.Time) ([]insights.StatusChange, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[statusChangeDoc](ctx, db.ideaStatus(), bson.D{inRange("at", from, to)},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.IdeaID
	}
	idocs, err := findDocs[ideaDoc](ctx, db.ideas(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: distinct(ids)}}}, {Key: "listed", Value: true}},
		options.Find().SetProjection(bson.D{{Key: "title", Value: 1}, {Key: "author_id", Value: 1}, {Key: "status", Value: 1}, {Key: "votes", Value: 1}, {Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, err
	}
	byID := map[string]ideaDoc{}
	authors := []string{}
	for _, d := range idocs {
		byID[d.ID] = d
		authors = append(authors, d.AuthorID)
	}
	segs, err := db.segmentsOf(ctx, authors)
	if err != nil {
		return nil, err
	}
	history, err := db.statusesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []insights.StatusChange
	for _, c := range docs {
		i, ok := byID[c.IdeaID]
		if !ok {
			continue // hidden or merged
		}
		since := i.CreatedAt
		for _, h := range history[c.IdeaID] {
			if h.ID == c.ID {
				break
			}
			since = h.At
		}
		out = append(out, insights.StatusChange{IdeaID: c.IdeaID, Title: i.Title, SegmentID: segs[i.AuthorID], From: ideas.Status(c.From), To: ideas.Status(c.To),
			At: fromMS(c.At), Since: fromMS(since), Status: ideas.Status(i.Status), Votes: i.Votes})
	}
	return out, nil
}

// InsightVotes implements insights.Store.
func (db *DB) InsightVotes(ctx context.Context, from, to time.Time) ([]insights.Vote, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	votes, err := findDocs[ideaVoteDoc](ctx, db.ideaVotes(), bson.D{inRange("created_at", from, to)},
		options.Find().SetProjection(bson.D{{Key: "idea_id", Value: 1}, {Key: "segment_id", Value: 1}, {Key: "created_at", Value: 1}}))
	if err != nil || len(votes) == 0 {
		return nil, err
	}
	ids := make([]string, len(votes))
	for i, v := range votes {
		ids[i] = v.IdeaID
	}
	listed, err := findDocs[struct {
		ID string `bson:"_id"`
	}](ctx, db.ideas(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: distinct(ids)}}}, {Key: "listed", Value: true}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	visible := map[string]bool{}
	for _, d := range listed {
		visible[d.ID] = true
	}
	var out []insights.Vote
	for _, v := range votes {
		if visible[v.IdeaID] {
			out = append(out, insights.Vote{SegmentID: v.SegmentID, CreatedAt: fromMS(v.CreatedAt)})
		}
	}
	return out, nil
}

// reviewFacts turns review documents into the insights' reviews, with
// their products and authors.
func (db *DB) reviewFacts(ctx context.Context, docs []reviewDoc) ([]insights.LowReview, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	pids, authors := make([]string, len(docs)), make([]string, len(docs))
	for i, d := range docs {
		pids[i], authors[i] = d.ProductID, d.AuthorID
	}
	products, err := findDocs[productDoc](ctx, db.products(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: distinct(pids)}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "slug", Value: 1}}))
	if err != nil {
		return nil, err
	}
	byID := map[string]productDoc{}
	for _, p := range products {
		byID[p.ID] = p
	}
	users, err := findDocs[userDoc](ctx, db.users, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: distinct(authors)}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "segment_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	people := map[string]userDoc{}
	for _, u := range users {
		people[u.ID] = u
	}
	out := make([]insights.LowReview, len(docs))
	for i, d := range docs {
		p, u := byID[d.ProductID], people[d.AuthorID]
		r := insights.Review{ID: d.ID, ProductID: d.ProductID, ProductName: p.Name, ProductSlug: p.Slug, AuthorID: d.AuthorID,
			SegmentID: u.SegmentID, Rating: d.Rating, CreatedAt: fromMS(d.CreatedAt)}
		if d.Response != nil {
			r.RespondedAt = fromMS(d.Response.CreatedAt)
		}
		out[i] = insights.LowReview{Review: r, Title: d.Title, AuthorName: u.Name}
	}
	return out, nil
}

// InsightReviews implements insights.Store.
func (db *DB) InsightReviews(ctx context.Context, from, to time.Time) ([]insights.Review, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[reviewDoc](ctx, db.reviews(), bson.D{inRange("created_at", from, to)}, byCreated(),
		options.Find().SetProjection(bson.D{{Key: "body", Value: 0}, {Key: "body_html", Value: 0}}))
	if err != nil {
		return nil, err
	}
	low, err := db.reviewFacts(ctx, docs)
	out := make([]insights.Review, len(low))
	for i, l := range low {
		out[i] = l.Review
	}
	return out, err
}

// InsightLowestReviews implements insights.Store: one walk of the
// (rating, time) index per rating, lowest first, until the list is full.
func (db *DB) InsightLowestReviews(ctx context.Context, since time.Time, productID string, limit int) ([]insights.LowReview, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var docs []reviewDoc
	for rating := 1; rating <= 5 && len(docs) < limit; rating++ {
		f := bson.D{{Key: "rating", Value: rating}, {Key: "created_at", Value: bson.D{{Key: "$gte", Value: ms(since)}}}}
		if productID != "" {
			f = append(bson.D{{Key: "product_id", Value: productID}}, f...)
		}
		page, err := findDocs[reviewDoc](ctx, db.reviews(), f, options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
			SetLimit(int64(limit-len(docs))).SetProjection(bson.D{{Key: "body", Value: 0}, {Key: "body_html", Value: 0}}))
		if err != nil {
			return nil, err
		}
		docs = append(docs, page...)
	}
	return db.reviewFacts(ctx, docs)
}

// countUsers counts the users a filter selects, by segment.
func (db *DB) countUsers(ctx context.Context, filter bson.D) (map[string]int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.users.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: filter}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$segment_id"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, err
	}
	var groups []struct {
		ID *string `bson:"_id"`
		N  int     `bson:"n"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, g := range groups {
		seg := ""
		if g.ID != nil {
			seg = *g.ID
		}
		out[seg] += g.N
	}
	return out, nil
}

// InsightNewMembers implements insights.Store.
func (db *DB) InsightNewMembers(ctx context.Context, from, to time.Time) ([]insights.Member, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[userDoc](ctx, db.users, bson.D{inRange("created_at", from, to)}, byCreated(),
		options.Find().SetProjection(bson.D{{Key: "segment_id", Value: 1}, {Key: "created_at", Value: 1}}))
	out := make([]insights.Member, len(docs))
	for i, d := range docs {
		out[i] = insights.Member{ID: d.ID, SegmentID: d.SegmentID, CreatedAt: fromMS(d.CreatedAt)}
	}
	return out, err
}

// InsightMembers implements insights.Store.
func (db *DB) InsightMembers(ctx context.Context) (map[string]int, error) {
	return db.countUsers(ctx, bson.D{})
}

// InsightSeenSince implements insights.Store.
func (db *DB) InsightSeenSince(ctx context.Context, since time.Time) (map[string]int, error) {
	return db.countUsers(ctx, bson.D{{Key: "last_seen_at", Value: bson.D{{Key: "$gte", Value: max(ms(since), 1)}}}})
}

// InsightVisits implements insights.Store: the visits by day through the
// (day, user) index, in batches whose members' segments are fetched
// together.
func (db *DB) InsightVisits(ctx context.Context, fromDay, toDay string, fn func(insights.Visit) error) error {
	cur, err := db.visits().Find(ctx, bson.D{{Key: "day", Value: bson.D{{Key: "$gte", Value: fromDay}, {Key: "$lte", Value: toDay}}}},
		options.Find().SetSort(bson.D{{Key: "day", Value: 1}, {Key: "user_id", Value: 1}}).SetProjection(bson.D{{Key: "day", Value: 1}, {Key: "user_id", Value: 1}}).SetBatchSize(2000))
	if err != nil {
		return err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	segs := map[string]string{}
	var batch []visitDoc
	flush := func() error {
		var unknown []string
		for _, v := range batch {
			if _, ok := segs[v.UserID]; !ok {
				unknown = append(unknown, v.UserID)
			}
		}
		if len(unknown) > 0 {
			found, err := db.segmentsOf(ctx, unknown)
			if err != nil {
				return err
			}
			for _, id := range unknown {
				segs[id] = found[id]
			}
		}
		for _, v := range batch {
			if err := fn(insights.Visit{Day: v.Day, UserID: v.UserID, SegmentID: segs[v.UserID]}); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for cur.Next(ctx) {
		var v visitDoc
		if err := cur.Decode(&v); err != nil {
			return err
		}
		batch = append(batch, v)
		if len(batch) == 2000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := cur.Err(); err != nil {
		return err
	}
	return flush()
}

// InsightCohort implements insights.Store: the cohort by join time, then
// which of its members visited, through the (user, day) index.
func (db *DB) InsightCohort(ctx context.Context, from, to time.Time, fromDay, toDay string) (joined, active int, err error) {
	ctx, cancel := op(ctx)
	defer cancel()
	users, err := findDocs[struct {
		ID string `bson:"_id"`
	}](ctx, db.users, bson.D{inRange("created_at", from, to)}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil || fromDay == "" || len(users) == 0 {
		return len(users), 0, err
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	res := db.visits().Distinct(ctx, "user_id", bson.D{{Key: "user_id", Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: "day", Value: bson.D{{Key: "$gte", Value: fromDay}, {Key: "$lte", Value: toDay}}}})
	var back []string
	if err := res.Decode(&back); err != nil {
		return 0, 0, err
	}
	return len(users), len(back), nil
}

// InsightTopDemand implements insights.Store. Per-segment vote counts live
// in each idea's seg_votes, which no index can order by, so this reads the
// listed ideas still in play once (the pass runs it every 15 minutes) and
// keeps the top of each segment.
func (db *DB) InsightTopDemand(ctx context.Context, limit int) (map[string][]insights.DemandIdea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideas().Find(ctx, bson.D{{Key: "listed", Value: true},
		{Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{string(ideas.StatusDone), string(ideas.StatusDeclined)}}}}},
		options.Find().SetProjection(bson.D{{Key: "title", Value: 1}, {Key: "status", Value: 1}, {Key: "votes", Value: 1}, {Key: "seg_votes", Value: 1}}))
	if err != nil {
		return nil, err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	out := map[string][]insights.DemandIdea{}
	for cur.Next(ctx) {
		var d ideaDoc
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		for k, n := range d.SegVotes {
			if n <= 0 {
				continue
			}
			seg := k
			if k == segNone {
				seg = ""
			}
			list := append(out[seg], insights.DemandIdea{ID: d.ID, Title: d.Title, Status: ideas.Status(d.Status), Votes: n, TotalVotes: d.Votes})
			sort.Slice(list, func(a, b int) bool {
				return list[a].Votes > list[b].Votes || list[a].Votes == list[b].Votes && list[a].ID > list[b].ID
			})
			out[seg] = list[:min(len(list), limit)]
		}
	}
	return out, cur.Err()
}

type insightRowDoc struct {
	Key       string `bson:"_id"`
	Data      []byte `bson:"data"`
	UpdatedAt int64  `bson:"updated_at"`
}

// PutInsightRows implements insights.Store.
func (db *DB) PutInsightRows(ctx context.Context, rows []insights.Row) error {
	if len(rows) == 0 {
		return nil
	}
	ctx, cancel := op(ctx)
	defer cancel()
	models := make([]mongo.WriteModel, len(rows))
	for i, r := range rows {
		models[i] = mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: r.Key}}).
			SetReplacement(insightRowDoc{r.Key, r.Data, ms(r.UpdatedAt)}).SetUpsert(true)
	}
	_, err := db.insightRows().BulkWrite(ctx, models)
	return err
}

// InsightRows implements insights.Store.
func (db *DB) InsightRows(ctx context.Context, from, to string) ([]insights.Row, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[insightRowDoc](ctx, db.insightRows(), bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	out := make([]insights.Row, len(docs))
	for i, d := range docs {
		out[i] = insights.Row{Key: d.Key, Data: d.Data, UpdatedAt: fromMS(d.UpdatedAt)}
	}
	return out, err
}
