package mongo

import (
	"context"
	"html/template"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// Forum model: categories (unique slug) embed their thread count. A thread
// document embeds what lists show: its counters (posts: positions handed
// out; replies: visible replies), its last activity and last poster, its
// flags and the accepted answer. Posts are their own collection under a
// unique (thread_id, position) index; a reply's position comes from one
// findOneAndUpdate that checks locked: false and $inc's the thread's posts
// counter, so two replies never get the same position and a locked thread
// hands out none. Revisions and follows are collections of their own; a
// follow is unique per (thread_id, user_id), so following twice is a no-op.

func init() {
	registerIndexes(func(db *DB) []index {
		return []index{
			{db.forumCategories(), "slug", bson.D{{Key: "slug", Value: 1}}, true, false},
			{db.forumCategories(), "order", bson.D{{Key: "position", Value: 1}, {Key: "name", Value: 1}}, false, false},
			{db.forumThreads(), "listing", bson.D{{Key: "category_id", Value: 1}, {Key: "pinned", Value: -1},
				{Key: "last_activity", Value: -1}, {Key: "_id", Value: -1}}, false, false},
			{db.forumThreads(), "latest", bson.D{{Key: "hidden", Value: 1}, {Key: "last_activity", Value: -1}, {Key: "_id", Value: -1}}, false, false},
			{db.forumPosts(), "position", bson.D{{Key: "thread_id", Value: 1}, {Key: "position", Value: 1}}, true, false},
			{db.forumRevisions(), "post", bson.D{{Key: "post_id", Value: 1}, {Key: "_id", Value: -1}}, false, false},
			{db.forumFollows(), "follow", bson.D{{Key: "thread_id", Value: 1}, {Key: "user_id", Value: 1}}, true, false},
		}
	})
	registerDocSource(townhall.KindThread, docSource{load: loadThreadDoc, list: func(ctx context.Context, db *DB, after string, limit int) ([]string, error) {
		return listIDs(ctx, db.forumThreads(), after, limit)
	}})
	registerDocSource(townhall.KindPost, docSource{load: loadPostDoc, list: func(ctx context.Context, db *DB, after string, limit int) ([]string, error) {
		return listIDs(ctx, db.forumPosts(), after, limit)
	}})
}

var _ forum.Store = (*DB)(nil)

func (db *DB) forumCategories() *mongo.Collection { return db.db.Collection("forum_categories") }
func (db *DB) forumThreads() *mongo.Collection    { return db.db.Collection("forum_threads") }
func (db *DB) forumPosts() *mongo.Collection      { return db.db.Collection("forum_posts") }
func (db *DB) forumRevisions() *mongo.Collection  { return db.db.Collection("forum_revisions") }
func (db *DB) forumFollows() *mongo.Collection    { return db.db.Collection("forum_follows") }

type categoryDoc struct {
	ID          string `bson:"_id"`
	Slug        string `bson:"slug"`
	Name        string `bson:"name"`
	Description string `bson:"description"`
	Position    int    `bson:"position"`
	Questions   bool   `bson:"questions"`
	Threads     int    `bson:"threads"`
	CreatedAt   int64  `bson:"created_at"`
}

func (d *categoryDoc) category() *forum.Category {
	return &forum.Category{ID: d.ID, Slug: d.Slug, Name: d.Name, Description: d.Description, Position: d.Position,
		Questions: d.Questions, Threads: d.Threads, CreatedAt: fromMS(d.CreatedAt)}
}

type threadDoc struct {
	ID           string `bson:"_id"`
	CategoryID   string `bson:"category_id"`
	Title        string `bson:"title"`
	AuthorID     string `bson:"author_id"`
	Posts        int    `bson:"posts"`
	Replies      int    `bson:"replies"`
	LastPostID   string `bson:"last_post_id"`
	LastPosterID string `bson:"last_poster_id"`
	// LastPosition is the position of last_post_id: concurrent replies set
	// the last post only over an earlier one.
	LastPosition int    `bson:"last_position"`
	LastActivity int64  `bson:"last_activity"`
	Pinned       bool   `bson:"pinned"`
	Locked       bool   `bson:"locked"`
	Hidden       bool   `bson:"hidden"`
	AcceptedID   string `bson:"accepted_post_id,omitempty"`
	CreatedAt    int64  `bson:"created_at"`
}

type postDoc struct {
	ID        string `bson:"_id"`
	ThreadID  string `bson:"thread_id"`
	Position  int    `bson:"position"`
	AuthorID  string `bson:"author_id"`
	Source    string `bson:"source"`
	HTML      string `bson:"html"`
	Hidden    bool   `bson:"hidden"`
	EditedAt  int64  `bson:"edited_at,omitempty"`
	CreatedAt int64  `bson:"created_at"`
}

type revisionDoc struct {
	ID        string `bson:"_id"`
	PostID    string `bson:"post_id"`
	Title     string `bson:"title"`
	Source    string `bson:"source"`
	EditorID  string `bson:"editor_id"`
	CreatedAt int64  `bson:"created_at"`
}

func id(v string) bson.D { return bson.D{{Key: "_id", Value: v}} }

// ForumCategories implements forum.Store.
func (db *DB) ForumCategories(ctx context.Context) ([]*forum.Category, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.forumCategories().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "position", Value: 1}, {Key: "name", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []categoryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]*forum.Category, 0, len(docs))
	for i := range docs {
		out = append(out, docs[i].category())
	}
	return out, nil
}

