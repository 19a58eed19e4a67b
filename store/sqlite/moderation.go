package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/townhall/townhall/moderation"
)

func init() {
	// Trust and safety: each person's trust level and sanctions on users
	// (read on every request), flags, the review queue's cases, and each
	// person's moderation record; and the hidden state of reviews, which
	// flags and the queue hide like every other kind of content. (The
	// trust-level counts by author and a suspension's end of sessions use
	// the accounts component's *_author and sessions_user indexes.)
	registerMigrations("moderation", 96, `
ALTER TABLE users ADD COLUMN trust_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN trust_locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN silenced_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN silence_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN suspended_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN suspend_reason TEXT NOT NULL DEFAULT '';
CREATE TABLE flags (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	item_id     TEXT NOT NULL,
	user_id     TEXT NOT NULL REFERENCES users(id),
	author_id   TEXT NOT NULL,
	reason      TEXT NOT NULL,
	text        TEXT NOT NULL DEFAULT '',
	counts      INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	resolved_at INTEGER,
	resolution  TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, item_id, user_id)
);
CREATE INDEX flags_item ON flags(kind, item_id, id);
CREATE TABLE moderation_cases (
	kind        TEXT NOT NULL,
	item_id     TEXT NOT NULL,
	author_id   TEXT NOT NULL,
	open        INTEGER NOT NULL,
	held        INTEGER NOT NULL DEFAULT 0,
	auto_hidden INTEGER NOT NULL DEFAULT 0,
	was_hidden  INTEGER NOT NULL DEFAULT 0,
	flags       INTEGER NOT NULL DEFAULT 0 CHECK (flags >= 0),
	counted     INTEGER NOT NULL DEFAULT 0 CHECK (counted >= 0),
	opened_at   INTEGER NOT NULL,
	resolved_at INTEGER,
	resolution  TEXT NOT NULL DEFAULT '',
	resolved_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;
-- the review queue: open cases oldest first
CREATE INDEX moderation_queue ON moderation_cases(opened_at, kind, item_id) WHERE open = 1;
CREATE TABLE moderation_users (
	user_id          TEXT PRIMARY KEY,
	posts            INTEGER NOT NULL DEFAULT 0,
	topics           INTEGER NOT NULL DEFAULT 0,
	accepted_answers INTEGER NOT NULL DEFAULT 0,
	flags_received   INTEGER NOT NULL DEFAULT 0,
	hidden           INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
ALTER TABLE reviews ADD COLUMN hidden_at INTEGER;
ALTER TABLE reviews ADD COLUMN hidden_by TEXT REFERENCES users(id);
ALTER TABLE reviews ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';`)
}

func init() {
	counterChecks = append(counterChecks,
		struct{ what, query string }{"moderation_cases.flags and counted = its open flags", `SELECT c.kind || ':' || c.item_id
			FROM moderation_cases c LEFT JOIN (SELECT kind, item_id, COUNT(*) AS n, SUM(counts) AS k FROM flags
				WHERE resolved_at IS NULL GROUP BY kind, item_id) f ON f.kind = c.kind AND f.item_id = c.item_id
			WHERE c.flags != COALESCE(f.n, 0) OR c.counted != COALESCE(f.k, 0)`},
		struct{ what, query string }{"moderation_users.flags_received = the flags on their content", `SELECT u.user_id FROM moderation_users u
			WHERE u.flags_received != (SELECT COUNT(*) FROM flags f WHERE f.author_id = u.user_id)
			UNION ALL SELECT DISTINCT author_id FROM flags WHERE author_id NOT IN (SELECT user_id FROM moderation_users)`},
		struct{ what, query string }{"moderation_users.hidden = their items hidden through moderation", `SELECT u.user_id FROM moderation_users u
			WHERE u.hidden != (SELECT COUNT(*) FROM moderation_cases c WHERE c.author_id = u.user_id AND c.was_hidden = 1)
			UNION ALL SELECT DISTINCT author_id FROM moderation_cases WHERE was_hidden = 1 AND author_id NOT IN (SELECT user_id FROM moderation_users)`},
	)
}

