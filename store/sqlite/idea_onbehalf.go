package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall/auth"
	"github.com/townhall/townhall/ideas"
)

// VoteOnBehalf implements ideas.ProxyVoteStore: the vote and its record
// in one transaction.
func (db *DB) VoteOnBehalf(ctx context.Context, v *ideas.ProxyVote) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx *sql.Tx) (err error) {
		if added, err = addVote(ctx, tx, v.IdeaID, v.UserID, v.At); err != nil || !added {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idea_proxy_votes(idea_id, user_id, recorded_by, note, created_at) VALUES(?, ?, ?, ?, ?)`,
			v.IdeaID, v.UserID, v.RecordedBy, v.Note, ms(v.At))
		return err
	})
	return added, err
}

// forgetProxyVote removes the record of a vote that was removed.
func forgetProxyVote(ctx context.Context, tx *sql.Tx, ideaID, userID string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM idea_proxy_votes WHERE idea_id = ? AND user_id = ?`, ideaID, userID)
	return err
}

// moveProxyVotes moves a duplicate's records to the idea it is merged
// into, where the votes went (a customer whose vote was there already
// keeps that vote as it was).
func moveProxyVotes(ctx context.Context, tx *sql.Tx, dupID, intoID string) error {
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO idea_proxy_votes(idea_id, user_id, recorded_by, note, created_at)
		SELECT ?, user_id, recorded_by, note, created_at FROM idea_proxy_votes WHERE idea_id = ?`, intoID, dupID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM idea_proxy_votes WHERE idea_id = ?`, dupID)
	return err
}

// isPlaceholder is SQL for "user u has not signed in yet": its identity is
// its recorded email address (a primary-key lookup of identities).
const isPlaceholder = `EXISTS(SELECT 1 FROM identities x WHERE x.provider = '` + auth.ProviderEmail + `' AND x.subject = lower(u.email) AND x.user_id = u.id)`

// ProxyVotes implements ideas.ProxyVoteStore.
func (db *DB) ProxyVotes(ctx context.Context, ideaID string, limit int) ([]*ideas.ProxyVote, error) {
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*ideas.ProxyVote, error) {
		var v ideas.ProxyVote
		var at int64
		err := row.Scan(&v.IdeaID, &v.UserID, &v.UserName, &v.UserHandle, &v.UserEmail, &v.Pending, &v.RecordedBy, &v.RecordedByName, &v.Note, &at)
		v.At = fromMS(at)
		return &v, err
	}, `SELECT p.idea_id, p.user_id, u.name, u.handle, u.email, `+isPlaceholder+`, p.recorded_by, r.name, p.note, p.created_at
		FROM idea_proxy_votes p JOIN users u ON u.id = p.user_id JOIN users r ON r.id = p.recorded_by
		WHERE p.idea_id = ? AND EXISTS(SELECT 1 FROM idea_votes v WHERE v.idea_id = p.idea_id AND v.user_id = p.user_id)
		ORDER BY p.created_at DESC LIMIT ?`, ideaID, limit)
}
