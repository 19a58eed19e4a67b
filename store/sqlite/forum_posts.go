package sqlite

import (
	"context"
	"database/sql"
	"html/template"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

const postCols = `p.id, p.thread_id, p.position, p.author_id, u.name, u.handle, u.role, p.source, p.html, p.hidden, p.edited_at, p.created_at,
	p.likes, u.badge, u.champion`

const postFrom = ` FROM forum_posts p JOIN users u ON u.id = p.author_id `

func scanPost(row scanner) (*forum.Post, error) {
	var p forum.Post
	var html string
	var edited sql.NullInt64
	var created int64
	err := row.Scan(&p.ID, &p.ThreadID, &p.Position, &p.AuthorID, &p.AuthorName, &p.AuthorHandle, &p.AuthorRole,
		&p.Source, &html, &p.Hidden, &edited, &created, &p.Likes, &p.AuthorBadge, &p.AuthorChampion)
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

// AddReply implements forum.Store.
func (db *DB) AddReply(ctx context.Context, p *forum.Post) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var posts int
		var locked bool
		err := tx.QueryRowContext(ctx, `SELECT posts, locked FROM forum_threads WHERE id = ?`, p.ThreadID).Scan(&posts, &locked)
		if err != nil {
			return notFound(err, forum.ErrThreadNotFound)
		}
		if locked {
			return forum.ErrLocked
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
	return p, notFound(err, forum.ErrPostNotFound)
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
			return notFound(err, forum.ErrPostNotFound)
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

// AcceptAnswer implements forum.Store.
func (db *DB) AcceptAnswer(ctx context.Context, threadID, postID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var old sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT accepted_post_id FROM forum_threads WHERE id = ?`, threadID).Scan(&old); err != nil {
			return notFound(err, forum.ErrThreadNotFound)
		}
		if postID != "" {
			var pos int
			err := tx.QueryRowContext(ctx, `SELECT position FROM forum_posts WHERE id = ? AND thread_id = ?`, postID, threadID).Scan(&pos)
			if err != nil {
				return notFound(err, forum.ErrPostNotFound)
			}
			if pos == 0 {
				return forum.ErrQuestionAnswer
			}
		}
		// The accepted answer moves with its reputation points.
		if err := db.moveAcceptance(ctx, tx, threadID, postID); err != nil {
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
