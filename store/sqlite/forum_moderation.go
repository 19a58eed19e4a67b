package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// SetPostHidden implements forum.Store.
func (db *DB) SetForumPostHidden(ctx context.Context, postID string, hidden bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var threadID string
		var was bool
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT thread_id, hidden, position FROM forum_posts WHERE id = ?`, postID).Scan(&threadID, &was, &pos)
		if err != nil {
			return notFound(err, forum.ErrPostNotFound)
		}
		if was == hidden {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET hidden = ? WHERE id = ?`, boolInt(hidden), postID); err != nil {
			return err
		}
		if hidden {
			// A hidden reply cannot stay the accepted answer: the thread is no longer solved.
			var accepted bool
			if err := tx.QueryRowContext(ctx, `SELECT accepted_post_id IS ? FROM forum_threads WHERE id = ?`, postID, threadID).Scan(&accepted); err != nil {
				return err
			}
			if accepted {
				// Its author's points for the answer go with it.
				if err := db.moveAcceptance(ctx, tx, threadID, ""); err != nil {
					return err
				}
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
		if err := execOne(ctx, tx, forum.ErrThreadNotFound, `UPDATE forum_threads SET `+column+` = ? WHERE id = ?`, boolInt(on), threadID); err != nil {
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
			return notFound(err, forum.ErrThreadNotFound)
		}
		if from == categoryID {
			return nil
		}
		if err := execOne(ctx, tx, forum.ErrCategoryNotFound, `UPDATE forum_categories SET threads = threads + 1 WHERE id = ?`, categoryID); err != nil {
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
