package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/moderation"
)

// Trust and safety. A flag is a document under a unique (case_id, user_id)
// index, so a person flags an item once; its case ("kind:item" as _id)
// counts the open flags with $inc after the flag is in, and a person's
// moderation record (moderation_users) counts flags received and items
// hidden the same way. Counters trail their facts only if a node stops
// between the two writes; RepairCounters recomputes them.
func init() {
	registerIndexes(func(db *DB) []index {
		return []index{
			{db.flags(), "case_user", bson.D{{Key: "case_id", Value: 1}, {Key: "user_id", Value: 1}}, true, false},
			{db.flags(), "case", bson.D{{Key: "case_id", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			{db.cases(), "queue", bson.D{{Key: "open", Value: 1}, {Key: "opened_at", Value: 1}, {Key: "_id", Value: 1}}, false, false},
			// Trust levels count accepted answers by the accepted post (and a
			// person's content through accounts.go's "author" indexes; a
			// suspension ends sessions through its "user" index).
			{db.forumThreads(), "accepted", bson.D{{Key: "accepted_post_id", Value: 1}}, false, false},
		}
	})
}

var _ moderation.Store = (*DB)(nil)

func (db *DB) flags() *mongo.Collection    { return db.db.Collection("flags") }
func (db *DB) cases() *mongo.Collection    { return db.db.Collection("moderation_cases") }
func (db *DB) modUsers() *mongo.Collection { return db.db.Collection("moderation_users") }

type flagDoc struct {
	ID         string `bson:"_id"`
	CaseID     string `bson:"case_id"`
	Kind       string `bson:"kind"`
	ItemID     string `bson:"item_id"`
	UserID     string `bson:"user_id"`
	AuthorID   string `bson:"author_id"`
	Reason     string `bson:"reason"`
	Text       string `bson:"text"`
	Counts     bool   `bson:"counts"`
	CreatedAt  int64  `bson:"created_at"`
	ResolvedAt int64  `bson:"resolved_at,omitempty"`
	Resolution string `bson:"resolution,omitempty"`
}

type caseDoc struct {
	ID         string `bson:"_id"`
	Kind       string `bson:"kind"`
	ItemID     string `bson:"item_id"`
	AuthorID   string `bson:"author_id"`
	Open       bool   `bson:"open"`
	Held       bool   `bson:"held"`
	AutoHidden bool   `bson:"auto_hidden"`
	WasHidden  bool   `bson:"was_hidden"`
	Flags      int    `bson:"flags"`
	Counted    int    `bson:"counted"`
	OpenedAt   int64  `bson:"opened_at"`
	ResolvedAt int64  `bson:"resolved_at,omitempty"`
	Resolution string `bson:"resolution,omitempty"`
	ResolvedBy string `bson:"resolved_by,omitempty"`
}

func (d *caseDoc) toCase() *moderation.Case {
	return &moderation.Case{Kind: d.Kind, ItemID: d.ItemID, AuthorID: d.AuthorID, Open: d.Open, Held: d.Held, AutoHidden: d.AutoHidden,
		WasHidden: d.WasHidden, Flags: d.Flags, Counted: d.Counted, OpenedAt: fromMS(d.OpenedAt), ResolvedAt: optMS(d.ResolvedAt),
		Resolution: d.Resolution, ResolvedBy: d.ResolvedBy}
}

// modUserDoc is a person's moderation record; _id is the user's id.
type modUserDoc struct {
	ID              string `bson:"_id"`
	Posts           int    `bson:"posts"`
	Topics          int    `bson:"topics"`
	AcceptedAnswers int    `bson:"accepted_answers"`
	FlagsReceived   int    `bson:"flags_received"`
	Hidden          int    `bson:"hidden"`
}

func (db *DB) findCase(ctx context.Context, kind, itemID string) (*moderation.Case, error) {
	var d caseDoc
	if err := db.cases().FindOne(ctx, id(moderation.CaseKey(kind, itemID))).Decode(&d); err != nil {
		return nil, notFound(err, moderation.ErrCaseNotFound)
	}
	return d.toCase(), nil
}

func (db *DB) bumpRecord(ctx context.Context, userID, field string) error {
	_, err := db.modUsers().UpdateOne(ctx, id(userID), bson.D{{Key: "$inc", Value: bson.D{{Key: field, Value: 1}}}},
		options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // two first upserts raced; the document exists now
		_, err = db.modUsers().UpdateOne(ctx, id(userID), bson.D{{Key: "$inc", Value: bson.D{{Key: field, Value: 1}}}})
	}
	return err
}

// AddFlag implements moderation.Store: the flag under its unique index
// first, then the case (reopened as new when resolved), then the author's
// record.
func (db *DB) AddFlag(ctx context.Context, f *moderation.Flag) (*moderation.Case, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	key := moderation.CaseKey(f.Kind, f.ItemID)
	err := db.insert(ctx, db.flags(), flagDoc{ID: f.ID, CaseID: key, Kind: f.Kind, ItemID: f.ItemID, UserID: f.UserID, AuthorID: f.AuthorID,
		Reason: f.Reason, Text: f.Text, Counts: f.Counts, CreatedAt: ms(f.CreatedAt)})
	if mongo.IsDuplicateKeyError(err) {
		return nil, moderation.ErrAlreadyFlagged.WithCause(err)
	} else if err != nil {
		return nil, err
	}
	if _, err := db.cases().UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "open", Value: false}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "open", Value: true}, {Key: "held", Value: false}, {Key: "auto_hidden", Value: false},
			{Key: "flags", Value: 0}, {Key: "counted", Value: 0}, {Key: "opened_at", Value: ms(f.CreatedAt)}}},
		{Key: "$unset", Value: bson.D{{Key: "resolved_at", Value: ""}, {Key: "resolution", Value: ""}, {Key: "resolved_by", Value: ""}}},
	}); err != nil {
		return nil, err
	}
	counted := 0
	if f.Counts {
		counted = 1
	}
	inc := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "flags", Value: 1}, {Key: "counted", Value: counted}}},
		{Key: "$set", Value: bson.D{{Key: "open", Value: true}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "kind", Value: f.Kind}, {Key: "item_id", Value: f.ItemID}, {Key: "author_id", Value: f.AuthorID},
			{Key: "held", Value: false}, {Key: "auto_hidden", Value: false}, {Key: "was_hidden", Value: false}, {Key: "opened_at", Value: ms(f.CreatedAt)}}},
	}
	_, err = db.cases().UpdateOne(ctx, id(key), inc, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		_, err = db.cases().UpdateOne(ctx, id(key), inc)
	}
	if err != nil {
		return nil, err
	}
	if err := db.bumpRecord(ctx, f.AuthorID, "flags_received"); err != nil {
		return nil, err
	}
	return db.findCase(ctx, f.Kind, f.ItemID)
}

