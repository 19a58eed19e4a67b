package sqlite

import (
	"context"
	"database/sql"
	"html/template"

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

const categoryCols = `id, slug, name, description, position, questions, threads, created_at`

func scanCategory(row scanner) (*forum.Category, error) {
	var c forum.Category
	var created int64
	if err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position, &c.Questions, &c.Threads, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// ForumCategories implements forum.Store.
func (db *DB) ForumCategories(ctx context.Context) ([]*forum.Category, error) {
	return queryAll(ctx, db.reader(ctx), scanCategory, `SELECT `+categoryCols+` FROM forum_categories ORDER BY position, name`)
}

// ForumCategory implements forum.Store.
func (db *DB) ForumCategory(ctx context.Context, ref string) (*forum.Category, error) {
	c, err := scanCategory(db.reader(ctx).QueryRowContext(ctx, `SELECT `+categoryCols+` FROM forum_categories WHERE id = ?
		UNION ALL SELECT `+categoryCols+` FROM forum_categories WHERE slug = ? LIMIT 1`, ref, ref))
	return c, notFound(err, "Category")
}

// SaveForumCategory implements forum.Store.
func (db *DB) SaveForumCategory(ctx context.Context, c *forum.Category) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var oldSlug string
		if err := tx.QueryRowContext(ctx, `SELECT slug FROM forum_categories WHERE id = ?`, c.ID).Scan(&oldSlug); err != nil && err != sql.ErrNoRows {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_categories(id, slug, name, description, position, questions, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET slug = excluded.slug, name = excluded.name, description = excluded.description,
				position = excluded.position, questions = excluded.questions`,
			c.ID, c.Slug, c.Name, c.Description, c.Position, boolInt(c.Questions), ms(c.CreatedAt))
		if err != nil || oldSlug == "" || oldSlug == c.Slug {
			return err
		}
		// Thread and post documents carry the category slug.
		return db.recordThreadTree(ctx, tx, `SELECT id FROM forum_threads WHERE category_id = ?`, c.ID)
	})
	if isUnique(err) {
		return townhall.Errorf(townhall.ECONFLICT, "The slug %q is already used by another category.", c.Slug)
	}
	return err
}

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

const threadCols = `t.id, t.category_id, c.slug, t.title, t.author_id, au.name, t.posts, t.replies, t.last_post_id,
	t.last_poster_id, lu.name, t.last_activity, t.pinned, t.locked, t.hidden, COALESCE(t.accepted_post_id, ''), t.created_at`

const threadFrom = ` FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id
	JOIN users au ON au.id = t.author_id JOIN users lu ON lu.id = t.last_poster_id `

func scanThread(row scanner) (*forum.Thread, error) {
	var t forum.Thread
	var last, created int64
	err := row.Scan(&t.ID, &t.CategoryID, &t.CategorySlug, &t.Title, &t.AuthorID, &t.AuthorName, &t.Posts, &t.Replies,
		&t.LastPostID, &t.LastPosterID, &t.LastPosterName, &last, &t.Pinned, &t.Locked, &t.Hidden, &t.AcceptedPostID, &created)
	if err != nil {
		return nil, err
	}
	t.LastActivity, t.CreatedAt = fromMS(last), fromMS(created)
	return &t, nil
}

const postCols = `p.id, p.thread_id, p.position, p.author_id, u.name, u.handle, u.role, p.source, p.html, p.hidden, p.edited_at, p.created_at`

const postFrom = ` FROM forum_posts p JOIN users u ON u.id = p.author_id `

func scanPost(row scanner) (*forum.Post, error) {
	var p forum.Post
	var html string
	var edited sql.NullInt64
	var created int64
	err := row.Scan(&p.ID, &p.ThreadID, &p.Position, &p.AuthorID, &p.AuthorName, &p.AuthorHandle, &p.AuthorRole,
		&p.Source, &html, &p.Hidden, &edited, &created)
	if err != nil {
		return nil, err
	}
	p.HTML = template.HTML(html) // sanitized by markdown.Render before it was stored
	p.EditedAt, p.CreatedAt = nullMS(edited), fromMS(created)
	return &p, nil
}

func insertPost(ctx context.Context, tx *sql.Tx, p *forum.Post) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forum_posts(id, thread_id, position, author_id, source, html, created_at)
		VALUES(?, ?, ?, ?, ?, ?, ?)`, p.ID, p.ThreadID, p.Position, p.AuthorID, p.Source, string(p.HTML), ms(p.CreatedAt))
	return err
}

// CreateThread implements forum.Store.
func (db *DB) CreateThread(ctx context.Context, t *forum.Thread, first *forum.Post) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, "Category", `UPDATE forum_categories SET threads = threads + 1 WHERE id = ?`, t.CategoryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_threads(id, category_id, title, author_id, posts, replies,
			last_post_id, last_poster_id, last_activity, created_at) VALUES(?, ?, ?, ?, 1, 0, ?, ?, ?, ?)`,
			t.ID, t.CategoryID, t.Title, t.AuthorID, first.ID, t.AuthorID, ms(t.LastActivity), ms(t.CreatedAt)); err != nil {
			return err
		}
		first.ThreadID, first.Position = t.ID, 0
		if err := insertPost(ctx, tx, first); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO forum_follows(thread_id, user_id) VALUES(?, ?)`, t.ID, t.AuthorID); err != nil {
			return err
		}
		if err := db.recordChange(ctx, tx, townhall.KindThread, t.ID); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindPost, first.ID)
	})
}

