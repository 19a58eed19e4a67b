package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
)

// Merge implements ideas.Store.
func (db *DB) Merge(ctx context.Context, dupID, intoID string, at time.Time) (bool, error) {
	var merged bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		dup, err := getIdeaState(ctx, tx, dupID, ideas.ErrNotFound)
		if err != nil {
			return err
		}
		into, err := getIdeaState(ctx, tx, intoID, ideas.ErrMergeTargetNotFound)
		if err != nil {
			return err
		}
		switch {
		case dup.mergedInto == intoID:
			return nil // already done: merging is idempotent
		case dup.mergedInto != "":
			return ideas.ErrAlreadyMerged
		case into.mergedInto != "":
			return ideas.ErrTargetMerged(into.title)
		case dup.hidden || into.hidden:
			return ideas.ErrHiddenMerge
		}
		merged = true
		if err := moveVotes(ctx, tx, dupID, intoID, into.trend); err != nil {
			return err
		}
		if err := moveProxyVotes(ctx, tx, dupID, intoID); err != nil {
			return err
		}
		var comments int
		if err := tx.QueryRowContext(ctx, `SELECT comments FROM ideas WHERE id = ?`, dupID).Scan(&comments); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE idea_comments SET idea_id = ?, merged_from = COALESCE(merged_from, ?) WHERE idea_id = ?`,
			intoID, dupID, dupID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET comments = comments + ? WHERE id = ?`, comments, intoID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET merged_into = ?, votes = 0, trend = 0, comments = 0, updated_at = ? WHERE id = ?`,
			intoID, ms(at), dupID); err != nil {
			return err
		}
		// Ideas merged into the duplicate earlier now lead straight to the target.
		rows, err := tx.QueryContext(ctx, `UPDATE ideas SET merged_into = ? WHERE merged_into = ? RETURNING id`, intoID, dupID)
		if err != nil {
			return err
		}
		var chained []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			chained = append(chained, id)
		}
		rows.Close()
		if err := unlistIdea(ctx, tx, dupID); err != nil {
			return err
		}
		if err := syncTags(ctx, tx, intoID); err != nil {
			return err
		}
		for _, id := range append([]string{dupID, intoID}, chained...) {
			if err := db.recordChange(ctx, tx, townhall.KindIdea, id); err != nil {
				return err
			}
		}
		return nil
	})
	return merged, err
}

// moveVotes moves the duplicate's votes to the target; a voter who voted for
// both keeps their one vote on the target.
func moveVotes(ctx context.Context, tx *sql.Tx, dupID, intoID string, trend float64) error {
	rows, err := tx.QueryContext(ctx, `SELECT user_id, segment_id, created_at FROM idea_votes WHERE idea_id = ?`, dupID)
	if err != nil {
		return err
	}
	type vote struct {
		user, seg string
		at        int64
	}
	var votes []vote
	for rows.Next() {
		var v vote
		if err := rows.Scan(&v.user, &v.seg, &v.at); err != nil {
			rows.Close()
			return err
		}
		votes = append(votes, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, v := range votes {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO idea_votes(idea_id, user_id, segment_id, created_at) VALUES(?, ?, ?, ?)`,
			intoID, v.user, v.seg, v.at)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		trend = ideas.TrendAdd(trend, ideas.TrendExponent(fromMS(v.at)))
		if err := countVote(ctx, tx, intoID, v.seg, trend); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM idea_votes WHERE idea_id = ?`, dupID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM idea_segment_votes WHERE idea_id = ?`, dupID)
	return err
}

// MergedFrom implements ideas.Store.
func (db *DB) MergedFrom(ctx context.Context, ideaID string) ([]ideas.Ref, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, title, votes FROM ideas WHERE merged_into = ? ORDER BY id`, ideaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ideas.Ref
	for rows.Next() {
		var r ideas.Ref
		if err := rows.Scan(&r.ID, &r.Title, &r.Votes); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
