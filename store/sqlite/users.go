package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

func init() {
	registerMigrations("auth", 10, `
CREATE TABLE segments (
	id       TEXT PRIMARY KEY,
	name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
	weight   REAL NOT NULL DEFAULT 1,
	verified INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
	id         TEXT PRIMARY KEY,
	handle     TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL DEFAULT '',
	avatar_url TEXT NOT NULL DEFAULT '',
	role       TEXT NOT NULL,
	segment_id TEXT REFERENCES segments(id) ON DELETE SET NULL,
	verified   INTEGER NOT NULL DEFAULT 0,
	unread     INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE INDEX users_segment ON users(segment_id);
CREATE TABLE identities (
	provider TEXT NOT NULL,
	subject  TEXT NOT NULL,
	user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (provider, subject)
);
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);`)
}

var _ auth.Store = (*DB)(nil)

// userCols selects a user with the segment's verified flag folded in.
const userCols = `u.id, u.handle, u.name, u.email, u.avatar_url, u.role, COALESCE(u.segment_id, ''),
	u.verified OR COALESCE(s.verified, 0), u.unread, u.created_at, u.last_seen_at, u.days_visited, COALESCE(u.deleted_at, 0),
	u.reputation, u.badge, u.champion, u.trust_level, u.trust_locked, u.silenced_until, u.silence_reason, u.suspended_until, u.suspend_reason`

const userFrom = ` FROM users u LEFT JOIN segments s ON s.id = u.segment_id `

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*townhall.User, error) { return scanUserAnd(row) }

// scanUserAnd scans userCols followed by the extra columns a query selects
// beside them (a session's times).
func scanUserAnd(row scanner, extra ...any) (*townhall.User, error) {
	var u townhall.User
	var created, seen, deleted, silenced, suspended int64
	err := row.Scan(append([]any{&u.ID, &u.Handle, &u.Name, &u.Email, &u.AvatarURL, &u.Role, &u.SegmentID, &u.Verified, &u.Unread, &created,
		&seen, &u.DaysVisited, &deleted, &u.Reputation, &u.Badge, &u.Champion, &u.TrustLevel, &u.TrustLocked, &silenced, &u.SilenceReason, &suspended, &u.SuspendReason}, extra...)...)
	if err != nil {
		return nil, err
	}
	u.CreatedAt = fromMS(created)
	if deleted != 0 {
		u.DeletedAt = fromMS(deleted)
	}
	if silenced != 0 {
		u.SilencedUntil = fromMS(silenced)
	}
	if suspended != 0 {
		u.SuspendedUntil = fromMS(suspended)
	}
	if seen != 0 {
		u.LastSeenAt = fromMS(seen)
	}
	return &u, nil
}

func (db *DB) userTx(ctx context.Context, q querier, id string) (*townhall.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+userFrom+`WHERE u.id = ?`, id))
	return u, notFound(err, auth.ErrUserNotFound)
}

// SignIn implements auth.Store.
func (db *DB) SignIn(ctx context.Context, id auth.Identity, now time.Time) (*townhall.User, bool, error) {
	var u *townhall.User
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM identities WHERE provider = ? AND subject = ?`, id.Provider, id.Subject).Scan(&userID)
		switch {
		case err == sql.ErrNoRows:
			if err := refuseDeletedIdentity(ctx, tx, id); err != nil {
				return err
			}
			created = true
			// A customer recorded by email becomes this person.
			if userID, err = claimPlaceholder(ctx, tx, id); err != nil {
				return err
			} else if userID != "" {
				break
			}
			userID = townhall.NewID()
			role := id.Role
			if role == "" {
				role = townhall.RoleMember
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1)`).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				role = townhall.RoleAdmin
			}
			handle, err := freeHandle(ctx, tx, auth.Handle(id.Name))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO users(id, handle, name, email, avatar_url, role, created_at)
				VALUES(?, ?, ?, ?, ?, ?, ?)`, userID, handle, id.Name, id.Email, id.AvatarURL, role, ms(now)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identities(provider, subject, user_id) VALUES(?, ?, ?)`,
				id.Provider, id.Subject, userID); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			// A display name the person chose on their profile stays.
			if _, err := tx.ExecContext(ctx, `UPDATE users SET name = CASE WHEN name_chosen = 1 THEN name ELSE ? END,
				email = ?, avatar_url = ? WHERE id = ?`, id.Name, id.Email, id.AvatarURL, userID); err != nil {
				return err
			}
		}
		u, err = db.userTx(ctx, tx, userID)
		return err
	})
	return u, created, err
}

// refuseDeletedIdentity refuses a sign-in whose account was deleted (see
// auth.Store.SignIn).
func refuseDeletedIdentity(ctx context.Context, tx *sql.Tx, id auth.Identity) error {
	var byStaff bool
	err := tx.QueryRowContext(ctx, `SELECT by_staff FROM deleted_identities WHERE key = ?`,
		auth.DeletedIdentityKey(id.Provider, id.Subject)).Scan(&byStaff)
	switch {
	case err == sql.ErrNoRows:
		return nil
	case err != nil:
		return err
	case byStaff:
		return auth.ErrAccountRemoved
	case !id.Fresh:
		return auth.ErrAccountDeleted
	}
	return nil
}