var _ moderation.Store = (*DB)(nil)

const caseCols = `kind, item_id, author_id, open, held, auto_hidden, was_hidden, flags, counted, opened_at, resolved_at, resolution, resolved_by`

func scanCase(row scanner) (*moderation.Case, error) {
	var c moderation.Case
	var opened int64
	var resolved sql.NullInt64
	if err := row.Scan(&c.Kind, &c.ItemID, &c.AuthorID, &c.Open, &c.Held, &c.AutoHidden, &c.WasHidden, &c.Flags, &c.Counted,
		&opened, &resolved, &c.Resolution, &c.ResolvedBy); err != nil {
		return nil, err
	}
	c.OpenedAt, c.ResolvedAt = fromMS(opened), nullMS(resolved)
	return &c, nil
}

func caseTx(ctx context.Context, q querier, kind, itemID string) (*moderation.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM moderation_cases WHERE kind = ? AND item_id = ?`, kind, itemID))
	return c, notFound(err, moderation.ErrCaseNotFound)
}

// AddFlag implements moderation.Store.
func (db *DB) AddFlag(ctx context.Context, f *moderation.Flag) (*moderation.Case, error) {
	var c *moderation.Case
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO flags(id, kind, item_id, user_id, author_id, reason, text, counts, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, f.Kind, f.ItemID, f.UserID, f.AuthorID, f.Reason, f.Text, boolInt(f.Counts), ms(f.CreatedAt))
		if isUnique(err) {
			return moderation.ErrAlreadyFlagged.WithCause(err)
		} else if err != nil {
			return err
		}
		// A resolved case reopens as new: its old verdict no longer applies.
		if _, err := tx.ExecContext(ctx, `INSERT INTO moderation_cases(kind, item_id, author_id, open, flags, counted, opened_at)
			VALUES(?, ?, ?, 1, 1, ?, ?)
			ON CONFLICT(kind, item_id) DO UPDATE SET
				held = CASE WHEN open = 1 THEN held ELSE 0 END,
				auto_hidden = CASE WHEN open = 1 THEN auto_hidden ELSE 0 END,
				opened_at = CASE WHEN open = 1 THEN opened_at ELSE excluded.opened_at END,
				resolved_at = CASE WHEN open = 1 THEN resolved_at END,
				resolution = CASE WHEN open = 1 THEN resolution ELSE '' END,
				resolved_by = CASE WHEN open = 1 THEN resolved_by ELSE '' END,
				flags = flags + 1, counted = counted + excluded.counted, open = 1`,
			f.Kind, f.ItemID, f.AuthorID, boolInt(f.Counts), ms(f.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO moderation_users(user_id, flags_received) VALUES(?, 1)
			ON CONFLICT(user_id) DO UPDATE SET flags_received = flags_received + 1`, f.AuthorID); err != nil {
			return err
		}
		c, err = caseTx(ctx, tx, f.Kind, f.ItemID)
		return err
	})
	return c, err
}

// HoldItem implements moderation.Store.
func (db *DB) HoldItem(ctx context.Context, kind, itemID, authorID string, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO moderation_cases(kind, item_id, author_id, open, held, opened_at) VALUES(?, ?, ?, 1, 1, ?)
			ON CONFLICT(kind, item_id) DO UPDATE SET open = 1, held = 1`, kind, itemID, authorID, ms(at))
		return err
	})
}

// MarkAutoHidden implements moderation.Store.
func (db *DB) MarkAutoHidden(ctx context.Context, kind, itemID string) (bool, error) {
	changed := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		c, err := caseTx(ctx, tx, kind, itemID)
		if err != nil {
			return err
		}
		if !c.Open {
			return moderation.ErrCaseNotFound
		}
		if c.AutoHidden {
			return nil
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `UPDATE moderation_cases SET auto_hidden = 1, was_hidden = 1 WHERE kind = ? AND item_id = ?`,
			kind, itemID); err != nil {
			return err
		}
		return countHidden(ctx, tx, c)
	})
	return changed, err
}

// countHidden counts a case's item on its author's record the first time
// moderation hides it.
func countHidden(ctx context.Context, tx *sql.Tx, c *moderation.Case) error {
	if c.WasHidden {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO moderation_users(user_id, hidden) VALUES(?, 1)
		ON CONFLICT(user_id) DO UPDATE SET hidden = hidden + 1`, c.AuthorID)
	return err
}

