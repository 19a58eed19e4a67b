package mongo

import (
	"context"

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
	// Accepts counts the answers ever accepted (the nth acceptance names
	// its ledger entries); AcceptedAuthorID is the accepted post's author,
	// for profiles and badges.
	Accepts          int    `bson:"accepts,omitempty"`
	AcceptedAuthorID string `bson:"accepted_author_id,omitempty"`
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
	Likes     int    `bson:"likes,omitempty"`
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

func newPostDoc(p *forum.Post) postDoc {
	return postDoc{ID: p.ID, ThreadID: p.ThreadID, Position: p.Position, AuthorID: p.AuthorID, Source: p.Source,
		HTML: string(p.HTML), CreatedAt: ms(p.CreatedAt)}
}

// docThread reads a thread and its category's slug for a search document;
// the thread is nil when it is gone.
func (db *DB) docThread(ctx context.Context, threadID string) (*threadDoc, string, error) {
	var t threadDoc
	err := db.forumThreads().FindOne(ctx, id(threadID)).Decode(&t)
	if err == mongo.ErrNoDocuments {
		return nil, "", nil
	} else if err != nil {
		return nil, "", err
	}
	var c categoryDoc
	if err := db.forumCategories().FindOne(ctx, id(t.CategoryID)).Decode(&c); err != nil && err != mongo.ErrNoDocuments {
		return nil, "", err
	}
	return &t, c.Slug, nil
}

// loadThreadDoc reads what a thread's document needs: its title and first
// post (forum.Thread builds the document).
func loadThreadDoc(ctx context.Context, db *DB, threadID string) (*townhall.SearchDoc, error) {
	gone := townhall.GoneDoc(townhall.KindThread, threadID)
	t, slug, err := db.docThread(ctx, threadID)
	if err != nil {
		return nil, err
	} else if t == nil {
		return gone, nil
	}
	var first postDoc
	err = db.forumPosts().FindOne(ctx, bson.D{{Key: "thread_id", Value: threadID}, {Key: "position", Value: 0}}).Decode(&first)
	if err == mongo.ErrNoDocuments {
		return gone, nil
	} else if err != nil {
		return nil, err
	}
	names, err := db.userNames(ctx, []string{t.AuthorID})
	if err != nil {
		return nil, err
	}
	th := forum.Thread{ID: threadID, CategorySlug: slug, Title: t.Title, AuthorID: t.AuthorID, AuthorName: names[t.AuthorID],
		Hidden: t.Hidden, AcceptedPostID: t.AcceptedID, CreatedAt: fromMS(t.CreatedAt)}
	return th.SearchDoc(&forum.Post{Source: first.Source}), nil
}

// loadPostDoc: replies are documents of their own; the first post is
// searched through its thread's document, so it is not indexed twice
// (forum.Post builds the document).
func loadPostDoc(ctx context.Context, db *DB, postID string) (*townhall.SearchDoc, error) {
	gone := townhall.GoneDoc(townhall.KindPost, postID)
	var p postDoc
	err := db.forumPosts().FindOne(ctx, id(postID)).Decode(&p)
	if err == mongo.ErrNoDocuments {
		return gone, nil
	} else if err != nil {
		return nil, err
	}
	t, slug, err := db.docThread(ctx, p.ThreadID)
	if err != nil {
		return nil, err
	} else if t == nil {
		return gone, nil
	}
	names, err := db.userNames(ctx, []string{p.AuthorID})
	if err != nil {
		return nil, err
	}
	post := forum.Post{ID: postID, ThreadID: p.ThreadID, Position: p.Position, AuthorID: p.AuthorID, AuthorName: names[p.AuthorID],
		Source: p.Source, Hidden: p.Hidden, CreatedAt: fromMS(p.CreatedAt)}
	return post.SearchDoc(&forum.Thread{ID: p.ThreadID, CategorySlug: slug, Title: t.Title, Hidden: t.Hidden, AcceptedPostID: t.AcceptedID}), nil
}
