package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

func init() {
	registerMigrations("loyalty", 60, `
-- The person's reputation (the sum of their ledger) and profile.
ALTER TABLE users ADD COLUMN reputation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN badge TEXT NOT NULL DEFAULT '';          -- highlighted badge, chosen or highest
ALTER TABLE users ADD COLUMN badge_chosen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN champion INTEGER NOT NULL DEFAULT 0;     -- holds the Champion badge (VIP mark)
ALTER TABLE users ADD COLUMN name_chosen INTEGER NOT NULL DEFAULT 0;  -- sign-in keeps the name
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN bio_html TEXT NOT NULL DEFAULT '';

-- Like counters beside what they count; who wrote a thread's accepted
-- answer, and how many times one was accepted (the nth acceptance is
-- named thread.n in the ledger, so accepting again is a new entry).
ALTER TABLE forum_posts ADD COLUMN likes INTEGER NOT NULL DEFAULT 0 CHECK (likes >= 0);
ALTER TABLE idea_comments ADD COLUMN likes INTEGER NOT NULL DEFAULT 0 CHECK (likes >= 0);
ALTER TABLE forum_threads ADD COLUMN accepts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE forum_threads ADD COLUMN accepted_author_id TEXT;
UPDATE forum_threads SET accepts = 1, accepted_author_id = (SELECT author_id FROM forum_posts p WHERE p.id = accepted_post_id)
	WHERE accepted_post_id IS NOT NULL;

-- One like per person per post or comment; author_id is who earns, day the
-- site's day it was given (the daily cap counts per author and day).
-- (A rowid table: the bulk loader finds the rows it loaded by rowid.)
CREATE TABLE likes (
	target_id  TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users(id),
	id         TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	author_id  TEXT NOT NULL REFERENCES users(id),
	day        TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (target_id, user_id)
);
CREATE INDEX likes_author_day ON likes(author_id, day);
CREATE TABLE like_days (
	user_id TEXT NOT NULL REFERENCES users(id),
	day     TEXT NOT NULL,
	likes   INTEGER NOT NULL CHECK (likes > 0),
	PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

-- The append-only ledger; key names the fact occurrence an entry records.
CREATE TABLE reputation_events (
	id          TEXT PRIMARY KEY,
	key         TEXT NOT NULL UNIQUE,
	user_id     TEXT NOT NULL REFERENCES users(id),
	points      INTEGER NOT NULL,
	reason      TEXT NOT NULL,
	source_kind TEXT NOT NULL DEFAULT '',
	source_id   TEXT NOT NULL DEFAULT '',
	parent_id   TEXT NOT NULL DEFAULT '',
	category_id TEXT NOT NULL DEFAULT '',
	segment_id  TEXT NOT NULL DEFAULT '',
	day         TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE INDEX reputation_events_user ON reputation_events(user_id, id DESC);
-- What each person gained per period key and scope (see loyalty.Rollup):
-- a leaderboard is one range of this index.
CREATE TABLE reputation_rollups (
	period  TEXT NOT NULL,
	scope   TEXT NOT NULL,
	user_id TEXT NOT NULL REFERENCES users(id),
	points  INTEGER NOT NULL,
	PRIMARY KEY (period, scope, user_id)
) WITHOUT ROWID;
CREATE INDEX reputation_rollups_rank ON reputation_rollups(period, scope, points DESC, user_id);

CREATE TABLE user_badges (
	user_id    TEXT NOT NULL REFERENCES users(id),
	badge      TEXT NOT NULL,
	id         TEXT NOT NULL UNIQUE,
	granted_by TEXT NOT NULL DEFAULT '',
	awarded_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, badge)
) WITHOUT ROWID;
CREATE INDEX user_badges_holders ON user_badges(badge, id DESC);
CREATE TABLE badge_counts (
	badge   TEXT PRIMARY KEY,
	holders INTEGER NOT NULL CHECK (holders >= 0)
) WITHOUT ROWID;

-- Profile tabs read one person's content newest first: threads, replies
-- and reviews by the accounts component's (author_id, id) indexes, ideas
-- by ideas_author; accepted answers by this one.
CREATE INDEX forum_threads_answers ON forum_threads(accepted_author_id, accepted_post_id DESC)
	WHERE accepted_post_id IS NOT NULL AND hidden = 0;`)
}

var _ loyalty.Store = (*DB)(nil)