// Case implements moderation.Store.
func (db *DB) Case(ctx context.Context, kind, itemID string) (*moderation.Case, error) {
	return caseTx(ctx, db.reader(ctx), kind, itemID)
}

// OpenCases implements moderation.Store; it walks moderation_queue.
func (db *DB) OpenCases(ctx context.Context, after *moderation.CaseCursor, limit int) ([]*moderation.Case, error) {
	q := `SELECT ` + caseCols + ` FROM moderation_cases WHERE open = 1`
	var args []any
	if after != nil {
		kind, id := splitCaseKey(after.Key)
		q += ` AND (opened_at, kind, item_id) > (?, ?, ?)`
		args = append(args, ms(after.OpenedAt), kind, id)
	}
	q += ` ORDER BY opened_at, kind, item_id LIMIT ?`
	return queryAll(ctx, db.reader(ctx), scanCase, q, append(args, limit)...)
}

func splitCaseKey(key string) (string, string) {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return key[:i], key[i+1:]
		}
	}
	return key, ""
}

func scanFlag(row scanner) (*moderation.Flag, error) {
	var f moderation.Flag
	var created int64
	var resolved sql.NullInt64
	if err := row.Scan(&f.ID, &f.Kind, &f.ItemID, &f.UserID, &f.UserName, &f.AuthorID, &f.Reason, &f.Text, &f.Counts, &created,
		&resolved, &f.Resolution); err != nil {
		return nil, err
	}
	f.CreatedAt, f.ResolvedAt = fromMS(created), nullMS(resolved)
	return &f, nil
}

// Flags implements moderation.Store.
func (db *DB) Flags(ctx context.Context, kind, itemID string, limit int) ([]*moderation.Flag, error) {
	return queryAll(ctx, db.reader(ctx), scanFlag, `SELECT f.id, f.kind, f.item_id, f.user_id, u.name, f.author_id, f.reason, f.text,
		f.counts, f.created_at, f.resolved_at, f.resolution FROM flags f JOIN users u ON u.id = f.user_id
		WHERE f.kind = ? AND f.item_id = ? ORDER BY f.id LIMIT ?`, kind, itemID, limit)
}