// ForumCategory implements forum.Store: an id wins over a slug.
func (db *DB) ForumCategory(ctx context.Context, ref string) (*forum.Category, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d categoryDoc
	err := db.forumCategories().FindOne(ctx, id(ref)).Decode(&d)
	if err == mongo.ErrNoDocuments {
		err = db.forumCategories().FindOne(ctx, bson.D{{Key: "slug", Value: ref}}).Decode(&d)
	}
	if err != nil {
		return nil, notFound(err, "Category")
	}
	return d.category(), nil
}

func categorySlugTaken(slug string) error {
	return townhall.Errorf(townhall.ECONFLICT, "The slug %q is already used by another category.", slug)
}

// SaveForumCategory implements forum.Store. Thread and post documents
// carry the category slug, so a slug change re-records the category's
// threads and their posts.
func (db *DB) SaveForumCategory(ctx context.Context, c *forum.Category) error {
	ctx, cancel := op(ctx)
	defer cancel()
	// Checked first for a clear answer; the unique index still decides races.
	err := db.forumCategories().FindOne(ctx, bson.D{{Key: "slug", Value: c.Slug}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: c.ID}}}}).Err()
	if err == nil {
		return categorySlugTaken(c.Slug)
	} else if err != mongo.ErrNoDocuments {
		return err
	}
	var old categoryDoc
	err = db.forumCategories().FindOneAndUpdate(ctx, id(c.ID), bson.D{
		{Key: "$set", Value: bson.D{{Key: "slug", Value: c.Slug}, {Key: "name", Value: c.Name}, {Key: "description", Value: c.Description},
			{Key: "position", Value: c.Position}, {Key: "questions", Value: c.Questions}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "threads", Value: 0}, {Key: "created_at", Value: ms(c.CreatedAt)}}},
	}, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.Before)).Decode(&old)
	if mongo.IsDuplicateKeyError(err) {
		return categorySlugTaken(c.Slug)
	} else if err == mongo.ErrNoDocuments { // inserted
		return nil
	} else if err != nil {
		return err
	}
	if old.Slug == c.Slug {
		return nil
	}
	cur, err := db.forumThreads().Find(ctx, bson.D{{Key: "category_id", Value: c.ID}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	var threads []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &threads); err != nil {
		return err
	}
	for _, t := range threads {
		if err := db.recordThreadTree(ctx, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// recordThreadTree records changes for a thread and all its posts.
func (db *DB) recordThreadTree(ctx context.Context, threadID string) error {
	if err := db.recordChange(ctx, townhall.KindThread, threadID); err != nil {
		return err
	}
	cur, err := db.forumPosts().Find(ctx, bson.D{{Key: "thread_id", Value: threadID}},
		options.Find().SetSort(bson.D{{Key: "position", Value: 1}}).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var p struct {
			ID string `bson:"_id"`
		}
		if err := cur.Decode(&p); err != nil {
			return err
		}
		if err := db.recordChange(ctx, townhall.KindPost, p.ID); err != nil {
			return err
		}
	}
	return cur.Err()
}

// follow subscribes userID to threadID; the unique (thread_id, user_id)
// index makes a repeat, even a concurrent one, a no-op.
func (db *DB) follow(ctx context.Context, threadID, userID string) error {
	_, err := db.forumFollows().UpdateOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "user_id", Value: userID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "created_at", Value: ms(db.now())}}}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return err
}

