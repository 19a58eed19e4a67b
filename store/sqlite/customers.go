package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/auth"
)

var _ auth.CustomerStore = (*DB)(nil)

// UserByEmail implements auth.CustomerStore through the users_email_key
// index.
func (db *DB) UserByEmail(ctx context.Context, key string) (*townhall.User, bool, error) {
	var placeholder bool
	u, err := scanUserAnd(db.reader(ctx).QueryRowContext(ctx, `SELECT `+userCols+`, `+isPlaceholder+userFrom+`
		WHERE lower(u.email) = ? AND u.email != '' ORDER BY u.id LIMIT 1`, key), &placeholder)
	return u, placeholder, notFound(err, auth.ErrUserNotFound)
}

// claimPlaceholder gives a new identity the placeholder account of a
// customer recorded by its email address, if there is one: the identity
// replaces the recorded address and the profile comes from the identity.
// It returns the account's id, "" when there is none to claim.
func claimPlaceholder(ctx context.Context, tx *sql.Tx, id auth.Identity) (string, error) {
	key := strings.ToLower(strings.TrimSpace(id.Email))
	if key == "" || id.Provider == auth.ProviderEmail || id.Provider == auth.ProviderBot {
		return "", nil
	}
	var userID string
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM identities WHERE provider = ? AND subject = ?`, auth.ProviderEmail, key).Scan(&userID)
	if err == sql.ErrNoRows {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE identities SET provider = ?, subject = ? WHERE provider = ? AND subject = ?`,
		id.Provider, id.Subject, auth.ProviderEmail, key); err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, avatar_url = ? WHERE id = ?`, id.Name, id.Email, id.AvatarURL, userID)
	return userID, err
}
