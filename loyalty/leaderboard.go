package loyalty

import (
	"context"
	"strings"

	"github.com/townhall/townhall"
	"github.com/townhall/townhall/forum"
)

// LeaderboardSize is how many people a leaderboard lists.
const LeaderboardSize = 50

// LeaderboardQuery selects a leaderboard: a period (week, month, all; ""
// is week), and optionally a forum category (by slug or id) or, for
// staff, a customer segment (by id).
type LeaderboardQuery struct {
	Period   string
	Category string
	Segment  string
}

// Leaderboard is the top contributors by reputation gained in a period.
type Leaderboard struct {
	Period   string
	Category *forum.Category   // when filtered by category
	Segment  *townhall.Segment // when filtered by segment
	Items    []*Standing
}

// Leaderboard returns the people who gained the most reputation in the
// period, overall, within one forum category's threads, or (staff only)
// among one customer segment's members. It reads one rollup range, never
// the ledger.
func (s *Service) Leaderboard(ctx context.Context, viewer *townhall.User, q LeaderboardQuery) (*Leaderboard, error) {
	period := strings.ToLower(strings.TrimSpace(q.Period))
	if period == "" {
		period = PeriodWeek
	}
	if period != PeriodWeek && period != PeriodMonth && period != PeriodAll {
		return nil, townhall.Errorf(townhall.EINVALID, "Period must be week, month or all.")
	}
	if q.Category != "" && q.Segment != "" {
		return nil, townhall.Errorf(townhall.EINVALID, "Choose a category or a segment, not both.")
	}
	lb := &Leaderboard{Period: period}
	scope := ScopeAll
	switch {
	case q.Category != "":
		if s.cats == nil {
			return nil, townhall.Errorf(townhall.EINVALID, "Category %q does not exist.", q.Category)
		}
		c, err := s.cats.Category(ctx, q.Category)
		if townhall.ErrorCode(err) == townhall.ENOTFOUND {
			return nil, townhall.Errorf(townhall.EINVALID, "Category %.40q does not exist.", q.Category)
		} else if err != nil {
			return nil, err
		}
		lb.Category, scope = c, CategoryScope(c.ID)
	case q.Segment != "":
		if err := townhall.SignedIn(viewer, "see leaderboards by segment"); err != nil {
			return nil, err
		}
		if !viewer.Role.IsStaff() {
			return nil, townhall.Errorf(townhall.EFORBIDDEN, "Only staff can see leaderboards by customer segment.")
		}
		segs, err := s.users.Segments(ctx)
		if err != nil {
			return nil, err
		}
		for _, seg := range segs {
			if seg.ID == q.Segment {
				lb.Segment = seg
			}
		}
		if lb.Segment == nil {
			return nil, townhall.Errorf(townhall.EINVALID, "Segment %.40q does not exist.", q.Segment)
		}
		scope = SegmentScope(lb.Segment.ID)
	}
	key := PeriodKey(period, s.now().In(s.loc).Format("2006-01-02"))
	items, err := s.store.Standings(ctx, key, scope, LeaderboardSize)
	if err != nil {
		return nil, err
	}
	for i, st := range items {
		st.Rank = i + 1
		if i > 0 && st.Points == items[i-1].Points {
			st.Rank = items[i-1].Rank // ties share a rank
		}
	}
	if items == nil {
		items = []*Standing{}
	}
	lb.Items = items
	return lb, nil
}

// BadgeSummary is one badge on the badges page: how many hold it and who
// got it most recently.
type BadgeSummary struct {
	*Badge
	Holders int
	Recent  []*Holder
}

// recentHolders is how many holders the badges page shows per badge.
const recentHolders = 8

// Badges lists every badge with its holder count and latest holders.
func (s *Service) Badges(ctx context.Context) ([]*BadgeSummary, error) {
	counts, err := s.store.BadgeCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*BadgeSummary, 0, len(Badges))
	for _, b := range Badges {
		sum := &BadgeSummary{Badge: b, Holders: counts[b.Slug]}
		if sum.Holders > 0 {
			if sum.Recent, err = s.store.BadgeHolders(ctx, b.Slug, "", recentHolders); err != nil {
				return nil, err
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// HoldersPage is how many holders one page of a badge lists.
const HoldersPage = 50

// BadgeHolders returns a badge with a page of its holders, newest first.
func (s *Service) BadgeHolders(ctx context.Context, slug, after string) (*BadgeSummary, townhall.Page[*Holder], error) {
	var page townhall.Page[*Holder]
	b := BadgeBySlug(slug)
	if b == nil {
		return nil, page, ErrBadgeNotFound
	}
	if after != "" && !townhall.ValidID(after) {
		return nil, page, errBadCursor
	}
	counts, err := s.store.BadgeCounts(ctx)
	if err != nil {
		return nil, page, err
	}
	page, err = townhall.Paginate(HoldersPage, func(n int) ([]*Holder, error) {
		return s.store.BadgeHolders(ctx, b.Slug, after, n)
	}, func(last *Holder) string { return last.ID })
	return &BadgeSummary{Badge: b, Holders: counts[b.Slug]}, page, err
}
