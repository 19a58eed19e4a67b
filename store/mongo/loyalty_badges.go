package mongo

import (
	"context"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// awardDoc is one badge held; _id is user:badge, so it is held once.
type awardDoc struct {
	Key       string `bson:"_id"`
	ID        string `bson:"id"`
	UserID    string `bson:"user_id"`
	Badge     string `bson:"badge"`
	GrantedBy string `bson:"granted_by,omitempty"`
	AwardedAt int64  `bson:"awarded_at"`
}

func awardKey(userID, badge string) string { return userID + ":" + badge }

// AwardBadge implements loyalty.Store: the award under its unique _id
// first, then the holder count and the holder's highlight and VIP mark.
func (db *DB) AwardBadge(ctx context.Context, a *loyalty.Award) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.users.FindOne(ctx, id(a.UserID)).Err(); err != nil {
		return false, notFound(err, loyalty.ErrUserNotFound)
	}
	err := db.insert(ctx, db.userBadges(), awardDoc{Key: awardKey(a.UserID, a.Badge), ID: a.ID, UserID: a.UserID, Badge: a.Badge,
		GrantedBy: a.GrantedBy, AwardedAt: ms(a.At)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := db.countHolders(ctx, a.Badge, 1); err != nil {
		return true, err
	}
	if a.Badge == loyalty.Champion {
		if _, err := db.users.UpdateOne(ctx, id(a.UserID), bson.D{{Key: "$set", Value: bson.D{{Key: "champion", Value: true}}}}); err != nil {
			return true, err
		}
	}
	return true, db.highlight(ctx, a.UserID, func(cur string, held []string) string { return loyalty.Highest([]string{cur, a.Badge}) })
}

// countHolders moves a badge's holder count.
func (db *DB) countHolders(ctx context.Context, badge string, delta int) error {
	var err error
	for range 2 { // two first upserts can race; the loser's retry finds the document
		_, err = db.badgeCounts().UpdateOne(ctx, id(badge), bson.D{{Key: "$inc", Value: bson.D{{Key: "holders", Value: delta}}}},
			options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	return err
}

// highlight sets the person's highlighted badge to what pick makes of the
// current one and the badges held, unless they chose theirs: a
// compare-and-set on the badge read, retried when another award moved it
// first.
func (db *DB) highlight(ctx context.Context, userID string, pick func(cur string, held []string) string) error {
	for attempt := 0; ; attempt++ {
		var u userDoc
		if err := db.users.FindOne(ctx, id(userID)).Decode(&u); err != nil {
			return notFound(err, loyalty.ErrUserNotFound)
		}
		if u.BadgeChosen {
			return nil
		}
		held, err := db.heldBadges(ctx, userID)
		if err != nil {
			return err
		}
		next := pick(u.Badge, held)
		if !slices.Contains(held, next) {
			next = loyalty.Highest(held)
		}
		if next == u.Badge {
			return nil
		}
		res, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: "badge", Value: orMissing(u.Badge)},
			{Key: "badge_chosen", Value: bson.D{{Key: "$ne", Value: true}}}}, bson.D{{Key: "$set", Value: bson.D{{Key: "badge", Value: next}}}})
		if err != nil || res.MatchedCount == 1 || attempt == 20 {
			return err
		}
	}
}

func (db *DB) heldBadges(ctx context.Context, userID string) ([]string, error) {
	awards, err := db.UserBadges(ctx, userID)
	held := make([]string, len(awards))
	for i, a := range awards {
		held[i] = a.Badge
	}
	return held, err
}

// RevokeBadge implements loyalty.Store.
func (db *DB) RevokeBadge(ctx context.Context, userID, badge string) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.userBadges().DeleteOne(ctx, id(awardKey(userID, badge)))
	if err != nil || res.DeletedCount == 0 {
		return false, err
	}
	if err := db.countHolders(ctx, badge, -1); err != nil {
		return true, err
	}
	if badge == loyalty.Champion {
		if _, err := db.users.UpdateOne(ctx, id(userID), bson.D{{Key: "$set", Value: bson.D{{Key: "champion", Value: false}}}}); err != nil {
			return true, err
		}
	}
	// A chosen highlight that is gone goes back to the highest.
	if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: "badge", Value: badge}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "badge_chosen", Value: false}}}}); err != nil {
		return true, err
	}
	return true, db.highlight(ctx, userID, func(cur string, held []string) string { return loyalty.Highest(held) })
}

// SetHighlight implements loyalty.Store.
func (db *DB) SetHighlight(ctx context.Context, userID, badge string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if badge == "" {
		if _, err := db.users.UpdateOne(ctx, id(userID), bson.D{{Key: "$set", Value: bson.D{{Key: "badge_chosen", Value: false}}}}); err != nil {
			return err
		}
		return db.highlight(ctx, userID, func(cur string, held []string) string { return loyalty.Highest(held) })
	}
	if err := db.userBadges().FindOne(ctx, id(awardKey(userID, badge))).Err(); err != nil {
		return notFound(err, loyalty.ErrBadgeNotHeld)
	}
	res, err := db.users.UpdateOne(ctx, id(userID), bson.D{{Key: "$set", Value: bson.D{{Key: "badge", Value: badge}, {Key: "badge_chosen", Value: true}}}})
	if err == nil && res.MatchedCount == 0 {
		return loyalty.ErrUserNotFound
	}
	return err
}

