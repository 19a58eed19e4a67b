package sqlite

import (
	"context"
	"database/sql"
)

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