// Thread implements forum.Store.
func (db *DB) Thread(ctx context.Context, id string) (*forum.Thread, error) {
	t, err := scanThread(db.reader(ctx).QueryRowContext(ctx, `SELECT `+threadCols+threadFrom+`WHERE t.id = ?`, id))
	return t, notFound(err, "Thread")
}

// Threads implements forum.Store.
func (db *DB) Threads(ctx context.Context, categoryID string, after *forum.ThreadCursor, limit int, withHidden bool) ([]*forum.Thread, error) {
	q, args := threadsQuery(categoryID, after, limit, withHidden)
	return queryAll(ctx, db.reader(ctx), scanThread, q, args...)
}

const latestThreadsQuery = `SELECT ` + threadCols + threadFrom + `WHERE t.hidden = 0
	ORDER BY t.last_activity DESC, t.id DESC LIMIT ?`

// LatestThreads implements forum.Store; it walks forum_threads_latest.
func (db *DB) LatestThreads(ctx context.Context, limit int) ([]*forum.Thread, error) {
	return queryAll(ctx, db.reader(ctx), scanThread, latestThreadsQuery, limit)
}

// threadsQuery is the category page: it walks forum_threads_list in order.
func threadsQuery(categoryID string, after *forum.ThreadCursor, limit int, withHidden bool) (string, []any) {
	q := `SELECT ` + threadCols + threadFrom + `WHERE t.category_id = ? AND (t.hidden = 0 OR ?)`
	args := []any{categoryID, withHidden}
	if after != nil {
		q += ` AND (t.pinned, t.last_activity, t.id) < (?, ?, ?)`
		args = append(args, boolInt(after.Pinned), ms(after.Activity), after.ID)
	}
	q += ` ORDER BY t.pinned DESC, t.last_activity DESC, t.id DESC LIMIT ?`
	return q, append(args, limit)
}

// AddReply implements forum.Store.
func (db *DB) AddReply(ctx context.Context, p *forum.Post) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var posts int
		var locked bool
		err := tx.QueryRowContext(ctx, `SELECT posts, locked FROM forum_threads WHERE id = ?`, p.ThreadID).Scan(&posts, &locked)
		if err != nil {
			return notFound(err, "Thread")
		}
		if locked {
			return townhall.Errorf(townhall.ECONFLICT, "This thread is locked; it takes no new replies.")
		}
		p.Position = posts
		if err := insertPost(ctx, tx, p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_threads SET posts = posts + 1, replies = replies + 1,
			last_post_id = ?, last_poster_id = ?, last_activity = ? WHERE id = ?`,
			p.ID, p.AuthorID, ms(p.CreatedAt), p.ThreadID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO forum_follows(thread_id, user_id) VALUES(?, ?)`, p.ThreadID, p.AuthorID); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindPost, p.ID)
	})
}

// Post implements forum.Store.
func (db *DB) ForumPost(ctx context.Context, id string) (*forum.Post, error) {
	p, err := scanPost(db.reader(ctx).QueryRowContext(ctx, `SELECT `+postCols+postFrom+`WHERE p.id = ?`, id))
	return p, notFound(err, "Post")
}

// Posts implements forum.Store.
func (db *DB) ForumPosts(ctx context.Context, threadID string, from, to int) ([]*forum.Post, error) {
	return queryAll(ctx, db.reader(ctx), scanPost, `SELECT `+postCols+postFrom+`WHERE p.thread_id = ? AND p.position BETWEEN ? AND ?
		ORDER BY p.position`, threadID, from, to)
}

