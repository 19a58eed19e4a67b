package sqlite

import (
	"context"
	"database/sql"
	"strings"

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
	_, err := db.InsertNotifications(ctx, notify.Copies(userIDs, n))
	return err
}

// insertRows is how many notifications one INSERT statement carries: a
// fan-out to thousands of voters is a few dozen statements, not thousands.
const insertRows = 400

// InsertNotifications implements notify.Store: multi-row inserts that
// skip unknown and deleted accounts and ids already there, and one unread bump per
// recipient of what was added, all in one transaction.
func (db *DB) InsertNotifications(ctx context.Context, ns []*notify.Notification) (int, error) {
	added := 0
	err := db.write(ctx, func(tx *sql.Tx) error {
		added = 0
		got := map[string]int{}
		for start := 0; start < len(ns); start += insertRows {
			part := ns[start:min(start+insertRows, len(ns))]
			args := make([]any, 0, len(part)*7)
			for _, n := range part {
				args = append(args, n.ID, n.UserID, n.Kind, n.Text, n.URL, ms(n.CreatedAt), n.Group)
			}
			rows, err := tx.QueryContext(ctx, `INSERT INTO notifications(id, user_id, kind, text, url, created_at, grp)
				SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
				FROM (VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", len(part)), ", ")+`) v
				WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = v.column2 AND u.deleted_at IS NULL)
				ON CONFLICT(id) DO NOTHING RETURNING user_id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var uid string
				if err := rows.Scan(&uid); err != nil {
					rows.Close()
					return err
				}
				got[uid]++
				added++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return bumpUnread(ctx, tx, got)
	})
	return added, err
}

// bumpUnread adds each user's count of new notifications to their unread
// counter, in one statement per distinct count and chunk of users.
func bumpUnread(ctx context.Context, tx *sql.Tx, got map[string]int) error {
	byCount := map[int][]any{}
	for uid, n := range got {
		byCount[n] = append(byCount[n], uid)
	}
	for n, ids := range byCount {
		for start := 0; start < len(ids); start += 500 {
			part := ids[start:min(start+500, len(ids))]
			if _, err := tx.ExecContext(ctx, `UPDATE users SET unread = unread + ? WHERE id IN (`+marks(len(part))+`)`,
				append([]any{n}, part...)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// marks is n comma-separated placeholders.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Notifications implements notify.Store.
func (db *DB) Notifications(ctx context.Context, userID, before string, limit int) ([]*notify.Notification, error) {
	if before == "" {
		before = "~" // sorts after every id
	}
	return queryAll(ctx, db.reader(ctx), scanNotification, `SELECT `+notificationCols+` FROM notifications
		WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, userID, before, limit)
}

const notificationCols = `id, user_id, kind, text, url, created_at, read, grp, mail_key`

func scanNotification(row scanner) (*notify.Notification, error) {
	var n notify.Notification
	var created int64
	if err := row.Scan(&n.ID, &n.UserID, &n.Kind, &n.Text, &n.URL, &created, &n.Read, &n.Group, &n.MailKey); err != nil {
		return nil, err
	}
	n.CreatedAt = fromMS(created)
	return &n, nil
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

// MarkGroupRead implements notify.Store.
func (db *DB) MarkGroupRead(ctx context.Context, userID, group string) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read = 1 WHERE user_id = ? AND grp = ? AND read = 0`, userID, group)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET unread = MAX(unread - ?, 0) WHERE id = ?`, n, userID)
		return err
	})
	return int(n), err
}