// HoldItem implements moderation.Store.
func (db *DB) HoldItem(ctx context.Context, kind, itemID, authorID string, at time.Time) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.cases().UpdateOne(ctx, id(moderation.CaseKey(kind, itemID)), bson.D{
		{Key: "$set", Value: bson.D{{Key: "open", Value: true}, {Key: "held", Value: true}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "kind", Value: kind}, {Key: "item_id", Value: itemID}, {Key: "author_id", Value: authorID},
			{Key: "auto_hidden", Value: false}, {Key: "was_hidden", Value: false}, {Key: "flags", Value: 0}, {Key: "counted", Value: 0},
			{Key: "opened_at", Value: ms(at)}}},
	}, options.UpdateOne().SetUpsert(true))
	return err
}

// MarkAutoHidden implements moderation.Store: the conditional update lets
// one caller through.
func (db *DB) MarkAutoHidden(ctx context.Context, kind, itemID string) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var before caseDoc
	err := db.cases().FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: moderation.CaseKey(kind, itemID)}, {Key: "open", Value: true}, {Key: "auto_hidden", Value: false}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "auto_hidden", Value: true}, {Key: "was_hidden", Value: true}}}}).Decode(&before)
	if err == mongo.ErrNoDocuments {
		c, err := db.findCase(ctx, kind, itemID)
		if err != nil {
			return false, err
		}
		if !c.Open {
			return false, moderation.ErrCaseNotFound
		}
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !before.WasHidden {
		if err := db.bumpRecord(ctx, before.AuthorID, "hidden"); err != nil {
			return true, err
		}
	}
	return true, nil
}