// EditPost implements forum.Store.
func (db *DB) EditForumPost(ctx context.Context, e forum.Edit) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var threadID, source, title string
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT p.thread_id, p.source, p.position, t.title FROM forum_posts p
			JOIN forum_threads t ON t.id = p.thread_id WHERE p.id = ?`, e.PostID).Scan(&threadID, &source, &pos, &title)
		if err != nil {
			return notFound(err, "Post")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_revisions(id, post_id, title, source, editor_id, created_at)
			VALUES(?, ?, ?, ?, ?, ?)`, e.RevisionID, e.PostID, title, source, e.EditorID, ms(e.At)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET source = ?, html = ?, edited_at = ? WHERE id = ?`,
			e.Source, string(e.HTML), ms(e.At), e.PostID); err != nil {
			return err
		}
		if err := db.recordChange(ctx, tx, townhall.KindPost, e.PostID); err != nil {
			return err
		}
		if pos != 0 {
			return nil
		}
		if e.Title != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE forum_threads SET title = ? WHERE id = ?`, e.Title, threadID); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, tx, townhall.KindThread, threadID) // the thread doc holds the first post
	})
}

// Revisions implements forum.Store.
func (db *DB) ForumRevisions(ctx context.Context, postID string) ([]*forum.Revision, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT r.id, r.post_id, r.title, r.source, r.editor_id, u.name, r.created_at
		FROM forum_revisions r JOIN users u ON u.id = r.editor_id WHERE r.post_id = ? ORDER BY r.id DESC`, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*forum.Revision
	for rows.Next() {
		var r forum.Revision
		var at int64
		if err := rows.Scan(&r.ID, &r.PostID, &r.Title, &r.Source, &r.EditorID, &r.EditorName, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = fromMS(at)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// SetPostHidden implements forum.Store.
func (db *DB) SetForumPostHidden(ctx context.Context, postID string, hidden bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var threadID string
		var was bool
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT thread_id, hidden, position FROM forum_posts WHERE id = ?`, postID).Scan(&threadID, &was, &pos)
		if err != nil {
			return notFound(err, "Post")
		}
		if was == hidden {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET hidden = ? WHERE id = ?`, boolInt(hidden), postID); err != nil {
			return err
		}
		if hidden {
			// A hidden reply cannot stay the accepted answer: the thread is no longer solved.
			res, err := tx.ExecContext(ctx, `UPDATE forum_threads SET accepted_post_id = NULL WHERE id = ? AND accepted_post_id = ?`, threadID, postID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				if err := db.recordChange(ctx, tx, townhall.KindThread, threadID); err != nil {
					return err
				}
			}
		}
		if pos > 0 {
			delta := 1
			if hidden {
				delta = -1
			}
			if _, err := tx.ExecContext(ctx, `UPDATE forum_threads SET replies = replies + ? WHERE id = ?`, delta, threadID); err != nil {
				return err
			}
		}
		return db.recordChange(ctx, tx, townhall.KindPost, postID)
	})
}

func (db *DB) setThreadFlag(ctx context.Context, threadID, column string, on bool, tree bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, "Thread", `UPDATE forum_threads SET `+column+` = ? WHERE id = ?`, boolInt(on), threadID); err != nil {
			return err
		}
		if !tree {
			return nil
		}
		return db.recordThreadTree(ctx, tx, `SELECT id FROM forum_threads WHERE id = ?`, threadID)
	})
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

// MoveThread implements forum.Store.
func (db *DB) MoveThread(ctx context.Context, threadID, categoryID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var from string
		if err := tx.QueryRowContext(ctx, `SELECT category_id FROM forum_threads WHERE id = ?`, threadID).Scan(&from); err != nil {
			return notFound(err, "Thread")
		}
		if from == categoryID {
			return nil
		}
		if err := execOne(ctx, tx, "Category", `UPDATE forum_categories SET threads = threads + 1 WHERE id = ?`, categoryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_categories SET threads = threads - 1 WHERE id = ?`, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_threads SET category_id = ? WHERE id = ?`, categoryID, threadID); err != nil {
			return err
		}
		return db.recordThreadTree(ctx, tx, `SELECT id FROM forum_threads WHERE id = ?`, threadID)
	})
}

// AcceptAnswer implements forum.Store.
func (db *DB) AcceptAnswer(ctx context.Context, threadID, postID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var old sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT accepted_post_id FROM forum_threads WHERE id = ?`, threadID).Scan(&old); err != nil {
			return notFound(err, "Thread")
		}
		if postID != "" {
			var pos int
			err := tx.QueryRowContext(ctx, `SELECT position FROM forum_posts WHERE id = ? AND thread_id = ?`, postID, threadID).Scan(&pos)
			if err != nil {
				return notFound(err, "Post")
			}
			if pos == 0 {
				return townhall.Errorf(townhall.ECONFLICT, "The question itself cannot be its answer.")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_threads SET accepted_post_id = NULLIF(?, '') WHERE id = ?`, postID, threadID); err != nil {
			return err
		}
		if err := db.recordChange(ctx, tx, townhall.KindThread, threadID); err != nil {
			return err
		}
		for _, id := range []string{old.String, postID} {
			if id != "" {
				if err := db.recordChange(ctx, tx, townhall.KindPost, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Follow implements forum.Store.
func (db *DB) FollowThread(ctx context.Context, threadID, userID string, on bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if on {
			_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO forum_follows(thread_id, user_id) VALUES(?, ?)`, threadID, userID)
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM forum_follows WHERE thread_id = ? AND user_id = ?`, threadID, userID)
		return err
	})
}

// Following implements forum.Store.
func (db *DB) FollowingThread(ctx context.Context, threadID, userID string) (bool, error) {
	var ok bool
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM forum_follows WHERE thread_id = ? AND user_id = ?)`, threadID, userID).Scan(&ok)
	return ok, err
}

