package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/account"
	"github.com/townhall/townhall/auth"
)

func init() {
	registerMigrations("accounts", 97, `
ALTER TABLE users ADD COLUMN deleted_at INTEGER; -- NULL while the account exists
-- The sign-ins of deleted accounts, by auth.DeletedIdentityKey, so one
-- that comes back is recognised rather than given a new account silently.
CREATE TABLE deleted_identities (
	key        TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	deleted_at INTEGER NOT NULL,
	by_staff   INTEGER NOT NULL DEFAULT 0
);
-- A person's data export reads their records by author, in id order.
CREATE INDEX forum_threads_author ON forum_threads(author_id, id);
CREATE INDEX forum_posts_author ON forum_posts(author_id, id);
CREATE INDEX idea_comments_author ON idea_comments(author_id, id);
CREATE INDEX reviews_author_id ON reviews(author_id, id);
CREATE INDEX forum_follows_user ON forum_follows(user_id, thread_id);
CREATE INDEX identities_user ON identities(user_id, provider, subject);
-- Deleting an account ends its sessions.
CREATE INDEX sessions_user ON sessions(user_id);`)
}

var _ account.Store = (*DB)(nil)

// accountQueries select one kind of a user's records, as account.Record
// columns in this order: id, parent_id, parent_title, title, body, status,
// kind, url, provider, rating, hidden, deleted, read, created_at,
// edited_at. Each takes the user id and the id to start after.
var accountQueries = map[string]string{
	account.SignIns: `SELECT provider || ':' || subject AS k, '', '', '', '', '', '', '', provider, 0, 0, 0, 0, 0, 0
		FROM identities WHERE user_id = ? AND provider || ':' || subject > ? ORDER BY provider, subject`,
	account.Threads: `SELECT t.id, t.category_id, c.name, t.title, '', '', '', '', '', 0, t.hidden, 0, 0, t.created_at, 0
		FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id WHERE t.author_id = ? AND t.id > ? ORDER BY t.id`,
	account.Posts: `SELECT p.id, p.thread_id, t.title, '', p.source, '', '', '', '', 0, p.hidden OR t.hidden, 0, 0, p.created_at,
		COALESCE(p.edited_at, 0) FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id WHERE p.author_id = ? AND p.id > ? ORDER BY p.id`,
	account.Ideas: `SELECT id, '', '', title, body, CASE WHEN merged_into IS NULL THEN status ELSE 'merged' END, '', '', '', 0,
		hidden_at IS NOT NULL, 0, 0, created_at, CASE WHEN updated_at > created_at THEN updated_at ELSE 0 END
		FROM ideas WHERE author_id = ? AND id > ? ORDER BY id`,
	account.Comments: `SELECT c.id, c.idea_id, i.title, '', c.body, '', '', '', '', 0, c.hidden_at IS NOT NULL, c.deleted_at IS NOT NULL, 0,
		c.created_at, COALESCE(c.edited_at, 0) FROM idea_comments c JOIN ideas i ON i.id = c.idea_id
		WHERE c.author_id = ? AND c.id > ? ORDER BY c.id`,
	account.IdeaVotes: `SELECT v.idea_id, '', '', i.title, '', '', '', '', '', 0, 0, 0, 0, v.created_at, 0
		FROM idea_votes v JOIN ideas i ON i.id = v.idea_id WHERE v.user_id = ? AND v.idea_id > ? ORDER BY v.idea_id`,
	account.Reviews: `SELECT r.id, r.product_id, p.name, r.title, r.body, '', '', '', '', r.rating, 0, 0, 0, r.created_at,
		CASE WHEN r.updated_at > r.created_at THEN r.updated_at ELSE 0 END
		FROM reviews r JOIN products p ON p.id = r.product_id WHERE r.author_id = ? AND r.id > ? ORDER BY r.id`,
	account.HelpfulVotes: `SELECT v.review_id, r.product_id, p.name, r.title, '', '', '', '', '', 0, 0, 0, 0, v.created_at, 0
		FROM review_votes v JOIN reviews r ON r.id = v.review_id JOIN products p ON p.id = r.product_id
		WHERE v.user_id = ? AND v.review_id > ? ORDER BY v.review_id`,
	account.Follows: `SELECT f.thread_id, '', '', t.title, '', '', '', '', '', 0, 0, 0, 0, 0, 0
		FROM forum_follows f JOIN forum_threads t ON t.id = f.thread_id WHERE f.user_id = ? AND f.thread_id > ? ORDER BY f.thread_id`,
	account.Notifications: `SELECT id, '', '', '', text, '', kind, url, '', 0, 0, 0, read, created_at, 0
		FROM notifications WHERE user_id = ? AND id > ? ORDER BY id`,
}