// Case implements moderation.Store.
func (db *DB) Case(ctx context.Context, kind, itemID string) (*moderation.Case, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.findCase(ctx, kind, itemID)
}

var caseSort = bson.D{{Key: "opened_at", Value: 1}, {Key: "_id", Value: 1}}

// casesFilter is the queue's page query, walking the "queue" index.
func casesFilter(after *moderation.CaseCursor) bson.D {
	f := bson.D{{Key: "open", Value: true}}
	if after != nil {
		at := ms(after.OpenedAt)
		f = append(f, bson.E{Key: "opened_at", Value: bson.D{{Key: "$gte", Value: at}}}, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "opened_at", Value: bson.D{{Key: "$gt", Value: at}}}},
			bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after.Key}}}},
		}})
	}
	return f
}

// OpenCases implements moderation.Store.
func (db *DB) OpenCases(ctx context.Context, after *moderation.CaseCursor, limit int) ([]*moderation.Case, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.cases().Find(ctx, casesFilter(after), options.Find().SetSort(caseSort).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []caseDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*moderation.Case, len(docs))
	for i := range docs {
		out[i] = docs[i].toCase()
	}
	return out, nil
}

// Flags implements moderation.Store.
func (db *DB) Flags(ctx context.Context, kind, itemID string, limit int) ([]*moderation.Flag, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.flags().Find(ctx, bson.D{{Key: "case_id", Value: moderation.CaseKey(kind, itemID)}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []flagDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.UserID)
	}
	names, err := db.userNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*moderation.Flag, len(docs))
	for i, d := range docs {
		out[i] = &moderation.Flag{ID: d.ID, Kind: d.Kind, ItemID: d.ItemID, UserID: d.UserID, UserName: names[d.UserID], AuthorID: d.AuthorID,
			Reason: d.Reason, Text: d.Text, Counts: d.Counts, CreatedAt: fromMS(d.CreatedAt), ResolvedAt: optMS(d.ResolvedAt),
			Resolution: d.Resolution}
	}
	return out, nil
}

