package mongo

import (
	"context"
	"html/template"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/loyalty"
)

// allocatePosition hands out the thread's next position: one atomic
// update that refuses a locked thread and $inc's the posts counter.
func (db *DB) allocatePosition(ctx context.Context, threadID string) (int, error) {
	var before threadDoc
	err := db.forumThreads().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: threadID}, {Key: "locked", Value: false}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "posts", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		if err := db.forumThreads().FindOne(ctx, id(threadID)).Err(); err != nil {
			return 0, notFound(err, forum.ErrThreadNotFound)
		}
		return 0, forum.ErrLocked
	}
	return before.Posts, err
}

// insertReply allocates p's position and inserts it. On MongoDB the $inc
// hands out every position once; if the counter is ever behind the posts
// (a restore that mixed an older thread with newer posts, or a compatible
// server that loses concurrent updates, like FerretDB v1), the unique
// (thread_id, position) index refuses the insert, and the counter is
// raised past the thread's last position before allocating again.
func (db *DB) insertReply(ctx context.Context, p *forum.Post) (int, error) {
	for attempt := 0; ; attempt++ {
		pos, err := db.allocatePosition(ctx, p.ThreadID)
		if err != nil {
			return 0, err
		}
		p.Position = pos
		err = db.insert(ctx, db.forumPosts(), newPostDoc(p))
		if !mongo.IsDuplicateKeyError(err) || attempt == 50 {
			return pos, err
		}
		if err := db.forumPosts().FindOne(ctx, id(p.ID)).Err(); err != mongo.ErrNoDocuments {
			return 0, forum.ErrReplyPosted
		}
		var last postDoc
		if err := db.forumPosts().FindOne(ctx, bson.D{{Key: "thread_id", Value: p.ThreadID}},
			options.FindOne().SetSort(bson.D{{Key: "position", Value: -1}})).Decode(&last); err != nil {
			return 0, err
		}
		if _, err := db.forumThreads().UpdateOne(ctx, id(p.ThreadID),
			bson.D{{Key: "$max", Value: bson.D{{Key: "posts", Value: last.Position + 1}}}}); err != nil {
			return 0, err
		}
	}
}

// AddReply implements forum.Store. The position comes first (see
// insertReply), then the post under the unique (thread_id, position)
// index, then the counters, the follow and the feed. The last post moves
// only forward, so of two concurrent replies the later position stays
// last whichever finishes first.
func (db *DB) AddReply(ctx context.Context, p *forum.Post) error {
	ctx, cancel := op(ctx)
	defer cancel()
	pos, err := db.insertReply(ctx, p)
	if err != nil {
		return err
	}
	inc := bson.E{Key: "$inc", Value: bson.D{{Key: "replies", Value: 1}}}
	res, err := db.forumThreads().UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ThreadID}, {Key: "last_position", Value: bson.D{{Key: "$lt", Value: pos}}}},
		bson.D{inc, {Key: "$set", Value: bson.D{{Key: "last_post_id", Value: p.ID}, {Key: "last_poster_id", Value: p.AuthorID},
			{Key: "last_position", Value: pos}, {Key: "last_activity", Value: ms(p.CreatedAt)}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 { // a later reply is already the last post
		if _, err := db.forumThreads().UpdateOne(ctx, id(p.ThreadID), bson.D{inc}); err != nil {
			return err
		}
	}
	if err := db.follow(ctx, p.ThreadID, p.AuthorID); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindPost, p.ID)
}

// toPosts converts stored posts, filling author names, handles and roles
// with one query for the whole page.
func (db *DB) toPosts(ctx context.Context, docs []postDoc) ([]*forum.Post, error) {
	users := map[string]userDoc{}
	if len(docs) > 0 {
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.AuthorID)
		}
		cur, err := db.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "handle", Value: 1}, {Key: "role", Value: 1},
				{Key: "badge", Value: 1}, {Key: "champion", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var us []userDoc
		if err := cur.All(ctx, &us); err != nil {
			return nil, err
		}
		for _, u := range us {
			users[u.ID] = u
		}
	}
	out := make([]*forum.Post, 0, len(docs))
	for _, d := range docs {
		u := users[d.AuthorID]
		out = append(out, &forum.Post{ID: d.ID, ThreadID: d.ThreadID, Position: d.Position, AuthorID: d.AuthorID,
			AuthorName: u.Name, AuthorHandle: u.Handle, AuthorRole: townhall.Role(u.Role), Source: d.Source,
			HTML:   template.HTML(d.HTML), // sanitized by markdown.Render before it was stored
			Hidden: d.Hidden, EditedAt: optMS(d.EditedAt), CreatedAt: fromMS(d.CreatedAt),
			Likes: d.Likes, AuthorBadge: u.Badge, AuthorChampion: u.Champion})
	}
	return out, nil
}

// ForumPost implements forum.Store.
func (db *DB) ForumPost(ctx context.Context, postID string) (*forum.Post, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d postDoc
	if err := db.forumPosts().FindOne(ctx, id(postID)).Decode(&d); err != nil {
		return nil, notFound(err, forum.ErrPostNotFound)
	}
	list, err := db.toPosts(ctx, []postDoc{d})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// postsFilter selects a thread page: a position range of the "position" index.
func postsFilter(threadID string, from, to int) bson.D {
	return bson.D{{Key: "thread_id", Value: threadID}, {Key: "position", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}}}
}

