package mongo

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/townhall/townhall/store/transfer"
)

// integrationModels turns a batch of an integrations record type into
// upserts of its collection; ok is false for other types.
func (db *DB) integrationModels(b transfer.Batch, add func(mongo.WriteModel)) (coll *mongo.Collection, ok bool) {
	switch b.Type.Name {
	case "api_tokens":
		for _, r := range b.Records {
			t := r.(*transfer.APIToken)
			add(replace(t.ID, tokenDoc{ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: strings.Split(t.Scopes, ","), Hash: t.Hash,
				Prefix: t.Prefix, Site: t.Site, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt,
				LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}))
		}
		return db.apiTokens(), true
	}
	return nil, false
}
