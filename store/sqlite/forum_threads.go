package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

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

// CreateThread implements forum.Store.
func (db *DB) CreateThread(ctx context.Context, t *forum.Thread, first *forum.Post) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, forum.ErrCategoryNotFound, `UPDATE forum_categories SET threads = threads + 1 WHERE id = ?`, t.CategoryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_threads(id, category_id, title, author_id, posts, replies,
			last_post_id, last_poster_id, last_activity, hidden, created_at) VALUES(?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?)`,
			t.ID, t.CategoryID, t.Title, t.AuthorID, first.ID, t.AuthorID, ms(t.LastActivity), boolInt(t.Hidden), ms(t.CreatedAt)); err != nil {
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
	return t, notFound(err, forum.ErrThreadNotFound)
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
