package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/townhall/townhall/tokens"
)

func init() {
	registerMigrations("tokens", 110, `
CREATE TABLE api_tokens (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	scopes       TEXT NOT NULL, -- comma-separated, sorted
	hash         TEXT NOT NULL UNIQUE, -- SHA-256 of the secret; the secret is never stored
	prefix       TEXT NOT NULL,
	site         INTEGER NOT NULL DEFAULT 0,
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER, -- NULL: never
	last_used_at INTEGER,
	revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, id DESC) WHERE site = 0;
CREATE INDEX api_tokens_site ON api_tokens(id DESC) WHERE site = 1;`)
}

var _ tokens.Store = (*DB)(nil)

const tokenCols = `t.id, t.user_id, t.name, t.scopes, t.hash, t.prefix, t.site, t.created_by, t.created_at, t.expires_at,
	t.last_used_at, t.revoked_at, u.name, u.handle, u.role`

const tokenFrom = ` FROM api_tokens t JOIN users u ON u.id = t.user_id `

func scanToken(row scanner) (*tokens.Token, error) {
	var t tokens.Token
	var scopes string
	var created int64
	var expires, used, revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &scopes, &t.Hash, &t.Prefix, &t.Site, &t.CreatedBy, &created, &expires,
		&used, &revoked, &t.UserName, &t.UserHandle, &t.UserRole); err != nil {
		return nil, err
	}
	t.Scopes = strings.Split(scopes, ",")
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromMS(created), nullMS(expires), nullMS(used), nullMS(revoked)
	return &t, nil
}

// nullTime is a time for a nullable column: the zero time is NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

// CreateToken implements tokens.Store.
func (db *DB) CreateToken(ctx context.Context, t *tokens.Token) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens(id, user_id, name, scopes, hash, prefix, site, created_by, created_at, expires_at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.UserID, t.Name, strings.Join(t.Scopes, ","), t.Hash, t.Prefix, boolInt(t.Site),
			t.CreatedBy, ms(t.CreatedAt), nullTime(t.ExpiresAt))
		return err
	})
}

// Token implements tokens.Store.
func (db *DB) Token(ctx context.Context, id string) (*tokens.Token, error) {
	t, err := scanToken(db.reader(ctx).QueryRowContext(ctx, `SELECT `+tokenCols+tokenFrom+`WHERE t.id = ?`, id))
	return t, notFound(err, tokens.ErrNotFound)
}

// TokenByHash implements tokens.Store.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*tokens.Token, error) {
	t, err := scanToken(db.reader(ctx).QueryRowContext(ctx, `SELECT `+tokenCols+tokenFrom+`WHERE t.hash = ?`, hash))
	return t, notFound(err, tokens.ErrNotFound)
}

// UserTokens implements tokens.Store.
func (db *DB) UserTokens(ctx context.Context, userID string, limit int) ([]*tokens.Token, error) {
	return queryAll(ctx, db.reader(ctx), scanToken, `SELECT `+tokenCols+tokenFrom+`WHERE t.user_id = ? AND t.site = 0
		ORDER BY t.id DESC LIMIT ?`, userID, limit)
}

// SiteTokens implements tokens.Store.
func (db *DB) SiteTokens(ctx context.Context, limit int) ([]*tokens.Token, error) {
	return queryAll(ctx, db.reader(ctx), scanToken, `SELECT `+tokenCols+tokenFrom+`WHERE t.site = 1 ORDER BY t.id DESC LIMIT ?`, limit)
}

// RevokeToken implements tokens.Store.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) (bool, error) {
	var revoked bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var was sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_tokens WHERE id = ?`, id).Scan(&was); err != nil {
			return notFound(err, tokens.ErrNotFound)
		}
		if was.Valid {
			return nil
		}
		revoked = true
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, ms(at), id)
		return err
	})
	return revoked, err
}

// TouchToken implements tokens.Store.
func (db *DB) TouchToken(ctx context.Context, id string, at, since time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			ms(at), id, ms(since))
		return err
	})
}
