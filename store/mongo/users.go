package mongo

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

var _ auth.Store = (*DB)(nil)

// userDoc is a user with its sign-in identities embedded.
type userDoc struct {
	ID        string `bson:"_id"`
	Handle    string `bson:"handle"`
	Name      string `bson:"name"`
	Email     string `bson:"email"`
	EmailKey  string `bson:"email_key,omitempty"` // Email lowercased, for finding customers (customers.go)
	AvatarURL string `bson:"avatar_url"`
	Role      string `bson:"role"`
	SegmentID string `bson:"segment_id,omitempty"`
	Verified  bool   `bson:"verified"`
	Unread    int    `bson:"unread"`
	CreatedAt int64  `bson:"created_at"`
	// LastSeenAt and DaysVisited move with each day's first visit (see
	// visits.go).
	LastSeenAt  int64 `bson:"last_seen_at,omitempty"`
	DaysVisited int   `bson:"days_visited,omitempty"`
	// Reputation (the sum of the ledger), the highlighted badge, the VIP
	// mark and the profile (see loyalty.go).
	Reputation  int    `bson:"reputation,omitempty"`
	Badge       string `bson:"badge,omitempty"`
	BadgeChosen bool   `bson:"badge_chosen,omitempty"`
	Champion    bool   `bson:"champion,omitempty"`
	NameChosen  bool   `bson:"name_chosen,omitempty"`
	Bio         string `bson:"bio,omitempty"`
	BioHTML     string `bson:"bio_html,omitempty"`
	// Trust level and sanctions (see moderation.go).
	TrustLevel     int    `bson:"trust_level,omitempty"`
	TrustLocked    bool   `bson:"trust_locked,omitempty"`
	SilencedUntil  int64  `bson:"silenced_until,omitempty"`
	SilenceReason  string `bson:"silence_reason,omitempty"`
	SuspendedUntil int64  `bson:"suspended_until,omitempty"`
	SuspendReason  string `bson:"suspend_reason,omitempty"`
	// Identities are "provider:subject" keys (provider names have no colon):
	// an array of strings under a unique multikey index, which every
	// MongoDB-compatible server can match by equality.
	Identities []string `bson:"identities"`
	// DeletedAt is set when the account was deleted (see accounts.go).
	DeletedAt int64 `bson:"deleted_at,omitempty"`
}

func identityKey(id auth.Identity) string { return id.Provider + ":" + id.Subject }

type segmentDoc struct {
	ID       string  `bson:"_id"`
	Name     string  `bson:"name"`
	NameKey  string  `bson:"name_key"` // lowercased name: unique without needing collations
	Weight   float64 `bson:"weight"`
	Verified bool    `bson:"verified"`
}

// Documents in the meta collection that make admin rules race-safe.
const (
	// metaBootstrap is claimed (inserted, unique _id) by the one user that
	// becomes the first admin.
	metaBootstrap = "admin-bootstrap"
	// metaAdmins holds n, the number of admins. Demoting an admin first
	// decrements it with the condition n > 1, so two concurrent demotions
	// of the last two admins cannot both succeed.
	metaAdmins = "admins"
)

// ensureBootstrap repairs the admin documents of a database written without
// them (an import, or an interrupted sign-in): the bootstrap is claimed when
// any user exists, and a missing admin count is counted once.
func (db *DB) ensureBootstrap(ctx context.Context) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var some userDoc
	err := db.users.FindOne(ctx, bson.D{}).Decode(&some)
	if err == mongo.ErrNoDocuments {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaBootstrap}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "user_id", Value: some.ID}}}},
		options.UpdateOne().SetUpsert(true)); err != nil && !mongo.IsDuplicateKeyError(err) {
		return err
	}
	n, err := db.users.CountDocuments(ctx, bson.D{{Key: "role", Value: string(townhall.RoleAdmin)}})
	if err != nil {
		return err
	}
	_, err = db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaAdmins}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "n", Value: n}}}},
		options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		err = nil
	}
	return err
}

