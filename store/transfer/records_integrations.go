package transfer

// The records of integrations: API tokens, webhook endpoints and their
// delivery attempts, release notes of shipped ideas and votes recorded on
// a customer's behalf.

// APIToken is an API token: the hash of its secret, never the secret.
type APIToken struct {
	ID         string `col:"id"`
	UserID     string `col:"user_id"`
	Name       string `col:"name"`
	Scopes     string `col:"scopes"` // comma-separated
	Hash       string `col:"hash"`
	Prefix     string `col:"prefix"`
	Site       bool   `col:"site"`
	CreatedBy  string `col:"created_by"`
	CreatedAt  int64  `col:"created_at"`
	ExpiresAt  int64  `col:"expires_at,null"`
	LastUsedAt int64  `col:"last_used_at,null"`
	RevokedAt  int64  `col:"revoked_at,null"`
}