// Followers implements forum.Store.
func (db *DB) ThreadFollowers(ctx context.Context, threadID string) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT user_id FROM forum_follows WHERE thread_id = ?`, threadID)
}

func listIDs(table string) func(ctx context.Context, q querier, after string, limit int) ([]string, error) {
	return func(ctx context.Context, q querier, after string, limit int) ([]string, error) {
		rows, err := q.QueryContext(ctx, `SELECT id FROM `+table+` WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
}

// loadThreadDoc: a thread's document is its title and first post.
func loadThreadDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	doc := &townhall.SearchDoc{Kind: townhall.KindThread, ID: id}
	var hidden bool
	var accepted sql.NullString
	var created int64
	err := q.QueryRowContext(ctx, `SELECT t.title, p.source, c.slug, u.name, t.author_id, t.hidden, t.accepted_post_id, t.created_at
		FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id JOIN users u ON u.id = t.author_id
		JOIN forum_posts p ON p.thread_id = t.id AND p.position = 0 WHERE t.id = ?`, id).
		Scan(&doc.Title, &doc.Body, &doc.Category, &doc.Author, &doc.AuthorID, &hidden, &accepted, &created)
	if err == sql.ErrNoRows {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	if accepted.Valid {
		doc.Status = "solved"
	}
	doc.URL, doc.Created, doc.Visible = "/t/"+id, fromMS(created), !hidden
	return doc, nil
}

// loadPostDoc: replies are documents of their own; the first post is
// searched through its thread's document, so it is not indexed twice.
func loadPostDoc(ctx context.Context, q querier, id string) (*townhall.SearchDoc, error) {
	doc := &townhall.SearchDoc{Kind: townhall.KindPost, ID: id}
	var hidden, threadHidden bool
	var pos int
	var accepted sql.NullString
	var created int64
	err := q.QueryRowContext(ctx, `SELECT t.title, p.source, c.slug, u.name, p.author_id, p.thread_id, p.position,
		p.hidden, t.hidden, t.accepted_post_id, p.created_at
		FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id JOIN forum_categories c ON c.id = t.category_id
		JOIN users u ON u.id = p.author_id WHERE p.id = ?`, id).
		Scan(&doc.Title, &doc.Body, &doc.Category, &doc.Author, &doc.AuthorID, &doc.ParentID, &pos,
			&hidden, &threadHidden, &accepted, &created)
	if err == sql.ErrNoRows {
		return doc, nil
	} else if err != nil {
		return nil, err
	}
	if accepted.Valid && accepted.String == id {
		doc.Status = "accepted"
	}
	p := &forum.Post{ID: id, Position: pos}
	doc.URL, doc.Created = forum.PostURL(doc.ParentID, p), fromMS(created)
	doc.Visible = !hidden && !threadHidden && pos > 0
	return doc, nil
}
