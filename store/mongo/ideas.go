package mongo

import (
	"context"
	"html/template"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
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
	ShippedAt   int64          `bson:"shipped_at,omitempty"` // when it last moved to done (the changelog's order)
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

func (db *DB) ideaDoc(ctx context.Context, id string, nf *townhall.Error) (*ideaDoc, error) {
	var d ideaDoc
	if err := db.ideas().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, notFound(err, nf)
	}
	return &d, nil
}

// openIdea loads an idea that takes votes, comments and status changes:
// neither merged (or being merged) nor hidden.
func (db *DB) openIdea(ctx context.Context, id string) (*ideaDoc, error) {
	d, err := db.ideaDoc(ctx, id, ideas.ErrNotFound)
	switch {
	case err != nil:
		return nil, err
	case d.MergedInto != "" || d.Merging != "":
		return nil, ideas.ErrMerged
	case d.Hidden != nil:
		return nil, ideas.ErrHidden
	}
	return d, nil
}

func (db *DB) userSegment(ctx context.Context, userID string) (string, error) {
	var u userDoc
	if err := db.users.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&u); err != nil {
		return "", notFound(err, auth.ErrUserNotFound)
	}
	return u.SegmentID, nil
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
	titles, err := stringsByID(ctx, db.ideas(), mergedIDs, "title")
	if err != nil {
		return nil, err
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
	if h := idea.Hidden; h != nil {
		// Hidden from the start (held for review): as SetIdeaHidden leaves
		// it, out of listings, triage, similar ideas and tag counts.
		d.Hidden = &hiddenDoc{ByID: h.ByID, Reason: h.Reason, At: ms(h.At)}
		d.Listed, d.Awaiting, d.Words = false, false, []string{}
		tags = nil
	}
	if err := db.insert(ctx, db.ideas(), d); err != nil {
		return err
	}
	if err := db.insert(ctx, db.ideaVotes(), ideaVoteDoc{ID: idea.ID + ":" + idea.AuthorID, IdeaID: idea.ID, UserID: idea.AuthorID,
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
	cur, err := db.ideaDoc(ctx, idea.ID, ideas.ErrNotFound)
	if err != nil {
		return err
	}
	if cur.MergedInto != "" || cur.Merging != "" {
		return ideas.ErrMerged
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
			return ideas.ErrUnhiddenMeanwhile
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
		return ideas.ErrMerged
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
	d, err := db.ideaDoc(ctx, id, ideas.ErrNotFound)
	if err != nil {
		return nil, err
	}
	list, err := db.toIdeas(ctx, []ideaDoc{*d}, viewerID, false)
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// loadIdeaDoc reads what the idea's search document needs (ideas.Idea
// builds the document).
func loadIdeaDoc(ctx context.Context, db *DB, id string) (*townhall.SearchDoc, error) {
	var d ideaDoc
	err := db.ideas().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return townhall.GoneDoc(townhall.KindIdea, id), nil
	} else if err != nil {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{d.AuthorID})
	if err != nil {
		return nil, err
	}
	i := ideas.Idea{ID: id, Title: d.Title, Body: d.Body, Tags: d.Tags, Status: ideas.Status(d.Status), AuthorID: d.AuthorID,
		AuthorName: names[d.AuthorID], MergedInto: d.MergedInto, CreatedAt: fromMS(d.CreatedAt)}
	if d.Hidden != nil {
		i.Hidden = &ideas.Hidden{} // only whether it is hidden matters to search
	}
	return i.SearchDoc(), nil
}
