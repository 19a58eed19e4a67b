package sqlite

import (
	"context"
	"database/sql"
	"html/template"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// commentCols selects a comment with its author, the idea it was merged
// from and the moderator who hid it.
const commentCols = `c.id, c.idea_id, c.author_id, u.name, c.team, c.body, c.body_html,
	COALESCE(c.merged_from, ''), COALESCE(d.title, ''), c.created_at, c.edited_at, c.deleted_at IS NOT NULL,
	c.hidden_at, COALESCE(c.hidden_by, ''), COALESCE(hu.name, ''), c.hidden_reason, c.likes
	FROM idea_comments c JOIN users u ON u.id = c.author_id LEFT JOIN ideas d ON d.id = c.merged_from
	LEFT JOIN users hu ON hu.id = c.hidden_by `

func scanComment(row scanner) (*ideas.Comment, error) {
	var c ideas.Comment
	var html string
	var created int64
	var edited, hiddenAt sql.NullInt64
	var h ideas.Hidden
	if err := row.Scan(&c.ID, &c.IdeaID, &c.AuthorID, &c.AuthorName, &c.Team, &c.Body, &html,
		&c.MergedFrom, &c.MergedFromTitle, &created, &edited, &c.Deleted,
		&hiddenAt, &h.ByID, &h.ByName, &h.Reason, &c.Likes); err != nil {
		return nil, err
	}
	c.BodyHTML = template.HTML(html) // sanitized by markdown.Render when written
	c.CreatedAt, c.EditedAt = fromMS(created), nullMS(edited)
	if hiddenAt.Valid {
		h.At = fromMS(hiddenAt.Int64)
		c.Hidden = &h
	}
	return &c, nil
}

// Comments implements ideas.Store.
func (db *DB) Comments(ctx context.Context, ideaID, after string, limit int, withHidden bool) ([]*ideas.Comment, error) {
	filter := ` AND c.hidden_at IS NULL`
	if withHidden {
		filter = ``
	}
	return queryAll(ctx, db.reader(ctx), scanComment, `SELECT `+commentCols+`WHERE c.idea_id = ? AND c.id > ?`+filter+` ORDER BY c.id LIMIT ?`,
		ideaID, after, limit)
}

// Comment implements ideas.Store.
func (db *DB) Comment(ctx context.Context, id string) (*ideas.Comment, error) {
	c, err := scanComment(db.reader(ctx).QueryRowContext(ctx, `SELECT `+commentCols+`WHERE c.id = ?`, id))
	return c, notFound(err, ideas.ErrCommentNotFound)
}

// commentState is what comment writes check first.
type commentState struct {
	ideaID          string
	hidden, deleted bool
}

func (s commentState) counted() bool { return !s.hidden && !s.deleted }

func getCommentState(ctx context.Context, tx *sql.Tx, id string) (*commentState, error) {
	var s commentState
	err := tx.QueryRowContext(ctx, `SELECT idea_id, hidden_at IS NOT NULL, deleted_at IS NOT NULL FROM idea_comments WHERE id = ?`, id).
		Scan(&s.ideaID, &s.hidden, &s.deleted)
	if err != nil {
		return nil, notFound(err, ideas.ErrCommentNotFound)
	}
	return &s, nil
}

// recount applies a comment's change of visibility to its idea's count.
func recount(ctx context.Context, tx *sql.Tx, ideaID string, before, after bool) error {
	delta := 0
	switch {
	case before && !after:
		delta = -1
	case !before && after:
		delta = 1
	default:
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE ideas SET comments = comments + ? WHERE id = ?`, delta, ideaID)
	return err
}

func deletedConflict() error {
	return ideas.ErrCommentDeleted
}

// EditComment implements ideas.Store.
func (db *DB) EditComment(ctx context.Context, c *ideas.Comment) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		st, err := getCommentState(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if st.deleted {
			return deletedConflict()
		}
		_, err = tx.ExecContext(ctx, `UPDATE idea_comments SET body = ?, body_html = ?, edited_at = ? WHERE id = ?`,
			c.Body, string(c.BodyHTML), ms(c.EditedAt), c.ID)
		return err
	})
}

// DeleteComment implements ideas.Store.
func (db *DB) DeleteComment(ctx context.Context, id, byID string, at time.Time) (bool, error) {
	var deleted bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := getCommentState(ctx, tx, id)
		if err != nil || st.deleted {
			return err
		}
		deleted = true
		// The text goes for good: deleting is the author's "take it back".
		if _, err := tx.ExecContext(ctx, `UPDATE idea_comments SET body = '', body_html = '', deleted_at = ?, deleted_by = ? WHERE id = ?`,
			ms(at), byID, id); err != nil {
			return err
		}
		return recount(ctx, tx, st.ideaID, st.counted(), false)
	})
	return deleted, err
}

// SetCommentHidden implements ideas.Store.
func (db *DB) SetCommentHidden(ctx context.Context, id string, h *ideas.Hidden) (bool, error) {
	var changed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := getCommentState(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.deleted {
			return deletedConflict()
		}
		changed = st.hidden != (h != nil)
		if h == nil {
			if !changed {
				return nil
			}
			_, err = tx.ExecContext(ctx, `UPDATE idea_comments SET hidden_at = NULL, hidden_by = NULL, hidden_reason = '' WHERE id = ?`, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE idea_comments SET hidden_at = ?, hidden_by = NULLIF(?, ''), hidden_reason = ? WHERE id = ?`,
				ms(h.At), h.ByID, h.Reason, id)
		}
		if err != nil {
			return err
		}
		return recount(ctx, tx, st.ideaID, st.counted(), h == nil)
	})
	return changed, err
}

// CommentAuthors implements ideas.Store.
func (db *DB) CommentAuthors(ctx context.Context, ideaID string) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT DISTINCT author_id FROM idea_comments
		WHERE idea_id = ? AND hidden_at IS NULL AND deleted_at IS NULL`, ideaID)
}

// SetIdeaHidden implements ideas.Store. A hidden idea gives up its tag rows
// and title words, as a merged one does, so tag counts and similar-ideas
// never see it; unhiding rebuilds them from the idea's own columns.
func (db *DB) SetIdeaHidden(ctx context.Context, id string, h *ideas.Hidden) (bool, error) {
	var changed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := getIdeaState(ctx, tx, id, ideas.ErrNotFound)
		if err != nil {
			return err
		}
		if st.mergedInto != "" {
			return ideas.ErrMergedModerate
		}
		changed = st.hidden != (h != nil)
		switch {
		case h != nil:
			if _, err := tx.ExecContext(ctx, `UPDATE ideas SET hidden_at = ?, hidden_by = NULLIF(?, ''), hidden_reason = ? WHERE id = ?`,
				ms(h.At), h.ByID, h.Reason, id); err != nil {
				return err
			}
			if !changed {
				return nil // a new reason only
			}
			if err := unlistIdea(ctx, tx, id); err != nil {
				return err
			}
		case changed:
			if _, err := tx.ExecContext(ctx, `UPDATE ideas SET hidden_at = NULL, hidden_by = NULL, hidden_reason = '' WHERE id = ?`, id); err != nil {
				return err
			}
			if err := listIdea(ctx, tx, id, splitTags(st.tags), ideas.TitleWords(st.title)); err != nil {
				return err
			}
		default:
			return nil
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, id)
	})
	return changed, err
}