func newPostDoc(p *forum.Post) postDoc {
	return postDoc{ID: p.ID, ThreadID: p.ThreadID, Position: p.Position, AuthorID: p.AuthorID, Source: p.Source,
		HTML: string(p.HTML), CreatedAt: ms(p.CreatedAt)}
}

// CreateThread implements forum.Store. The first post goes in before its
// thread (a post without a thread is never shown), then the thread, then
// the category's count, the author's follow and the feed.
func (db *DB) CreateThread(ctx context.Context, t *forum.Thread, first *forum.Post) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.forumCategories().FindOne(ctx, id(t.CategoryID)).Err(); err != nil {
		return notFound(err, "Category")
	}
	first.ThreadID, first.Position = t.ID, 0
	if _, err := db.forumPosts().InsertOne(ctx, newPostDoc(first)); err != nil {
		return err
	}
	if _, err := db.forumThreads().InsertOne(ctx, threadDoc{ID: t.ID, CategoryID: t.CategoryID, Title: t.Title, AuthorID: t.AuthorID,
		Posts: 1, LastPostID: first.ID, LastPosterID: t.AuthorID, LastActivity: ms(t.LastActivity), CreatedAt: ms(t.CreatedAt)}); err != nil {
		return err
	}
	if _, err := db.forumCategories().UpdateOne(ctx, id(t.CategoryID), bson.D{{Key: "$inc", Value: bson.D{{Key: "threads", Value: 1}}}}); err != nil {
		return err
	}
	if err := db.follow(ctx, t.ID, t.AuthorID); err != nil {
		return err
	}
	if err := db.recordChange(ctx, townhall.KindThread, t.ID); err != nil {
		return err
	}
	return db.recordChange(ctx, townhall.KindPost, first.ID)
}

// toThreads converts stored threads, filling category slugs and user names
// with one query each for the whole page.
func (db *DB) toThreads(ctx context.Context, docs []threadDoc) ([]*forum.Thread, error) {
	var userIDs, catIDs []string
	for _, d := range docs {
		userIDs = append(userIDs, d.AuthorID, d.LastPosterID)
		catIDs = append(catIDs, d.CategoryID)
	}
	names, err := db.userNames(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	slugs := map[string]string{}
	if len(catIDs) > 0 {
		cur, err := db.forumCategories().Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: catIDs}}}},
			options.Find().SetProjection(bson.D{{Key: "slug", Value: 1}}))
		if err != nil {
			return nil, err
		}
		var cats []categoryDoc
		if err := cur.All(ctx, &cats); err != nil {
			return nil, err
		}
		for _, c := range cats {
			slugs[c.ID] = c.Slug
		}
	}
	out := make([]*forum.Thread, 0, len(docs))
	for _, d := range docs {
		out = append(out, &forum.Thread{ID: d.ID, CategoryID: d.CategoryID, CategorySlug: slugs[d.CategoryID], Title: d.Title,
			AuthorID: d.AuthorID, AuthorName: names[d.AuthorID], Posts: d.Posts, Replies: d.Replies, LastPostID: d.LastPostID,
			LastPosterID: d.LastPosterID, LastPosterName: names[d.LastPosterID], LastActivity: fromMS(d.LastActivity),
			Pinned: d.Pinned, Locked: d.Locked, Hidden: d.Hidden, AcceptedPostID: d.AcceptedID, CreatedAt: fromMS(d.CreatedAt)})
	}
	return out, nil
}

func (db *DB) findThreads(ctx context.Context, filter, sort bson.D, limit int) ([]*forum.Thread, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	o := options.Find()
	if sort != nil {
		o.SetSort(sort)
	}
	if limit > 0 {
		o.SetLimit(int64(limit))
	}
	cur, err := db.forumThreads().Find(ctx, filter, o)
	if err != nil {
		return nil, err
	}
	var docs []threadDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	return db.toThreads(ctx, docs)
}

