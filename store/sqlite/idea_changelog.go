package sqlite

import (
	"context"
	"database/sql"
	"html/template"

	"github.com/townhall/townhall/ideas"
)

func init() {
	registerMigrations("integrations", 112,
		// The changelog: when each idea shipped (last moved to done), its
		// release note; votes recorded on a customer's behalf; and finding
		// customers by email. shipped_at is filled for ideas already done,
		// from their status history.
		`
ALTER TABLE ideas ADD COLUMN shipped_at INTEGER;
UPDATE ideas SET shipped_at = COALESCE(
	(SELECT MAX(h.created_at) FROM idea_status_changes h WHERE h.idea_id = ideas.id AND h.to_status = 'done' AND h.from_status != 'done'),
	status_at, updated_at) WHERE status = 'done';
CREATE INDEX ideas_shipped ON ideas(shipped_at DESC, id DESC) WHERE status = 'done' AND merged_into IS NULL AND hidden_at IS NULL;
CREATE TABLE idea_release_notes (
	idea_id    TEXT PRIMARY KEY REFERENCES ideas(id),
	body       TEXT NOT NULL,
	body_html  TEXT NOT NULL,
	author_id  TEXT NOT NULL REFERENCES users(id),
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE idea_proxy_votes (
	idea_id     TEXT NOT NULL REFERENCES ideas(id),
	user_id     TEXT NOT NULL REFERENCES users(id),
	recorded_by TEXT NOT NULL REFERENCES users(id),
	note        TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (idea_id, user_id)
) WITHOUT ROWID;
CREATE INDEX idea_proxy_votes_newest ON idea_proxy_votes(idea_id, created_at DESC);
CREATE INDEX users_email_key ON users(lower(email)) WHERE email != '';`)
}

// markShipped keeps an idea's shipped_at with its status change: set when
// it moves to done, cleared when it moves away, kept when the team only
// responds.
func markShipped(ctx context.Context, tx *sql.Tx, ch *ideas.StatusChange) error {
	var err error
	switch {
	case ch.To == ideas.StatusDone && ch.From != ideas.StatusDone:
		_, err = tx.ExecContext(ctx, `UPDATE ideas SET shipped_at = ? WHERE id = ?`, ms(ch.At), ch.IdeaID)
	case ch.To != ideas.StatusDone:
		_, err = tx.ExecContext(ctx, `UPDATE ideas SET shipped_at = NULL WHERE id = ?`, ch.IdeaID)
	}
	return err
}

// alsoScan scans a row into a query's own columns followed by extra ones,
// so scanIdea can read a query that selects more beside an idea.
type alsoScan struct {
	row   scanner
	extra []any
}

func (a alsoScan) Scan(dest ...any) error { return a.row.Scan(append(dest, a.extra...)...) }

// Changelog implements ideas.ChangelogStore.
func (db *DB) Changelog(ctx context.Context, after *ideas.Cursor, limit int) ([]*ideas.Shipped, error) {
	q := `SELECT ` + ideaCols + `, COALESCE(i.shipped_at, 0), COALESCE(n.body, ''), COALESCE(n.body_html, ''), COALESCE(n.author_id, ''),
		COALESCE(nu.name, ''), COALESCE(n.updated_at, 0) FROM ideas i` + ideaJoins + `
		LEFT JOIN idea_release_notes n ON n.idea_id = i.id LEFT JOIN users nu ON nu.id = n.author_id
		WHERE i.status = 'done' AND i.merged_into IS NULL AND i.hidden_at IS NULL`
	args := []any{""}
	if after != nil {
		q += ` AND (i.shipped_at, i.id) < (?, ?)`
		args = append(args, int64(after.Key), after.ID)
	}
	q += ` ORDER BY i.shipped_at DESC, i.id DESC LIMIT ?`
	args = append(args, limit)
	return queryAll(ctx, db.reader(ctx), func(row scanner) (*ideas.Shipped, error) {
		var shipped, noteAt int64
		var n ideas.ReleaseNote
		var html string
		i, err := scanIdea(alsoScan{row, []any{&shipped, &n.Body, &html, &n.AuthorID, &n.AuthorName, &noteAt}}, false)
		if err != nil {
			return nil, err
		}
		sh := &ideas.Shipped{Idea: i, ShippedAt: fromMS(shipped)}
		if n.Body != "" {
			n.IdeaID, n.BodyHTML, n.UpdatedAt = i.ID, template.HTML(html), fromMS(noteAt) // sanitized when written
			sh.Note = &n
		}
		return sh, nil
	}, q, args...)
}

// SetReleaseNote implements ideas.ChangelogStore.
func (db *DB) SetReleaseNote(ctx context.Context, n *ideas.ReleaseNote) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := getIdeaState(ctx, tx, n.IdeaID, ideas.ErrNotFound); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO idea_release_notes(idea_id, body, body_html, author_id, updated_at) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(idea_id) DO UPDATE SET body = excluded.body, body_html = excluded.body_html, author_id = excluded.author_id,
			updated_at = excluded.updated_at`, n.IdeaID, n.Body, string(n.BodyHTML), n.AuthorID, ms(n.UpdatedAt))
		return err
	})
}

// DeleteReleaseNote implements ideas.ChangelogStore.
func (db *DB) DeleteReleaseNote(ctx context.Context, ideaID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idea_release_notes WHERE idea_id = ?`, ideaID)
		return err
	})
}

// ReleaseNote implements ideas.ChangelogStore.
func (db *DB) ReleaseNote(ctx context.Context, ideaID string) (*ideas.ReleaseNote, error) {
	var n ideas.ReleaseNote
	var html string
	var at int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT n.idea_id, n.body, n.body_html, n.author_id, u.name, n.updated_at
		FROM idea_release_notes n JOIN users u ON u.id = n.author_id WHERE n.idea_id = ?`, ideaID).
		Scan(&n.IdeaID, &n.Body, &html, &n.AuthorID, &n.AuthorName, &at)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	n.BodyHTML, n.UpdatedAt = template.HTML(html), fromMS(at)
	return &n, nil
}
