package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall/loyalty"
	"github.com/townhall/townhall/reviews"
)

// AddHelpful implements reviews.Store.
func (db *DB) AddHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	return db.helpfulVote(ctx, reviewID, userID, true)
}

// HelpfulAmong implements reviews.Store.
func (db *DB) HelpfulAmong(ctx context.Context, userID string, reviewIDs []string) (map[string]bool, error) {
	return db.userMarked(ctx, `SELECT review_id FROM review_votes WHERE user_id = ? AND review_id IN (`, userID, reviewIDs)
}

// RemoveHelpful implements reviews.Store.
func (db *DB) RemoveHelpful(ctx context.Context, reviewID, userID string) (bool, int, error) {
	return db.helpfulVote(ctx, reviewID, userID, false)
}

// helpfulVote adds or removes the vote and moves the denormalized count,
// and the review author's reputation, only when a row actually changed,
// so repeats are harmless.
func (db *DB) helpfulVote(ctx context.Context, reviewID, userID string, add bool) (changed bool, helpful int, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		var author, product string
		if err := tx.QueryRowContext(ctx, `SELECT helpful, author_id, product_id FROM reviews WHERE id = ?`, reviewID).
			Scan(&helpful, &author, &product); err != nil {
			return notFound(err, reviews.ErrReviewNotFound)
		}
		now := db.now()
		cast, delta := now, 1
		if add {
			res, err := tx.ExecContext(ctx, `INSERT INTO review_votes(review_id, user_id, created_at) VALUES(?, ?, ?)
				ON CONFLICT DO NOTHING`, reviewID, userID, ms(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
		} else {
			var at int64
			err := tx.QueryRowContext(ctx, `DELETE FROM review_votes WHERE review_id = ? AND user_id = ? RETURNING created_at`,
				reviewID, userID).Scan(&at)
			if err == sql.ErrNoRows {
				return nil
			} else if err != nil {
				return err
			}
			cast, delta = fromMS(at), -1
		}
		changed = true
		helpful += delta
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET helpful = helpful + ? WHERE id = ?`, delta, reviewID); err != nil {
			return err
		}
		return db.credit(ctx, tx, now, loyalty.Helpful(loyalty.HelpfulVoteKey(reviewID, userID, cast), author, reviewID, product, !add))
	})
	return changed, helpful, err
}