// ResolveCase implements moderation.Store: closing the open case is the
// step that decides (one decision wins), then its open flags follow.
func (db *DB) ResolveCase(ctx context.Context, r moderation.Resolution) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	key := moderation.CaseKey(r.Kind, r.ItemID)
	set := bson.D{{Key: "open", Value: false}, {Key: "flags", Value: 0}, {Key: "counted", Value: 0}, {Key: "resolved_at", Value: ms(r.At)},
		{Key: "resolution", Value: string(r.Decision)}, {Key: "resolved_by", Value: r.ByID}}
	if r.Hidden {
		set = append(set, bson.E{Key: "was_hidden", Value: true})
	}
	var before caseDoc
	err := db.cases().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: key}, {Key: "open", Value: true}},
		bson.D{{Key: "$set", Value: set}}).Decode(&before)
	if err == mongo.ErrNoDocuments {
		if _, err := db.findCase(ctx, r.Kind, r.ItemID); err != nil {
			return nil, err
		}
		return nil, moderation.ErrNoOpenCase
	} else if err != nil {
		return nil, err
	}
	open := bson.D{{Key: "case_id", Value: key}, {Key: "resolved_at", Value: bson.D{{Key: "$exists", Value: false}}}}
	cur, err := db.flags().Find(ctx, open, options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []flagDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	users := make([]string, len(docs))
	for i, d := range docs {
		ids[i], users[i] = d.ID, d.UserID
	}
	if len(ids) > 0 {
		if _, err := db.flags().UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "resolved_at", Value: ms(r.At)}, {Key: "resolution", Value: string(r.Decision)}}}}); err != nil {
			return nil, err
		}
	}
	if r.Hidden && !before.WasHidden {
		if err := db.bumpRecord(ctx, before.AuthorID, "hidden"); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// UserRecord implements moderation.Store.
func (db *DB) UserRecord(ctx context.Context, userID string) (*moderation.Record, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d modUserDoc
	err := db.modUsers().FindOne(ctx, id(userID)).Decode(&d)
	if err != nil && err != mongo.ErrNoDocuments {
		return nil, err
	}
	return &moderation.Record{UserID: userID, Stats: moderation.Stats{Posts: d.Posts, Topics: d.Topics, AcceptedAnswers: d.AcceptedAnswers},
		FlagsReceived: d.FlagsReceived, Hidden: d.Hidden}, nil
}

// CountStats implements moderation.Store: counts through the author
// indexes, when something changes them, never at render.
func (db *DB) CountStats(ctx context.Context, userID string) (moderation.Stats, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var st moderation.Stats
	var u userDoc
	if err := db.users.FindOne(ctx, id(userID), options.FindOne().SetProjection(bson.D{{Key: "days_visited", Value: 1}, {Key: "reputation", Value: 1}})).Decode(&u); err != nil {
		return st, notFound(err, moderation.ErrUserNotFound)
	}
	st.DaysVisited, st.Reputation = u.DaysVisited, u.Reputation
	notHidden := bson.E{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}
	var n [5]int64
	for i, q := range []struct {
		coll   *mongo.Collection
		filter bson.D
	}{
		{db.forumPosts(), bson.D{{Key: "author_id", Value: userID}, {Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}}, {Key: "hidden", Value: false}}},
		{db.forumThreads(), bson.D{{Key: "author_id", Value: userID}, {Key: "hidden", Value: false}}},
		{db.ideas(), bson.D{{Key: "author_id", Value: userID}, notHidden}},
		{db.ideaComments(), bson.D{{Key: "author_id", Value: userID}, notHidden, {Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}}},
		{db.reviews(), bson.D{{Key: "author_id", Value: userID}, notHidden}},
	} {
		c, err := q.coll.CountDocuments(ctx, q.filter)
		if err != nil {
			return st, err
		}
		n[i] = c
	}
	st.Topics = int(n[1] + n[2] + n[4])
	st.Posts = st.Topics + int(n[0]+n[3])
	// Accepted answers: the threads whose accepted post is one of theirs,
	// a thousand replies at a time.
	replies, err := findIDs(ctx, db.forumPosts(), bson.D{{Key: "author_id", Value: userID}, {Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}}}, 1, 0)
	if err != nil {
		return st, err
	}
	for i := 0; i < len(replies); i += 1000 {
		batch := replies[i:min(i+1000, len(replies))]
		c, err := db.forumThreads().CountDocuments(ctx, bson.D{{Key: "accepted_post_id", Value: bson.D{{Key: "$in", Value: batch}}}})
		if err != nil {
			return st, err
		}
		st.AcceptedAnswers += int(c)
	}
	// Reputation is the loyalty feature's; until it keeps one it is 0.
	return st, nil
}

// SaveTrust implements moderation.Store.
func (db *DB) SaveTrust(ctx context.Context, userID string, st moderation.Stats, level int) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: "trust_locked", Value: bson.D{{Key: "$ne", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "trust_level", Value: level}}}}); err != nil {
		return err
	}
	_, err := db.modUsers().UpdateOne(ctx, id(userID), bson.D{{Key: "$set", Value: bson.D{{Key: "posts", Value: st.Posts},
		{Key: "topics", Value: st.Topics}, {Key: "accepted_answers", Value: st.AcceptedAnswers}}}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return nil // a concurrent first save wrote the same counts
	}
	return err
}

func (db *DB) setUser(ctx context.Context, userID string, set bson.D) error {
	res, err := db.users.UpdateOne(ctx, id(userID), bson.D{{Key: "$set", Value: set}})
	if err == nil && res.MatchedCount == 0 {
		err = moderation.ErrUserNotFound
	}
	return err
}