// toUser converts a stored user, folding in its segment's verified flag.
func (db *DB) toUser(ctx context.Context, d *userDoc) (*townhall.User, error) {
	u := &townhall.User{ID: d.ID, Handle: d.Handle, Name: d.Name, Email: d.Email, AvatarURL: d.AvatarURL,
		Role: townhall.Role(d.Role), Verified: d.Verified, Unread: d.Unread, CreatedAt: fromMS(d.CreatedAt), DaysVisited: d.DaysVisited,
		Reputation: d.Reputation, Badge: d.Badge, Champion: d.Champion}
	if d.LastSeenAt != 0 {
		u.LastSeenAt = fromMS(d.LastSeenAt)
	}
	if d.DeletedAt != 0 {
		u.DeletedAt = fromMS(d.DeletedAt)
	}
	u.TrustLevel, u.TrustLocked, u.SilenceReason, u.SuspendReason = d.TrustLevel, d.TrustLocked, d.SilenceReason, d.SuspendReason
	if d.SilencedUntil != 0 {
		u.SilencedUntil = fromMS(d.SilencedUntil)
	}
	if d.SuspendedUntil != 0 {
		u.SuspendedUntil = fromMS(d.SuspendedUntil)
	}
	if d.SegmentID != "" {
		var s segmentDoc
		err := db.segments.FindOne(ctx, bson.D{{Key: "_id", Value: d.SegmentID}}).Decode(&s)
		switch {
		case err == nil:
			u.SegmentID = s.ID
			u.Verified = u.Verified || s.Verified
		case err != mongo.ErrNoDocuments: // a deleted segment reads as none
			return nil, err
		}
	}
	return u, nil
}

func (db *DB) findUser(ctx context.Context, filter bson.D) (*townhall.User, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d userDoc
	if err := db.users.FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, notFound(err, auth.ErrUserNotFound)
	}
	return db.toUser(ctx, &d)
}

// SignIn implements auth.Store. A new user and its identity are one insert;
// a unique-index violation on the identity means a concurrent sign-in of the
// same person won, so we read theirs; one on the handle means someone took
// the name meanwhile, so we pick the next free one and try again.
func (db *DB) SignIn(ctx context.Context, id auth.Identity, now time.Time) (*townhall.User, bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	byIdentity := bson.D{{Key: "identities", Value: identityKey(id)}}
	for attempt := 0; attempt < 20; attempt++ {
		var d userDoc
		err := db.users.FindOneAndUpdate(ctx, append(byIdentity, bson.E{Key: "name_chosen", Value: bson.D{{Key: "$ne", Value: true}}}),
			bson.D{{Key: "$set", Value: bson.D{
				{Key: "name", Value: id.Name}, {Key: "email", Value: id.Email}, {Key: "email_key", Value: emailKey(id.Email)}, {Key: "avatar_url", Value: id.AvatarURL}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		if err == mongo.ErrNoDocuments {
			// Someone who chose their display name on their profile keeps it.
			err = db.users.FindOneAndUpdate(ctx, byIdentity, bson.D{{Key: "$set", Value: bson.D{
				{Key: "email", Value: id.Email}, {Key: "avatar_url", Value: id.AvatarURL}}}},
				options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		}
		if err == nil {
			u, err := db.toUser(ctx, &d)
			return u, false, err
		} else if err != mongo.ErrNoDocuments {
			return nil, false, err
		}
		if err := db.refuseDeletedIdentity(ctx, id); err != nil {
			return nil, false, err
		}
		// A customer recorded by email becomes this person.
		if d, ok, err := db.claimPlaceholder(ctx, id); err != nil {
			return nil, false, err
		} else if ok {
			u, err := db.toUser(ctx, &d)
			return u, true, err
		}
		role := id.Role
		if role == "" {
			role = townhall.RoleMember
		}
		handle, err := db.freeHandle(ctx, auth.Handle(id.Name))
		if err != nil {
			return nil, false, err
		}
		d = userDoc{ID: townhall.NewID(), Handle: handle, Name: id.Name, Email: id.Email, EmailKey: emailKey(id.Email), AvatarURL: id.AvatarURL,
			Role: string(role), CreatedAt: ms(now), Identities: []string{identityKey(id)}}
		if err := db.insert(ctx, db.users, &d); mongo.IsDuplicateKeyError(err) {
			continue // lost a race on the identity or the handle: look again
		} else if err != nil {
			return nil, false, err
		}
		if role == townhall.RoleAdmin {
			if err := db.bumpAdmins(ctx, 1); err != nil {
				return nil, false, err
			}
		}
		if err := db.claimBootstrap(ctx, &d); err != nil {
			return nil, false, err
		}
		u, err := db.toUser(ctx, &d)
		return u, true, err
	}
	return nil, false, fmt.Errorf("mongo: sign-in of %s/%s kept conflicting", id.Provider, id.Subject)
}

// claimBootstrap makes d the first admin when no user has claimed that yet.
// The claim is an insert under a unique _id, so exactly one user wins even
// when several sign up at once.
func (db *DB) claimBootstrap(ctx context.Context, d *userDoc) error {
	err := db.insert(ctx, db.meta, bson.D{{Key: "_id", Value: metaBootstrap}, {Key: "user_id", Value: d.ID}})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	} else if err != nil {
		return err
	}
	if d.Role == string(townhall.RoleAdmin) {
		return nil
	}
	if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: string(townhall.RoleAdmin)}}}}); err != nil {
		return err
	}
	d.Role = string(townhall.RoleAdmin)
	return db.bumpAdmins(ctx, 1)
}

