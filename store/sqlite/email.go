package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/email"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/notify"
)

func init() {
	// Notifications are email's events: grp is what a notification is
	// about (notify.GroupOf), mail_key the email that carried it. The
	// group index serves an instant email's "unread, not yet emailed, of
	// this thread" and a visit's "mark this thread's read".
	registerMigrations("email", 96, `
ALTER TABLE notifications ADD COLUMN grp TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN mail_key TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_group ON notifications(user_id, grp, id) WHERE read = 0;
CREATE INDEX notifications_mail ON notifications(mail_key, id) WHERE mail_key <> '';
CREATE TABLE mail_preferences (
	user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	no_email   INTEGER NOT NULL DEFAULT 0,
	digest     TEXT NOT NULL,
	kinds      TEXT NOT NULL, -- JSON: kind name → instant, digest or off
	updated_at INTEGER NOT NULL
);
CREATE TABLE mail_messages (
	id         TEXT PRIMARY KEY,
	key        TEXT NOT NULL UNIQUE,
	user_id    TEXT NOT NULL,
	to_addr    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	subject    TEXT NOT NULL,
	message_id TEXT NOT NULL,
	headers    TEXT NOT NULL, -- JSON: [{"name","value"}]
	text_body  TEXT NOT NULL,
	html_body  TEXT NOT NULL,
	state      TEXT NOT NULL,
	error      TEXT NOT NULL DEFAULT '',
	attempts   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	sent_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_messages_state ON mail_messages(state, id DESC);
CREATE INDEX mail_messages_user ON mail_messages(user_id, id DESC);
CREATE INDEX mail_messages_created ON mail_messages(created_at);`)
}

var _ email.Store = (*DB)(nil)

