package mongo

import (
	"context"
	"html/template"
	"regexp"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Ideas model: an idea document embeds its counters (votes, comments), its
// trend score, its per-segment vote counters (seg_votes: {segment: n}), its
// tags, its title words (for "similar ideas") and its latest official
// response. Votes are documents keyed by "idea:user" (one per person, by
// _id), comments and status changes have collections of their own, paged by
// (idea_id, _id). Tag counts live in idea_tags ({_id: tag, ideas: n}).
//
// The trend score is a log-sum (see ideas.TrendAdd), not a sum, so it cannot
// be $inc'ed: the counter update is a compare-and-set on the score read
// (filter {_id, trend: old}), retried when another vote got there first,
// and it moves votes, trend and the segment counter in that one update.
//
// "listed" (not merged) and "awaiting" (no first response yet) are stored
// flags leading the board and triage indexes, since partial indexes are not
// available on every compatible server.

const segNone = "_" // seg_votes key of voters without a segment

func init() {
	registerIndexes(func(db *DB) []index {
		c := db.ideas()
		var ix []index
		for _, lead := range []string{"listed", "tags"} {
			for _, status := range []bool{false, true} {
				for _, key := range []string{"", "votes", "trend"} {
					keys := bson.D{{Key: lead, Value: 1}}
					name := "board_" + lead
					if lead == "tags" {
						keys = append(keys, bson.E{Key: "listed", Value: 1})
					}
					if status {
						keys = append(keys, bson.E{Key: "status", Value: 1})
						name += "_status"
					}
					if key != "" {
						keys = append(keys, bson.E{Key: key, Value: -1})
						name += "_" + key
					}
					ix = append(ix, index{c, name, append(keys, bson.E{Key: "_id", Value: -1}), false, false})
				}
			}
		}
		return append(ix,
			index{c, "author", bson.D{{Key: "author_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			index{c, "merged_into", bson.D{{Key: "merged_into", Value: 1}}, false, false},
			index{c, "triage", bson.D{{Key: "awaiting", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			index{c, "triage_votes", bson.D{{Key: "awaiting", Value: 1}, {Key: "votes", Value: -1}, {Key: "_id", Value: -1}}, false, false},
			index{c, "words", bson.D{{Key: "words", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			index{db.ideaVotes(), "voter", bson.D{{Key: "user_id", Value: 1}, {Key: "idea_id", Value: -1}}, false, false},
			index{db.ideaVotes(), "idea", bson.D{{Key: "idea_id", Value: 1}}, false, false},
			index{db.ideaComments(), "idea", bson.D{{Key: "idea_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			index{db.ideaStatus(), "idea", bson.D{{Key: "idea_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			index{db.ideaTags(), "popular", bson.D{{Key: "ideas", Value: -1}, {Key: "_id", Value: 1}}, false, false},
		)
	})
	registerDocSource(townhall.KindIdea, docSource{load: loadIdeaDoc, list: func(ctx context.Context, db *DB, after string, limit int) ([]string, error) {
		return listIDs(ctx, db.ideas(), after, limit)
	}})
}

var _ ideas.Store = (*DB)(nil)

func (db *DB) ideas() *mongo.Collection        { return db.db.Collection("ideas") }
func (db *DB) ideaVotes() *mongo.Collection    { return db.db.Collection("idea_votes") }
func (db *DB) ideaComments() *mongo.Collection { return db.db.Collection("idea_comments") }
func (db *DB) ideaStatus() *mongo.Collection   { return db.db.Collection("idea_status_changes") }
func (db *DB) ideaTags() *mongo.Collection     { return db.db.Collection("idea_tags") }

type ideaDoc struct {
	ID          string         `bson:"_id"`
	AuthorID    string         `bson:"author_id"`
	Title       string         `bson:"title"`
	Body        string         `bson:"body"`
	BodyHTML    string         `bson:"body_html"`
	Tags        []string       `bson:"tags"`
	Words       []string       `bson:"words"`
	Status      string         `bson:"status"`
	Votes       int            `bson:"votes"`
	Comments    int            `bson:"comments"`
	Trend       float64        `bson:"trend"`
	SegVotes    map[string]int `bson:"seg_votes"`
	Listed      bool           `bson:"listed"`
	Awaiting    bool           `bson:"awaiting"`
	MergedInto  string         `bson:"merged_into,omitempty"`
	Merging     string         `bson:"merging_into,omitempty"` // a merge in progress (see Merge)
	Response    *ideaResponse  `bson:"response,omitempty"`
	Hidden      *hiddenDoc     `bson:"hidden,omitempty"`
	StatusAt    int64          `bson:"status_at,omitempty"`
	RespondedAt int64          `bson:"responded_at,omitempty"`
	CreatedAt   int64          `bson:"created_at"`
	UpdatedAt   int64          `bson:"updated_at"`
}

type ideaResponse struct {
	Body     string `bson:"body"`
	BodyHTML string `bson:"body_html"`
	AuthorID string `bson:"author_id"`
	At       int64  `bson:"at"`
}

type ideaVoteDoc struct {
	ID        string `bson:"_id"` // idea:user
	IdeaID    string `bson:"idea_id"`
	UserID    string `bson:"user_id"`
	SegmentID string `bson:"segment_id"`
	CreatedAt int64  `bson:"created_at"`
}

func optMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

func segKey(seg string) string {
	if seg == "" {
		return segNone
	}
	return seg
}

func mergedConflict() error {
	return townhall.Errorf(townhall.ECONFLICT, "This idea was merged into another idea; vote and comment there.")
}

func (db *DB) ideaDoc(ctx context.Context, id, what string) (*ideaDoc, error) {
	var d ideaDoc
	if err := db.ideas().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, notFound(err, what)
	}
	return &d, nil
}

func hiddenConflict() error {
	return townhall.Errorf(townhall.ECONFLICT, "This idea is hidden by a moderator; unhide it first.")
}

// openIdea loads an idea that takes votes, comments and status changes:
// neither merged (or being merged) nor hidden.
func (db *DB) openIdea(ctx context.Context, id string) (*ideaDoc, error) {
	d, err := db.ideaDoc(ctx, id, "Idea")
	switch {
	case err != nil:
		return nil, err
	case d.MergedInto != "" || d.Merging != "":
		return nil, mergedConflict()
	case d.Hidden != nil:
		return nil, hiddenConflict()
	}
	return d, nil
}

func (db *DB) userSegment(ctx context.Context, userID string) (string, error) {
	var u userDoc
	if err := db.users.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&u); err != nil {
		return "", notFound(err, "User")
	}
	return u.SegmentID, nil
}

// weights maps segment ids to today's weights.
func (db *DB) weights(ctx context.Context) (map[string]townhall.Segment, error) {
	segs, err := db.Segments(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]townhall.Segment{}
	for _, s := range segs {
		m[s.ID] = *s
	}
	return m, nil
}

func weighted(d *ideaDoc, w map[string]townhall.Segment) float64 {
	var sum float64
	for k, n := range d.SegVotes {
		weight := 1.0
		if s, ok := w[k]; ok {
			weight = s.Weight
		}
		sum += float64(n) * weight
	}
	return sum
}

// toIdeas converts stored ideas, filling names, merge targets and the
// viewer's votes with one query each; withWeight fills Weighted.
func (db *DB) toIdeas(ctx context.Context, docs []ideaDoc, viewerID string, withWeight bool) ([]*ideas.Idea, error) {
	var userIDs, mergedIDs, voteIDs []string
	for _, d := range docs {
		userIDs = append(userIDs, d.AuthorID)
		if d.Response != nil {
			userIDs = append(userIDs, d.Response.AuthorID)
		}
		if d.Hidden != nil {
			userIDs = append(userIDs, d.Hidden.ByID)
		}
		if d.MergedInto != "" {
			mergedIDs = append(mergedIDs, d.MergedInto)
		}
		if viewerID != "" {
			voteIDs = append(voteIDs, d.ID+":"+viewerID)
		}
	}
	names, err := db.userNames(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	if len(mergedIDs) > 0 {
		cur, err := db.ideas().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: mergedIDs}}}},
			options.Find().SetProjection(bson.D{{Key: "title", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var ts []struct {
			ID    string `bson:"_id"`
			Title string `bson:"title"`
		}
		if err := cur.All(ctx, &ts); err != nil {
			return nil, err
		}
		for _, t := range ts {
			titles[t.ID] = t.Title
		}
	}
	voted := map[string]bool{}
	if len(voteIDs) > 0 {
		ids, err := listIDs(ctx, db.ideaVotes(), "", len(voteIDs), bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: voteIDs}}})
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			voted[id] = true
		}
	}
	var w map[string]townhall.Segment
	if withWeight {
		if w, err = db.weights(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]*ideas.Idea, 0, len(docs))
	for i := range docs {
		d := &docs[i]
		idea := &ideas.Idea{ID: d.ID, Title: d.Title, Body: d.Body, BodyHTML: template.HTML(d.BodyHTML), // sanitized when written
			Tags: d.Tags, Status: ideas.Status(d.Status), AuthorID: d.AuthorID, AuthorName: names[d.AuthorID],
			Votes: d.Votes, Comments: d.Comments, Trend: d.Trend, Voted: voted[d.ID+":"+viewerID],
			MergedInto: d.MergedInto, MergedIntoTitle: titles[d.MergedInto],
			CreatedAt: fromMS(d.CreatedAt), UpdatedAt: fromMS(d.UpdatedAt), StatusAt: optMS(d.StatusAt), RespondedAt: optMS(d.RespondedAt)}
		if idea.Tags == nil {
			idea.Tags = []string{}
		}
		if r := d.Response; r != nil && r.Body != "" {
			idea.Response = &ideas.Response{Body: r.Body, BodyHTML: template.HTML(r.BodyHTML), AuthorID: r.AuthorID, AuthorName: names[r.AuthorID], At: fromMS(r.At)}
		}
		if h := d.Hidden; h != nil {
			idea.Hidden = &ideas.Hidden{ByID: h.ByID, ByName: names[h.ByID], Reason: h.Reason, At: fromMS(h.At)}
		}
		if withWeight {
			idea.Weighted = weighted(d, w)
		}
		out = append(out, idea)
	}
	return out, nil
}

func (db *DB) findIdeas(ctx context.Context, filter, sort bson.D, limit int, viewerID string, withWeight bool) ([]*ideas.Idea, error) {
	o := options.Find().SetSort(sort)
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

// addTagCounts moves the popular-tag counters by delta for each tag.
func (db *DB) addTagCounts(ctx context.Context, tags []string, delta int) error {
	for _, t := range tags {
		if _, err := db.ideaTags().UpdateOne(ctx, bson.D{{Key: "_id", Value: t}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "ideas", Value: delta}}}}, options.UpdateOne().SetUpsert(delta > 0)); err != nil && !mongo.IsDuplicateKeyError(err) {
			return err
		}
	}
	if delta < 0 && len(tags) > 0 {
		_, err := db.ideaTags().DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: tags}}}, {Key: "ideas", Value: bson.D{{Key: "$lte", Value: 0}}}})
		return err
	}
	return nil
}

