package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

func init() {
	registerMigrations("forum", 30, `
CREATE TABLE forum_categories (
	id          TEXT PRIMARY KEY,
	slug        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0,
	questions   INTEGER NOT NULL DEFAULT 0,
	threads     INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);
CREATE INDEX forum_categories_order ON forum_categories(position, name);
CREATE TABLE forum_threads (
	id               TEXT PRIMARY KEY,
	category_id      TEXT NOT NULL REFERENCES forum_categories(id),
	title            TEXT NOT NULL,
	author_id        TEXT NOT NULL REFERENCES users(id),
	posts            INTEGER NOT NULL DEFAULT 1,
	replies          INTEGER NOT NULL DEFAULT 0,
	last_post_id     TEXT NOT NULL,
	last_poster_id   TEXT NOT NULL REFERENCES users(id),
	last_activity    INTEGER NOT NULL,
	pinned           INTEGER NOT NULL DEFAULT 0,
	locked           INTEGER NOT NULL DEFAULT 0,
	hidden           INTEGER NOT NULL DEFAULT 0,
	accepted_post_id TEXT,
	created_at       INTEGER NOT NULL
);
-- the category page: pinned first, then last activity, keyset-paginated
CREATE INDEX forum_threads_list ON forum_threads(category_id, pinned DESC, last_activity DESC, id DESC);
CREATE TABLE forum_posts (
	id         TEXT PRIMARY KEY,
	thread_id  TEXT NOT NULL REFERENCES forum_threads(id),
	position   INTEGER NOT NULL,
	author_id  TEXT NOT NULL REFERENCES users(id),
	source     TEXT NOT NULL,
	html       TEXT NOT NULL,
	hidden     INTEGER NOT NULL DEFAULT 0,
	edited_at  INTEGER,
	created_at INTEGER NOT NULL
);
-- thread pages select a position range; permalinks read one post by id
CREATE UNIQUE INDEX forum_posts_position ON forum_posts(thread_id, position);
CREATE TABLE forum_revisions (
	id         TEXT PRIMARY KEY,
	post_id    TEXT NOT NULL REFERENCES forum_posts(id),
	title      TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL,
	editor_id  TEXT NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX forum_revisions_post ON forum_revisions(post_id, id DESC);
CREATE TABLE forum_follows (
	thread_id TEXT NOT NULL REFERENCES forum_threads(id),
	user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (thread_id, user_id)
);`, `
CREATE INDEX forum_threads_latest ON forum_threads(last_activity DESC, id DESC) WHERE hidden = 0;`)
	registerDocSource(townhall.KindThread, docSource{load: loadThreadDoc, list: listIDs("forum_threads")})
	registerDocSource(townhall.KindPost, docSource{load: loadPostDoc, list: listIDs("forum_posts")})
}

var _ forum.Store = (*DB)(nil)

// recordThreadTree records changes for the threads the query selects and
// all their posts.
func (db *DB) recordThreadTree(ctx context.Context, tx *sql.Tx, threadQuery string, args ...any) error {
	now := ms(db.now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes(kind, entity_id, at) SELECT ?, id, ? FROM (`+threadQuery+`)`,
		append([]any{townhall.KindThread, now}, args...)...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO changes(kind, entity_id, at) SELECT ?, p.id, ? FROM forum_posts p
		WHERE p.thread_id IN (`+threadQuery+`)`, append([]any{townhall.KindPost, now}, args...)...)
	return err
}

// loadThreadDoc reads, in one query, what a thread's document needs: its
// title and first post (forum.Thread builds the document).
func loadThreadDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	t, first := forum.Thread{ID: id}, forum.Post{ThreadID: id}
	var created int64
	err := q.QueryRowContext(ctx, `SELECT t.title, p.source, c.slug, u.name, t.author_id, t.hidden, COALESCE(t.accepted_post_id, ''), t.created_at
		FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id JOIN users u ON u.id = t.author_id
		JOIN forum_posts p ON p.thread_id = t.id AND p.position = 0 WHERE t.id = ?`, id).
		Scan(&t.Title, &first.Source, &t.CategorySlug, &t.AuthorName, &t.AuthorID, &t.Hidden, &t.AcceptedPostID, &created)
	if err == sql.ErrNoRows {
		return townhall.GoneDoc(townhall.KindThread, id), nil
	} else if err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	return t.SearchDoc(&first), nil
}

// loadPostDoc: replies are documents of their own; the first post is
// searched through its thread's document, so it is not indexed twice
// (forum.Post builds the document).
func loadPostDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	p, t := forum.Post{ID: id}, forum.Thread{}
	var created int64
	err := q.QueryRowContext(ctx, `SELECT t.title, p.source, c.slug, u.name, p.author_id, p.thread_id, p.position,
		p.hidden, t.hidden, COALESCE(t.accepted_post_id, ''), p.created_at
		FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id JOIN forum_categories c ON c.id = t.category_id
		JOIN users u ON u.id = p.author_id WHERE p.id = ?`, id).
		Scan(&t.Title, &p.Source, &t.CategorySlug, &p.AuthorName, &p.AuthorID, &p.ThreadID, &p.Position,
			&p.Hidden, &t.Hidden, &t.AcceptedPostID, &created)
	if err == sql.ErrNoRows {
		return townhall.GoneDoc(townhall.KindPost, id), nil
	} else if err != nil {
		return nil, err
	}
	t.ID, p.CreatedAt = p.ThreadID, fromMS(created)
	return p.SearchDoc(&t), nil
}
