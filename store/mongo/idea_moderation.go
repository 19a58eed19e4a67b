package mongo

import (
	"context"
	"html/template"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Moderation of ideas and their comments. A hidden idea or comment embeds
// who hid it and why; a hidden idea also leaves the "listed" and "awaiting"
// flags that lead every board and triage index, its tag counts and its
// title words, so no listing needs an extra condition. Only visible, not
// deleted comments count in the idea's comment counter; each visibility
// change is a conditional update on the state it read, so the counter moves
// once per actual change.

type hiddenDoc struct {
	ByID   string `bson:"by_id"`
	Reason string `bson:"reason"`
	At     int64  `bson:"at"`
}

// visibleComment selects comments that count: neither hidden nor deleted.
var visibleComment = bson.D{{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}}

func deletedConflict() error {
	return ideas.ErrCommentDeleted
}

// Comments implements ideas.Store.
func (db *DB) Comments(ctx context.Context, ideaID, after string, limit int, withHidden bool) ([]*ideas.Comment, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	filter := bson.D{{Key: "idea_id", Value: ideaID}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}
	if !withHidden {
		filter = append(filter, bson.E{Key: "hidden", Value: bson.D{{Key: "$exists", Value: false}}})
	}
	cur, err := db.ideaComments().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var docs []ideaCommentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toComments(ctx, docs)
}

// Comment implements ideas.Store.
func (db *DB) Comment(ctx context.Context, id string) (*ideas.Comment, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d ideaCommentDoc
	if err := db.ideaComments().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, notFound(err, ideas.ErrCommentNotFound)
	}
	list, err := db.toComments(ctx, []ideaCommentDoc{d})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

func (db *DB) toComments(ctx context.Context, docs []ideaCommentDoc) ([]*ideas.Comment, error) {
	var userIDs []string
	for _, d := range docs {
		userIDs = append(userIDs, d.AuthorID)
		if d.Hidden != nil {
			userIDs = append(userIDs, d.Hidden.ByID)
		}
	}
	names, err := db.userNames(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	out := make([]*ideas.Comment, 0, len(docs))
	for _, d := range docs {
		if d.MergedFrom != "" {
			if _, ok := titles[d.MergedFrom]; !ok {
				if i, err := db.ideaDoc(ctx, d.MergedFrom, ideas.ErrNotFound); err == nil {
					titles[d.MergedFrom] = i.Title
				}
			}
		}
		c := &ideas.Comment{ID: d.ID, IdeaID: d.IdeaID, AuthorID: d.AuthorID, AuthorName: names[d.AuthorID], Team: d.Team,
			Body: d.Body, BodyHTML: template.HTML(d.BodyHTML), // sanitized by markdown.Render when written
			MergedFrom: d.MergedFrom, MergedFromTitle: titles[d.MergedFrom], CreatedAt: fromMS(d.CreatedAt),
			EditedAt: optMS(d.EditedAt), Deleted: d.DeletedAt != 0, Likes: d.Likes}
		if h := d.Hidden; h != nil {
			c.Hidden = &ideas.Hidden{ByID: h.ByID, ByName: names[h.ByID], Reason: h.Reason, At: fromMS(h.At)}
		}
		out = append(out, c)
	}
	return out, nil
}

// EditComment implements ideas.Store.
func (db *DB) EditComment(ctx context.Context, c *ideas.Comment) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.ideaComments().UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}, {Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "body", Value: c.Body}, {Key: "body_html", Value: string(c.BodyHTML)}, {Key: "edited_at", Value: ms(c.EditedAt)}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		if _, err := db.Comment(ctx, c.ID); err != nil {
			return err
		}
		return deletedConflict()
	}
	return nil
}

// DeleteComment implements ideas.Store. Only the delete that found the
// comment undeleted lowers the count, and only if the comment was counted.
func (db *DB) DeleteComment(ctx context.Context, id, byID string, at time.Time) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var before ideaCommentDoc
	err := db.ideaComments().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, {Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "body", Value: ""}, {Key: "body_html", Value: ""}, {Key: "deleted_at", Value: ms(at)}, {Key: "deleted_by", Value: byID}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		_, err := db.Comment(ctx, id)
		return false, err
	} else if err != nil {
		return false, err
	}
	if before.Hidden == nil {
		return true, db.bumpComments(ctx, before.IdeaID, -1)
	}
	return true, nil
}