func (db *DB) bumpAdmins(ctx context.Context, by int64) error {
	_, err := db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaAdmins}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: by}}}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // concurrent first upsert: now it exists
		_, err = db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaAdmins}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: by}}}})
	}
	return err
}

// freeHandle reads the handles like base and picks auth.FreeHandle.
// The anchored regex uses the handle index.
func (db *DB) freeHandle(ctx context.Context, base string) (string, error) {
	pattern := "^" + regexp.QuoteMeta(base) + "(-[0-9]+)?$"
	cur, err := db.users.Find(ctx, bson.D{{Key: "handle", Value: bson.Regex{Pattern: pattern}}},
		options.Find().SetProjection(bson.D{{Key: "handle", Value: 1}}))
	if err != nil {
		return "", err
	}
	var docs []struct {
		Handle string `bson:"handle"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, d := range docs {
		taken[d.Handle] = true
	}
	return auth.FreeHandle(base, taken), nil
}

// User implements auth.Store.
func (db *DB) User(ctx context.Context, id string) (*townhall.User, error) {
	return db.findUser(ctx, bson.D{{Key: "_id", Value: id}})
}

// UserByHandle implements auth.Store.
func (db *DB) UserByHandle(ctx context.Context, handle string) (*townhall.User, error) {
	return db.findUser(ctx, bson.D{{Key: "handle", Value: handle}})
}

// Users implements auth.Store.
func (db *DB) Users(ctx context.Context, after string, limit int) ([]*townhall.User, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*townhall.User, 0, len(docs))
	for i := range docs {
		u, err := db.toUser(ctx, &docs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// SetRole implements auth.Store. Demoting an admin takes one from the admin
// count first, only while more than one remains; promoting adds one after
// the role changed. An interruption between the two steps leaves the count
// too low, which can only refuse a demotion, never allow a last-admin one.
func (db *DB) SetRole(ctx context.Context, userID string, role townhall.Role) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var d userDoc
	if err := db.users.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d); err != nil {
		return notFound(err, auth.ErrUserNotFound)
	}
	admin := string(townhall.RoleAdmin)
	switch {
	case d.Role == string(role):
		return nil
	case d.Role == admin:
		res, err := db.meta.UpdateOne(ctx, bson.D{{Key: "_id", Value: metaAdmins}, {Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(-1)}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			return auth.ErrLastAdmin
		}
		res, err = db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: "role", Value: admin}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: string(role)}}}})
		if err != nil || res.MatchedCount == 0 { // changed meanwhile: give the count back
			return firstErr(err, db.bumpAdmins(ctx, 1))
		}
		return nil
	default:
		res, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}, {Key: "role", Value: d.Role}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: string(role)}}}})
		if err != nil {
			return err
		}
		if res.ModifiedCount == 1 && role == townhall.RoleAdmin {
			return db.bumpAdmins(ctx, 1)
		}
		return nil
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// updateUser applies update to one user, ENOTFOUND when there is none.
func (db *DB) updateUser(ctx context.Context, userID string, update bson.D) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}}, update)
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return auth.ErrUserNotFound
	}
	return nil
}

// SetUserSegment implements auth.Store.
func (db *DB) SetUserSegment(ctx context.Context, userID, segmentID string) error {
	if segmentID == "" {
		return db.updateUser(ctx, userID, bson.D{{Key: "$unset", Value: bson.D{{Key: "segment_id", Value: ""}}}})
	}
	return db.updateUser(ctx, userID, bson.D{{Key: "$set", Value: bson.D{{Key: "segment_id", Value: segmentID}}}})
}

// SetUserVerified implements auth.Store.
func (db *DB) SetUserVerified(ctx context.Context, userID string, verified bool) error {
	return db.updateUser(ctx, userID, bson.D{{Key: "$set", Value: bson.D{{Key: "verified", Value: verified}}}})
}

// Segments implements auth.Store.
func (db *DB) Segments(ctx context.Context) ([]*townhall.Segment, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.segments.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name_key", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []segmentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*townhall.Segment, 0, len(docs))
	for _, d := range docs {
		out = append(out, &townhall.Segment{ID: d.ID, Name: d.Name, Weight: d.Weight, Verified: d.Verified})
	}
	return out, nil
}

// Segment implements auth.Store.
func (db *DB) Segment(ctx context.Context, id string) (*townhall.Segment, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d segmentDoc
	if err := db.segments.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, notFound(err, auth.ErrSegmentNotFound)
	}
	return &townhall.Segment{ID: d.ID, Name: d.Name, Weight: d.Weight, Verified: d.Verified}, nil
}

// SaveSegment implements auth.Store.
func (db *DB) SaveSegment(ctx context.Context, s *townhall.Segment) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.segments.UpdateOne(ctx, bson.D{{Key: "_id", Value: s.ID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: s.Name}, {Key: "name_key", Value: strings.ToLower(s.Name)},
		{Key: "weight", Value: s.Weight}, {Key: "verified", Value: s.Verified}}}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return auth.ErrSegmentNameTaken(s.Name).WithCause(err)
	}
	return err
}

// DeleteSegment implements auth.Store. Members are unassigned before the
// segment goes, and a user whose segment is missing reads as unsegmented,
// so an interrupted delete is harmless and a re-run finishes it.
func (db *DB) DeleteSegment(ctx context.Context, id string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.segments.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
		return notFound(err, auth.ErrSegmentNotFound)
	}
	if _, err := db.users.UpdateMany(ctx, bson.D{{Key: "segment_id", Value: id}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "segment_id", Value: ""}}}}); err != nil {
		return err
	}
	res, err := db.segments.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err == nil && res.DeletedCount == 0 {
		return auth.ErrSegmentNotFound
	}
	return err
}

// userNames maps user ids to display names in one query.
func (db *DB) userNames(ctx context.Context, ids []string) (map[string]string, error) {
	return stringsByID(ctx, db.users, ids, "name")
}
