package email

import (
	"context"
	"time"

	"github.com/townhall/townhall"
)

// ExportSection names email's part of a person's data export.
func (s *Service) ExportSection() string { return "email_settings" }

// ExportData is u's email settings for their export (account.Section).
func (s *Service) ExportData(ctx context.Context, u *townhall.User) (any, error) {
	p, err := s.preferencesOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := struct {
		Address   string              `json:"address"`
		NoEmail   bool                `json:"no_email"`
		Digest    Frequency           `json:"digest"`
		Kinds     map[string]Delivery `json:"kinds"`
		UpdatedAt *time.Time          `json:"updated_at"`
	}{Address: u.Email, NoEmail: p.NoEmail, Digest: p.Digest, Kinds: p.Kinds}
	if !p.UpdatedAt.IsZero() {
		out.UpdatedAt = &p.UpdatedAt
	}
	return out, nil
}
