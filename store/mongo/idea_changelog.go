package mongo

import (
	"context"
	"html/template"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall/ideas"
)

// The changelog walks (listed, status, shipped_at, _id) newest first;
// release notes are documents of their own keyed by their idea's id, and
// fetched for a page of ideas at once.
func init() {
	registerIndexes(func(db *DB) []index {
		return []index{
			{db.ideas(), "changelog", changelogKeys, false, false},
			{db.ideaProxyVotes(), "newest", bson.D{{Key: "idea_id", Value: 1}, {Key: "created_at", Value: -1}}, false, false},
		}
	})
}

var changelogKeys = bson.D{{Key: "listed", Value: 1}, {Key: "status", Value: 1}, {Key: "shipped_at", Value: -1}, {Key: "_id", Value: -1}}

type releaseNoteDoc struct {
	IdeaID    string `bson:"_id"`
	Body      string `bson:"body"`
	BodyHTML  string `bson:"body_html"`
	AuthorID  string `bson:"author_id"`
	UpdatedAt int64  `bson:"updated_at"`
}

func (db *DB) ideaReleaseNotes() *mongo.Collection { return db.db.Collection("idea_release_notes") }

// markShipped keeps an idea's shipped_at with its status change: set when
// it moves to done, removed when it moves away, kept when the team only
// responds.
func (db *DB) markShipped(ctx context.Context, ch *ideas.StatusChange) error {
	var update bson.D
	switch {
	case ch.To == ideas.StatusDone && ch.From != ideas.StatusDone:
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "shipped_at", Value: ms(ch.At)}}}}
	case ch.To != ideas.StatusDone:
		update = bson.D{{Key: "$unset", Value: bson.D{{Key: "shipped_at", Value: ""}}}}
	default:
		return nil
	}
	_, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ch.IdeaID}}, update)
	return err
}

// changelogFilter selects the shipped, listed ideas after the cursor.
func changelogFilter(after *ideas.Cursor) bson.D {
	f := bson.D{{Key: "listed", Value: true}, {Key: "status", Value: string(ideas.StatusDone)}}
	if after != nil {
		k := int64(after.Key)
		f = append(f, bson.E{Key: "shipped_at", Value: bson.D{{Key: "$lte", Value: k}}}, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "shipped_at", Value: bson.D{{Key: "$lt", Value: k}}}},
			bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
		}})
	}
	return f
}

var changelogSort = bson.D{{Key: "shipped_at", Value: -1}, {Key: "_id", Value: -1}}

// Changelog implements ideas.ChangelogStore.
func (db *DB) Changelog(ctx context.Context, after *ideas.Cursor, limit int) ([]*ideas.Shipped, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideas().Find(ctx, changelogFilter(after), options.Find().SetSort(changelogSort).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []ideaDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	list, err := db.toIdeas(ctx, docs, "", false)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	notes, err := db.releaseNotes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*ideas.Shipped, len(list))
	for i, idea := range list {
		out[i] = &ideas.Shipped{Idea: idea, ShippedAt: optMS(docs[i].ShippedAt), Note: notes[idea.ID]}
	}
	return out, nil
}

// releaseNotes reads the notes of the given ideas, with their authors'
// names, in two queries.
func (db *DB) releaseNotes(ctx context.Context, ideaIDs []string) (map[string]*ideas.ReleaseNote, error) {
	out := map[string]*ideas.ReleaseNote{}
	if len(ideaIDs) == 0 {
		return out, nil
	}
	cur, err := db.ideaReleaseNotes().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ideaIDs}}}})
	if err != nil {
		return nil, err
	}
	var docs []releaseNoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	authors := make([]string, len(docs))
	for i, d := range docs {
		authors[i] = d.AuthorID
	}
	names, err := db.userNames(ctx, authors)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		out[d.IdeaID] = &ideas.ReleaseNote{IdeaID: d.IdeaID, Body: d.Body, BodyHTML: template.HTML(d.BodyHTML), AuthorID: d.AuthorID,
			AuthorName: names[d.AuthorID], UpdatedAt: fromMS(d.UpdatedAt)}
	}
	return out, nil
}

// SetReleaseNote implements ideas.ChangelogStore.
func (db *DB) SetReleaseNote(ctx context.Context, n *ideas.ReleaseNote) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if _, err := db.ideaDoc(ctx, n.IdeaID, ideas.ErrNotFound); err != nil {
		return err
	}
	_, err := db.ideaReleaseNotes().ReplaceOne(ctx, bson.D{{Key: "_id", Value: n.IdeaID}},
		releaseNoteDoc{n.IdeaID, n.Body, string(n.BodyHTML), n.AuthorID, ms(n.UpdatedAt)}, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) { // two first upserts raced; the other one is there now
		_, err = db.ideaReleaseNotes().ReplaceOne(ctx, bson.D{{Key: "_id", Value: n.IdeaID}},
			releaseNoteDoc{n.IdeaID, n.Body, string(n.BodyHTML), n.AuthorID, ms(n.UpdatedAt)})
	}
	return err
}

// DeleteReleaseNote implements ideas.ChangelogStore.
func (db *DB) DeleteReleaseNote(ctx context.Context, ideaID string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	_, err := db.ideaReleaseNotes().DeleteOne(ctx, bson.D{{Key: "_id", Value: ideaID}})
	return err
}

// ReleaseNote implements ideas.ChangelogStore.
func (db *DB) ReleaseNote(ctx context.Context, ideaID string) (*ideas.ReleaseNote, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	notes, err := db.releaseNotes(ctx, []string{ideaID})
	if err != nil {
		return nil, err
	}
	return notes[ideaID], nil
}
