package mongo

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// DefaultDatabase is the database used when the URI names none.
const DefaultDatabase = "townhall"

// DatabaseFromURI returns the database named in a mongodb:// or
// mongodb+srv:// URI's path, DefaultDatabase when there is none.
func DatabaseFromURI(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
		return "", fmt.Errorf("%q is not a mongodb:// or mongodb+srv:// URI", Redact(uri))
	}
	if name := strings.Trim(u.Path, "/"); name != "" {
		return name, nil
	}
	return DefaultDatabase, nil
}

// Redact hides a password in a URI so it can appear in messages and logs.
func Redact(uri string) string {
	if u, err := url.Parse(uri); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return uri
}

// OpenURI opens the database the URI names (see DatabaseFromURI).
func OpenURI(ctx context.Context, uri string) (*DB, error) {
	name, err := DatabaseFromURI(uri)
	if err != nil {
		return nil, err
	}
	return Open(ctx, uri, name)
}

// SettingOnce returns the setting key, storing value first if it is unset.
// Of several nodes starting at once, the first writer wins and every node
// reads the same value (e.g. a generated session secret).
func (db *DB) SettingOnce(ctx context.Context, key, value string) (string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.settings.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "value", Value: value}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return "", err
	}
	return db.Setting(ctx, key)
}
