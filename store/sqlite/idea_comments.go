package sqlite

import (
	"context"
	"database/sql"

	"github.com/townhall/townhall/ideas"
)

// AddComment implements ideas.Store.
func (db *DB) AddComment(ctx context.Context, c *ideas.Comment) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := openIdea(ctx, tx, c.IdeaID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_comments(id, idea_id, author_id, team, body, body_html, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, c.ID, c.IdeaID, c.AuthorID, boolInt(c.Team), c.Body, string(c.BodyHTML), ms(c.CreatedAt)); err != nil {
			return err
		}
		responded := ""
		if c.Team {
			responded = ", responded_at = COALESCE(responded_at, ?)"
		}
		args := []any{}
		if c.Team {
			args = append(args, ms(c.CreatedAt))
		}
		_, err := tx.ExecContext(ctx, `UPDATE ideas SET comments = comments + 1`+responded+` WHERE id = ?`, append(args, c.IdeaID)...)
		return err
	})
}

// Followers implements ideas.Store.
func (db *DB) Followers(ctx context.Context, ideaID string) ([]string, error) {
	return queryAll(ctx, db.reader(ctx), scanString, `SELECT author_id FROM ideas WHERE id = ?
		UNION SELECT user_id FROM idea_votes WHERE idea_id = ?
		UNION SELECT author_id FROM idea_comments WHERE idea_id = ?`, ideaID, ideaID, ideaID)
}