// CreateIdea implements ideas.Store: the idea is inserted already counting
// its author's vote, then the vote document and the tag counts follow.
func (db *DB) CreateIdea(ctx context.Context, idea *ideas.Idea, words []string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	seg, err := db.userSegment(ctx, idea.AuthorID)
	if err != nil {
		return err
	}
	tags := idea.Tags
	if tags == nil {
		tags = []string{}
	}
	if words == nil {
		words = []string{}
	}
	d := ideaDoc{ID: idea.ID, AuthorID: idea.AuthorID, Title: idea.Title, Body: idea.Body, BodyHTML: string(idea.BodyHTML),
		Tags: tags, Words: words, Status: string(idea.Status), Votes: 1, Trend: ideas.TrendAdd(0, ideas.TrendExponent(idea.CreatedAt)),
		SegVotes: map[string]int{segKey(seg): 1}, Listed: true, Awaiting: true, CreatedAt: ms(idea.CreatedAt), UpdatedAt: ms(idea.UpdatedAt)}
	if _, err := db.ideas().InsertOne(ctx, d); err != nil {
		return err
	}
	if _, err := db.ideaVotes().InsertOne(ctx, ideaVoteDoc{ID: idea.ID + ":" + idea.AuthorID, IdeaID: idea.ID, UserID: idea.AuthorID,
		SegmentID: seg, CreatedAt: ms(idea.CreatedAt)}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return err
	}
	if err := db.addTagCounts(ctx, tags, 1); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindIdea, idea.ID)
}

