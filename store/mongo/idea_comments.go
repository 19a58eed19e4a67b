package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

type ideaCommentDoc struct {
	ID         string     `bson:"_id"`
	IdeaID     string     `bson:"idea_id"`
	AuthorID   string     `bson:"author_id"`
	Team       bool       `bson:"team"`
	Body       string     `bson:"body"`
	BodyHTML   string     `bson:"body_html"`
	MergedFrom string     `bson:"merged_from,omitempty"`
	CreatedAt  int64      `bson:"created_at"`
	EditedAt   int64      `bson:"edited_at,omitempty"`
	DeletedAt  int64      `bson:"deleted_at,omitempty"`
	DeletedBy  string     `bson:"deleted_by,omitempty"`
	Hidden     *hiddenDoc `bson:"hidden,omitempty"`
	Likes      int        `bson:"likes,omitempty"`
}

// AddComment implements ideas.Store.
func (db *DB) AddComment(ctx context.Context, c *ideas.Comment) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.openIdea(ctx, c.IdeaID); err != nil {
		return err
	}
	if err := db.insert(ctx, db.ideaComments(), ideaCommentDoc{ID: c.ID, IdeaID: c.IdeaID, AuthorID: c.AuthorID, Team: c.Team,
		Body: c.Body, BodyHTML: string(c.BodyHTML), CreatedAt: ms(c.CreatedAt)}); err != nil {
		return err
	}
	if _, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: c.IdeaID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "comments", Value: 1}}}}); err != nil {
		return err
	}
	if c.Team {
		return db.markResponded(ctx, c.IdeaID, ms(c.CreatedAt))
	}
	return nil
}

// markResponded records the first response; later ones leave it alone.
func (db *DB) markResponded(ctx context.Context, ideaID string, at int64) error {
	_, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ideaID}, {Key: "responded_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "responded_at", Value: at}, {Key: "awaiting", Value: false}}}})
	return err
}

// Followers implements ideas.Store.
func (db *DB) Followers(ctx context.Context, ideaID string) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if d, err := db.ideaDoc(ctx, ideaID, ideas.ErrNotFound); err == nil {
		add(d.AuthorID)
	} else if townhall.ErrorCode(err) != townhall.ENOTFOUND {
		return nil, err
	}
	for _, c := range []struct {
		coll  *mongo.Collection
		field string
	}{{db.ideaVotes(), "user_id"}, {db.ideaComments(), "author_id"}} {
		cur, err := c.coll.Find(ctx, bson.D{{Key: "idea_id", Value: ideaID}}, options.Find().SetProjection(bson.D{{Key: c.field, Value: 1}}))
		if err != nil {
			return nil, err
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			return nil, err
		}
		for _, d := range docs {
			if s, ok := d[c.field].(string); ok {
				add(s)
			}
		}
	}
	return out, nil
}