func (db *DB) bumpComments(ctx context.Context, ideaID string, delta int) error {
	_, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: ideaID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "comments", Value: delta}}}})
	return err
}

// SetCommentHidden implements ideas.Store.
func (db *DB) SetCommentHidden(ctx context.Context, id string, h *ideas.Hidden) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	notDeleted := bson.E{Key: "deleted_at", Value: bson.D{{Key: "$exists", Value: false}}}
	var before ideaCommentDoc
	var update bson.D
	if h != nil {
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "hidden", Value: hiddenDoc{ByID: h.ByID, Reason: h.Reason, At: ms(h.At)}}}}}
	} else {
		update = bson.D{{Key: "$unset", Value: bson.D{{Key: "hidden", Value: ""}}}}
	}
	err := db.ideaComments().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}, notDeleted}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		if _, err := db.Comment(ctx, id); err != nil {
			return false, err
		}
		return false, deletedConflict()
	} else if err != nil {
		return false, err
	}
	changed := (before.Hidden != nil) != (h != nil)
	if !changed {
		return false, nil
	}
	delta := 1
	if h != nil {
		delta = -1
	}
	return true, db.bumpComments(ctx, before.IdeaID, delta)
}

// CommentAuthors implements ideas.Store.
func (db *DB) CommentAuthors(ctx context.Context, ideaID string) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.ideaComments().Find(ctx, append(bson.D{{Key: "idea_id", Value: ideaID}}, visibleComment...),
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetProjection(bson.D{{Key: "author_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []ideaCommentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, d := range docs {
		if !seen[d.AuthorID] {
			seen[d.AuthorID] = true
			out = append(out, d.AuthorID)
		}
	}
	return out, nil
}

// SetIdeaHidden implements ideas.Store. The visibility flip is conditional
// on the state read, so only the call that changed it moves tag counts.
func (db *DB) SetIdeaHidden(ctx context.Context, id string, h *ideas.Hidden) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	d, err := db.ideaDoc(ctx, id, ideas.ErrNotFound)
	if err != nil {
		return false, err
	}
	if d.MergedInto != "" || d.Merging != "" {
		return false, ideas.ErrMergedModerate
	}
	wasHidden := d.Hidden != nil
	cond := bson.D{{Key: "_id", Value: id}, {Key: "hidden", Value: bson.D{{Key: "$exists", Value: wasHidden}}}}
	var set bson.D
	switch {
	case h != nil && wasHidden: // a new reason only
		_, err := db.ideas().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "hidden", Value: hiddenDoc{ByID: h.ByID, Reason: h.Reason, At: ms(h.At)}}}}})
		return false, err
	case h == nil && !wasHidden:
		return false, nil
	case h != nil:
		set = bson.D{{Key: "$set", Value: bson.D{{Key: "hidden", Value: hiddenDoc{ByID: h.ByID, Reason: h.Reason, At: ms(h.At)}},
			{Key: "listed", Value: false}, {Key: "awaiting", Value: false}, {Key: "words", Value: bson.A{}}}}}
	default:
		set = bson.D{{Key: "$set", Value: bson.D{{Key: "listed", Value: true}, {Key: "awaiting", Value: d.RespondedAt == 0},
			{Key: "words", Value: ideas.TitleWords(d.Title)}}}, {Key: "$unset", Value: bson.D{{Key: "hidden", Value: ""}}}}
	}
	res, err := db.ideas().UpdateOne(ctx, cond, set)
	if err != nil {
		return false, err
	}
	if res.MatchedCount == 0 { // someone else flipped it meanwhile
		return false, nil
	}
	delta := 1
	if h != nil {
		delta = -1
	}
	if err := db.addTagCounts(ctx, d.Tags, delta); err != nil {
		return true, err
	}
	return true, db.recordChange(ctx, townhall.KindIdea, id)
}