// UserBadges implements loyalty.Store.
func (db *DB) UserBadges(ctx context.Context, userID string) ([]*loyalty.Award, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.userBadges().Find(ctx, bson.D{{Key: "user_id", Value: userID}})
	if err != nil {
		return nil, err
	}
	var docs []awardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*loyalty.Award, len(docs))
	for i, d := range docs {
		out[i] = &loyalty.Award{ID: d.ID, UserID: d.UserID, Badge: d.Badge, GrantedBy: d.GrantedBy, At: fromMS(d.AwardedAt)}
	}
	slices.SortFunc(out, func(a, b *loyalty.Award) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// holdersFilter selects a page of a badge's holders, newest first.
func holdersFilter(badge, after string) bson.D {
	f := bson.D{{Key: "badge", Value: badge}}
	if after != "" {
		f = append(f, bson.E{Key: "id", Value: bson.D{{Key: "$lt", Value: after}}})
	}
	return f
}

var holdersSort = bson.D{{Key: "id", Value: -1}}

// BadgeHolders implements loyalty.Store.
func (db *DB) BadgeHolders(ctx context.Context, badge, after string, limit int) ([]*loyalty.Holder, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	docs, err := findDocs[awardDoc](ctx, db.userBadges(), holdersFilter(badge, after), options.Find().SetSort(holdersSort).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	return withPeople(ctx, db, docs, func(d awardDoc) string { return d.UserID }, func(d awardDoc, u userDoc) *loyalty.Holder {
		return &loyalty.Holder{ID: d.ID, UserID: d.UserID, Handle: u.Handle, Name: u.Name, AvatarURL: u.AvatarURL, At: fromMS(d.AwardedAt)}
	})
}

// withPeople turns docs into list rows with their people, read in one
// query; rows of deleted accounts are left out.
func withPeople[D, T any](ctx context.Context, db *DB, docs []D, userID func(D) string, row func(D, userDoc) T) ([]T, error) {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = userID(d)
	}
	people, err := db.people(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		if u, ok := people[userID(d)]; ok {
			out = append(out, row(d, u))
		}
	}
	return out, nil
}

// people reads the users among ids with what lists show of them, in one
// query; a deleted account is left out of lists of people.
func (db *DB) people(ctx context.Context, ids []string) (map[string]userDoc, error) {
	out, err := docsByID(ctx, db.users, ids, []string{"handle", "name", "avatar_url", "badge", "champion", "deleted_at"},
		func(d *userDoc) string { return d.ID })
	for id, d := range out {
		if d.DeletedAt != 0 {
			delete(out, id)
		}
	}
	return out, err
}

// BadgeCounts implements loyalty.Store.
func (db *DB) BadgeCounts(ctx context.Context) (map[string]int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.badgeCounts().Find(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	var docs []struct {
		Badge   string `bson:"_id"`
		Holders int    `bson:"holders"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, d := range docs {
		out[d.Badge] = d.Holders
	}
	return out, nil
}

// BadgeFacts implements loyalty.Store: a handful of indexed reads per person.
func (db *DB) BadgeFacts(ctx context.Context, q loyalty.FactsQuery) ([]loyalty.Facts, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	// A deleted account earns no more badges.
	alive := bson.E{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: q.UserIDs}}}, alive}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetProjection(bson.D{{Key: "created_at", Value: 1}})
	if q.UserIDs == nil {
		filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: q.After}}}, alive}
		opts.SetLimit(int64(q.Limit))
	} else if len(q.UserIDs) == 0 {
		return nil, nil
	}
	cur, err := db.users.Find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	var users []userDoc
	if err := cur.All(ctx, &users); err != nil {
		return nil, err
	}
	exists := func(c *mongo.Collection, f bson.D) (bool, error) {
		err := c.FindOne(ctx, f, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
		if err == mongo.ErrNoDocuments {
			return false, nil
		}
		return err == nil, err
	}
	out := make([]loyalty.Facts, 0, len(users))
	for _, u := range users {
		f := loyalty.Facts{UserID: u.ID, CreatedAt: fromMS(u.CreatedAt)}
		thread, err := exists(db.forumThreads(), bson.D{{Key: "author_id", Value: u.ID}, {Key: "hidden", Value: false}})
		if err != nil {
			return nil, err
		}
		reply := false
		if !thread {
			if reply, err = exists(db.forumPosts(), bson.D{{Key: "author_id", Value: u.ID}, {Key: "position", Value: bson.D{{Key: "$gt", Value: 0}}},
				{Key: "hidden", Value: false}}); err != nil {
				return nil, err
			}
		}
		if thread || reply {
			f.Posts = 1
		}
		n, err := db.forumThreads().CountDocuments(ctx, bson.D{{Key: "accepted_author_id", Value: u.ID}, {Key: "hidden", Value: false},
			{Key: "author_id", Value: bson.D{{Key: "$ne", Value: u.ID}}}}, options.Count().SetLimit(loyalty.AcceptedCap))
		if err != nil {
			return nil, err
		}
		f.Accepted = int(n)
		rc, err := db.reviews().Find(ctx, bson.D{{Key: "author_id", Value: u.ID}}, options.Find().SetProjection(bson.D{{Key: "helpful", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var revs []reviewDoc
		if err := rc.All(ctx, &revs); err != nil {
			return nil, err
		}
		for _, r := range revs {
			f.Helpful += r.Helpful
		}
		shipped, err := exists(db.ideas(), bson.D{{Key: "author_id", Value: u.ID}, {Key: "status", Value: string(ideas.StatusDone)},
			{Key: "listed", Value: true}, {Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}})
		if err != nil {
			return nil, err
		}
		if shipped {
			f.Shipped = 1
		}
		out = append(out, f)
	}
	return out, nil
}

// orMissing matches a string field equal to v, where "" also matches the
// field's absence (documents leave empty strings out).
func orMissing(v string) any {
	if v == "" {
		return bson.D{{Key: "$in", Value: bson.A{"", nil}}}
	}
	return v
}