// UpdateIdea implements ideas.Store.
func (db *DB) UpdateIdea(ctx context.Context, idea *ideas.Idea, words []string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	tags := idea.Tags
	if tags == nil {
		tags = []string{}
	}
	if words == nil {
		words = []string{}
	}
	cur, err := db.ideaDoc(ctx, idea.ID, "Idea")
	if err != nil {
		return err
	}
	if cur.MergedInto != "" || cur.Merging != "" {
		return mergedConflict()
	}
	if cur.Hidden != nil {
		// Edited while hidden (the team fixing it): it stays out of listings,
		// tag counts and similar ideas until unhidden, which restores those
		// from the new title and tags.
		res, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: idea.ID}, {Key: "hidden", Value: bson.D{{Key: "$exists", Value: true}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: idea.Title}, {Key: "body", Value: idea.Body},
				{Key: "body_html", Value: string(idea.BodyHTML)}, {Key: "tags", Value: tags}, {Key: "updated_at", Value: ms(idea.UpdatedAt)}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			return townhall.Errorf(townhall.ECONFLICT, "The idea was unhidden meanwhile; try again.")
		}
		return db.recordChange(ctx, townhall.KindIdea, idea.ID)
	}
	var old ideaDoc
	err = db.ideas().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: idea.ID}, {Key: "listed", Value: true}, {Key: "merging_into", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: idea.Title}, {Key: "body", Value: idea.Body},
			{Key: "body_html", Value: string(idea.BodyHTML)}, {Key: "tags", Value: tags}, {Key: "words", Value: words},
			{Key: "updated_at", Value: ms(idea.UpdatedAt)}}}}, options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&old)
	if err == mongo.ErrNoDocuments {
		if _, err := db.openIdea(ctx, idea.ID); err != nil {
			return err
		}
		return mergedConflict()
	} else if err != nil {
		return err
	}
	if err := db.addTagCounts(ctx, old.Tags, -1); err != nil {
		return err
	}
	if err := db.addTagCounts(ctx, tags, 1); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindIdea, idea.ID)
}

