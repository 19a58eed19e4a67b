// Package tokens is the API's credentials for scripts and integrations:
// personal tokens a person creates for themselves (acting with exactly
// their own role), and site tokens admins create, each acting as a bot user
// of its own with the role the admin chose.
//
// A token is a random secret shown once, when it is created; the store
// keeps only its SHA-256 hash (the secret is 160 random bits, so a fast hash
// is enough: there is nothing to guess). Every token has scopes (read for
// GET requests, write for the rest), may expire, can be revoked, and
// remembers when it was last used, to the minute: recording every use
// would be a write on every API call.
package tokens

import (
	"context"
	"slices"
	"time"

	"github.com/townhall/townhall"
)

// The scopes a token can have.
const (
	ScopeRead  = "read"  // GET requests
	ScopeWrite = "write" // every other method
)

// Scopes lists every scope in the order forms offer them.
var Scopes = []string{ScopeRead, ScopeWrite}

// Limits of what tokens may be.
const (
	MaxName        = 60
	DefaultDays    = 90  // expires_in_days when none is given
	MaxDays        = 365 // the longest expiry; 0 means never
	MaxActive      = 25  // active tokens per person
	SecretPrefix   = "th_"
	TouchEvery     = time.Minute // last-used times are this precise
	listTokensMost = 100
)

// Token is one API token. Its secret is never stored, only Hash.
type Token struct {
	ID     string
	UserID string // whom the token acts as: its owner, or a site token's bot
	Name   string
	Scopes []string
	Hash   string // hex SHA-256 of the secret
	Prefix string // the secret's first characters, to tell tokens apart in lists
	// Site tokens act as a bot user an admin created for them.
	Site       bool
	CreatedBy  string // the person who created it (the admin, for site tokens)
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never expires
	LastUsedAt time.Time // zero: never used; precise to TouchEvery
	RevokedAt  time.Time // zero: not revoked

	// UserName and UserHandle name the user it acts as; reads of site
	// tokens fill them.
	UserName, UserHandle string
	UserRole             townhall.Role
}

// Revoked reports whether the token was revoked.
func (t *Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Expired reports whether the token has expired at now.
func (t *Token) Expired(now time.Time) bool { return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) }

// Active reports whether the token still works at now.
func (t *Token) Active(now time.Time) bool { return !t.Revoked() && !t.Expired(now) }

// Allows reports whether the token has scope.
func (t *Token) Allows(scope string) bool { return slices.Contains(t.Scopes, scope) }

// ScopeFor is the scope a request with the given HTTP method needs.
func ScopeFor(method string) string {
	switch method {
	case "GET", "HEAD", "OPTIONS":
		return ScopeRead
	}
	return ScopeWrite
}

// Store is what tokens need from a backend. Each method is atomic.
type Store interface {
	// CreateToken stores a new token; hashes are unique.
	CreateToken(ctx context.Context, t *Token) error
	// Token returns one token by id (ErrNotFound).
	Token(ctx context.Context, id string) (*Token, error)
	// TokenByHash returns the token whose secret hashes to hash (ErrNotFound).
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// UserTokens lists the personal tokens of a user, newest first,
	// revoked and expired ones too, at most limit.
	UserTokens(ctx context.Context, userID string, limit int) ([]*Token, error)
	// SiteTokens lists site tokens newest first with their bot users'
	// names, at most limit.
	SiteTokens(ctx context.Context, limit int) ([]*Token, error)
	// RevokeToken marks a token revoked at at; revoked is false when it
	// was already (ErrNotFound).
	RevokeToken(ctx context.Context, id string, at time.Time) (revoked bool, err error)
	// TouchToken records a use at at, unless one at or after since is
	// recorded already: concurrent requests write it once.
	TouchToken(ctx context.Context, id string, at, since time.Time) error
}
