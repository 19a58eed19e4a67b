package loyalty

import (
	"context"
	"time"

	"github.com/townhall/townhall"
)

// ExportSection names loyalty's part of a person's data export.
func (s *Service) ExportSection() string { return "loyalty" }

// exportEntriesPage is how many ledger entries one store call reads.
const exportEntriesPage = 500

// ExportData is u's loyalty data for their export (account.Section): the
// bio as written, reputation, badges and the whole reputation ledger.
func (s *Service) ExportData(ctx context.Context, u *townhall.User) (any, error) {
	p, awards, err := s.profileAndBadges(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	type badge struct {
		Slug    string    `json:"slug"`
		Name    string    `json:"name"`
		Tier    string    `json:"tier"`
		At      time.Time `json:"awarded_at"`
		Granted bool      `json:"granted"`
	}
	type entry struct {
		Points     int       `json:"points"`
		Reason     Reason    `json:"reason"`
		SourceKind string    `json:"source_kind"`
		SourceID   string    `json:"source_id"`
		At         time.Time `json:"at"`
	}
	out := struct {
		Bio        string  `json:"bio"`
		Reputation int     `json:"reputation"`
		Champion   bool    `json:"champion"`
		Badges     []badge `json:"badges"`
		Ledger     []entry `json:"reputation_ledger"`
	}{Bio: p.Bio, Reputation: u.Reputation, Champion: u.Champion, Badges: []badge{}, Ledger: []entry{}}
	for _, a := range awards {
		b := badge{Slug: a.Badge, Name: a.Badge, At: a.At, Granted: a.GrantedBy != ""}
		if def := BadgeBySlug(a.Badge); def != nil {
			b.Name, b.Tier = def.Name, def.Tier.String()
		}
		out.Badges = append(out.Badges, b)
	}
	for before := ""; ; {
		page, err := s.store.ReputationEntries(ctx, u.ID, before, exportEntriesPage)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			out.Ledger = append(out.Ledger, entry{Points: e.Points, Reason: e.Reason, SourceKind: e.SourceKind, SourceID: e.SourceID, At: e.At})
		}
		if len(page) < exportEntriesPage {
			break
		}
		before = page[len(page)-1].ID
	}
	return out, nil
}