// freeHandle reads the handles like base and picks auth.FreeHandle.
func freeHandle(ctx context.Context, tx *sql.Tx, base string) (string, error) {
	// A range rather than LIKE 'base-%' so the UNIQUE index answers it: a
	// LIKE scans every user, which made bulk sign-ups quadratic.
	rows, err := tx.QueryContext(ctx, `SELECT handle FROM users WHERE handle = ? OR (handle >= ? AND handle < ?)`,
		base, base+"-", base+".")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return "", err
		}
		taken[h] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return auth.FreeHandle(base, taken), nil
}

// User implements auth.Store.
func (db *DB) User(ctx context.Context, id string) (*townhall.User, error) {
	return db.userTx(ctx, db.reader(ctx), id)
}

// UserByHandle implements auth.Store.
func (db *DB) UserByHandle(ctx context.Context, handle string) (*townhall.User, error) {
	u, err := scanUser(db.reader(ctx).QueryRowContext(ctx, `SELECT `+userCols+userFrom+`WHERE u.handle = ?`, handle))
	return u, notFound(err, auth.ErrUserNotFound)
}

// Users implements auth.Store.
func (db *DB) Users(ctx context.Context, after string, limit int) ([]*townhall.User, error) {
	return queryAll(ctx, db.reader(ctx), scanUser, `SELECT `+userCols+userFrom+`WHERE u.id > ? ORDER BY u.id LIMIT ?`, after, limit)
}

// SetRole implements auth.Store.
func (db *DB) SetRole(ctx context.Context, userID string, role townhall.Role) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if role != townhall.RoleAdmin {
			var admins int
			var isAdmin bool
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(id = ?), 0) FROM users WHERE role = 'admin'`, userID).Scan(&admins, &isAdmin); err != nil {
				return err
			}
			if isAdmin && admins == 1 {
				return auth.ErrLastAdmin
			}
		}
		return execOne(ctx, tx, auth.ErrUserNotFound, `UPDATE users SET role = ? WHERE id = ?`, role, userID)
	})
}

// SetUserSegment implements auth.Store.
func (db *DB) SetUserSegment(ctx context.Context, userID, segmentID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, auth.ErrUserNotFound, `UPDATE users SET segment_id = NULLIF(?, '') WHERE id = ?`, segmentID, userID)
	})
}

// SetUserVerified implements auth.Store.
func (db *DB) SetUserVerified(ctx context.Context, userID string, verified bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, auth.ErrUserNotFound, `UPDATE users SET verified = ? WHERE id = ?`, boolInt(verified), userID)
	})
}

// execOne runs an UPDATE or DELETE that must touch exactly one row.
func execOne(ctx context.Context, tx *sql.Tx, nf *townhall.Error, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nf
	}
	return nil
}

// Segments implements auth.Store.
func (db *DB) Segments(ctx context.Context) ([]*townhall.Segment, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, name, weight, verified FROM segments ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*townhall.Segment
	for rows.Next() {
		var s townhall.Segment
		if err := rows.Scan(&s.ID, &s.Name, &s.Weight, &s.Verified); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// Segment implements auth.Store.
func (db *DB) Segment(ctx context.Context, id string) (*townhall.Segment, error) {
	var s townhall.Segment
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT id, name, weight, verified FROM segments WHERE id = ?`, id).
		Scan(&s.ID, &s.Name, &s.Weight, &s.Verified)
	return &s, notFound(err, auth.ErrSegmentNotFound)
}

// SaveSegment implements auth.Store.
func (db *DB) SaveSegment(ctx context.Context, s *townhall.Segment) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO segments(id, name, weight, verified) VALUES(?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, weight = excluded.weight, verified = excluded.verified`,
			s.ID, s.Name, s.Weight, boolInt(s.Verified))
		return err
	})
	if isUnique(err) {
		return auth.ErrSegmentNameTaken(s.Name).WithCause(err)
	}
	return err
}

// DeleteSegment implements auth.Store.
func (db *DB) DeleteSegment(ctx context.Context, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, auth.ErrSegmentNotFound, `DELETE FROM segments WHERE id = ?`, id)
	})
}

// CreateSession implements auth.Store.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES(?, ?, ?, ?)`,
			s.TokenHash, s.UserID, ms(s.CreatedAt), ms(s.ExpiresAt))
		return err
	})
}

// SessionUser implements auth.Store. Every signed-in page calls it, so it is
// one indexed join.
func (db *DB) SessionUser(ctx context.Context, tokenHash string, now time.Time) (*townhall.User, *auth.Session, error) {
	var s auth.Session
	var created, expires int64
	u, err := scanUserAnd(db.reader(ctx).QueryRowContext(ctx, `SELECT `+userCols+`, x.created_at, x.expires_at FROM sessions x
		JOIN users u ON u.id = x.user_id LEFT JOIN segments s ON s.id = u.segment_id
		WHERE x.token_hash = ? AND x.expires_at > ? AND u.deleted_at IS NULL`, tokenHash, ms(now)), &created, &expires)
	if err != nil {
		return nil, nil, notFound(err, auth.ErrSessionNotFound)
	}
	s.TokenHash, s.UserID, s.CreatedAt, s.ExpiresAt = tokenHash, u.ID, fromMS(created), fromMS(expires)
	return u, &s, nil
}

// ExtendSession implements auth.Store.
func (db *DB) ExtendSession(ctx context.Context, tokenHash string, expires time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, ms(expires), tokenHash)
		return err
	})
}

// DeleteSession implements auth.Store.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}

// DeleteExpiredSessions implements auth.Store.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, ms(now))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return int(n), err
}