// Thread implements forum.Store.
func (db *DB) Thread(ctx context.Context, threadID string) (*forum.Thread, error) {
	list, err := db.findThreads(ctx, id(threadID), nil, 1)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, townhall.Errorf(townhall.ENOTFOUND, "Thread not found.")
	}
	return list[0], nil
}

// threadSort is the category page's order, the "listing" index's.
var threadSort = bson.D{{Key: "pinned", Value: -1}, {Key: "last_activity", Value: -1}, {Key: "_id", Value: -1}}

// threadsFilter builds the category page query: (pinned, last_activity,
// _id) below the cursor's, all descending. The first term bounds the index
// range; the $or skips what earlier pages showed.
func threadsFilter(categoryID string, after *forum.ThreadCursor, withHidden bool) bson.D {
	f := bson.D{{Key: "category_id", Value: categoryID}}
	if !withHidden {
		f = append(f, bson.E{Key: "hidden", Value: false})
	}
	if after != nil {
		at := ms(after.Activity)
		f = append(f, bson.E{Key: "pinned", Value: bson.D{{Key: "$lte", Value: after.Pinned}}}, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "pinned", Value: bson.D{{Key: "$lt", Value: after.Pinned}}}},
			bson.D{{Key: "last_activity", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "last_activity", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: after.ID}}}},
		}})
	}
	return f
}

// Threads implements forum.Store; it walks the "listing" index in order.
func (db *DB) Threads(ctx context.Context, categoryID string, after *forum.ThreadCursor, limit int, withHidden bool) ([]*forum.Thread, error) {
	return db.findThreads(ctx, threadsFilter(categoryID, after, withHidden), threadSort, limit)
}

var (
	latestFilter = bson.D{{Key: "hidden", Value: false}}
	latestSort   = bson.D{{Key: "last_activity", Value: -1}, {Key: "_id", Value: -1}}
)

// LatestThreads implements forum.Store; it walks the "latest" index.
func (db *DB) LatestThreads(ctx context.Context, limit int) ([]*forum.Thread, error) {
	return db.findThreads(ctx, latestFilter, latestSort, limit)
}

func lockedConflict() error {
	return townhall.Errorf(townhall.ECONFLICT, "This thread is locked; it takes no new replies.")
}

// allocatePosition hands out the thread's next position: one atomic
// update that refuses a locked thread and $inc's the posts counter.
func (db *DB) allocatePosition(ctx context.Context, threadID string) (int, error) {
	var before threadDoc
	err := db.forumThreads().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: threadID}, {Key: "locked", Value: false}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "posts", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		if err := db.forumThreads().FindOne(ctx, id(threadID)).Err(); err != nil {
			return 0, notFound(err, "Thread")
		}
		return 0, lockedConflict()
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
		_, err = db.forumPosts().InsertOne(ctx, newPostDoc(p))
		if !mongo.IsDuplicateKeyError(err) || attempt == 50 {
			return pos, err
		}
		if err := db.forumPosts().FindOne(ctx, id(p.ID)).Err(); err != mongo.ErrNoDocuments {
			return 0, townhall.Errorf(townhall.ECONFLICT, "This reply was already posted.")
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
			options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "handle", Value: 1}, {Key: "role", Value: 1}}))
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
			Hidden: d.Hidden, EditedAt: optMS(d.EditedAt), CreatedAt: fromMS(d.CreatedAt)})
	}
	return out, nil
}

