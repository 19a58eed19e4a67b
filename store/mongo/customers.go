package mongo

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

// Customers by email: every user document keeps its email address
// lowercased in email_key (written on each sign-in, backfilled by a schema
// step), under an index, since matching without case needs collations not
// every compatible server has. A customer recorded by email before having
// an account is a user whose one identity is "email:<address>"; the first
// sign-in with that address replaces it with the real identity, in one
// update of the user document.
func init() {
	registerIndexes(func(db *DB) []index {
		return []index{{db.users, "email_key", bson.D{{Key: "email_key", Value: 1}, {Key: "_id", Value: 1}}, false, false}}
	})
}

var _ auth.CustomerStore = (*DB)(nil)

// emailKey is how an address is matched: trimmed and lowercased.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// placeholder reports whether nobody has signed in to the account yet.
func (u userCard) placeholder() bool {
	for _, id := range u.Identities {
		if strings.HasPrefix(id, auth.ProviderEmail+":") {
			return true
		}
	}
	return false
}

// UserByEmail implements auth.CustomerStore.
func (db *DB) UserByEmail(ctx context.Context, key string) (*townhall.User, bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d userDoc
	err := db.users.FindOne(ctx, bson.D{{Key: "email_key", Value: key}}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: 1}})).Decode(&d)
	if err != nil {
		return nil, false, notFound(err, auth.ErrUserNotFound)
	}
	u, err := db.toUser(ctx, &d)
	return u, userCard{Identities: d.Identities}.placeholder(), err
}

// claimPlaceholder gives a new identity the placeholder account of a
// customer recorded by its email address, if there is one: one update
// replaces the recorded address with the identity and takes the profile
// from it. ok is false when there is none to claim.
func (db *DB) claimPlaceholder(ctx context.Context, id auth.Identity) (d userDoc, ok bool, err error) {
	key := emailKey(id.Email)
	if key == "" || id.Provider == auth.ProviderEmail || id.Provider == auth.ProviderBot {
		return d, false, nil
	}
	err = db.users.FindOneAndUpdate(ctx, bson.D{{Key: "identities", Value: auth.ProviderEmail + ":" + key}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "identities", Value: []string{identityKey(id)}}, {Key: "name", Value: id.Name},
			{Key: "email", Value: id.Email}, {Key: "email_key", Value: key}, {Key: "avatar_url", Value: id.AvatarURL}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err == mongo.ErrNoDocuments {
		return d, false, nil
	}
	return d, err == nil, err
}

// backfillEmailKeys gives every user written before email_key existed its
// key (a schema step; safe to run twice and on several nodes at once).
func backfillEmailKeys(ctx context.Context, db *DB) error {
	cur, err := db.users.Find(ctx, bson.D{{Key: "email_key", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "email", Value: bson.D{{Key: "$ne", Value: ""}}}},
		options.Find().SetProjection(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d struct {
			ID    string `bson:"_id"`
			Email string `bson:"email"`
		}
		if err := cur.Decode(&d); err != nil {
			return err
		}
		if _, err := db.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "email_key", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "email_key", Value: emailKey(d.Email)}}}}); err != nil {
			return err
		}
	}
	return cur.Err()
}