// Idea implements ideas.Store.
func (db *DB) Idea(ctx context.Context, id, viewerID string) (*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	d, err := db.ideaDoc(ctx, id, "Idea")
	if err != nil {
		return nil, err
	}
	list, err := db.toIdeas(ctx, []ideaDoc{*d}, viewerID, false)
	if err != nil {
		return nil, err
	}
	return list[0], nil
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
		return db.findIdeas(ctx, filter, bson.D{{Key: "_id", Value: -1}}, q.Limit, q.ViewerID, false)
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
		return db.findIdeas(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, notHidden}, bson.D{{Key: "_id", Value: -1}}, 0, q.ViewerID, false)
	case q.AuthorID != "":
		filter := bson.D{{Key: "author_id", Value: q.AuthorID}, notHidden}
		if q.After != nil {
			filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: q.After.ID}}})
		}
		return db.findIdeas(ctx, filter, bson.D{{Key: "_id", Value: -1}}, q.Limit, q.ViewerID, false)
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
	return db.findIdeas(ctx, filter, sort, q.Limit, q.ViewerID, false)
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

// countVotes applies a vote change to the idea's counters with a
// compare-and-set on the trend score it read, retrying if another vote
// changed it first; votes, trend and the segment counter move together.
func (db *DB) countVotes(ctx context.Context, ideaID, seg string, delta int, newTrend func(d *ideaDoc) (float64, error)) error {
	for {
		d, err := db.ideaDoc(ctx, ideaID, "Idea")
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
	if _, err := db.openIdea(ctx, ideaID); err != nil {
		return false, err
	}
	seg, err := db.userSegment(ctx, userID)
	if err != nil {
		return false, err
	}
	_, err = db.ideaVotes().InsertOne(ctx, ideaVoteDoc{ID: ideaID + ":" + userID, IdeaID: ideaID, UserID: userID, SegmentID: seg, CreatedAt: ms(at)})
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
	return true, err
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

type ideaCommentDoc struct {
	ID         string     `bson:"_id"`
	IdeaID     string     `bson:"idea_id"`
	AuthorID   string     `bson:"author_id"`
	Team       bool       `bson:"team"`
	Body       string     `bson:"body"`
	BodyHTML   string     `bson:"body_html"`
	MergedFrom string     `bson:"merged_from,omitempty"`
	CreatedAt  int64      `bson:"created_at"`
	EditedAt   int64      `bson:"edited_at,omitempty"`
	DeletedAt  int64      `bson:"deleted_at,omitempty"`
	DeletedBy  string     `bson:"deleted_by,omitempty"`
	Hidden     *hiddenDoc `bson:"hidden,omitempty"`
}

// AddComment implements ideas.Store.
func (db *DB) AddComment(ctx context.Context, c *ideas.Comment) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.openIdea(ctx, c.IdeaID); err != nil {
		return err
	}
	if _, err := db.ideaComments().InsertOne(ctx, ideaCommentDoc{ID: c.ID, IdeaID: c.IdeaID, AuthorID: c.AuthorID, Team: c.Team,
		Body: c.Body, BodyHTML: string(c.BodyHTML), CreatedAt: ms(c.CreatedAt)}); err != nil {
		return err
	}
	if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: c.IdeaID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "comments", Value: 1}}}}); err != nil {
		return err
	}
	if c.Team {
		return db.markResponded(ctx, c.IdeaID, ms(c.CreatedAt))
	}
	return nil
}