// MailPreferences implements email.Store.
func (db *DB) MailPreferences(ctx context.Context, userIDs []string) (map[string]*email.Preferences, error) {
	out := map[string]*email.Preferences{}
	for start := 0; start < len(userIDs); start += 500 {
		part := userIDs[start:min(start+500, len(userIDs))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := db.reader(ctx).QueryContext(ctx, `SELECT user_id, no_email, digest, kinds, updated_at FROM mail_preferences
			WHERE user_id IN (`+marks(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var uid, kinds string
			var updated int64
			p := &email.Preferences{}
			if err := rows.Scan(&uid, &p.NoEmail, &p.Digest, &kinds, &updated); err != nil {
				rows.Close()
				return nil, err
			}
			if err := json.Unmarshal([]byte(kinds), &p.Kinds); err != nil {
				rows.Close()
				return nil, err
			}
			p.UpdatedAt = fromMS(updated)
			out[uid] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SaveMailPreferences implements email.Store.
func (db *DB) SaveMailPreferences(ctx context.Context, userID string, p *email.Preferences) error {
	kinds, err := json.Marshal(p.Kinds)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mail_preferences(user_id, no_email, digest, kinds, updated_at) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET no_email = excluded.no_email, digest = excluded.digest, kinds = excluded.kinds,
			updated_at = excluded.updated_at`, userID, boolInt(p.NoEmail), string(p.Digest), string(kinds), ms(p.UpdatedAt))
		return err
	})
}

// PendingMail implements email.Store.
func (db *DB) PendingMail(ctx context.Context, userID, group string, limit int) ([]*notify.Notification, error) {
	return queryAll(ctx, db.reader(ctx), scanNotification, `SELECT `+notificationCols+` FROM notifications
		WHERE user_id = ? AND grp = ? AND read = 0 AND mail_key = '' ORDER BY id LIMIT ?`, userID, group, limit)
}

// idAt is the smallest ID made at t: IDs sort by creation, so a time range
// of notifications, threads or status changes is a range of their keys.
func idAt(t time.Time) string { return townhall.IDAt(t, 0, 0) }

// DigestMail implements email.Store.
func (db *DB) DigestMail(ctx context.Context, userID string, from, to time.Time, limit int) ([]*notify.Notification, error) {
	return queryAll(ctx, db.reader(ctx), scanNotification, `SELECT `+notificationCols+` FROM notifications
		WHERE user_id = ? AND id >= ? AND id < ? AND read = 0 AND mail_key = '' ORDER BY id LIMIT ?`,
		userID, idAt(from), idAt(to), limit)
}

// ClaimMail implements email.Store: the writer connection serializes
// claims, so a notification goes to the first key that claims it.
func (db *DB) ClaimMail(ctx context.Context, userID, key string, ids []string) ([]*notify.Notification, error) {
	var out []*notify.Notification
	err := db.write(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += 500 {
			part := ids[start:min(start+500, len(ids))]
			args := []any{key, userID}
			for _, id := range part {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET mail_key = ? WHERE user_id = ? AND read = 0 AND mail_key = ''
				AND id IN (`+marks(len(part))+`)`, args...); err != nil {
				return err
			}
		}
		var err error
		out, err = queryAll(ctx, tx, scanNotification, `SELECT `+notificationCols+` FROM notifications
			WHERE mail_key = ? AND user_id = ? ORDER BY id`, key, userID)
		return err
	})
	return out, err
}

const messageCols = `id, key, user_id, to_addr, kind, subject, message_id, headers, text_body, html_body, state, error, attempts,
	created_at, updated_at, sent_at`

func scanMessage(row scanner) (*email.Message, error) {
	var m email.Message
	var headers string
	var created, updated, sent int64
	if err := row.Scan(&m.ID, &m.Key, &m.UserID, &m.To, &m.Kind, &m.Subject, &m.MessageID, &headers, &m.Text, &m.HTML,
		&m.State, &m.Error, &m.Attempts, &created, &updated, &sent); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	if sent != 0 {
		m.SentAt = fromMS(sent)
	}
	return &m, nil
}

// SaveMessage implements email.Store.
func (db *DB) SaveMessage(ctx context.Context, m *email.Message) (*email.Message, error) {
	headers, err := json.Marshal(m.Headers)
	if err != nil {
		return nil, err
	}
	var out *email.Message
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_messages(`+messageCols+`)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`,
			m.ID, m.Key, m.UserID, m.To, m.Kind, m.Subject, m.MessageID, string(headers), m.Text, m.HTML, string(m.State), m.Error,
			m.Attempts, ms(m.CreatedAt), ms(m.UpdatedAt), msOrZero(m.SentAt)); err != nil {
			return err
		}
		var err error
		out, err = scanMessage(tx.QueryRowContext(ctx, `SELECT `+messageCols+` FROM mail_messages WHERE key = ?`, m.Key))
		return err
	})
	return out, err
}

func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

func (db *DB) oneMessage(ctx context.Context, where string, arg string) (*email.Message, error) {
	m, err := scanMessage(db.reader(ctx).QueryRowContext(ctx, `SELECT `+messageCols+` FROM mail_messages WHERE `+where+` = ?`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, email.ErrNotFound
	}
	return m, err
}

// Message implements email.Store.
func (db *DB) Message(ctx context.Context, id string) (*email.Message, error) {
	return db.oneMessage(ctx, "id", id)
}

// MessageByKey implements email.Store.
func (db *DB) MessageByKey(ctx context.Context, key string) (*email.Message, error) {
	return db.oneMessage(ctx, "key", key)
}

// Messages implements email.Store.
func (db *DB) Messages(ctx context.Context, q email.Query) ([]*email.Message, error) {
	var where []string
	var args []any
	if q.State != "" {
		where, args = append(where, "state = ?"), append(args, string(q.State))
	}
	if q.UserID != "" {
		where, args = append(where, "user_id = ?"), append(args, q.UserID)
	}
	if q.Before != "" {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	query := `SELECT ` + messageCols + ` FROM mail_messages`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return queryAll(ctx, db.reader(ctx), scanMessage, query+" ORDER BY id DESC LIMIT ?", append(args, q.Limit)...)
}

// UpdateMessage implements email.Store.
func (db *DB) UpdateMessage(ctx context.Context, id string, u email.Update) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		sent := int64(0)
		if u.State == email.StateSent {
			sent = ms(u.At)
		}
		res, err := tx.ExecContext(ctx, `UPDATE mail_messages SET state = ?, error = CASE WHEN ? = '' THEN error ELSE ? END,
			attempts = attempts + ?, updated_at = ?, sent_at = CASE WHEN ? = 0 THEN sent_at ELSE ? END WHERE id = ?`,
			string(u.State), u.Error, u.Error, boolInt(u.Attempted), ms(u.At), sent, sent, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return email.ErrNotFound
		}
		return nil
	})
}

// PruneMessages implements email.Store.
func (db *DB) PruneMessages(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mail_messages WHERE created_at < ?`, ms(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// FollowedCategories implements email.Store.
func (db *DB) FollowedCategories(ctx context.Context, userID string) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT DISTINCT t.category_id FROM forum_follows f
		JOIN forum_threads t ON t.id = f.thread_id WHERE f.user_id = ? ORDER BY t.category_id`, userID)
}

// NewThreads implements email.Store: the primary key's range of the
// period, since ids sort by creation.
func (db *DB) NewThreads(ctx context.Context, categoryIDs []string, from, to time.Time, limit int) ([]*forum.Thread, error) {
	q := `SELECT ` + threadCols + threadFrom + `WHERE t.id >= ? AND t.id < ? AND t.hidden = 0`
	args := []any{idAt(from), idAt(to)}
	if len(categoryIDs) > 0 {
		q += ` AND t.category_id IN (` + marks(len(categoryIDs)) + `)`
		for _, c := range categoryIDs {
			args = append(args, c)
		}
	}
	return queryAll(ctx, db.reader(ctx), scanThread, q+` ORDER BY t.replies DESC, t.id DESC LIMIT ?`, append(args, limit)...)
}

// StatusChanges implements email.Store.
func (db *DB) StatusChanges(ctx context.Context, from, to time.Time, limit int) ([]*ideas.StatusChange, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*ideas.StatusChange, error) {
		var c ideas.StatusChange
		var at int64
		if err := row.Scan(&c.ID, &c.IdeaID, &c.From, &c.To, &c.Reason, &c.ActorID, &at); err != nil {
			return nil, err
		}
		c.At = fromMS(at)
		return &c, nil
	}, `SELECT id, idea_id, from_status, to_status, reason, actor_id, created_at FROM idea_status_changes
		WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT ?`, idAt(from), idAt(to), limit)
}
