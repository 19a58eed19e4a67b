package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

// sessionDoc is a signed-in browser, keyed by its token hash. expires_at is
// a BSON date so the TTL index removes expired sessions on its own;
// DeleteExpiredSessions remains for servers without TTL monitors.
type sessionDoc struct {
	TokenHash string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// CreateSession implements auth.Store.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session) error {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.insert(ctx, db.sessions, sessionDoc{s.TokenHash, s.UserID, s.CreatedAt.UTC(), s.ExpiresAt.UTC()})
	return err
}

// SessionUser implements auth.Store.
func (db *DB) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*townhall.User, *auth.Session, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d sessionDoc
	err := db.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now.UTC()}}}}).Decode(&d)
	if err != nil {
		return nil, nil, notFound(err, auth.ErrSessionNotFound)
	}
	u, err := db.User(ctx, d.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !u.DeletedAt.IsZero() { // its sessions are being deleted
		return nil, nil, auth.ErrSessionNotFound
	}
	return u, &auth.Session{TokenHash: d.TokenHash, UserID: d.UserID, CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}, nil
}

// ExtendSession implements auth.Store.
func (db *DB) ExtendSession(ctx context.Context, tokenHash string, expires time.Time) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.sessions.UpdateOne(ctx, bson.D{{Key: "_id", Value: tokenHash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires_at", Value: expires.UTC()}}}})
	return err
}

// DeleteSession implements auth.Store.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: tokenHash}})
	return err
}

// DeleteExpiredSessions implements auth.Store.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.sessions.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return 0, err
	}
	return int(res.DeletedCount), nil
}