// ForumPost implements forum.Store.
func (db *DB) ForumPost(ctx context.Context, postID string) (*forum.Post, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	var d postDoc
	if err := db.forumPosts().FindOne(ctx, id(postID)).Decode(&d); err != nil {
		return nil, notFound(err, "Post")
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
		return notFound(err, "Post")
	}
	var t threadDoc
	if err := db.forumThreads().FindOne(ctx, id(p.ThreadID)).Decode(&t); err != nil {
		return notFound(err, "Thread")
	}
	if _, err := db.forumRevisions().InsertOne(ctx, revisionDoc{ID: e.RevisionID, PostID: e.PostID, Title: t.Title, Source: p.Source,
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

// SetForumPostHidden implements forum.Store. The flip is conditional on
// the current state, so only the call that changed it moves the count.
func (db *DB) SetForumPostHidden(ctx context.Context, postID string, hidden bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	var before postDoc
	err := db.forumPosts().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: postID}, {Key: "hidden", Value: !hidden}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "hidden", Value: hidden}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before)
	if err == mongo.ErrNoDocuments {
		// Unknown post, or already in that state.
		return notFound(db.forumPosts().FindOne(ctx, id(postID)).Err(), "Post")
	} else if err != nil {
		return err
	}
	if hidden {
		// A hidden reply cannot stay the accepted answer: the thread is no longer solved.
		res, err := db.forumThreads().UpdateOne(ctx, bson.D{{Key: "_id", Value: before.ThreadID}, {Key: "accepted_post_id", Value: postID}},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "accepted_post_id", Value: ""}}}})
		if err != nil {
			return err
		}
		if res.ModifiedCount > 0 {
			if err := db.recordChange(ctx, townhall.KindThread, before.ThreadID); err != nil {
				return err
			}
		}
	}
	if before.Position > 0 {
		delta := 1
		if hidden {
			delta = -1
		}
		if _, err := db.forumThreads().UpdateOne(ctx, id(before.ThreadID), bson.D{{Key: "$inc", Value: bson.D{{Key: "replies", Value: delta}}}}); err != nil {
			return err
		}
	}
	return db.recordChange(ctx, townhall.KindPost, postID)
}

func (db *DB) setThreadFlag(ctx context.Context, threadID, field string, on, tree bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	res, err := db.forumThreads().UpdateOne(ctx, id(threadID), bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: on}}}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return townhall.Errorf(townhall.ENOTFOUND, "Thread not found.")
	}
	if !tree {
		return nil
	}
	return db.recordThreadTree(ctx, threadID)
}

// SetThreadLocked implements forum.Store.
func (db *DB) SetThreadLocked(ctx context.Context, threadID string, locked bool) error {
	return db.setThreadFlag(ctx, threadID, "locked", locked, false)
}

// SetThreadPinned implements forum.Store.
func (db *DB) SetThreadPinned(ctx context.Context, threadID string, pinned bool) error {
	return db.setThreadFlag(ctx, threadID, "pinned", pinned, false)
}

// SetThreadHidden implements forum.Store; posts' visibility follows their thread.
func (db *DB) SetThreadHidden(ctx context.Context, threadID string, hidden bool) error {
	return db.setThreadFlag(ctx, threadID, "hidden", hidden, true)
}

// MoveThread implements forum.Store. The move is conditional on the
// category read, so of two concurrent moves each moves the count from the
// category it actually left.
func (db *DB) MoveThread(ctx context.Context, threadID, categoryID string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.forumCategories().FindOne(ctx, id(categoryID)).Err(); err != nil {
		if err := db.forumThreads().FindOne(ctx, id(threadID)).Err(); err != nil {
			return notFound(err, "Thread")
		}
		return notFound(err, "Category")
	}
	for {
		var t threadDoc
		if err := db.forumThreads().FindOne(ctx, id(threadID)).Decode(&t); err != nil {
			return notFound(err, "Thread")
		}
		if t.CategoryID == categoryID {
			return nil
		}
		res, err := db.forumThreads().UpdateOne(ctx, bson.D{{Key: "_id", Value: threadID}, {Key: "category_id", Value: t.CategoryID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "category_id", Value: categoryID}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			continue
		}
		if _, err := db.forumCategories().UpdateOne(ctx, id(categoryID), bson.D{{Key: "$inc", Value: bson.D{{Key: "threads", Value: 1}}}}); err != nil {
			return err
		}
		if _, err := db.forumCategories().UpdateOne(ctx, id(t.CategoryID), bson.D{{Key: "$inc", Value: bson.D{{Key: "threads", Value: -1}}}}); err != nil {
			return err
		}
		return db.recordThreadTree(ctx, threadID)
	}
}

// AcceptAnswer implements forum.Store.
func (db *DB) AcceptAnswer(ctx context.Context, threadID, postID string) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if err := db.forumThreads().FindOne(ctx, id(threadID)).Err(); err != nil {
		return notFound(err, "Thread")
	}
	update := bson.D{{Key: "$unset", Value: bson.D{{Key: "accepted_post_id", Value: ""}}}}
	if postID != "" {
		var p postDoc
		if err := db.forumPosts().FindOne(ctx, bson.D{{Key: "_id", Value: postID}, {Key: "thread_id", Value: threadID}}).Decode(&p); err != nil {
			return notFound(err, "Post")
		}
		if p.Position == 0 {
			return townhall.Errorf(townhall.ECONFLICT, "The question itself cannot be its answer.")
		}
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "accepted_post_id", Value: postID}}}}
	}
	var before threadDoc
	if err := db.forumThreads().FindOneAndUpdate(ctx, id(threadID), update,
		options.FindOneAndUpdate().SetReturnDocument(options.Before)).Decode(&before); err != nil {
		return notFound(err, "Thread")
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

// FollowThread implements forum.Store.
func (db *DB) FollowThread(ctx context.Context, threadID, userID string, on bool) error {
	ctx, cancel := op(ctx)
	defer cancel()
	if on {
		return db.follow(ctx, threadID, userID)
	}
	_, err := db.forumFollows().DeleteOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "user_id", Value: userID}})
	return err
}

