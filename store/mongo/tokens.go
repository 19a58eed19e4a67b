package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/tokens"
)

// API tokens: one document each under a unique hash index (a request
// finds its token by the hash of the secret it presents), listed per owner
// and, for site tokens, together.
func init() {
	registerIndexes(func(db *DB) []index {
		c := db.apiTokens()
		return []index{
			{c, "hash", bson.D{{Key: "hash", Value: 1}}, true, false},
			{c, "user", bson.D{{Key: "user_id", Value: 1}, {Key: "site", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{c, "site", bson.D{{Key: "site", Value: 1}, {Key: "_id", Value: -1}}, false, false},
		}
	})
}

var _ tokens.Store = (*DB)(nil)

type tokenDoc struct {
	ID         string   `bson:"_id"`
	UserID     string   `bson:"user_id"`
	Name       string   `bson:"name"`
	Scopes     []string `bson:"scopes"`
	Hash       string   `bson:"hash"`
	Prefix     string   `bson:"prefix"`
	Site       bool     `bson:"site"`
	CreatedBy  string   `bson:"created_by"`
	CreatedAt  int64    `bson:"created_at"`
	ExpiresAt  int64    `bson:"expires_at,omitempty"`
	LastUsedAt int64    `bson:"last_used_at"` // 0: never; a number, so "$lt since" matches never-used tokens
	RevokedAt  int64    `bson:"revoked_at,omitempty"`
}

func (db *DB) apiTokens() *mongo.Collection { return db.db.Collection("api_tokens") }

// msOrZero stores an optional time: the zero time as 0 (optMS reads it back).
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// toTokens converts stored tokens, filling whom each acts as in one query.
func (db *DB) toTokens(ctx context.Context, docs []tokenDoc) ([]*tokens.Token, error) {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.UserID
	}
	users, err := db.userCards(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*tokens.Token, len(docs))
	for i, d := range docs {
		u := users[d.UserID]
		out[i] = &tokens.Token{ID: d.ID, UserID: d.UserID, Name: d.Name, Scopes: d.Scopes, Hash: d.Hash, Prefix: d.Prefix, Site: d.Site,
			CreatedBy: d.CreatedBy, CreatedAt: fromMS(d.CreatedAt), ExpiresAt: optMS(d.ExpiresAt), LastUsedAt: optMS(d.LastUsedAt),
			RevokedAt: optMS(d.RevokedAt), UserName: u.Name, UserHandle: u.Handle, UserRole: townhall.Role(u.Role)}
	}
	return out, nil
}

// userCard is what lists show of a person.
type userCard struct {
	ID         string   `bson:"_id"`
	Name       string   `bson:"name"`
	Handle     string   `bson:"handle"`
	Role       string   `bson:"role"`
	Email      string   `bson:"email"`
	Identities []string `bson:"identities"`
}

// userCards maps user ids to their names, handles and roles in one query.
func (db *DB) userCards(ctx context.Context, ids []string) (map[string]userCard, error) {
	out := map[string]userCard{}
	if len(ids) == 0 {
		return out, nil
	}
	cur, err := db.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "handle", Value: 1}, {Key: "role", Value: 1},
			{Key: "email", Value: 1}, {Key: "identities", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []userCard
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}

func (db *DB) findTokens(ctx context.Context, filter bson.D, limit int) ([]*tokens.Token, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	o := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if limit > 0 {
		o.SetLimit(int64(limit))
	}
	cur, err := db.apiTokens().Find(ctx, filter, o)
	if err != nil {
		return nil, err
	}
	var docs []tokenDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toTokens(ctx, docs)
}

func (db *DB) oneToken(ctx context.Context, filter bson.D) (*tokens.Token, error) {
	ts, err := db.findTokens(ctx, filter, 1)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, tokens.ErrNotFound
	}
	return ts[0], nil
}

// CreateToken implements tokens.Store.
func (db *DB) CreateToken(ctx context.Context, t *tokens.Token) error {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.insert(ctx, db.apiTokens(), tokenDoc{ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: t.Scopes, Hash: t.Hash,
		Prefix: t.Prefix, Site: t.Site, CreatedBy: t.CreatedBy, CreatedAt: ms(t.CreatedAt), ExpiresAt: msOrZero(t.ExpiresAt)})
	return err
}

// Token implements tokens.Store.
func (db *DB) Token(ctx context.Context, id string) (*tokens.Token, error) {
	return db.oneToken(ctx, bson.D{{Key: "_id", Value: id}})
}

// TokenByHash implements tokens.Store.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*tokens.Token, error) {
	return db.oneToken(ctx, bson.D{{Key: "hash", Value: hash}})
}

// UserTokens implements tokens.Store.
func (db *DB) UserTokens(ctx context.Context, userID string, limit int) ([]*tokens.Token, error) {
	return db.findTokens(ctx, bson.D{{Key: "user_id", Value: userID}, {Key: "site", Value: false}}, limit)
}

// SiteTokens implements tokens.Store.
func (db *DB) SiteTokens(ctx context.Context, limit int) ([]*tokens.Token, error) {
	return db.findTokens(ctx, bson.D{{Key: "site", Value: true}}, limit)
}

// RevokeToken implements tokens.Store: one conditional update, so two
// revocations at once record one time.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.apiTokens().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "revoked_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: ms(at)}}}})
	if err != nil {
		return false, err
	}
	if res.MatchedCount == 1 {
		return true, nil
	}
	if err := db.apiTokens().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
		return false, notFound(err, tokens.ErrNotFound)
	}
	return false, nil
}

// TouchToken implements tokens.Store.
func (db *DB) TouchToken(ctx context.Context, id string, at, since time.Time) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.apiTokens().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "last_used_at", Value: bson.D{{Key: "$lt", Value: ms(since)}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_used_at", Value: ms(at)}}}})
	return err
}
