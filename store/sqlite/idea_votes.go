package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
)

// Vote implements ideas.Store.
func (db *DB) Vote(ctx context.Context, ideaID, userID string, at time.Time) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		added, err = addVote(ctx, tx, ideaID, userID, at)
		return err
	})
	return added, err
}

// addVote adds userID's vote in the user's current segment and moves the
// idea's counters; added is false when the vote was there already.
func addVote(ctx context.Context, tx *sql.Tx, ideaID, userID string, at time.Time) (bool, error) {
	st, err := openIdea(ctx, tx, ideaID)
	if err != nil {
		return false, err
	}
	var seg string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(segment_id, '') FROM users WHERE id = ?`, userID).Scan(&seg); err != nil {
		return false, notFound(err, auth.ErrUserNotFound)
	}
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
		ideaID, userID, seg, ms(at))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, countVote(ctx, tx, ideaID, seg, ideas.TrendAdd(st.trend, ideas.TrendExponent(at)))
}

// countVote applies one added vote to the idea's counters.
func countVote(ctx context.Context, tx *sql.Tx, ideaID, seg string, trend float64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE ideas SET votes = votes + 1, trend = ? WHERE id = ?`, trend, ideaID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO idea_segment_votes(idea_id, segment_id, votes) VALUES(?, ?, 1)
		ON CONFLICT(idea_id, segment_id) DO UPDATE SET votes = votes + 1`, ideaID, seg); err != nil {
		return err
	}
	return syncTags(ctx, tx, ideaID)
}

// Unvote implements ideas.Store.
func (db *DB) Unvote(ctx context.Context, ideaID, userID string) (bool, error) {
	var removed bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		st, err := openIdea(ctx, tx, ideaID)
		if err != nil {
			return err
		}
		var seg string
		var at int64
		err = tx.QueryRowContext(ctx, `DELETE FROM idea_votes WHERE idea_id = ? AND user_id = ? RETURNING segment_id, created_at`,
			ideaID, userID).Scan(&seg, &at)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		removed = true
		if err := forgetProxyVote(ctx, tx, ideaID, userID); err != nil {
			return err
		}
		trend, ok := ideas.TrendRemove(st.trend, ideas.TrendExponent(fromMS(at)))
		if !ok {
			if trend, err = recomputeTrend(ctx, tx, ideaID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET votes = votes - 1, trend = ? WHERE id = ?`, trend, ideaID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM idea_segment_votes WHERE idea_id = ? AND segment_id = ? AND votes = 1`, ideaID, seg)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE idea_segment_votes SET votes = votes - 1 WHERE idea_id = ? AND segment_id = ?`, ideaID, seg); err != nil {
				return err
			}
		}
		return syncTags(ctx, tx, ideaID)
	})
	return removed, err
}

// recomputeTrend rebuilds an idea's trend score from its votes; unvotes use
// it only when the removed vote carried nearly all of the score.
func recomputeTrend(ctx context.Context, tx *sql.Tx, ideaID string) (float64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT created_at FROM idea_votes WHERE idea_id = ?`, ideaID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var trend float64
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return 0, err
		}
		trend = ideas.TrendAdd(trend, ideas.TrendExponent(fromMS(at)))
	}
	return trend, rows.Err()
}

// VotersAfter implements ideas.Store: a range of the (idea_id, user_id)
// primary key.
func (db *DB) VotersAfter(ctx context.Context, ideaID, after string, limit int) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT user_id FROM idea_votes WHERE idea_id = ? AND user_id > ?
		ORDER BY user_id LIMIT ?`, ideaID, after, limit)
}

// VotedAmong implements ideas.Store: one primary-key probe per idea.
func (db *DB) VotedAmong(ctx context.Context, userID string, ideaIDs []string) (map[string]bool, error) {
	return db.userMarked(ctx, `SELECT idea_id FROM idea_votes WHERE user_id = ? AND idea_id IN (`, userID, ideaIDs)
}