// markResponded records the first response; later ones leave it alone.
func (db *DB) markResponded(ctx context.Context, ideaID string, at int64) error {
	_, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ideaID}, {Key: "responded_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "responded_at", Value: at}, {Key: "awaiting", Value: false}}}})
	return err
}

type statusChangeDoc struct {
	ID           string `bson:"_id"`
	IdeaID       string `bson:"idea_id"`
	From         string `bson:"from"`
	To           string `bson:"to"`
	Reason       string `bson:"reason"`
	Response     string `bson:"response"`
	ResponseHTML string `bson:"response_html"`
	ActorID      string `bson:"actor_id"`
	At           int64  `bson:"at"`
}

// ChangeStatus implements ideas.Store.
func (db *DB) ChangeStatus(ctx context.Context, ch *ideas.StatusChange) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.openIdea(ctx, ch.IdeaID); err != nil {
		return err
	}
	at := ms(ch.At)
	if _, err := db.ideaStatus().InsertOne(ctx, statusChangeDoc{ID: ch.ID, IdeaID: ch.IdeaID, From: string(ch.From), To: string(ch.To),
		Reason: ch.Reason, Response: ch.Response, ResponseHTML: string(ch.ResponseHTML), ActorID: ch.ActorID, At: at}); err != nil {
		return err
	}
	set := bson.D{{Key: "status", Value: string(ch.To)}, {Key: "status_at", Value: at}}
	if ch.Response != "" {
		set = append(set, bson.E{Key: "response", Value: ideaResponse{Body: ch.Response, BodyHTML: string(ch.ResponseHTML), AuthorID: ch.ActorID, At: at}})
	}
	if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ch.IdeaID}}, bson.D{{Key: "$set", Value: set}}); err != nil {
		return err
	}
	if err := db.markResponded(ctx, ch.IdeaID, at); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindIdea, ch.IdeaID)
}

// StatusHistory implements ideas.Store.
func (db *DB) StatusHistory(ctx context.Context, ideaID string) ([]*ideas.StatusChange, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideaStatus().Find(ctx, bson.D{{Key: "idea_id", Value: ideaID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []statusChangeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ActorID)
	}
	names, err := db.userNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*ideas.StatusChange, 0, len(docs))
	for _, d := range docs {
		out = append(out, &ideas.StatusChange{ID: d.ID, IdeaID: d.IdeaID, From: ideas.Status(d.From), To: ideas.Status(d.To), Reason: d.Reason,
			Response: d.Response, ResponseHTML: template.HTML(d.ResponseHTML), ActorID: d.ActorID, ActorName: names[d.ActorID], At: fromMS(d.At)})
	}
	return out, nil
}

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
	dup, err := db.ideaDoc(ctx, dupID, "Idea")
	if err != nil {
		return false, err
	}
	into, err := db.ideaDoc(ctx, intoID, "The idea to merge into")
	if err != nil {
		return false, err
	}
	switch {
	case dup.MergedInto == intoID:
		return false, nil // already done: merging is idempotent
	case dup.MergedInto != "" || (dup.Merging != "" && dup.Merging != intoID):
		return false, townhall.Errorf(townhall.ECONFLICT, "This idea was already merged into another idea.")
	case into.MergedInto != "" || into.Merging != "":
		return false, townhall.Errorf(townhall.ECONFLICT, "“%s” was itself merged into another idea; merge into that one.", into.Title)
	case dup.Hidden != nil || into.Hidden != nil:
		return false, hiddenConflict()
	}
	res, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: dupID}, {Key: "merged_into", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "$or", Value: bson.A{bson.D{{Key: "merging_into", Value: bson.D{{Key: "$exists", Value: false}}}}, bson.D{{Key: "merging_into", Value: intoID}}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "merging_into", Value: intoID}}}})
	if err != nil {
		return false, err
	}
	if res.MatchedCount == 0 {
		return false, townhall.Errorf(townhall.ECONFLICT, "This idea was already merged into another idea.")
	}
	if err := db.moveVotes(ctx, dupID, intoID); err != nil {
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
		_, err := db.ideaVotes().InsertOne(ctx, nv)
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

// Followers implements ideas.Store.
func (db *DB) Followers(ctx context.Context, ideaID string) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if d, err := db.ideaDoc(ctx, ideaID, "Idea"); err == nil {
		add(d.AuthorID)
	} else if townhall.ErrorCode(err) != townhall.ENOTFOUND {
		return nil, err
	}
	for _, c := range []struct {
		coll  *mongo.Collection
		field string
	}{{db.ideaVotes(), "user_id"}, {db.ideaComments(), "author_id"}} {
		cur, err := c.coll.Find(ctx, bson.D{{Key: "idea_id", Value: ideaID}}, options.Find().SetProjection(bson.D{{Key: c.field, Value: 1}}))
		if err != nil {
			return nil, err
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			return nil, err
		}
		for _, d := range docs {
			if s, ok := d[c.field].(string); ok {
				add(s)
			}
		}
	}
	return out, nil
}

