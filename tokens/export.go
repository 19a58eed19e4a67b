package tokens

import (
	"context"
	"time"

	"github.com/townhall/townhall"
)

// ExportSection names API tokens' part of a person's data export.
func (s *Service) ExportSection() string { return "api_tokens" }

// ExportData lists u's personal tokens for their export (account.Section):
// what each may do and when it was used, never its secret or hash.
func (s *Service) ExportData(ctx context.Context, u *townhall.User) (any, error) {
	list, err := s.store.UserTokens(ctx, u.ID, listTokensMost)
	if err != nil {
		return nil, err
	}
	type token struct {
		ID         string     `json:"id"`
		Name       string     `json:"name"`
		Scopes     []string   `json:"scopes"`
		Prefix     string     `json:"prefix"`
		CreatedAt  time.Time  `json:"created_at"`
		ExpiresAt  *time.Time `json:"expires_at"`
		LastUsedAt *time.Time `json:"last_used_at"`
		RevokedAt  *time.Time `json:"revoked_at"`
	}
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out := []token{}
	for _, t := range list {
		out = append(out, token{ID: t.ID, Name: t.Name, Scopes: t.Scopes, Prefix: t.Prefix, CreatedAt: t.CreatedAt,
			ExpiresAt: opt(t.ExpiresAt), LastUsedAt: opt(t.LastUsedAt), RevokedAt: opt(t.RevokedAt)})
	}
	return out, nil
}
