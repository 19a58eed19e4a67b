package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall/reviews"
)

// AddHelpful implements reviews.Store.
func (db *DB) AddHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	return db.helpfulVote(ctx, reviewID, 1, `INSERT INTO review_votes(review_id, user_id, created_at) VALUES(?, ?, ?)
		ON CONFLICT DO NOTHING`, reviewID, userID, ms(db.now()))
}

// RemoveHelpful implements reviews.Store.
func (db *DB) RemoveHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	return db.helpfulVote(ctx, reviewID, -1, `DELETE FROM review_votes WHERE review_id = ? AND user_id = ?`, reviewID, userID)
}

// helpfulVote runs the vote insert or delete and moves the denormalized
// count only when a row actually changed, so repeats are harmless.
func (db *DB) helpfulVote(ctx context.Context, reviewID string, delta int, stmt string, args ...any) (changed bool, helpful int, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT helpful FROM reviews WHERE id = ?`, reviewID).Scan(&helpful); err != nil {
			return notFound(err, reviews.ErrReviewNotFound)
		}
		res, err := tx.ExecContext(ctx, stmt, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		changed = true
		helpful += delta
		_, err = tx.ExecContext(ctx, `UPDATE reviews SET helpful = helpful + ? WHERE id = ?`, delta, reviewID)
		return err
	})
	return changed, helpful, err
}