// ResolveCase implements moderation.Store.
func (db *DB) ResolveCase(ctx context.Context, r moderation.Resolution) ([]string, error) {
	var flaggers []string
	err := db.write(ctx, func(tx *sql.Tx) error {
		c, err := caseTx(ctx, tx, r.Kind, r.ItemID)
		if err != nil {
			return err
		}
		if !c.Open {
			return moderation.ErrNoOpenCase
		}
		if flaggers, err = queryAll(ctx, tx, scanString, `UPDATE flags SET resolved_at = ?, resolution = ?
			WHERE kind = ? AND item_id = ? AND resolved_at IS NULL RETURNING user_id`, ms(r.At), string(r.Decision), r.Kind, r.ItemID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE moderation_cases SET open = 0, flags = 0, counted = 0, resolved_at = ?, resolution = ?,
			resolved_by = ?, was_hidden = (was_hidden OR ?) WHERE kind = ? AND item_id = ?`,
			ms(r.At), string(r.Decision), r.ByID, boolInt(r.Hidden), r.Kind, r.ItemID); err != nil {
			return err
		}
		if r.Hidden {
			return countHidden(ctx, tx, c)
		}
		return nil
	})
	return flaggers, err
}

// UserRecord implements moderation.Store.
func (db *DB) UserRecord(ctx context.Context, userID string) (*moderation.Record, error) {
	r := &moderation.Record{UserID: userID}
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT posts, topics, accepted_answers, flags_received, hidden FROM moderation_users
		WHERE user_id = ?`, userID).Scan(&r.Stats.Posts, &r.Stats.Topics, &r.Stats.AcceptedAnswers, &r.FlagsReceived, &r.Hidden)
	if err == sql.ErrNoRows {
		return r, nil
	}
	return r, err
}

// CountStats implements moderation.Store: index counts by author (the
// *_author indexes), at the time something changes them, never at render.
func (db *DB) CountStats(ctx context.Context, userID string) (moderation.Stats, error) {
	var st moderation.Stats
	var replies, threads, ideasN, comments, reviewsN int
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT days_visited, reputation FROM users WHERE id = ?`, userID).Scan(&st.DaysVisited, &st.Reputation)
	if err != nil {
		return st, notFound(err, moderation.ErrUserNotFound)
	}
	err = db.reader(ctx).QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM forum_posts WHERE author_id = ?1 AND position > 0 AND hidden = 0),
		(SELECT COUNT(*) FROM forum_threads WHERE author_id = ?1 AND hidden = 0),
		(SELECT COUNT(*) FROM ideas WHERE author_id = ?1 AND hidden_at IS NULL),
		(SELECT COUNT(*) FROM idea_comments WHERE author_id = ?1 AND hidden_at IS NULL AND deleted_at IS NULL),
		(SELECT COUNT(*) FROM reviews WHERE author_id = ?1 AND hidden_at IS NULL),
		(SELECT COUNT(*) FROM forum_posts p WHERE p.author_id = ?1 AND p.position > 0
			AND EXISTS (SELECT 1 FROM forum_threads t WHERE t.id = p.thread_id AND t.accepted_post_id = p.id))`, userID).
		Scan(&replies, &threads, &ideasN, &comments, &reviewsN, &st.AcceptedAnswers)
	st.Topics = threads + ideasN + reviewsN
	st.Posts = st.Topics + replies + comments
	return st, err
}

// SaveTrust implements moderation.Store.
func (db *DB) SaveTrust(ctx context.Context, userID string, st moderation.Stats, level int) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET trust_level = ? WHERE id = ? AND trust_locked = 0`, level, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO moderation_users(user_id, posts, topics, accepted_answers) VALUES(?, ?, ?, ?)
			ON CONFLICT(user_id) DO UPDATE SET posts = excluded.posts, topics = excluded.topics, accepted_answers = excluded.accepted_answers`,
			userID, st.Posts, st.Topics, st.AcceptedAnswers)
		return err
	})
}

// SetTrustLevel implements moderation.Store.
func (db *DB) SetTrustLevel(ctx context.Context, userID string, level int, locked bool) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, moderation.ErrUserNotFound, `UPDATE users SET trust_level = ?, trust_locked = ? WHERE id = ?`,
			level, boolInt(locked), userID)
	})
}

// SetSilenced implements moderation.Store.
func (db *DB) SetSilenced(ctx context.Context, userID string, until time.Time, reason string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, moderation.ErrUserNotFound, `UPDATE users SET silenced_until = ?, silence_reason = ? WHERE id = ?`,
			zeroMS(until), reason, userID)
	})
}

// SetSuspended implements moderation.Store: the suspension and the end of
// every session of the person are one transaction.
func (db *DB) SetSuspended(ctx context.Context, userID string, until time.Time, reason string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, moderation.ErrUserNotFound, `UPDATE users SET suspended_until = ?, suspend_reason = ? WHERE id = ?`,
			zeroMS(until), reason, userID); err != nil {
			return err
		}
		if until.IsZero() {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
}

// zeroMS stores the zero time as 0 (none), not as year 1's milliseconds.
func zeroMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}