// FollowingThread implements forum.Store.
func (db *DB) FollowingThread(ctx context.Context, threadID, userID string) (bool, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	err := db.forumFollows().FindOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "user_id", Value: userID}}).Err()
	if err == mongo.ErrNoDocuments {
		return false, nil
	}
	return err == nil, err
}

// ThreadFollowers implements forum.Store.
func (db *DB) ThreadFollowers(ctx context.Context, threadID string) ([]string, error) {
	ctx, cancel := op(ctx)
	defer cancel()
	cur, err := db.forumFollows().Find(ctx, bson.D{{Key: "thread_id", Value: threadID}},
		options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		UserID string `bson:"user_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.UserID)
	}
	return out, nil
}

// loadThreadDoc: a thread's document is its title and first post.
func loadThreadDoc(ctx context.Context, db *DB, threadID string) (*townhall.SearchDoc, error) {
	doc := &townhall.SearchDoc{Kind: townhall.KindThread, ID: threadID}
	var t threadDoc
	err := db.forumThreads().FindOne(ctx, id(threadID)).Decode(&t)
	if err == mongo.ErrNoDocuments {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	var first postDoc
	err = db.forumPosts().FindOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "position", Value: 0}}).Decode(&first)
	if err == mongo.ErrNoDocuments {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	var c categoryDoc
	if err := db.forumCategories().FindOne(ctx, id(t.CategoryID)).Decode(&c); err != nil && err != mongo.ErrNoDocuments {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{t.AuthorID})
	if err != nil {
		return nil, err
	}
	doc.Title, doc.Body, doc.Category, doc.Author, doc.AuthorID = t.Title, first.Source, c.Slug, names[t.AuthorID], t.AuthorID
	if t.AcceptedID != "" {
		doc.Status = "solved"
	}
	doc.URL, doc.Created, doc.Visible = "/t/"+threadID, fromMS(t.CreatedAt), !t.Hidden
	return doc, nil
}

// loadPostDoc: replies are documents of their own; the first post is
// searched through its thread's document, so it is not indexed twice.
func loadPostDoc(ctx context.Context, db *DB, postID string) (*townhall.SearchDoc, error) {
	doc := &townhall.SearchDoc{Kind: townhall.KindPost, ID: postID}
	var p postDoc
	err := db.forumPosts().FindOne(ctx, id(postID)).Decode(&p)
	if err == mongo.ErrNoDocuments {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	var t threadDoc
	err = db.forumThreads().FindOne(ctx, id(p.ThreadID)).Decode(&t)
	if err == mongo.ErrNoDocuments {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	var c categoryDoc
	if err := db.forumCategories().FindOne(ctx, id(t.CategoryID)).Decode(&c); err != nil && err != mongo.ErrNoDocuments {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{p.AuthorID})
	if err != nil {
		return nil, err
	}
	doc.Title, doc.Body, doc.Category, doc.Author, doc.AuthorID, doc.ParentID = t.Title, p.Source, c.Slug, names[p.AuthorID], p.AuthorID, p.ThreadID
	if t.AcceptedID == postID {
		doc.Status = "accepted"
	}
	doc.URL = forum.PostURL(p.ThreadID, &forum.Post{ID: postID, Position: p.Position})
	doc.Created = fromMS(p.CreatedAt)
	doc.Visible = !p.Hidden && !t.Hidden && p.Position > 0
	return doc, nil
}
