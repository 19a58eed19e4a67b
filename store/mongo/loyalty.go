package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/loyalty"
)

// Loyalty model: likes are documents of their own, one per (target,
// person) by _id, with the liked item's author and the day; the liked post
// or comment embeds its like count, and like_days counts each author's
// likes per day (for the daily cap of like points). The reputation ledger
// is reputation_events, each entry under _id = its key (the fact
// occurrence it records, see loyalty.Entry), so writing one twice is one
// entry; the person's total is embedded in the user, and
// reputation_rollups keeps what each person gained per leaderboard period
// and scope under _id = period|scope|user. Badges held are user_badges
// (_id = user:badge, so each is held once), with badge_counts beside them.
//
// Every write is the fact first (the like under its unique _id, the
// accepted post on its thread, the helpful vote, the status), then the
// ledger entry keyed by that fact, then — only when the entry was new —
// the $inc of the reputation and the rollups. A node that dies between
// the steps leaves a total or a rollup behind its facts, which
// RepairCounters (townhall check --repair) finds and corrects.

func init() {
	registerIndexes(func(db *DB) []index {
		return []index{
			{db.reputationEvents(), "user_newest", bson.D{{Key: "user_id", Value: 1}, {Key: "id", Value: -1}}, false, false},
			{db.reputationRollups(), "rank", bson.D{{Key: "period", Value: 1}, {Key: "scope", Value: 1}, {Key: "points", Value: -1},
				{Key: "user_id", Value: 1}}, false, false},
			{db.userBadges(), "holders", bson.D{{Key: "badge", Value: 1}, {Key: "id", Value: -1}}, false, false},
			{db.userBadges(), "user", bson.D{{Key: "user_id", Value: 1}}, false, false},
			{db.likes(), "author_day", bson.D{{Key: "author_id", Value: 1}, {Key: "day", Value: 1}}, false, false},
			// Profile tabs read one person's content newest first: threads,
			// replies and reviews by the (author_id, _id) indexes of
			// accounts.go, ideas by "author"; accepted answers by this one.
			{db.forumThreads(), "answers", bson.D{{Key: "accepted_author_id", Value: 1}, {Key: "hidden", Value: 1},
				{Key: "accepted_post_id", Value: -1}}, false, false},
		}
	})
}

var _ loyalty.Store = (*DB)(nil)

func (db *DB) likes() *mongo.Collection             { return db.db.Collection("likes") }
func (db *DB) likeDays() *mongo.Collection          { return db.db.Collection("like_days") }
func (db *DB) reputationEvents() *mongo.Collection  { return db.db.Collection("reputation_events") }
func (db *DB) reputationRollups() *mongo.Collection { return db.db.Collection("reputation_rollups") }
func (db *DB) userBadges() *mongo.Collection        { return db.db.Collection("user_badges") }
func (db *DB) badgeCounts() *mongo.Collection       { return db.db.Collection("badge_counts") }

// eventDoc is one ledger entry; _id is its key.
type eventDoc struct {
	Key        string `bson:"_id"`
	ID         string `bson:"id"`
	UserID     string `bson:"user_id"`
	Points     int    `bson:"points"`
	Reason     string `bson:"reason"`
	SourceKind string `bson:"source_kind,omitempty"`
	SourceID   string `bson:"source_id,omitempty"`
	ParentID   string `bson:"parent_id,omitempty"`
	CategoryID string `bson:"category_id,omitempty"`
	SegmentID  string `bson:"segment_id,omitempty"`
	Day        string `bson:"day"`
	CreatedAt  int64  `bson:"created_at"`
}

func (d *eventDoc) entry() *loyalty.Entry {
	return &loyalty.Entry{ID: d.ID, Key: d.Key, UserID: d.UserID, Points: d.Points, Reason: loyalty.Reason(d.Reason),
		SourceKind: d.SourceKind, SourceID: d.SourceID, ParentID: d.ParentID, CategoryID: d.CategoryID, SegmentID: d.SegmentID,
		Day: d.Day, At: fromMS(d.CreatedAt)}
}

// rollupDoc is what one person gained in one period and scope.
type rollupDoc struct {
	ID     string `bson:"_id"` // period|scope|user
	Period string `bson:"period"`
	Scope  string `bson:"scope"`
	UserID string `bson:"user_id"`
	Points int    `bson:"points"`
}

func rollupKey(r loyalty.Rollup) string { return r.Period + "|" + r.Scope + "|" + r.UserID }

