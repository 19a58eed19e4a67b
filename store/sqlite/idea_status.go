package sqlite

import (
	"context"
	"database/sql"
	"html/template"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/ideas"
	"github.com/townhall/townhall/loyalty"
)

// ChangeStatus implements ideas.Store.
func (db *DB) ChangeStatus(ctx context.Context, ch *ideas.StatusChange) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := openIdea(ctx, tx, ch.IdeaID); err != nil {
			return err
		}
		// The author's points follow the status the idea really had.
		var from ideas.Status
		var author string
		if err := tx.QueryRowContext(ctx, `SELECT status, author_id FROM ideas WHERE id = ?`, ch.IdeaID).Scan(&from, &author); err != nil {
			return err
		}
		if err := db.credit(ctx, tx, ch.At, loyalty.StatusEntries(ch.ID, ch.IdeaID, author, from, ch.To)...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idea_status_changes(id, idea_id, from_status, to_status, reason, response, response_html, actor_id, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, ch.ID, ch.IdeaID, ch.From, ch.To, ch.Reason, ch.Response, string(ch.ResponseHTML), ch.ActorID, ms(ch.At)); err != nil {
			return err
		}
		at := ms(ch.At)
		if _, err := tx.ExecContext(ctx, `UPDATE ideas SET status = ?, status_at = ?, responded_at = COALESCE(responded_at, ?) WHERE id = ?`,
			ch.To, at, at, ch.IdeaID); err != nil {
			return err
		}
		if ch.Response != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE ideas SET response_body = ?, response_html = ?, response_author_id = ?, response_at = ? WHERE id = ?`,
				ch.Response, string(ch.ResponseHTML), ch.ActorID, at, ch.IdeaID); err != nil {
				return err
			}
		}
		if err := markShipped(ctx, tx, ch); err != nil {
			return err
		}
		if err := syncTags(ctx, tx, ch.IdeaID); err != nil {
			return err
		}
		return db.recordChange(ctx, tx, townhall.KindIdea, ch.IdeaID)
	})
}

// StatusHistory implements ideas.Store.
func (db *DB) StatusHistory(ctx context.Context, ideaID string) ([]*ideas.StatusChange, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT h.id, h.idea_id, h.from_status, h.to_status, h.reason, h.response, h.response_html,
		h.actor_id, u.name, h.created_at FROM idea_status_changes h JOIN users u ON u.id = h.actor_id
		WHERE h.idea_id = ? ORDER BY h.id`, ideaID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ideas.StatusChange
	for rows.Next() {
		var h ideas.StatusChange
		var html string
		var at int64
		if err := rows.Scan(&h.ID, &h.IdeaID, &h.From, &h.To, &h.Reason, &h.Response, &html, &h.ActorID, &h.ActorName, &at); err != nil {
			return nil, err
		}
		h.ResponseHTML = template.HTML(html) // sanitized by markdown.Render when written
		h.At = fromMS(at)
		out = append(out, &h)
	}
	return out, rows.Err()
}