// ForumPosts implements forum.Store.
func (db *DB) ForumPosts(ctx context.Context, threadID string, from, to int) ([]*forum.Post, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.forumPosts().Find(ctx, postsFilter(threadID, from, to), options.Find().SetSort(bson.D{{Key: "position", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []postDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toPosts(ctx, docs)
}

// EditForumPost implements forum.Store. The previous version is kept
// first, so an interrupted edit leaves at most a revision equal to the
// current text.
func (db *DB) EditForumPost(ctx context.Context, e forum.Edit) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var p postDoc
	if err := db.forumPosts().FindOne(ctx, id(e.PostID)).Decode(&p); err != nil {
		return notFound(err, forum.ErrPostNotFound)
	}
	var t threadDoc
	if err := db.forumThreads().FindOne(ctx, id(p.ThreadID)).Decode(&t); err != nil {
		return notFound(err, forum.ErrThreadNotFound)
	}
	if err := db.insert(ctx, db.forumRevisions(), revisionDoc{ID: e.RevisionID, PostID: e.PostID, Title: t.Title, Source: p.Source,
		EditorID: e.EditorID, CreatedAt: ms(e.At)}); err != nil {
		return err
	}
	if _, err := db.forumPosts().UpdateOne(ctx, id(e.PostID), bson.D{{Key: "$set", Value: bson.D{
		{Key: "source", Value: e.Source}, {Key: "html", Value: string(e.HTML)}, {Key: "edited_at", Value: ms(e.At)}}}}); err != nil {
		return err
	}
	if err := db.recordChange(ctx, townhall.KindPost, e.PostID); err != nil {
		return err
	}
	if p.Position != 0 {
		return nil
	}
	if e.Title != "" {
		if _, err := db.forumThreads().UpdateOne(ctx, id(p.ThreadID), bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: e.Title}}}}); err != nil {
			return err
		}
	}
	return db.recordChange(ctx, townhall.KindThread, p.ThreadID) // the thread doc holds the first post
}

// ForumRevisions implements forum.Store.
func (db *DB) ForumRevisions(ctx context.Context, postID string) ([]*forum.Revision, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.forumRevisions().Find(ctx, bson.D{{Key: "post_id", Value: postID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}))
	if err != nil {
		return nil, err
	}
	var docs []revisionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.EditorID)
	}
	names, err := db.userNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*forum.Revision, 0, len(docs))
	for _, d := range docs {
		out = append(out, &forum.Revision{ID: d.ID, PostID: d.PostID, Title: d.Title, Source: d.Source,
			EditorID: d.EditorID, EditorName: names[d.EditorID], CreatedAt: fromMS(d.CreatedAt)})
	}
	return out, nil
}

// AcceptAnswer implements forum.Store.
func (db *DB) AcceptAnswer(ctx context.Context, threadID, postID string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.forumThreads().FindOne(ctx, id(threadID)).Err(); err != nil {
		return notFound(err, forum.ErrThreadNotFound)
	}
	// The accepted post, its author and the count of acceptances change in
	// one update, which only matches when it changes something; the
	// reputation entries follow, named by the acceptance (see takeBackAnswer).
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: "accepted_post_id", Value: ""}, {Key: "accepted_author_id", Value: ""}}}}
	filter := bson.D{{Key: "_id", Value: threadID}, {Key: "accepted_post_id", Value: bson.D{{Key: "$exists", Value: true}}}}
	var p postDoc
	if postID != "" {
		if err := db.forumPosts().FindOne(ctx, bson.D{{Key: "_id", Value: postID}, {Key: "thread_id", Value: threadID}}).Decode(&p); err != nil {
			return notFound(err, forum.ErrPostNotFound)
		}
		if p.Position == 0 {
			return forum.ErrQuestionAnswer
		}
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "accepted_post_id", Value: postID}, {Key: "accepted_author_id", Value: p.AuthorID}}},
			{Key: "$inc", Value: bson.D{{Key: "accepts", Value: 1}}}}
		filter = bson.D{{Key: "_id", Value: threadID}, {Key: "accepted_post_id", Value: bson.D{{Key: "$ne", Value: postID}}}}
	}
	var before threadDoc
	err := db.forumThreads().FindOneAndUpdate(ctx, filter, update, options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		return nil // already so
	} else if err != nil {
		return err
	}
	if err := db.takeBackAnswer(ctx, &before); err != nil {
		return err
	}
	if postID != "" && p.AuthorID != before.AuthorID {
		e := loyalty.Accepted(loyalty.AcceptanceID(threadID, before.Accepts+1), p.AuthorID, postID, threadID, before.CategoryID, false)
		if err := db.credit(ctx, db.now(), e); err != nil {
			return err
		}
	}
	if err := db.recordChange(ctx, townhall.KindThread, threadID); err != nil {
		return err
	}
	for _, pid := range []string{before.AcceptedID, postID} {
		if pid != "" {
			if err := db.recordChange(ctx, townhall.KindPost, pid); err != nil {
				return err
			}
		}
	}
	return nil
}

// takeBackAnswer takes the points of the answer before (a thread as it
// was) had accepted back from its author, when it had one by someone
// other than the asker. An answer accepted before acceptances were counted
// is acceptance 0.
func (db *DB) takeBackAnswer(ctx context.Context, before *threadDoc) error {
	if before.AcceptedID == "" || before.AcceptedAuthorID == before.AuthorID {
		return nil
	}
	author := before.AcceptedAuthorID
	if author == "" { // accepted before reputation existed
		var p postDoc
		if err := db.forumPosts().FindOne(ctx, id(before.AcceptedID)).Decode(&p); err != nil {
			return notFound(err, forum.ErrPostNotFound)
		}
		if author = p.AuthorID; author == before.AuthorID {
			return nil
		}
	}
	return db.credit(ctx, db.now(), loyalty.Accepted(loyalty.AcceptanceID(before.ID, before.Accepts), author,
		before.AcceptedID, before.ID, before.CategoryID, true))
}