func scanAccountRecord(row scanner) (*account.Record, error) {
	var r account.Record
	var created, edited int64
	if err := row.Scan(&r.ID, &r.ParentID, &r.ParentTitle, &r.Title, &r.Body, &r.Status, &r.Kind, &r.URL, &r.Provider, &r.Rating,
		&r.Hidden, &r.Deleted, &r.Read, &created, &edited); err != nil {
		return nil, err
	}
	if created != 0 {
		r.CreatedAt = fromMS(created)
	}
	if edited != 0 {
		r.EditedAt = fromMS(edited)
	}
	return &r, nil
}

// AccountRecords implements account.Store.
func (db *DB) AccountRecords(ctx context.Context, userID, kind, after string, limit int) ([]*account.Record, error) {
	q, ok := accountQueries[kind]
	if !ok {
		return nil, account.ErrUnknownKind
	}
	return queryAll(ctx, db.reader(ctx), scanAccountRecord, q+` LIMIT ?`, userID, after, limit)
}

// DeleteAccount implements account.Store in one transaction.
func (db *DB) DeleteAccount(ctx context.Context, d account.Deletion) (bool, error) {
	var first bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var role string
		var deletedAt sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT role, deleted_at FROM users WHERE id = ?`, d.UserID).Scan(&role, &deletedAt)
		if err != nil {
			return notFound(err, auth.ErrUserNotFound)
		}
		first = !deletedAt.Valid
		if !first {
			return nil // one transaction did it all
		}
		if role == string(townhall.RoleAdmin) {
			var admins int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin'`).Scan(&admins); err != nil {
				return err
			}
			if admins == 1 {
				return auth.ErrLastAdmin
			}
		}
		ids, err := queryAll(ctx, tx, func(row scanner) ([2]string, error) {
			var id [2]string
			return id, row.Scan(&id[0], &id[1])
		}, `SELECT provider, subject FROM identities WHERE user_id = ?`, d.UserID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO deleted_identities(key, user_id, deleted_at, by_staff) VALUES(?, ?, ?, ?)
				ON CONFLICT(key) DO UPDATE SET user_id = excluded.user_id, deleted_at = excluded.deleted_at, by_staff = excluded.by_staff`,
				auth.DeletedIdentityKey(id[0], id[1]), d.UserID, ms(d.At), boolInt(d.ByStaff)); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM identities WHERE user_id = ?`,
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM notifications WHERE user_id = ?`,
			`DELETE FROM forum_follows WHERE user_id = ?`,
			`DELETE FROM mail_preferences WHERE user_id = ?`, // email: their choices and the messages composed for them
			`DELETE FROM mail_messages WHERE user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, d.UserID); err != nil {
				return err
			}
		}
		// Search documents carry the author's name: re-index them all.
		for _, c := range []struct{ kind, table string }{{townhall.KindThread, "forum_threads"}, {townhall.KindPost, "forum_posts"},
			{townhall.KindIdea, "ideas"}, {townhall.KindReview, "reviews"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO changes(kind, entity_id, at) SELECT ?, id, ? FROM `+c.table+` WHERE author_id = ?`,
				c.kind, ms(db.now()), d.UserID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET handle = ?, name = ?, email = '', avatar_url = '', role = ?, segment_id = NULL,
			verified = 0, unread = 0, deleted_at = ?, bio = '', bio_html = '', name_chosen = 0 WHERE id = ?`, d.Handle, d.Name, townhall.RoleMember, ms(d.At), d.UserID)
		return err
	})
	return first, err
}