// Demand implements ideas.Store; votes of deleted segments count as unsegmented.
func (db *DB) Demand(ctx context.Context, ideaID string) ([]ideas.SegmentDemand, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	d, err := db.ideaDoc(ctx, ideaID, "Idea")
	if err != nil {
		return nil, err
	}
	w, err := db.weights(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string]*ideas.SegmentDemand{}
	for k, n := range d.SegVotes {
		if n <= 0 {
			continue
		}
		s, ok := w[k]
		if !ok {
			s = townhall.Segment{Weight: 1}
		}
		if by[s.ID] == nil {
			by[s.ID] = &ideas.SegmentDemand{SegmentID: s.ID, Name: s.Name, Weight: s.Weight}
		}
		by[s.ID].Votes += n
	}
	out := make([]ideas.SegmentDemand, 0, len(by))
	for _, x := range by {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Weighted(), out[j].Weighted(); a != b {
			return a > b
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Triage implements ideas.Store. Oldest and votes walk their indexes;
// demand depends on today's segment weights, so it is computed over the
// (small) queue of ideas awaiting a first response.
func (db *DB) Triage(ctx context.Context, q ideas.TriageQuery) ([]*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{{Key: "awaiting", Value: true}}
	switch q.Sort {
	case ideas.TriageVotes:
		if q.After != nil {
			filter = append(filter, keysetBefore("votes", q.After)...)
		}
		return db.findIdeas(ctx, filter, bson.D{{Key: "votes", Value: -1}, {Key: "_id", Value: -1}}, q.Limit, "", true)
	case ideas.TriageDemand:
		all, err := db.findIdeas(ctx, filter, bson.D{{Key: "_id", Value: 1}}, 0, "", true)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(all, func(i, j int) bool {
			if all[i].Weighted != all[j].Weighted {
				return all[i].Weighted > all[j].Weighted
			}
			return all[i].ID > all[j].ID
		})
		var out []*ideas.Idea
		for _, i := range all {
			if q.After != nil && (i.Weighted > q.After.Key || i.Weighted == q.After.Key && i.ID >= q.After.ID) {
				continue
			}
			if len(out) == q.Limit {
				break
			}
			out = append(out, i)
		}
		return out, nil
	}
	if q.After != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: q.After.ID}}})
	}
	return db.findIdeas(ctx, filter, bson.D{{Key: "_id", Value: 1}}, q.Limit, "", true)
}

// ExportIdeas implements ideas.Store.
func (db *DB) ExportIdeas(ctx context.Context, after string, limit int) ([]*ideas.Idea, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.findIdeas(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}, {Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "_id", Value: 1}}, limit, "", true)
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
		ids, err := listIDsDesc(ctx, db.ideas(), c, similarPerWord)
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

// listIDsDesc returns up to limit ids matching filter, newest first.
func listIDsDesc(ctx context.Context, coll *mongo.Collection, filter bson.D, limit int) ([]string, error) {
	cur, err := coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
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

func loadIdeaDoc(ctx context.Context, db *DB, id string) (*townhall.SearchDoc, error) {
	doc := &townhall.SearchDoc{Kind: townhall.KindIdea, ID: id, URL: "/ideas/" + id}
	var d ideaDoc
	err := db.ideas().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{d.AuthorID})
	if err != nil {
		return nil, err
	}
	doc.Title, doc.Body, doc.Status, doc.Author, doc.AuthorID = d.Title, d.Body, d.Status, names[d.AuthorID], d.AuthorID
	doc.Tags = d.Tags
	if doc.Tags == nil {
		doc.Tags = []string{}
	}
	doc.Created = fromMS(d.CreatedAt)
	doc.Visible = d.MergedInto == "" && d.Hidden == nil
	return doc, nil
}
