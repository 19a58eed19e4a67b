package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/notify"
)

func init() {
	registerMigrations("notify", 20, `
CREATE TABLE notifications (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	text       TEXT NOT NULL,
	url        TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	read       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications(user_id, id DESC);`)
}

var _ notify.Store = (*DB)(nil)

// AddNotifications implements notify.Store.
func (db *DB) AddNotifications(ctx context.Context, userIDs []string, n notify.Notification) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO notifications(id, user_id, kind, text, url, created_at)
			SELECT ?, id, ?, ?, ?, ? FROM users WHERE id = ? AND deleted_at IS NULL`)
		if err != nil {
			return err
		}
		defer ins.Close()
		bump, err := tx.PrepareContext(ctx, `UPDATE users SET unread = unread + 1 WHERE id = ? AND deleted_at IS NULL`)
		if err != nil {
			return err
		}
		defer bump.Close()
		for _, uid := range userIDs {
			if _, err := ins.ExecContext(ctx, townhall.NewID(), n.Kind, n.Text, n.URL, ms(n.CreatedAt), uid); err != nil {
				return err
			}
			if _, err := bump.ExecContext(ctx, uid); err != nil {
				return err
			}
		}
		return nil
	})
}

// Notifications implements notify.Store.
func (db *DB) Notifications(ctx context.Context, userID, before string, limit int) ([]*notify.Notification, error) {
	if before == "" {
		before = "~" // sorts after every id
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, user_id, kind, text, url, created_at, read FROM notifications
		WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, userID, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*notify.Notification
	for rows.Next() {
		var n notify.Notification
		var created int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Text, &n.URL, &created, &n.Read); err != nil {
			return nil, err
		}
		n.CreatedAt = fromMS(created)
		out = append(out, &n)
	}
	return out, rows.Err()
}

// MarkNotificationsRead implements notify.Store.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read = 1 WHERE user_id = ? AND read = 0`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET unread = 0 WHERE id = ?`, userID)
		return err
	})
}
