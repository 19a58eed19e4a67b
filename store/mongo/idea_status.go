package mongo

import (
	"context"
	"html/template"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

type statusChangeDoc struct {
	ID           string `bson:"_id"`
	IdeaID       string `bson:"idea_id"`
	From         string `bson:"from"`
	To           string `bson:"to"`
	Reason       string `bson:"reason"`
	Response     string `bson:"response"`
	ResponseHTML string `bson:"response_html"`
	ActorID      string `bson:"actor_id"`
	At           int64  `bson:"at"`
}

// ChangeStatus implements ideas.Store.
func (db *DB) ChangeStatus(ctx context.Context, ch *ideas.StatusChange) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.openIdea(ctx, ch.IdeaID); err != nil {
		return err
	}
	at := ms(ch.At)
	if err := db.insert(ctx, db.ideaStatus(), statusChangeDoc{ID: ch.ID, IdeaID: ch.IdeaID, From: string(ch.From), To: string(ch.To),
		Reason: ch.Reason, Response: ch.Response, ResponseHTML: string(ch.ResponseHTML), ActorID: ch.ActorID, At: at}); err != nil {
		return err
	}
	set := bson.D{{Key: "status", Value: string(ch.To)}, {Key: "status_at", Value: at}}
	if ch.Response != "" {
		set = append(set, bson.E{Key: "response", Value: ideaResponse{Body: ch.Response, BodyHTML: string(ch.ResponseHTML), AuthorID: ch.ActorID, At: at}})
	}
	var before ideaDoc
	if err := db.ideas().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: ch.IdeaID}}, bson.D{{Key: "$set", Value: set}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before); err != nil {
		return notFound(err, ideas.ErrNotFound)
	}
	// The author's points follow the status the idea really had.
	if err := db.credit(ctx, ch.At, loyalty.StatusEntries(ch.ID, ch.IdeaID, before.AuthorID, ideas.Status(before.Status), ch.To)...); err != nil {
		return err
	}
	if err := db.markResponded(ctx, ch.IdeaID, at); err != nil {
		return err
	}
	if err := db.markShipped(ctx, ch); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindIdea, ch.IdeaID)
}

// StatusHistory implements ideas.Store.
func (db *DB) StatusHistory(ctx context.Context, ideaID string) ([]*ideas.StatusChange, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideaStatus().Find(ctx, bson.D{{Key: "idea_id", Value: ideaID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []statusChangeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ActorID)
	}
	names, err := db.userNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*ideas.StatusChange, 0, len(docs))
	for _, d := range docs {
		out = append(out, &ideas.StatusChange{ID: d.ID, IdeaID: d.IdeaID, From: ideas.Status(d.From), To: ideas.Status(d.To), Reason: d.Reason,
			Response: d.Response, ResponseHTML: template.HTML(d.ResponseHTML), ActorID: d.ActorID, ActorName: names[d.ActorID], At: fromMS(d.At)})
	}
	return out, nil
}