// credit writes ledger entries dated at: each entry first, under its key,
// then, only if it was new, the earner's reputation and rollups.
func (db *DB) credit(ctx context.Context, at time.Time, entries ...*loyalty.Entry) error {
	for _, e := range entries {
		if e == nil || e.Points == 0 {
			continue
		}
		if e.ID == "" {
			e.ID = townhall.NewID()
		}
		e.At, e.Day = at, db.day(at)
		seg, err := db.userSegment(ctx, e.UserID)
		if err != nil {
			return err
		}
		e.SegmentID = seg
		err = db.insert(ctx, db.reputationEvents(), eventDoc{Key: e.Key, ID: e.ID, UserID: e.UserID, Points: e.Points, Reason: string(e.Reason),
			SourceKind: e.SourceKind, SourceID: e.SourceID, ParentID: e.ParentID, CategoryID: e.CategoryID, SegmentID: e.SegmentID,
			Day: e.Day, CreatedAt: ms(at)})
		if mongo.IsDuplicateKeyError(err) {
			continue // written before: its points were counted then
		} else if err != nil {
			return err
		}
		if err := db.countEntry(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// countEntry adds a new entry's points to its earner's reputation and rollups.
func (db *DB) countEntry(ctx context.Context, e *loyalty.Entry) error {
	if _, err := db.users.UpdateOne(ctx, id(e.UserID), bson.D{{Key: "$inc", Value: bson.D{{Key: "reputation", Value: e.Points}}}}); err != nil {
		return err
	}
	return db.addRollups(ctx, e.Rollups())
}

// addRollups adds each rollup's points to its counter, creating it.
func (db *DB) addRollups(ctx context.Context, rs []loyalty.Rollup) error {
	if len(rs) == 0 {
		return nil
	}
	models := make([]mongo.WriteModel, len(rs))
	for i, r := range rs {
		models[i] = mongo.NewUpdateOneModel().SetFilter(id(rollupKey(r))).SetUpsert(true).SetUpdate(bson.D{
			{Key: "$inc", Value: bson.D{{Key: "points", Value: r.Points}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "period", Value: r.Period}, {Key: "scope", Value: r.Scope}, {Key: "user_id", Value: r.UserID}}}})
	}
	var err error
	for range 2 { // two first upserts of one counter can race; the retry finds it
		if _, err = db.reputationRollups().BulkWrite(ctx, models, options.BulkWrite().SetOrdered(true)); !mongo.IsDuplicateKeyError(err) {
			return err
		}
		// An ordered bulk write stops at the failed upsert: the ones before
		// it were applied, so only the rest are retried.
		var bwe mongo.BulkWriteException
		if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
			models = models[bwe.WriteErrors[0].Index:]
		}
	}
	return err
}

// likeDoc is one like; _id is target:user.
type likeDoc struct {
	Key       string `bson:"_id"`
	ID        string `bson:"id"`
	Kind      string `bson:"kind"`
	TargetID  string `bson:"target_id"`
	UserID    string `bson:"user_id"`
	AuthorID  string `bson:"author_id"`
	Day       string `bson:"day"`
	CreatedAt int64  `bson:"created_at"`
}

func likeKey(targetID, userID string) string { return targetID + ":" + userID }

// likeTarget reads what a like is about, refusing what readers cannot see:
// a hidden post or thread, a hidden or deleted comment, a comment of a
// hidden or merged idea.
func (db *DB) likeTarget(ctx context.Context, kind, targetID string) (*loyalty.Target, error) {
	t := &loyalty.Target{Kind: kind, ID: targetID}
	switch kind {
	case loyalty.KindPost:
		var p postDoc
		if err := db.forumPosts().FindOne(ctx, id(targetID)).Decode(&p); err != nil {
			return nil, notFound(err, loyalty.ErrPostNotFound)
		}
		var th threadDoc
		if err := db.forumThreads().FindOne(ctx, id(p.ThreadID)).Decode(&th); err != nil {
			return nil, notFound(err, loyalty.ErrPostNotFound)
		}
		if p.Hidden || th.Hidden {
			return nil, loyalty.ErrPostNotFound
		}
		t.AuthorID, t.ParentID, t.ParentTitle, t.CategoryID, t.Position, t.Likes = p.AuthorID, p.ThreadID, th.Title, th.CategoryID, p.Position, p.Likes
	case loyalty.KindComment:
		var c ideaCommentDoc
		if err := db.ideaComments().FindOne(ctx, id(targetID)).Decode(&c); err != nil {
			return nil, notFound(err, loyalty.ErrCommentNotFound)
		}
		var i ideaDoc
		if err := db.ideas().FindOne(ctx, id(c.IdeaID)).Decode(&i); err != nil {
			return nil, notFound(err, loyalty.ErrCommentNotFound)
		}
		if c.Hidden != nil || c.DeletedAt != 0 || i.Hidden != nil || i.MergedInto != "" {
			return nil, loyalty.ErrCommentNotFound
		}
		t.AuthorID, t.ParentID, t.ParentTitle, t.Likes = c.AuthorID, c.IdeaID, i.Title, c.Likes
	default:
		return nil, loyalty.ErrPostNotFound
	}
	return t, nil
}

// likeCounter is the collection holding a target kind's like count.
func (db *DB) likeCounter(kind string) *mongo.Collection {
	if kind == loyalty.KindComment {
		return db.ideaComments()
	}
	return db.forumPosts()
}

// bumpLikes moves a target's like count and returns the new count.
func (db *DB) bumpLikes(ctx context.Context, kind, targetID string, delta int) (int, error) {
	var d struct {
		Likes int `bson:"likes"`
	}
	err := db.likeCounter(kind).FindOneAndUpdate(ctx, id(targetID), bson.D{{Key: "$inc", Value: bson.D{{Key: "likes", Value: delta}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After).SetProjection(bson.D{{Key: "likes", Value: 1}})).Decode(&d)
	return d.Likes, err
}

// likeDay moves the count of likes author received on day and returns it
// before (delta < 0) or after (delta > 0) the change.
func (db *DB) likeDay(ctx context.Context, authorID, day string, delta int) (int, error) {
	ret := options.After
	if delta < 0 {
		ret = options.Before
	}
	var d struct {
		Likes int `bson:"likes"`
	}
	var err error
	for range 2 { // two first upserts can race; the loser's retry finds the document
		err = db.likeDays().FindOneAndUpdate(ctx, id(authorID+":"+day), bson.D{
			{Key: "$inc", Value: bson.D{{Key: "likes", Value: delta}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "user_id", Value: authorID}, {Key: "day", Value: day}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(ret)).Decode(&d)
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return 0, err
	}
	if delta < 0 && d.Likes+delta <= 0 {
		_, err = db.likeDays().DeleteOne(ctx, bson.D{{Key: "_id", Value: authorID + ":" + day}, {Key: "likes", Value: bson.D{{Key: "$lte", Value: 0}}}})
	}
	return d.Likes, err
}

// Like implements loyalty.Store: the like under its unique _id first, then
// the target's count, the author's likes of the day and the ledger entry.
func (db *DB) Like(ctx context.Context, l *loyalty.Like) (loyalty.LikeResult, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	t, err := db.likeTarget(ctx, l.Kind, l.TargetID)
	if err != nil {
		return loyalty.LikeResult{}, err
	}
	if t.AuthorID == l.UserID {
		return loyalty.LikeResult{}, loyalty.ErrOwnContent
	}
	out := loyalty.LikeResult{Target: *t, Liked: true}
	l.Day = db.day(l.At)
	err = db.insert(ctx, db.likes(), likeDoc{Key: likeKey(l.TargetID, l.UserID), ID: l.ID, Kind: l.Kind, TargetID: l.TargetID,
		UserID: l.UserID, AuthorID: t.AuthorID, Day: l.Day, CreatedAt: ms(l.At)})
	if mongo.IsDuplicateKeyError(err) {
		return out, nil // liked already
	} else if err != nil {
		return out, err
	}
	out.Changed = true
	if out.Target.Likes, err = db.bumpLikes(ctx, l.Kind, l.TargetID, 1); err != nil {
		return out, err
	}
	nth, err := db.likeDay(ctx, t.AuthorID, l.Day, 1)
	if err != nil {
		return out, err
	}
	return out, db.credit(ctx, l.At, loyalty.Liked(l, t, loyalty.LikePoints(nth), false))
}

// Unlike implements loyalty.Store: the like goes first, then its count and
// the points it no longer earns.
func (db *DB) Unlike(ctx context.Context, kind, targetID, userID string) (loyalty.LikeResult, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	t, err := db.likeTarget(ctx, kind, targetID)
	if err != nil {
		return loyalty.LikeResult{}, err
	}
	out := loyalty.LikeResult{Target: *t}
	var d likeDoc
	err = db.likes().FindOneAndDelete(ctx, id(likeKey(targetID, userID))).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return out, nil // not liked
	} else if err != nil {
		return out, err
	}
	out.Changed = true
	if out.Target.Likes, err = db.bumpLikes(ctx, kind, targetID, -1); err != nil {
		return out, err
	}
	had, err := db.likeDay(ctx, d.AuthorID, d.Day, -1)
	if err != nil {
		return out, err
	}
	l := &loyalty.Like{ID: d.ID, Kind: kind, TargetID: targetID, UserID: userID}
	points := loyalty.LikeDayPoints(had) - loyalty.LikeDayPoints(had-1)
	return out, db.credit(ctx, db.now(), loyalty.Liked(l, t, -points, true))
}

// LikedBy implements loyalty.Store: one _id lookup for the page.
func (db *DB) LikedBy(ctx context.Context, userID string, targetIDs []string) (map[string]bool, error) {
	return markedBy(ctx, db.likes(), userID, targetIDs)
}