// credit writes ledger entries inside tx, dated at, together with each
// earner's reputation and leaderboard rollups. An entry whose key is there
// already was written before and changes nothing. Every write that earns
// or takes back points calls it in its own transaction.
func (db *DB) credit(ctx context.Context, tx *sql.Tx, at time.Time, entries ...*loyalty.Entry) error {
	for _, e := range entries {
		if e == nil || e.Points == 0 {
			continue
		}
		if e.ID == "" {
			e.ID = townhall.NewID()
		}
		e.At, e.Day = at, db.day(at)
		// The earner's segment now goes with the entry (and its rollups);
		// no row back means the key was there: written before.
		err := tx.QueryRowContext(ctx, `INSERT INTO reputation_events(id, key, user_id, points, reason, source_kind, source_id,
			parent_id, category_id, segment_id, day, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT segment_id FROM users WHERE id = ?), ''), ?, ?)
			ON CONFLICT(key) DO NOTHING RETURNING segment_id`,
			e.ID, e.Key, e.UserID, e.Points, string(e.Reason), e.SourceKind, e.SourceID, e.ParentID, e.CategoryID, e.UserID, e.Day, ms(at)).
			Scan(&e.SegmentID)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET reputation = reputation + ? WHERE id = ?`, e.Points, e.UserID); err != nil {
			return err
		}
		// One statement for the entry's three to nine rollups.
		rs := e.Rollups()
		args := make([]any, 0, 4*len(rs))
		for _, r := range rs {
			args = append(args, r.Period, r.Scope, r.UserID, r.Points)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reputation_rollups(period, scope, user_id, points) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(rs)), ", ")+`
			ON CONFLICT(period, scope, user_id) DO UPDATE SET points = points + excluded.points`, args...); err != nil {
			return err
		}
	}
	return nil
}

// moveAcceptance makes postID ("" for none) the thread's accepted answer,
// taking the points of the answer it replaces back and crediting the new
// one; an answer to your own question earns nothing. AcceptAnswer and
// hiding the accepted reply call it inside their transactions.
func (db *DB) moveAcceptance(ctx context.Context, tx *sql.Tx, threadID, postID string) error {
	var asker, category string
	var accepts int
	var old, oldAuthor sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT author_id, category_id, accepted_post_id, accepts, accepted_author_id
		FROM forum_threads WHERE id = ?`, threadID).Scan(&asker, &category, &old, &accepts, &oldAuthor); err != nil {
		return notFound(err, forum.ErrThreadNotFound)
	}
	if old.String == postID {
		return nil
	}
	now := db.now()
	if old.Valid && oldAuthor.String != asker {
		e := loyalty.Accepted(loyalty.AcceptanceID(threadID, accepts), oldAuthor.String, old.String, threadID, category, true)
		if err := db.credit(ctx, tx, now, e); err != nil {
			return err
		}
	}
	if postID == "" {
		_, err := tx.ExecContext(ctx, `UPDATE forum_threads SET accepted_post_id = NULL, accepted_author_id = NULL WHERE id = ?`, threadID)
		return err
	}
	var author string
	if err := tx.QueryRowContext(ctx, `SELECT author_id FROM forum_posts WHERE id = ?`, postID).Scan(&author); err != nil {
		return err
	}
	accepts++
	if _, err := tx.ExecContext(ctx, `UPDATE forum_threads SET accepted_post_id = ?, accepts = ?, accepted_author_id = ? WHERE id = ?`,
		postID, accepts, author, threadID); err != nil {
		return err
	}
	if author == asker {
		return nil
	}
	return db.credit(ctx, tx, now, loyalty.Accepted(loyalty.AcceptanceID(threadID, accepts), author, postID, threadID, category, false))
}

// ledgerBackfilled marks (in settings) a database whose facts from before
// the reputation ledger existed have their entries.
const ledgerBackfilled = "loyalty_ledger_backfilled"

// backfillLedger gives the facts of a site that ran before reputation
// existed their ledger entries, once: accepted answers, helpful votes and
// idea statuses earn their points as of when they happened (likes did not
// exist yet). Open runs it after migrating; on a new database it only sets
// the mark.
func (db *DB) backfillLedger(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = ?`, ledgerBackfilled).Scan(&done); err != nil || done > 0 {
			return err
		}
		type dated struct {
			e  *loyalty.Entry
			at int64
		}
		var all []dated
		scanInto := func(query string, build func(row scanner) (*loyalty.Entry, int64, error)) error {
			got, err := queryAll(ctx, tx, func(row scanner) (dated, error) {
				e, at, err := build(row)
				return dated{e, at}, err
			}, query)
			all = append(all, got...)
			return err
		}
		if err := scanInto(`SELECT t.id, t.category_id, p.id, p.author_id, p.created_at FROM forum_threads t
			JOIN forum_posts p ON p.id = t.accepted_post_id WHERE p.author_id != t.author_id`, func(row scanner) (*loyalty.Entry, int64, error) {
			var thread, cat, post, author string
			var at int64
			err := row.Scan(&thread, &cat, &post, &author, &at)
			return loyalty.Accepted(loyalty.AcceptanceID(thread, 1), author, post, thread, cat, false), at, err
		}); err != nil {
			return err
		}
		if err := scanInto(`SELECT v.review_id, v.user_id, v.created_at, r.author_id, r.product_id FROM review_votes v
			JOIN reviews r ON r.id = v.review_id`, func(row scanner) (*loyalty.Entry, int64, error) {
			var review, voter, author, product string
			var at int64
			err := row.Scan(&review, &voter, &at, &author, &product)
			return loyalty.Helpful(loyalty.HelpfulVoteKey(review, voter, fromMS(at)), author, review, product, false), at, err
		}); err != nil {
			return err
		}
		ideasNow, err := queryAll(ctx, tx, func(row scanner) ([]dated, error) {
			var id, author, status string
			var at sql.NullInt64
			if err := row.Scan(&id, &author, &status, &at); err != nil {
				return nil, err
			}
			var out []dated
			for _, e := range loyalty.StatusEntries("backfill", id, author, ideas.StatusOpen, ideas.Status(status)) {
				out = append(out, dated{e, at.Int64})
			}
			return out, nil
		}, `SELECT id, author_id, status, status_at FROM ideas WHERE status IN (?, ?, ?)`,
			ideas.StatusPlanned, ideas.StatusInProgress, ideas.StatusDone)
		if err != nil {
			return err
		}
		for _, d := range ideasNow {
			all = append(all, d...)
		}
		for _, d := range all {
			at := fromMS(d.at)
			d.e.ID = entryID(d.e.Key, at)
			if err := db.credit(ctx, tx, at, d.e); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, '1')`, ledgerBackfilled)
		return err
	})
}