// SetTrustLevel implements moderation.Store.
func (db *DB) SetTrustLevel(ctx context.Context, userID string, level int, locked bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.setUser(ctx, userID, bson.D{{Key: "trust_level", Value: level}, {Key: "trust_locked", Value: locked}})
}

// SetSilenced implements moderation.Store.
func (db *DB) SetSilenced(ctx context.Context, userID string, until time.Time, reason string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	return db.setUser(ctx, userID, bson.D{{Key: "silenced_until", Value: zeroMS(until)}, {Key: "silence_reason", Value: reason}})
}

// SetSuspended implements moderation.Store: the suspension is stored
// first, so even before the sessions are gone no request signs in as the
// person (auth refuses a suspended session's user), then every session of
// theirs is deleted.
func (db *DB) SetSuspended(ctx context.Context, userID string, until time.Time, reason string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.setUser(ctx, userID, bson.D{{Key: "suspended_until", Value: zeroMS(until)}, {Key: "suspend_reason", Value: reason}}); err != nil {
		return err
	}
	if until.IsZero() {
		return nil
	}
	_, err := db.sessions.DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	return err
}

// zeroMS stores the zero time as 0 (none), not as year 1's milliseconds.
func zeroMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// repairModeration recomputes each open case's flag counts from its open
// flags, and each person's flags received and items hidden from flags and
// cases (see RepairCounters).
func (db *DB) repairModeration(ctx context.Context, fix bool) ([]string, error) {
	open := bson.D{{Key: "resolved_at", Value: bson.D{{Key: "$exists", Value: false}}}}
	flags, err := countBy(ctx, db.flags(), open, "$case_id")
	if err != nil {
		return nil, err
	}
	counted, err := countBy(ctx, db.flags(), append(open, bson.E{Key: "counts", Value: true}), "$case_id")
	if err != nil {
		return nil, err
	}
	var out []string
	cur, err := db.cases().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var cases []caseDoc
	if err := cur.All(ctx, &cases); err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.Flags == flags[c.ID] && c.Counted == counted[c.ID] {
			continue
		}
		out = append(out, fmt.Sprintf("case %s: %d/%d flags counted, %d/%d open", c.ID, c.Flags, c.Counted, flags[c.ID], counted[c.ID]))
		if fix {
			if _, err := db.cases().UpdateOne(ctx, id(c.ID), bson.D{{Key: "$set", Value: bson.D{
				{Key: "flags", Value: flags[c.ID]}, {Key: "counted", Value: counted[c.ID]}}}}); err != nil {
				return out, err
			}
		}
	}
	received, err := countBy(ctx, db.flags(), bson.D{}, "$author_id")
	if err != nil {
		return out, err
	}
	hidden, err := countBy(ctx, db.cases(), bson.D{{Key: "was_hidden", Value: true}}, "$author_id")
	if err != nil {
		return out, err
	}
	cur, err = db.modUsers().Find(ctx, bson.D{})
	if err != nil {
		return out, err
	}
	var recs []modUserDoc
	if err := cur.All(ctx, &recs); err != nil {
		return out, err
	}
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.ID] = true
	}
	for uid := range received {
		if !seen[uid] {
			recs = append(recs, modUserDoc{ID: uid})
		}
	}
	for uid := range hidden {
		if !seen[uid] && received[uid] == 0 {
			recs = append(recs, modUserDoc{ID: uid})
		}
	}
	for _, r := range recs {
		if r.FlagsReceived == received[r.ID] && r.Hidden == hidden[r.ID] {
			continue
		}
		out = append(out, fmt.Sprintf("user %s: %d flags received counted, %d flags; %d hidden counted, %d cases", r.ID,
			r.FlagsReceived, received[r.ID], r.Hidden, hidden[r.ID]))
		if fix {
			if _, err := db.modUsers().UpdateOne(ctx, id(r.ID), bson.D{{Key: "$set", Value: bson.D{
				{Key: "flags_received", Value: received[r.ID]}, {Key: "hidden", Value: hidden[r.ID]}}}},
				options.UpdateOne().SetUpsert(true)); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}
